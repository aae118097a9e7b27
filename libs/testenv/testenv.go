// Package testenv finds or starts the real servers that integration tests talk to: PostgreSQL,
// NATS with JetStream and MinIO. `make test` starts shared ones and passes their addresses in
// TEST_* variables; a plain `go test` starts NATS and MinIO from ./bin itself. Nothing is faked:
// where a server cannot be had, the test is skipped with a message saying how to get it, and
// under CI=true it fails instead, so a green CI never hides a missing server.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"egov.vn/platform/libs/redact"
	"egov.vn/platform/libs/workspace"
)

// InCI reports whether missing servers must fail the run rather than skip the test.
func InCI() bool { return os.Getenv("CI") == "true" }

// Unavailable skips the test, or fails it under CI, naming the server and the way to get it.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...) + " (run `make test`, which starts the servers, or see README.md)"
	if InCI() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Binary returns the path of a server built by infra/servers.sh into ./bin.
func Binary(t testing.TB, name string) string {
	t.Helper()
	root, err := workspace.Root()
	if err != nil {
		Unavailable(t, "%s: %v", name, err)
	}
	p := filepath.Join(root, "bin", name)
	if _, err := os.Stat(p); err != nil {
		Unavailable(t, "%s is not built: run infra/servers.sh %s", p, name)
	}
	return p
}

// FreePort asks the kernel for a free loopback port.
func FreePort(t testing.TB) int {
	t.Helper()
	var lc net.ListenConfig
	l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}

// WaitTCP waits until addr accepts connections or the timeout passes.
func WaitTCP(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		d := net.Dialer{Timeout: 200 * time.Millisecond}
		c, err := d.DialContext(context.Background(), "tcp", addr)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not accept connections within %s: %w", addr, timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Process is a server started for one test; Stop ends it (Cleanup also does).
type Process struct {
	cmd  *exec.Cmd
	Addr string
}

// Stop kills the server and waits for it to exit. Calling it twice is harmless.
func (p *Process) Stop() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
	p.cmd = nil
}

// start runs a server binary, waits until addr answers and stops it when the test ends.
func start(t testing.TB, addr string, bin string, args []string, env []string) *Process {
	t.Helper()
	// Not CommandContext: the server outlives any one context and is ended by Stop or Cleanup.
	cmd := exec.Command(bin, args...) //nolint:noctx // see above
	cmd.Env = append(os.Environ(), env...)
	logf, err := os.Create(filepath.Join(t.TempDir(), filepath.Base(bin)+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	p := &Process{cmd: cmd, Addr: addr}
	t.Cleanup(p.Stop)
	if err := WaitTCP(addr, 60*time.Second); err != nil {
		p.Stop()
		out, _ := os.ReadFile(logf.Name())
		t.Fatalf("%s: %v\n%s", bin, err, out)
	}
	return p
}

// StartNATS starts a private nats-server with JetStream on a free loopback port, for tests that
// must stop and restart the server itself. Most tests want NATS.
func StartNATS(t testing.TB) *Process {
	t.Helper()
	return StartNATSAt(t, FreePort(t), t.TempDir())
}

// StartNATSAt starts nats-server on a given port and JetStream store, so a test can restart it
// with its streams intact.
func StartNATSAt(t testing.TB, port int, storeDir string) *Process {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	return start(t, addr, Binary(t, "nats-server"),
		[]string{"-a", "127.0.0.1", "-p", fmt.Sprint(port), "-js", "-sd", storeDir}, nil)
}

// StartNATSCluster starts a private JetStream cluster of n nats-servers on loopback ports (routes
// between them, one store each) and returns the client URL of every server, comma-separated as
// NATS_URL takes them. It returns once the cluster has elected its JetStream meta leader, i.e. once
// a replicated stream can be made.
func StartNATSCluster(t testing.TB, n int) string {
	t.Helper()
	ports, routes := make([]int, n), make([]int, n)
	for i := range n {
		ports[i], routes[i] = FreePort(t), FreePort(t)
	}
	var routeURLs, clientURLs []string
	for i := range n {
		routeURLs = append(routeURLs, fmt.Sprintf("nats://127.0.0.1:%d", routes[i]))
		clientURLs = append(clientURLs, fmt.Sprintf("nats://127.0.0.1:%d", ports[i]))
	}
	for i := range n {
		start(t, fmt.Sprintf("127.0.0.1:%d", ports[i]), Binary(t, "nats-server"), []string{
			"-a", "127.0.0.1", "-p", fmt.Sprint(ports[i]), "-js", "-sd", t.TempDir(),
			"--server_name", fmt.Sprintf("n%d", i+1), "--cluster_name", "egov-test",
			"--cluster", routeURLs[i], "--routes", strings.Join(routeURLs, ","),
		}, nil)
	}
	// The meta leader is elected a few seconds after the routes connect; until then JetStream
	// requests fail.
	url := strings.Join(clientURLs, ",")
	deadline := time.Now().Add(60 * time.Second)
	for !jetStreamReady(url) {
		if time.Now().After(deadline) {
			t.Fatalf("the NATS cluster of %d elected no JetStream leader in 60 s", n)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return url
}

// jetStreamReady reports whether JetStream answers at url (its account information).
func jetStreamReady(url string) bool {
	nc, err := nats.Connect(url, nats.Timeout(time.Second))
	if err != nil {
		return false
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err = js.AccountInfo(ctx)
	return err == nil
}

// NATS returns the URL of a NATS server with JetStream: TEST_NATS_URL when `make test` started
// one, otherwise a private server for this test. The shared server suits core NATS and streams on
// subjects no other test uses; a test that makes streams on egov.> (the platform stream, as
// bootstrap.Start does) or on part of it takes a private one with StartNATS, since JetStream
// refuses streams whose subjects overlap.
func NATS(t testing.TB) string {
	t.Helper()
	if u := os.Getenv("TEST_NATS_URL"); u != "" {
		return u
	}
	return "nats://" + StartNATS(t).Addr
}

// MinIOServer is where a test reaches MinIO.
type MinIOServer struct {
	Endpoint  string // host:port, no scheme
	AccessKey string
	SecretKey string
	*Process  // nil when the server is shared
}

// MinIO returns a MinIO server: the shared one from TEST_MINIO_ENDPOINT (with
// TEST_MINIO_ACCESS_KEY and TEST_MINIO_SECRET_KEY), or a private one on a free port.
func MinIO(t testing.TB) MinIOServer {
	t.Helper()
	if ep := os.Getenv("TEST_MINIO_ENDPOINT"); ep != "" {
		return MinIOServer{Endpoint: ep, AccessKey: os.Getenv("TEST_MINIO_ACCESS_KEY"), SecretKey: os.Getenv("TEST_MINIO_SECRET_KEY")}
	}
	return StartMinIO(t)
}

// StartMinIO starts a private MinIO on a free loopback port with a fresh data folder.
func StartMinIO(t testing.TB) MinIOServer {
	t.Helper()
	port, console := FreePort(t), FreePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	s := MinIOServer{Endpoint: addr, AccessKey: "egovtest", SecretKey: "egovtest-" + randomHex(8)}
	s.Process = start(t, addr, Binary(t, "minio"),
		[]string{"server", "--quiet", "--address", addr, "--console-address", fmt.Sprintf("127.0.0.1:%d", console), t.TempDir()},
		[]string{"MINIO_ROOT_USER=" + s.AccessKey, "MINIO_ROOT_PASSWORD=" + s.SecretKey, "MINIO_BROWSER=off", "MINIO_UPDATE=off"})
	// MinIO listens before it can serve ("Server not initialized yet"): wait for its readiness
	// check so the test's first call does not race the start.
	ready := "http://" + addr + "/minio/health/ready"
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(ready) //nolint:noctx // a loopback probe bounded by the deadline
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("MinIO on %s did not become ready within 60 s", addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// PostgresAdminDSN is the DSN of a PostgreSQL server where tests may create databases:
// TEST_POSTGRES_DSN, or the local trust-auth server on 127.0.0.1:5432 if one answers.
func PostgresAdminDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("TEST_POSTGRES_DSN")
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		Unavailable(t, "PostgreSQL at %s is unreachable: %v", redact.DSN(dsn), err)
	}
	_ = conn.Close(ctx)
	return dsn
}

// PostgresDatabase creates a fresh, empty database for this test and drops it when the test ends.
// It returns the DSN of the new database.
func PostgresDatabase(t testing.TB) string {
	t.Helper()
	admin := PostgresAdminDSN(t)
	name := "t_" + randomHex(8)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("PostgreSQL: %v", err)
	}
	defer func() { _ = conn.Close(ctx) }()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			return
		}
		defer func() { _ = c.Close(context.Background()) }()
		_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("TEST_POSTGRES_DSN is not a URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.ToLower(hex.EncodeToString(b))
}

// ArtifactsDir is where a test leaves files for a person to look at (screenshots):
// $TEST_ARTIFACTS_DIR, or testdata/screenshots beside the test (gitignored). It is created.
func ArtifactsDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("TEST_ARTIFACTS_DIR")
	if dir == "" {
		dir = filepath.Join("testdata", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// WriteArtifact saves data as name in ArtifactsDir and logs where.
func WriteArtifact(t testing.TB, name string, data []byte) {
	t.Helper()
	p := filepath.Join(ArtifactsDir(t), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(p)
	t.Logf("artifact: %s", abs)
}
