//go:build cluster

package clustertest

import (
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/procfs"

	"egov.vn/platform/libs/testenv"
)

// Vietnam's units since the 2025 reform: 34 provinces and cities, 3,321 communes and wards, no
// districts.
const (
	provincesOfVietnam = 34
	communesOfVietnam  = 3321
)

// BenchmarkCommunesOfVietnam applies every commune of Vietnam (CLUSTER_BENCH_COMMUNES to change
// the count) under 34 provinces (the trial's root and 33 Tenants) to the real cluster, with the trial platform installed and the
// operator in the cluster seeding identity, MinIO, dossiers, archives, hr and reporting for real,
// and reports: the time until every Tenant is Ready (s-to-ready, from the first create), the
// operator's peak resident memory (operator-peak-MiB), kube-apiserver's and etcd's
// (apiserver-peak-MiB, etcd-peak-MiB), and each service's provisioning latency from its own
// http.server.request.duration histogram (logged per route, with the count, mean and p95).
//
//	make cluster-bench   # or: infra/test-env.sh go test -tags cluster -run '^$' -bench CommunesOfVietnam -benchtime 1x -timeout 90m ./libs/devkit/clustertest/
func BenchmarkCommunesOfVietnam(b *testing.B) {
	communes := communesOfVietnam
	if v, err := strconv.Atoi(os.Getenv("CLUSTER_BENCH_COMMUNES")); err == nil && v > 0 {
		communes = v
	}
	c := newCluster(b)
	publicURL := fmt.Sprintf("http://localhost:%d", testenv.FreePort(b))
	c.timed("helm install platform (trial, every pod Ready)", func() {
		c.run("bin/helm", append([]string{"install", "egov", "charts/platform", "-n", platformNS, "--create-namespace"}, c.platformValues(publicURL)...)...)
	})
	c.timed("helm install operator (Ready)", func() {
		// The chart's own memory limit (256Mi, the goal) stays: an operator killed for memory
		// shows as a restart below.
		c.installOperator("--set", "logLevel=error")
	})
	manifest := filepath.Join(b.TempDir(), "tenants.yaml")
	if err := os.WriteFile(manifest, []byte(vietnamTenants(provincesOfVietnam, communes)), 0o600); err != nil {
		b.Fatal(err)
	}
	total := provincesOfVietnam - 1 + communes // the root province is no Tenant

	b.ResetTimer()
	for range b.N {
		start := time.Now()
		// create, not apply: one request per Tenant, and a Tenant left by an earlier round is an error.
		c.run("bin/kubectl", "create", "-f", manifest)
		created := time.Since(start)
		ready, last := 0, time.Now()
		for ready < total {
			if time.Since(start) > 60*time.Minute {
				b.Fatalf("%d of %d Tenants Ready after %s", ready, total, time.Since(start).Round(time.Second))
			}
			time.Sleep(5 * time.Second)
			n := strings.Count(c.output("bin/kubectl", "get", "egovtenants", "-o",
				`jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}`), "True")
			if n != ready || time.Since(last) > time.Minute {
				b.Logf("%s: %d of %d Tenants Ready", time.Since(start).Round(time.Second), n, total)
				ready, last = n, time.Now()
			}
		}
		elapsed := time.Since(start)
		b.StopTimer()
		b.ReportMetric(elapsed.Seconds(), "s-to-ready")
		b.ReportMetric(float64(total)/elapsed.Seconds(), "tenants/s")
		b.Logf("%d Tenants (%d provinces besides the root, %d communes) created in %s, all Ready after %s",
			total, provincesOfVietnam-1, communes, created.Round(time.Second), elapsed.Round(time.Second))
	}
	op := c.operatorPID()
	b.ReportMetric(peakMiB(b, op), "operator-peak-MiB")
	b.ReportMetric(cgroupPeakMiB(b, op), "operator-cgroup-peak-MiB")
	if r := c.output("bin/kubectl", "-n", operatorNS, "get", "pods", "-o", "jsonpath={.items[*].status.containerStatuses[*].restartCount}"); r != "0" {
		b.Errorf("the operator's container restarted (%s): its peak above is the last life's only", r)
	}
	for _, n := range []string{"kube-apiserver", "etcd"} {
		pid, err := os.ReadFile(filepath.Join(c.root, "var/cluster/run", n+".pid"))
		if err != nil {
			b.Fatal(err)
		}
		p, err := strconv.Atoi(strings.TrimSpace(string(pid)))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(peakMiB(b, p), strings.TrimPrefix(n, "kube-")+"-peak-MiB")
	}
	for _, svc := range []string{"identity", "dossiers", "archives", "hr", "reporting"} {
		c.logProvisioningLatency(svc)
	}
}

// vietnamTenants is the manifest of the units: the provinces other than the root, tinh-01… (codes
// 01…, never the root's 34), then communes xa-0001… spread over all the provinces in turn, the
// root included, each unit with one administrator.
func vietnamTenants(provinces, communes int) string {
	var sb strings.Builder
	parents := []string{rootProvince}
	for p := 1; p < provinces; p++ {
		slug := fmt.Sprintf("tinh-%02d", p)
		parents = append(parents, slug)
		fmt.Fprintf(&sb, `apiVersion: platform.egov.vn/v1alpha1
kind: Tenant
metadata: {name: %s}
spec:
  code: "%02d"
  displayName: UBND tỉnh thử nghiệm %02d
  kind: province
  admins: [{username: qt.tinh%02d, name: Quản trị tỉnh %02d}]
---
`, slug, p, p, p, p)
	}
	for i := 1; i <= communes; i++ {
		fmt.Fprintf(&sb, `apiVersion: platform.egov.vn/v1alpha1
kind: Tenant
metadata: {name: xa-%04d}
spec:
  code: "%05d"
  displayName: UBND xã thử nghiệm %04d
  kind: commune
  parent: %s
  admins: [{username: qt.xa%04d, name: Quản trị xã %04d}]
---
`, i, i, i, parents[(i-1)%len(parents)], i, i)
	}
	return sb.String()
}

// operatorPID finds the operator's process on this node: the container's binary, seen from the
// host.
func (c *cluster) operatorPID() int {
	c.t.Helper()
	procs, err := procfs.AllProcs()
	if err != nil {
		c.t.Fatal(err)
	}
	for _, p := range procs {
		if exe, err := p.Executable(); err == nil && filepath.Base(exe) == "tenant-operator" {
			if cmd, err := p.CmdLine(); err == nil && !slices.Contains(cmd, "check") {
				return p.PID
			}
		}
	}
	c.t.Fatal("no tenant-operator process runs on the node")
	return 0
}

// peakMiB is the process's peak resident set (VmHWM) in MiB.
func peakMiB(tb testing.TB, pid int) float64 {
	tb.Helper()
	p, err := procfs.NewProc(pid)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := p.NewStatus()
	if err != nil {
		tb.Fatal(err)
	}
	return float64(st.VmHWM) / (1 << 20)
}

// cgroupPeakMiB is the peak memory of pid's container as its memory cgroup counts it, which is
// what the container's limit holds it to (VmHWM also counts the binary's shared file pages).
func cgroupPeakMiB(tb testing.TB, pid int) float64 {
	tb.Helper()
	p, err := procfs.NewProc(pid)
	if err != nil {
		tb.Fatal(err)
	}
	cgroups, err := p.Cgroups()
	if err != nil {
		tb.Fatal(err)
	}
	var files []string
	for _, cg := range cgroups {
		switch {
		case slices.Contains(cg.Controllers, "memory"): // cgroup v1
			files = append(files, filepath.Join("/sys/fs/cgroup/memory", cg.Path, "memory.max_usage_in_bytes"))
		case cg.HierarchyID == 0 && len(cg.Controllers) == 0: // cgroup v2
			files = append(files, filepath.Join("/sys/fs/cgroup", cg.Path, "memory.peak"))
		}
	}
	for _, f := range files {
		if v, err := os.ReadFile(f); err == nil {
			n, err := strconv.ParseInt(strings.TrimSpace(string(v)), 10, 64)
			if err == nil {
				return float64(n) / (1 << 20)
			}
		}
	}
	tb.Errorf("no peak memory for pid %d's cgroup in %v", pid, files)
	return 0
}

// logProvisioningLatency logs, per route of svc that the operator's provisioning calls (those
// naming a tenant, and identity's onboard, written with PUT or POST), how many requests it served, their mean and their
// p95, from the service's own /metrics, read at its ClusterIP.
func (c *cluster) logProvisioningLatency(svc string) {
	c.t.Helper()
	ip := c.output("bin/kubectl", "-n", platformNS, "get", "service", svc, "-o", "jsonpath={.spec.clusterIP}")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Get("http://" + ip + ":8080/metrics")
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		c.t.Fatalf("%s /metrics: %v", svc, err)
	}
	fam := families["http_server_request_duration_seconds"]
	if fam == nil {
		c.t.Errorf("%s /metrics has no http_server_request_duration_seconds", svc)
		return
	}
	var lines []string
	for _, m := range fam.GetMetric() {
		route, method := label(m, "http_route"), label(m, "http_request_method")
		provisioning := strings.Contains(route, "tenant") || strings.HasSuffix(route, "/onboard") // identity's: tenant and admins at once
		if !provisioning || (method != http.MethodPut && method != http.MethodPost) {
			continue
		}
		h := m.GetHistogram()
		if h.GetSampleCount() == 0 {
			continue
		}
		lines = append(lines, fmt.Sprintf("  %-6s %-60s %s %6d requests, mean %6.1f ms, p95 ≤ %6.1f ms",
			method, route, label(m, "http_response_status_code"), h.GetSampleCount(),
			1000*h.GetSampleSum()/float64(h.GetSampleCount()), 1000*quantileBound(h, 0.95)))
	}
	sort.Strings(lines)
	c.t.Logf("%s: provisioning latency (its own histogram)\n%s", svc, strings.Join(lines, "\n"))
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// quantileBound is the upper bound of the first bucket holding the q quantile: the histogram
// says no more than that.
func quantileBound(h *dto.Histogram, q float64) float64 {
	want := q * float64(h.GetSampleCount())
	for _, bk := range h.GetBucket() {
		if float64(bk.GetCumulativeCount()) >= want {
			return bk.GetUpperBound()
		}
	}
	return math.Inf(1)
}
