//go:build linux

package devstack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/libs/workspace"
)

// TestEgovDevEndToEnd runs the real egov-dev binary from the repository root with the real MinIO
// and NATS from ./bin and a stand-in service (testdata/fakesvc), then stops it with SIGINT as
// Ctrl-C would and checks that no process it started is left.
func TestEgovDevEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: starts MinIO and NATS")
	}
	// Skipped (or, under CI=true, failed) with a hint when the servers are not built.
	testenv.Binary(t, "minio")
	testenv.Binary(t, "nats-server")
	root, err := workspace.Root()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "egov-dev")
	build := exec.Command("go", "build", "-o", bin, "./libs/devkit/cmd/egov-dev")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build egov-dev: %v\n%s", err, out)
	}

	port := func() int { return testenv.FreePort(t) }
	listen := port()
	pidfile := filepath.Join(tmp, "fake.pids")
	config := filepath.Join(tmp, "stack.yaml")
	// var and bin live in the temp folder so the test never touches a developer's ./var or ./bin.
	writeFile(t, config, fmt.Sprintf(`listen: 127.0.0.1:%d
var: %s
bin: %s
stop-timeout: 5s
minio: {port: %d, console-port: %d}
nats: {port: %d}
services:
  - {name: identity, prefix: /auth, port: %d}
  - {name: fake, prefix: /fake, port: %d, package: ./libs/devkit/devstack/testdata/fakesvc, env: {FAKE_PIDFILE: %s}}
`, listen, filepath.Join(tmp, "var"), filepath.Join(tmp, "bin"), port(), port(), port(), port(), port(), pidfile))

	var stdout, stderr testenv.Buffer
	cmd := exec.Command(bin, "-config", config)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// Its own group, so the cleanup below can end everything if an assertion stops the test early.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		if t.Failed() {
			t.Logf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
		}
	})

	origin := fmt.Sprintf("http://127.0.0.1:%d", listen)
	waitHTTP(t, origin+"/livez", http.StatusOK, 30*time.Second, exited)
	// Ready means MinIO, NATS, identity and the built stand-in answer.
	waitHTTP(t, origin+"/readyz", http.StatusOK, 3*time.Minute, exited)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stdout.String(), "Press Ctrl-C") {
		if time.Now().After(deadline) {
			t.Fatal("no summary printed")
		}
		time.Sleep(50 * time.Millisecond)
	}

	resp, err := http.Get(origin + "/fake/hello")
	if err != nil {
		t.Fatal(err)
	}
	var echo struct {
		Path string            `json:"path"`
		Env  map[string]string `json:"env"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&echo)
	resp.Body.Close()
	if echo.Path != "/fake/hello" {
		t.Errorf("service saw path %q, want the prefix kept", echo.Path)
	}
	if !strings.HasPrefix(echo.Env["FAKE_NATS_URL"], "nats://127.0.0.1:") || !strings.HasPrefix(echo.Env["FAKE_MINIO_ENDPOINT"], "127.0.0.1:") ||
		echo.Env["FAKE_PUBLIC_BASE_URL"] != fmt.Sprintf("http://localhost:%d/fake", listen) ||
		!strings.HasPrefix(echo.Env["FAKE_DB_DSN"], "sqlite://") ||
		echo.Env["FAKE_OIDC_ISSUER"] != fmt.Sprintf("http://localhost:%d/auth", listen) {
		t.Errorf("service environment: %v", echo.Env)
	}
	// Identity runs behind the gateway with the generated administrator.
	if resp, err := http.Get(origin + "/auth/login"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("/auth/login through the gateway: %v %v", resp, err)
	} else {
		_ = resp.Body.Close()
	}
	out := stdout.String()
	signIn := fmt.Sprintf("sign in at http://localhost:%d/auth as admin / ", listen)
	for _, want := range []string{signIn, "\nfake     | fakesvc listening on 127.0.0.1:", "nats://127.0.0.1:"} {
		if !strings.Contains(out, want) {
			t.Errorf("console lacks %q", want)
		}
	}

	// Everything egov-dev started: MinIO and NATS carry the temp folder in their arguments; the
	// stand-in wrote its own PID and its grandchild's.
	var pids []int
	for _, p := range processesMentioning(t, tmp) {
		if p != cmd.Process.Pid {
			pids = append(pids, p)
		}
	}
	if len(pids) < 2 {
		t.Fatalf("found %d MinIO/NATS processes, want 2", len(pids))
	}
	var fake, grandchild int
	b, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fmt.Sscan(string(b), &fake, &grandchild); err != nil {
		t.Fatal(err)
	}
	pids = append(pids, fake, grandchild)

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("egov-dev exited with %v after SIGINT", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("egov-dev did not exit within 60s of SIGINT")
	}
	for _, p := range pids {
		assertGone(t, "process "+strconv.Itoa(p), p)
	}
	if left := processesMentioning(t, tmp); len(left) > 0 {
		t.Errorf("processes left behind: %v", left)
	}
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// waitHTTP polls url until it answers want, failing early if egov-dev exits.
func waitHTTP(t *testing.T, url string, want int, timeout time.Duration, exited <-chan error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		cancel()
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == want {
				return
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("egov-dev exited (%v) before %s answered %d", err, url, want)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer %d within %s (last: %v %v)", url, want, timeout, resp, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// processesMentioning lists live processes whose command line contains s.
func processesMentioning(t *testing.T, s string) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(b, []byte(s)) || processGone(pid) {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}
