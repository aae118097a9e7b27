package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/trace/noop"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/config"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/idempotency"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/services/dossiers/internal/adapters"
	"egov.vn/platform/services/dossiers/internal/service"
	"egov.vn/platform/services/identity/identitytest"
)

// crashChildEnv holds, in the dossiers process the crash test starts, that process's settings
// (crashChild as JSON); the test binary then serves dossiers instead of running tests.
const crashChildEnv = "DOSSIERS_CRASH_TEST_CHILD"

type crashChild struct {
	Addr, DSN, Issuer, ClientID, Secret, KeyFile string
}

func TestMain(m *testing.M) {
	if spec := os.Getenv(crashChildEnv); spec != "" {
		os.Exit(serveCrashChild(spec))
	}
	os.Exit(m.Run())
}

// serveCrashChild serves dossiers as the harness builds it, on the given address and database,
// until the process is killed or (with idempotency.FaultExitAfterCommitEnv) ends itself right
// after a keyed change commits.
func serveCrashChild(spec string) int {
	var c crashChild
	if err := json.Unmarshal([]byte(spec), &c); err != nil {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		return 2
	}
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := store.Open(ctx, c.DSN)
	if err == nil {
		err = adapters.Migrate(ctx, db)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash child: database:", err)
		return 2
	}
	base := "http://" + c.Addr + "/dossiers"
	cfg := service.Config{
		Common:          config.Common{HTTPAddr: c.Addr, PublicBaseURL: base, LogLevel: slog.LevelWarn, ShutdownTimeout: time.Second},
		ServiceConfig:   auth.ServiceConfig{OIDCIssuer: c.Issuer, OIDCClientID: c.ClientID, OIDCClientSecret: c.Secret, SecretKeyFile: c.KeyFile},
		OverdueInterval: time.Minute, LookupLimit: 10, LookupWindow: 10 * time.Minute, LookupCodeLimit: 5, LookupCodeWindow: time.Hour,
	}
	svc, err := service.New(ctx, cfg, bootstrap.Deps{DB: db, Outbox: events.NewOutbox(nil), Log: log, Tracer: noop.NewTracerProvider().Tracer("test")})
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash child: service:", err)
		return 2
	}
	engine := httpapi.NewEngine(httpapi.Options{Logger: log})
	svc.Routes(engine)
	srv := &http.Server{Addr: c.Addr, Handler: engine, ReadHeaderTimeout: 5 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "crash child: serve:", err)
	}
	return 1
}

// The fault issue 15 found: dossiers dies after an intake commits and before it answers; the desk
// sees a failed request and retries with the same Idempotency-Key. The retry must name the dossier
// the first request saved, with its receipt code, and no second dossier may exist.
func TestRetriedIntakeAfterACrashMakesOneDossier(t *testing.T) {
	for _, kind := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{store.SQLite, func(t *testing.T) string { return "sqlite://" + t.TempDir() + "/dossiers.db" }},
		{store.Postgres, func(t *testing.T) string { return testenv.PostgresDatabase(t) }},
	} {
		t.Run(kind.name, func(t *testing.T) {
			idp := identitytest.Start(t)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := ln.Addr().String()
			_ = ln.Close() // the child listens there; each start of it uses the same address
			base := "http://" + addr + "/dossiers"
			id, secret := idp.ServiceClient(t, service.Name, base)
			spec, _ := json.Marshal(crashChild{Addr: addr, DSN: kind.dsn(t), Issuer: idp.Issuer, ClientID: id, Secret: secret,
				KeyFile: t.TempDir() + "/key"})

			child := startCrashChild(t, string(spec), true)
			op := idp.ServiceToken(t, "tenant-operator-test", "tinh-thai-binh", []string{"platform.admin"}, "dossiers")
			for _, u := range [][]string{{"xa-dong-tan", "12700", "commune", "huyen-dong-hung"}, {"huyen-dong-hung", "341", "district", "tinh-thai-binh"}} {
				if st, _, _ := call(t, "PUT", base+"/api/v1/tenants/"+u[0], op, "",
					map[string]string{"code": u[1], "name": "UBND " + u[0], "kind": u[2], "parent": u[3]}); st != http.StatusOK {
					t.Fatalf("provision %s: %d", u[0], st)
				}
			}
			receiver := idp.Token(t, identitytest.Person{Tenant: "xa-dong-tan", Username: "hoa.nt", Name: "Cán bộ hoa.nt",
				Roles: []string{"dossier.receive"}}, "dossiers")
			key := uuid.NewString()

			// The first intake commits, and the process ends before answering.
			if st, _, _, err := tryCall("POST", base+"/api/v1/dossiers", receiver, key, birthIntake()); err == nil {
				t.Fatalf("the intake was answered %d; the fault hook should have ended the process first", st)
			}
			if code := child.wait(t); code != 3 {
				t.Fatalf("the child ended with %d, want 3 (idempotency's exit after commit)", code)
			}

			// Restarted, the service answers the desk's retry with the dossier already saved.
			startCrashChild(t, string(spec), false)
			st, hdr, body := call(t, "POST", base+"/api/v1/dossiers", receiver, key, birthIntake())
			var d dossierJSON
			if err := json.Unmarshal(body, &d); err != nil || st != http.StatusCreated {
				t.Fatalf("retry: %d %s", st, body)
			}
			if d.ID == "" || d.ReceiptCode == "" || hdr.Get("Location") != "/dossiers/api/v1/dossiers/"+d.ID ||
				hdr.Get(idempotency.ReplayedHeader) != "true" {
				t.Fatalf("retry answered %+v with Location %q, %s %q", d, hdr.Get("Location"), idempotency.ReplayedHeader, hdr.Get(idempotency.ReplayedHeader))
			}
			var list struct {
				Items []dossierJSON `json:"items"`
			}
			if st, _, b := call(t, "GET", base+"/api/v1/dossiers", receiver, "", nil); st != http.StatusOK || json.Unmarshal(b, &list) != nil {
				t.Fatalf("list: %d %s", st, b)
			}
			if len(list.Items) != 1 || list.Items[0].ID != d.ID || list.Items[0].ReceiptCode != d.ReceiptCode {
				t.Fatalf("after the crash and the retry the unit has %+v, want only %s (%s)", list.Items, d.ID, d.ReceiptCode)
			}

			// Its answer is now kept: a second retry is replayed byte for byte.
			st2, _, body2 := call(t, "POST", base+"/api/v1/dossiers", receiver, key, birthIntake())
			if st2 != http.StatusCreated || !bytes.Equal(body2, body) {
				t.Fatalf("second retry: %d %s, want the first retry's answer %s", st2, body2, body)
			}
		})
	}
}

type childProcess struct {
	cmd  *exec.Cmd
	done chan int
}

func (c *childProcess) wait(t *testing.T) int {
	t.Helper()
	select {
	case code := <-c.done:
		return code
	case <-time.After(30 * time.Second):
		t.Fatal("the child did not end")
		return 0
	}
}

// startCrashChild starts the test binary as a dossiers process (serveCrashChild), with the fault
// hook when fault is set, and waits until it serves.
func startCrashChild(t *testing.T, spec string, fault bool) *childProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), crashChildEnv+"="+spec)
	if fault {
		cmd.Env = append(cmd.Env, idempotency.FaultExitAfterCommitEnv+"=1")
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &childProcess{cmd: cmd, done: make(chan int, 1)}
	go func() {
		err := cmd.Wait()
		var exit *exec.ExitError
		switch {
		case err == nil:
			c.done <- 0
		case errors.As(err, &exit):
			c.done <- exit.ExitCode()
		default:
			c.done <- -1
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		if t.Failed() {
			t.Logf("child stderr:\n%s", stderr.String())
		}
	})
	var c2 crashChild
	_ = json.Unmarshal([]byte(spec), &c2)
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, err := http.Get("http://" + c2.Addr + "/livez")
		if err == nil {
			_ = resp.Body.Close()
			return c
		}
		select {
		case code := <-c.done:
			t.Fatalf("the child ended with %d before serving:\n%s", code, stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the child did not serve within 30 s:\n%s", stderr.String())
		}
	}
}

// tryCall sends a JSON request with an optional Idempotency-Key; err is the transport's.
func tryCall(method, url, token, key string, body any) (int, http.Header, []byte, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, url, bytes.NewReader(b))
	if body == nil {
		req.Body = http.NoBody
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	if key != "" {
		req.Header.Set(idempotency.HeaderName, key)
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err = io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, err
}

func call(t *testing.T, method, url, token, key string, body any) (int, http.Header, []byte) {
	t.Helper()
	st, h, b, err := tryCall(method, url, token, key, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return st, h, b
}
