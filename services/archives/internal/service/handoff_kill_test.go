package service_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"gorm.io/gorm"

	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/objstore"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/services/archives/internal/adapters"
	"egov.vn/platform/services/archives/internal/app"
)

// The hand-off's crash test runs the archives' consumer in a child process (this test binary,
// started again with handoffChildEnv set), so that killing it is a real process death: nothing
// of the consumer survives in memory, and only what was committed and acked counts.
const handoffChildEnv = "ARCHIVES_HANDOFF_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(handoffChildEnv) != "" {
		os.Exit(handoffChild())
	}
	os.Exit(m.Run())
}

// handoffChild is the archives' hand-off as a process: the repository on the given database, the
// objects on the given MinIO, the durable consumer on the given NATS, until SIGTERM. With
// HANDOFF_FAULT=after-commit it exits with status 42 right after its first commit, before the
// event is acked: the archives dying between their commit and dossiers' event being settled.
func handoffChild() int {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	fail := func(err error) int { log.Error("hand-off child", "error", err.Error()); return 1 }
	db, err := store.Open(ctx, os.Getenv("HANDOFF_DSN"))
	if err != nil {
		return fail(err)
	}
	mc, err := objstore.New(objstore.Config{Endpoint: os.Getenv("HANDOFF_MINIO"), AccessKey: os.Getenv("HANDOFF_MINIO_KEY"), SecretKey: os.Getenv("HANDOFF_MINIO_SECRET")})
	if err != nil {
		return fail(err)
	}
	nc, err := nats.Connect(os.Getenv("HANDOFF_NATS"))
	if err != nil {
		return fail(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fail(err)
	}
	st := adapters.NewStore(db, nil)
	objects := adapters.NewObjects(mc, adapters.ObjectsConfig{TestPrefix: os.Getenv("HANDOFF_PREFIX")})
	a := app.New(app.Deps{Store: st, Objects: objects}, app.Config{MaxUploadBytes: 1 << 30, OrphanAge: time.Hour})
	h := &adapters.Handoff{DB: db, JS: js, App: a, Stream: bootstrap.Stream, Durable: "archives-handoff", Workers: 2,
		AckWait: 2 * time.Second, Log: log}
	if os.Getenv("HANDOFF_FAULT") == "after-commit" {
		h.AfterCommit = func(evt events.Event) error {
			log.Info("hand-off child: dying after the commit of " + evt.ID())
			os.Exit(42)
			return nil
		}
	}
	if err := h.Run(ctx); err != nil {
		return fail(err)
	}
	return 0
}

// startHandoffChild starts the child with env added; the test's cleanup ends it if still running.
func startHandoffChild(t *testing.T, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), handoffChildEnv+"=1"), env...)
	cmd.Stderr = &testenv.Buffer{}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
		if t.Failed() {
			t.Logf("hand-off child's log:\n%s", cmd.Stderr)
		}
	})
	return cmd
}

// settled waits until the hand-off's durable consumer has been delivered the stream up to
// sequence want and has every event acked.
func settled(t *testing.T, js jetstream.JetStream, want uint64) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := js.Consumer(context.Background(), bootstrap.Stream, "archives-handoff")
		if err == nil {
			info, err := c.Info(context.Background())
			if err == nil && info.NumPending == 0 && info.NumAckPending == 0 && info.Delivered.Stream >= want {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hand-off's events are not all acked after 60s (%v)", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestHandoffSurvivesKills (issue 15 item 3): the archives process dies mid-hand-off, and after a
// restart every result is registered exactly once, none lost, the register's numbers without gaps.
// First it exits right after committing a result and before acking its event (the redelivery
// meets the processed mark); then it is SIGKILLed at an arbitrary point of a stream of results.
// On PostgreSQL, the production database, shared by the processes as replicas share it.
func TestHandoffSurvivesKills(t *testing.T) {
	ctx := t.Context()
	dsn := testenv.PostgresDatabase(t)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	if err := adapters.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	natsURL, js := platformStream(t)
	m := testenv.MinIO(t)
	mc, err := objstore.New(objstore.Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	prefix := "t" + randomHex(4) + "-"
	d := newDossiersSide(t, js, mc, prefix)
	env := []string{"HANDOFF_DSN=" + dsn, "HANDOFF_NATS=" + natsURL, "HANDOFF_MINIO=" + m.Endpoint,
		"HANDOFF_MINIO_KEY=" + m.AccessKey, "HANDOFF_MINIO_SECRET=" + m.SecretKey, "HANDOFF_PREFIX=" + prefix}
	tenant := "xa-dong-tan"

	// 1. Dies after the commit, before the ack.
	first := d.putResult(tenant, pdf("kết quả thứ nhất"))
	evt := d.returned(first, nil)
	child := startHandoffChild(t, append(env, "HANDOFF_FAULT=after-commit")...)
	err = child.Wait()
	if code := child.ProcessState.ExitCode(); code != 42 {
		t.Fatalf("the child ended with %v (status %d), want the fault's exit 42 after its commit", err, code)
	}
	if n := count(t, db, "document_dossiers", "dossier_id = ?", first.DossierID); n != 1 {
		t.Fatalf("after the kill: %d documents for the dossier, want the committed one", n)
	}
	restarted := startHandoffChild(t, env...)
	settled(t, js, 1)
	if n := count(t, db, "document_dossiers", "dossier_id = ?", first.DossierID); n != 1 {
		t.Fatalf("after the restart: %d documents for the dossier, want 1", n)
	}
	if n := count(t, db, "processed_events", "event_id = ?", evt.ID()); n != 1 {
		t.Fatalf("the event is processed %d times, want once", n)
	}

	// 2. SIGKILL while a stream of results is being handed off, then a restart.
	const results = 20
	var stream []result
	for i := range results {
		r := d.putResult(tenant, pdf(fmt.Sprintf("kết quả %d %s", i, randomHex(2048))))
		d.returned(r, nil)
		stream = append(stream, r)
	}
	deadline := time.Now().Add(30 * time.Second)
	for count(t, db, "document_dossiers", "1 = 1") < 4 {
		if time.Now().After(deadline) {
			t.Fatal("the hand-off did not start on the stream of results")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := restarted.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = restarted.Wait()
	before := count(t, db, "document_dossiers", "1 = 1") - 1
	startHandoffChild(t, env...)
	settled(t, js, results+1)
	t.Logf("%d of %d results were archived when the process was killed", before, results)

	for i, r := range stream {
		if n := count(t, db, "document_dossiers", "dossier_id = ?", r.DossierID); n != 1 {
			t.Errorf("result %d: %d documents, want exactly 1", i, n)
		}
	}
	var numbers struct{ N, Max int64 }
	if err := db.Table("documents").Select("COUNT(*) AS n, MAX(number) AS max").Where("tenant_id = ? AND direction = ?", tenant, "outgoing").Scan(&numbers).Error; err != nil {
		t.Fatal(err)
	}
	if numbers.N != results+1 || numbers.Max != results+1 {
		t.Errorf("outgoing register: %d documents, highest number %d; want %d without gaps", numbers.N, numbers.Max, results+1)
	}
	if n := count(t, db, "stored_files", "document_id IN (?)", db.Table("document_dossiers").Select("document_id")); n != results+1 {
		t.Errorf("%d stored files for the archived results, want %d", n, results+1)
	}
	var registered []string
	if err := db.Table("outbox_events").Where("subject LIKE ?", "%.archives.document.registered").Pluck("event_id", &registered).Error; err != nil {
		t.Fatal(err)
	}
	if len(registered) != results+1 {
		t.Errorf("%d registered events, want one per result (%d)", len(registered), results+1)
	}
	checkNoStrayObjects(t, db, d, tenant)
}

var minioListAll = minio.ListObjectsOptions{Recursive: true}

// checkNoStrayObjects: every object in the unit's bucket is dossiers' result or an archived
// file with its row, or an upload still marked pending (the copy of a process killed before its
// commit, which the cleanup job removes).
func checkNoStrayObjects(t *testing.T, db *gorm.DB, d *dossiersSide, tenant string) {
	t.Helper()
	var known []string
	if err := db.Table("stored_files").Pluck("object_key", &known).Error; err != nil {
		t.Fatal(err)
	}
	var pending []string
	if err := db.Table("pending_uploads").Pluck("object_key", &pending).Error; err != nil {
		t.Fatal(err)
	}
	ok := map[string]bool{}
	for _, k := range append(known, pending...) {
		ok[k] = true
	}
	for o := range d.minio.ListObjects(t.Context(), d.bucket(tenant), minioListAll) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		if len(o.Key) > 9 && o.Key[:9] == "dossiers/" {
			continue
		}
		if !ok[o.Key] {
			t.Errorf("object %s is neither an archived file nor a pending upload", o.Key)
		}
	}
	if len(pending) > 0 {
		t.Logf("%d uploads pending for the cleanup job (copies of the killed process)", len(pending))
	}
}
