//go:build cluster

package clustertest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"egov.vn/platform/libs/devkit/browser"
	"egov.vn/platform/libs/devkit/devstack"
	"egov.vn/platform/libs/devkit/e2e"
	"egov.vn/platform/libs/testenv"
)

const (
	platformNS = "egov-platform"
	operatorNS = "egov-operator"
	district   = "huyen-dong-hung"
	commune1   = e2e.Commune // the journey's commune
	commune2   = "xa-dong-hop"
)

// tenants: a district under the platform's root province and two of its communes.
const tenants = `apiVersion: platform.egov.vn/v1alpha1
kind: Tenant
metadata: {name: ` + district + `}
spec:
  code: "339"
  displayName: UBND huyện Đông Hưng
  kind: district
  parent: ` + rootProvince + `
  admins: [{username: an.nv, name: Nguyễn Văn An}]
---
apiVersion: platform.egov.vn/v1alpha1
kind: Tenant
metadata: {name: ` + commune1 + `}
spec:
  code: "12700"
  displayName: UBND xã Đông Tân
  kind: commune
  parent: ` + district + `
  admins: [{username: tuan.pv, name: Phạm Văn Tuấn}]
---
apiVersion: platform.egov.vn/v1alpha1
kind: Tenant
metadata: {name: ` + commune2 + `}
spec:
  code: "12716"
  displayName: UBND xã Đông Hợp
  kind: commune
  parent: ` + district + `
  admins: [{username: hoa.lt, name: Lê Thị Hoa}]
`

// The whole trial, on a real cluster: up, images, helm install of both charts, helm test, three
// Tenants Ready, a sign-in through the front proxy, the journey of a citizen's dossier through
// it (intake to the dashboard, and liên thông to the district), a commune deleted with the
// Retain policy.
func TestTrialProfileOnARealCluster(t *testing.T) {
	c := newCluster(t)
	timed := c.timed

	port := testenv.FreePort(t)
	publicURL := fmt.Sprintf("http://localhost:%d", port)
	platformValues := c.platformValues(publicURL)
	timed("helm install platform (trial, every pod Ready)", func() {
		c.run("bin/helm", append([]string{"install", "egov", "charts/platform", "-n", platformNS, "--create-namespace"}, platformValues...)...)
	})
	// The generated passwords are read back on upgrade (lookup): the same install upgraded keeps
	// every one of them, so PostgreSQL, MinIO and identity still take them.
	before := c.output("bin/kubectl", "-n", platformNS, "get", "secret", "egov-generated", "-o", "jsonpath={.data}")
	timed("helm upgrade platform (same values)", func() {
		c.run("bin/helm", append([]string{"upgrade", "egov", "charts/platform", "-n", platformNS}, platformValues...)...)
	})
	if after := c.output("bin/kubectl", "-n", platformNS, "get", "secret", "egov-generated", "-o", "jsonpath={.data}"); after != before {
		t.Error("helm upgrade changed the generated Secret: lookup did not keep the passwords")
	}
	// helm test: a pod of the operator's image checks every service's /readyz and signs the
	// operator's client in at identity, inside the cluster by its DNS names.
	timed("helm test platform (readiness, one sign-in)", func() {
		out := c.output("bin/helm", "test", "egov", "-n", platformNS, "--timeout", "3m", "--logs")
		if !strings.Contains(out, "ready: http://reporting:8080/readyz") || !strings.Contains(out, "signed in: client tenant-operator") {
			t.Errorf("helm test did not check readiness and sign in:\n%s", out)
		}
	})
	timed("helm install operator (Ready)", func() { c.installOperator() })
	timed("three Tenants Ready", func() {
		c.runIn(tenants, "bin/kubectl", "apply", "-f", "-")
		for _, slug := range []string{district, commune1, commune2} {
			c.run("bin/kubectl", "wait", "--for=condition=Ready", "egovtenant/"+slug, "--timeout=5m")
		}
	})
	for _, slug := range []string{commune1, commune2} {
		c.run("bin/kubectl", "get", "namespace", "tenant-"+slug)
	}

	// A sign-in through the front proxy, in Chromium, at the platform's single origin.
	pf := exec.Command(filepath.Join(c.root, "bin/kubectl"), "--kubeconfig", c.kubeconfig, "-n", platformNS,
		"port-forward", "svc/egov-proxy", fmt.Sprintf("%d:80", port))
	var pfOut bytes.Buffer
	pf.Stdout, pf.Stderr = &pfOut, &pfOut
	if err := pf.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pf.Process.Kill(); _ = pf.Wait() })
	if err := testenv.WaitTCP(fmt.Sprintf("127.0.0.1:%d", port), 30*time.Second); err != nil {
		t.Fatalf("port-forward: %v\n%s", err, pfOut.String())
	}
	password := c.secret(platformNS, "egov-generated", "admin-password")
	timed("sign-in through the front proxy", func() {
		ctx := browser.Chromium(t, 3*time.Minute)
		b := browser.NewSession(t, ctx, publicURL, "cluster-")
		b.SignIn("/auth/", "admin", password, "main")
		if at := browser.Eval[string](b, `location.href`); at != publicURL+"/auth/account" {
			t.Errorf("signed in, the administrator is at %s, want %s/auth/account", at, publicURL)
		}
		// One sign-in serves every service: reporting's pages open without another form.
		b.Do("open reporting", chromedp.Navigate(publicURL+"/reports/"), chromedp.WaitReady(chromedp.CSS("body")))
		if browser.Eval[bool](b, `!!document.querySelector('input[name="password"]')`) {
			t.Error("reporting asked for a second sign-in")
		}
	})

	// The journey of a citizen's dossier through the front proxy, as the people who do it: the
	// demo staff of infra/dev/staff.yaml who work at the district and at the journey's commune,
	// made through identity's admin API with the operator's client, as `make run` makes them.
	// Services reach each other by their cluster DNS names; the result goes to archives and the
	// dashboard through the trial's NATS.
	units, err := devstack.ParseDemoTenants([]byte(tenants))
	if err != nil {
		t.Fatal(err)
	}
	site := e2e.Site{Origin: publicURL, Password: "Thu-" + rand.Text(), ShotPrefix: "cluster-",
		Staff: c.journeyStaff(district, e2e.Commune), Tenants: units}
	timed("journey staff made at identity", func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := devstack.EnsureStaff(ctx, publicURL+"/auth", "tenant-operator",
			c.secret(platformNS, "egov-generated", "operator-client-secret"), site.Password, site.Staff); err != nil {
			t.Fatalf("making the journey's staff at identity: %v", err)
		}
	})
	timed("the journey through the front proxy", func() { e2e.Journey(t, site) })

	if out, err := c.cmd("infra/cluster.sh", "status").CombinedOutput(); err != nil {
		t.Errorf("infra/cluster.sh status: %v\n%s", err, out)
	} else {
		t.Logf("infra/cluster.sh status, the platform installed:\n%s", out)
	}

	// A commune deleted under the default Retain policy: its namespace goes, its bucket and
	// records stay, its siblings are untouched.
	timed("commune deleted (Retain)", func() {
		c.run("bin/kubectl", "delete", "egovtenant/"+commune2, "--timeout=3m")
	})
	if out := c.output("bin/kubectl", "get", "namespace", "tenant-"+commune2, "--ignore-not-found", "-o", "jsonpath={.metadata.deletionTimestamp}"); out == "" {
		if c.output("bin/kubectl", "get", "namespace", "tenant-"+commune2, "--ignore-not-found", "-o", "name") != "" {
			t.Errorf("the deleted commune's namespace is not being deleted")
		}
	}
	mc := c.minio()
	for _, slug := range []string{commune1, commune2} {
		ok, err := mc.BucketExists(context.Background(), "tenant-"+slug)
		if err != nil || !ok {
			t.Errorf("bucket tenant-%s exists = %v (%v): Retain keeps the deleted commune's records", slug, ok, err)
		}
	}
	// identity keeps the deleted commune's tenant, disabled; its sibling stays enabled.
	token := c.operatorToken(publicURL)
	for slug, disabled := range map[string]bool{commune1: false, commune2: true} {
		if got := identityTenant(t, publicURL, token, slug); got.Disabled != disabled {
			t.Errorf("identity's tenant %s: disabled = %v, want %v", slug, got.Disabled, disabled)
		}
	}
	c.run("bin/kubectl", "wait", "--for=condition=Ready", "egovtenant/"+commune1, "--timeout=1m")
	c.run("bin/kubectl", "get", "namespace", "tenant-"+commune1)

}

// cannotRun says why this machine cannot hold the cluster, or "".
func cannotRun() string {
	if os.Geteuid() != 0 {
		return "it needs root (containerd, iptables, cgroups)"
	}
	// infra/cluster.sh installs containerd, runc, the CNI plugins, iptables, conntrack, ip and
	// openssl with apt-get when they are missing.
	for _, b := range []string{"apt-get", "go"} {
		if _, err := exec.LookPath(b); err != nil {
			return b + " is missing"
		}
	}
	if _, err := os.Stat("/usr/lib/postgresql/15/bin/postgres"); err != nil {
		return "Debian's postgresql-15 is missing (the trial's PostgreSQL image is packed from it; infra/test-deps.sh installs it)"
	}
	return ""
}

func (c *cluster) cmd(name string, args ...string) *exec.Cmd {
	if strings.Contains(name, "/") {
		name = filepath.Join(c.root, name)
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = c.root
	cmd.Env = append(os.Environ(), "KUBECONFIG="+c.kubeconfig)
	return cmd
}

func (c *cluster) run(name string, args ...string) { c.t.Helper(); c.runIn("", name, args...) }

func (c *cluster) runIn(stdin, name string, args ...string) {
	c.t.Helper()
	cmd := c.cmd(name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	if out, err := cmd.CombinedOutput(); err != nil {
		c.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, tail(out, 60))
	}
}

func (c *cluster) output(name string, args ...string) string {
	c.t.Helper()
	out, err := c.cmd(name, args...).Output()
	if err != nil {
		c.t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

func (c *cluster) secret(ns, name, key string) string {
	c.t.Helper()
	out := c.output("bin/kubectl", "-n", ns, "get", "secret", name, "-o", "go-template={{index .data \""+key+"\" | base64decode}}")
	if out == "" {
		c.t.Fatalf("secret %s/%s has no %s", ns, name, key)
	}
	return out
}

// minio is a client of the trial's MinIO at its ClusterIP (the host reaches ClusterIPs).
func (c *cluster) minio() *minio.Client {
	c.t.Helper()
	ip := c.output("bin/kubectl", "-n", platformNS, "get", "service", "egov-minio", "-o", "jsonpath={.spec.clusterIP}")
	mc, err := minio.New(net.JoinHostPort(ip, "9000"), &minio.Options{Creds: credentials.NewStaticV4(
		c.secret(platformNS, "egov-minio", "access-key"), c.secret(platformNS, "egov-minio", "secret-key"), "")})
	if err != nil {
		c.t.Fatal(err)
	}
	return mc
}

// versions reads the image names infra/cluster/versions.sh gives the images it builds.
func (c *cluster) versions() map[string]string {
	c.t.Helper()
	f, err := os.Open(filepath.Join(c.root, "infra/cluster/versions.sh"))
	if err != nil {
		c.t.Fatal(err)
	}
	defer f.Close()
	vars := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(strings.SplitN(sc.Text(), "#", 2)[0])
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		vars[k] = os.Expand(v, func(s string) string { return vars[s] })
	}
	return vars
}

// dumpState logs what a failed run needs: the pods, the Tenants, the events.
func (c *cluster) dumpState() {
	for _, args := range [][]string{
		{"get", "pods", "-A", "-o", "wide"},
		{"get", "egovtenants", "-o", "wide"},
		{"get", "events", "-A", "--sort-by=.lastTimestamp"},
	} {
		out, _ := c.cmd("bin/kubectl", args...).CombinedOutput()
		c.t.Logf("kubectl %s:\n%s", strings.Join(args, " "), tail(out, 80))
	}
	out, _ := c.cmd("bin/kubectl", "logs", "-n", operatorNS, "deployment/tenant-operator", "--tail=40").CombinedOutput()
	c.t.Logf("operator log:\n%s", out)
}

func tail(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// operatorToken is a client-credentials token of the operator's client (platform.admin), from
// identity through the front proxy.
func (c *cluster) operatorToken(publicURL string) string {
	c.t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	req, err := http.NewRequest(http.MethodPost, publicURL+"/auth/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("tenant-operator", c.secret(platformNS, "egov-generated", "operator-client-secret"))
	var out struct {
		AccessToken string `json:"access_token"`
	}
	getJSON(c.t, req, &out)
	return out.AccessToken
}

type tenantView struct {
	Slug     string `json:"slug"`
	Disabled bool   `json:"disabled"`
}

// identityTenant reads a tenant from identity's API (GET /tenants/{slug}).
func identityTenant(t testing.TB, publicURL, token, slug string) tenantView {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, publicURL+"/auth/api/v1/tenants/"+slug, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	var v tenantView
	getJSON(t, req, &v)
	if v.Slug != slug {
		t.Fatalf("identity answered tenant %q for %q", v.Slug, slug)
	}
	return v
}

func getJSON(t testing.TB, req *http.Request, out any) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %s", req.Method, req.URL, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
}
