//go:build cluster

package clustertest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"egov.vn/platform/libs/devkit/devstack"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/libs/workspace"
)

// rootProvince is the platform's root tenant in the trial (rootTenant in the chart's values,
// code 34): one of the 34 provinces, already in identity, not a Tenant.
const rootProvince = "tinh-thai-binh"

// cluster is the single-node cluster of infra/cluster.sh as a test or benchmark drives it.
type cluster struct {
	t          testing.TB
	root       string
	kubeconfig string
	figures    map[string]time.Duration
}

// newCluster brings a fresh cluster up (the state a previous run left goes first) with the
// services' images imported, and brings it down, wiped, when tb ends. It skips tb when this
// machine cannot hold the cluster, and fails it instead under CI.
func newCluster(tb testing.TB) *cluster {
	tb.Helper()
	root, err := workspace.Root()
	if err != nil {
		tb.Fatal(err)
	}
	if reason := cannotRun(); reason != "" {
		if testenv.InCI() {
			tb.Fatalf("the cluster test cannot run: %s", reason)
		}
		tb.Skipf("the cluster test cannot run: %s", reason)
	}
	c := &cluster{t: tb, root: root, kubeconfig: filepath.Join(root, "var/cluster/etc/admin.kubeconfig"), figures: map[string]time.Duration{}}
	tb.Cleanup(func() {
		if tb.Failed() {
			c.dumpState()
		}
		start := time.Now()
		down := exec.Command(filepath.Join(root, "infra/cluster.sh"), "down")
		down.Env = append(os.Environ(), "WIPE=1")
		out, err := down.CombinedOutput()
		if err != nil {
			tb.Errorf("infra/cluster.sh down: %v\n%s", err, out)
		}
		tb.Logf("cluster down: %s", time.Since(start).Round(100*time.Millisecond))
		c.logFigures()
	})

	tb.Setenv("WIPE", "1")
	c.run("infra/cluster.sh", "down")
	tb.Setenv("WIPE", "0")
	c.timed("cluster up", func() { c.run("infra/cluster.sh", "up") })
	c.timed("service images built and imported", func() {
		c.run("infra/images.sh")
		tars, _ := filepath.Glob(filepath.Join(root, "var/images/*.tar"))
		if len(tars) < 6 {
			tb.Fatalf("infra/images.sh wrote %d image tarballs, want the five services and the operator", len(tars))
		}
		for _, tar := range tars {
			c.run("ctr", "-n", "k8s.io", "images", "import", tar)
		}
	})
	return c
}

// timed runs f and keeps how long it took under name, for the figures logged at the end.
func (c *cluster) timed(name string, f func()) {
	c.t.Helper()
	start := time.Now()
	f()
	c.figures[name] = time.Since(start).Round(100 * time.Millisecond)
	c.t.Logf("%s: %s", name, c.figures[name])
}

func (c *cluster) logFigures() {
	lines := make([]string, 0, len(c.figures))
	for k, v := range c.figures {
		lines = append(lines, fmt.Sprintf("  %-48s %s", k, v))
	}
	sort.Strings(lines)
	c.t.Logf("figures:\n%s", strings.Join(lines, "\n"))
}

// platformValues are the trial profile's values with the images built here, served at publicURL.
func (c *cluster) platformValues(publicURL string) []string {
	images := c.versions()
	return []string{"-f", "charts/platform/values-trial.yaml", "--set", "publicURL=" + publicURL,
		"--set", "image.pullPolicy=Never", "--set", "trial.imagePullPolicy=Never",
		"--set", "trial.postgresql.image=" + images["POSTGRES_IMAGE"], "--set", "trial.nats.image=" + images["NATS_IMAGE"],
		"--set", "trial.minio.image=" + images["MINIO_IMAGE"], "--set", "trial.proxy.image=" + images["CADDY_IMAGE"],
		"--wait", "--timeout", "10m"}
}

// installOperator installs the operator's chart, its image built here, against the trial's
// services by their cluster DNS names; sets are more `--set` pairs.
func (c *cluster) installOperator(sets ...string) {
	c.t.Helper()
	args := []string{"install", "tenant-operator", "charts/operator", "-n", operatorNS,
		"--set", "image.repository=egov.local/tenant-operator", "--set", "image.tag=dev", "--set", "image.pullPolicy=Never",
		"--set", "replicaCount=1",
		"--set", "identity.url=http://identity." + platformNS + ".svc:8080/auth",
		"--set", "identity.existingSecret=tenant-operator-credentials", "--set", "minio.existingSecret=tenant-operator-credentials",
		"--set", "minio.endpoint=egov-minio." + platformNS + ".svc:9000",
		"--set", "services.dossiersUrl=http://dossiers." + platformNS + ".svc:8080/dossiers",
		"--set", "services.archivesUrl=http://archives." + platformNS + ".svc:8080/archives",
		"--set", "services.hrUrl=http://hr." + platformNS + ".svc:8080/hr",
		"--set", "services.reportingUrl=http://reporting." + platformNS + ".svc:8080/reports",
		"--set", "platformNamespace=" + platformNS}
	args = append(args, sets...)
	c.run("bin/helm", append(args, "--wait", "--timeout", "5m")...)
}

// journeyStaff are the demo people of infra/dev/staff.yaml working at the given units, but for
// the units' administrators: the Tenants name their own, who hold the operator's one-time
// passwords and are not the journey's.
func (c *cluster) journeyStaff(units ...string) []devstack.StaffMember {
	c.t.Helper()
	all, err := devstack.ReadStaff(filepath.Join(c.root, "infra/dev/staff.yaml"))
	if err != nil {
		c.t.Fatal(err)
	}
	var staff []devstack.StaffMember
	for _, m := range all {
		if slices.Contains(units, m.Tenant) && !m.Has(platform.RoleTenantAdmin) {
			staff = append(staff, m)
		}
	}
	return staff
}
