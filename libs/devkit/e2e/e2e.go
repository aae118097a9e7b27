// Package e2e starts the platform exactly as `make run` does (devstack with infra/dev/stack.yaml:
// real identity, dossiers, archives, hr and reporting processes behind one origin, NATS, MinIO,
// onboarded with infra/dev/tenants.yaml and staff.yaml through the operator's own steps), on free
// ports and in a temporary folder, on SQLite or PostgreSQL, for the cross-service tests (build
// tag e2e, `make test-e2e`).
package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"egov.vn/platform/libs/devkit/devstack"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/libs/workspace"
)

// DB is the database every service of the stack runs on.
type DB string

const (
	SQLite   DB = "sqlite"
	Postgres DB = "postgres"
)

// DBs are the databases the e2e tier runs on, each at least once.
var DBs = []DB{SQLite, Postgres}

// Stack is a started, onboarded platform.
type Stack struct {
	devstack.Ready
	DB DB
	// Log holds everything the stack's processes printed; it is saved as an artifact.
	Log *testenv.Buffer
	// Var is the stack's runtime folder: databases and the generated secrets (var/<name>-client-secret).
	Var string
}

// Site is the stack as the journey walks it, its screenshots named after the database.
func (s *Stack) Site() Site {
	return Site{Origin: s.Origin, Password: s.Password, Staff: s.Staff, Tenants: s.Tenants, ShotPrefix: fmt.Sprintf("e2e-%s-", s.DB)}
}

// URL is the origin plus path.
func (s *Stack) URL(path string) string { return s.Origin + path }

// startTimeout covers building every service and the operator on a busy 2-core machine.
const startTimeout = 20 * time.Minute

// Start runs the stack of infra/dev/stack.yaml until the test ends. It skips the test (fails it
// under CI) when MinIO or NATS are not built, or PostgreSQL is not reachable for db Postgres.
func Start(t *testing.T, db DB) *Stack {
	t.Helper()
	testenv.Binary(t, "minio")
	testenv.Binary(t, "nats-server")
	root, err := workspace.Root()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := devstack.LoadConfig(filepath.Join(root, "infra", "dev", "stack.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// Everything runtime lives in the test's folder and on free ports, so the tier never meets a
	// developer's `make run` or another test.
	tmp := t.TempDir()
	cfg.Var = filepath.Join(tmp, "var")
	cfg.Bin = filepath.Join(tmp, "bin")
	cfg.MinIO.CredentialsFile = filepath.Join(cfg.Var, "minio-credentials")
	cfg.Admin.PasswordFile = filepath.Join(cfg.Var, "admin-password")
	cfg.MinIO.Port, cfg.MinIO.ConsolePort, cfg.NATS.Port = testenv.FreePort(t), testenv.FreePort(t), testenv.FreePort(t)
	for i := range cfg.Services {
		cfg.Services[i].Port = testenv.FreePort(t)
	}
	dsns := map[string]string{}
	if db == Postgres {
		for _, svc := range cfg.Services {
			dsns[svc.Name] = testenv.PostgresDatabase(t)
		}
	}

	out := &testenv.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	readyCh := make(chan devstack.Ready, 1)
	done := make(chan error, 1)
	go func() {
		done <- devstack.Run(ctx, devstack.Options{Root: root, Config: cfg, Listen: "127.0.0.1:0", Out: out,
			Log:   slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelInfo})),
			DSN:   func(name string) string { return dsns[name] },
			Ready: func(r devstack.Ready) { readyCh <- r }})
	}()
	s := &Stack{DB: db, Log: out, Var: cfg.Var}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("the stack stopped with %v", err)
			}
		case <-time.After(time.Minute):
			t.Errorf("the stack did not stop within a minute")
		}
		testenv.WriteArtifact(t, fmt.Sprintf("e2e-stack-%s.log", db), []byte(out.String()))
	})
	select {
	case s.Ready = <-readyCh:
	case err := <-done:
		t.Fatalf("the stack stopped before it was ready: %v", err)
	case <-time.After(startTimeout):
		t.Fatalf("the stack was not up within %s", startTimeout)
	}
	if s.OnboardErr != nil {
		t.Fatalf("onboarding the demo data failed: %v", s.OnboardErr)
	}
	t.Logf("stack on %s up at %s with %d demo staff", db, s.Origin, len(s.Staff))
	return s
}
