package controller_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"egov.vn/platform/libs/testenv"
	platformv1 "egov.vn/platform/operator/api/v1alpha1"
	"egov.vn/platform/operator/internal/controller"
	"egov.vn/platform/services/identity/identitytest"
)

// BenchmarkOnboardTenants applies OPERATOR_BENCH_TENANTS communes (default 50) at once and
// measures the time until every one is Ready, against the real envtest API server, MinIO and
// identity. The operator runs as its own process (the built cmd), so its peak memory is its own
// resident set (VmHWM), and the reconcile count comes from its Prometheus metrics.
func BenchmarkOnboardTenants(b *testing.B) {
	needCluster(b)
	n := 50
	if v, err := strconv.Atoi(os.Getenv("OPERATOR_BENCH_TENANTS")); err == nil && v > 0 {
		n = v
	}
	idp := identitytest.Start(b)
	m := testenv.MinIO(b)
	dir := b.TempDir()
	bin := filepath.Join(dir, "operator")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd").CombinedOutput(); err != nil {
		b.Fatalf("build the operator: %v\n%s", err, out)
	}
	user, err := shared.env.AddUser(envtest.User{Name: "tenant-operator-bench", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	kc, err := user.KubeConfig()
	if err != nil {
		b.Fatal(err)
	}
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, kc, 0o600); err != nil {
		b.Fatal(err)
	}
	metricsAddr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(b))
	prefix := "b" + randHex(2) + "-"
	cmd := exec.Command(bin, "--metrics-bind-address="+metricsAddr, "--health-probe-bind-address=0",
		"--identity-url="+idp.Issuer, "--identity-client-id="+idp.Operator.ID,
		"--minio-endpoint="+m.Endpoint, "--minio-access-key="+m.AccessKey,
		"--bucket-prefix="+prefix, "--namespace-prefix="+prefix, "--max-concurrent-reconciles=16",
		"--retry-base-delay=200ms", "--retry-max-delay=10s", "--log-level=error")
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig, "OPERATOR_IDENTITY_CLIENT_SECRET="+idp.Operator.Secret, "OPERATOR_MINIO_SECRET_KEY="+m.SecretKey)
	logf, _ := os.Create(filepath.Join(dir, "operator.log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		w := &world{k8s: shared.k8s, stop: func() {}, done: closed()}
		w.shutdown()
	})
	ctx := context.Background()

	b.ResetTimer()
	var elapsed time.Duration
	for i := range b.N {
		start := time.Now()
		names := make(chan string, n)
		var wg sync.WaitGroup
		for worker := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := worker; j < n; j += 8 {
					slug := fmt.Sprintf("%sxa-%d-%d", prefix, i, j)
					tn := commune(slug, strconv.Itoa(20000+(i*n+j)%79999))
					tn.Spec.Admins[0].Username = fmt.Sprintf("qt.%s%d.%d", prefix, i, j)
					if err := shared.k8s.Create(ctx, tn); err != nil {
						b.Error(err)
						return
					}
					names <- slug
				}
			}()
		}
		wg.Wait()
		close(names)
		want := map[string]bool{}
		for s := range names {
			want[s] = true
		}
		deadline := time.Now().Add(30 * time.Minute)
		for {
			var list platformv1.TenantList
			if err := shared.k8s.List(ctx, &list); err != nil {
				b.Fatal(err)
			}
			ready := 0
			for _, tn := range list.Items {
				if want[tn.Name] && meta.IsStatusConditionTrue(tn.Status.Conditions, controller.CondReady) {
					ready++
				}
			}
			if ready == len(want) {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("%d of %d tenants Ready after 30 minutes", ready, len(want))
			}
			time.Sleep(200 * time.Millisecond)
		}
		elapsed += time.Since(start)
	}
	b.StopTimer()

	total := float64(n * b.N)
	reconciles := scrapeReconciles(b, "http://"+metricsAddr+"/metrics")
	rssKiB := peakRSS(b, cmd.Process.Pid)
	rate := total / elapsed.Seconds()
	b.ReportMetric(rate, "tenants/s")
	b.ReportMetric(reconciles/elapsed.Seconds(), "reconciles/s")
	b.ReportMetric(reconciles/total, "reconciles/tenant")
	b.ReportMetric(float64(rssKiB)/1024, "peak-RSS-MiB")
	b.ReportMetric(3321/rate, "s-for-3321")
	b.Logf("%d tenants Ready in %s: %.1f tenants/s, %.0f reconciles (%.1f/s), operator peak RSS %.1f MiB; 3,321 communes at this rate: %.0f s (goal ≤ 600 s, ≤ 256 MiB)",
		int(total), elapsed.Round(time.Millisecond), rate, reconciles, reconciles/elapsed.Seconds(), float64(rssKiB)/1024, 3321/rate)
}

func closed() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}

// scrapeReconciles sums controller-runtime's reconcile counter of the tenant controller.
func scrapeReconciles(b *testing.B, url string) float64 {
	b.Helper()
	resp, err := http.Get(url) //nolint:gosec // the operator's loopback metrics endpoint
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "controller_runtime_reconcile_total{") && strings.Contains(line, `controller="tenant"`) {
			f := strings.Fields(line)
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			sum += v
		}
	}
	return sum
}

// peakRSS reads the process's high-water resident set (VmHWM, KiB) from /proc.
func peakRSS(b *testing.B, pid int) int {
	b.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			v, _ := strconv.Atoi(strings.Fields(rest)[0])
			return v
		}
	}
	return 0
}
