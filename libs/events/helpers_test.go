package events

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"gorm.io/gorm"

	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/testenv"
)

// Databases come from storetest, opened by store.Open exactly as services open them.

type dbKind struct {
	name string
	open func(testing.TB) *gorm.DB
}

var dbKinds = []dbKind{
	{store.SQLite, func(t testing.TB) *gorm.DB { return storetest.SQLite(t, store.WithLogger(testLogger())) }},
	{store.Postgres, func(t testing.TB) *gorm.DB { return storetest.Postgres(t, store.WithLogger(testLogger())) }},
}

// eachDB runs fn on SQLite and on PostgreSQL, with this package's tables migrated.
func eachDB(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		if err := AutoMigrate(db); err != nil {
			t.Fatal(err)
		}
		fn(t, db)
	}, store.WithLogger(testLogger()))
}

// natsServer returns one JetStream server for the whole test (shared by its DB subtests). It is
// private: streams here cover egov.<tenant>.>, which would overlap a platform stream (egov.>)
// that a service test made on a shared server.
func natsServer(t testing.TB) string {
	t.Helper()
	return "nats://" + testenv.StartNATS(t).Addr
}

func connect(t testing.TB, url string) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatalf("connect NATS: %v", err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// scope is one test's private corner of NATS: a tenant of its own and a stream over its subjects,
// so tests can share a server without overlapping streams.
type scope struct {
	tenant string
	stream string
	js     jetstream.JetStream
}

func newScope(t testing.TB, url string) scope {
	t.Helper()
	s := scope{tenant: "t" + randHex(6), stream: "EV_" + randHex(6), js: connect(t, url)}
	if _, err := EnsureStream(context.Background(), s.js, s.stream, SubjectRoot+"."+s.tenant+".>"); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s scope) topic() Topic {
	return Topic{Tenant: s.tenant, Service: "dossiers", Entity: "dossier", Verb: "received"}
}

// testLogger is silent unless EVENTS_TEST_LOG is set: the failure paths log on purpose.
func testLogger() *slog.Logger {
	if os.Getenv("EVENTS_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// waitFor polls cond until it holds or the deadline passes; eventual delivery is awaited, never timed.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// writeEvents commits n events through the outbox, perTx per transaction, and returns their ids.
func writeEvents(t testing.TB, ctx context.Context, db *gorm.DB, o *Outbox, topic Topic, n, perTx int) []string {
	t.Helper()
	ids := make([]string, 0, n)
	for len(ids) < n {
		err := o.Transact(ctx, db, func(tx *gorm.DB) error {
			for i := 0; i < perTx && len(ids) < n; i++ {
				evt, err := New(topic, "dossier-"+randHex(4), map[string]any{"seq": len(ids)})
				if err != nil {
					return err
				}
				if err := o.Add(ctx, tx, evt); err != nil {
					return err
				}
				ids = append(ids, evt.ID())
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

func countUnpublished(t testing.TB, db *gorm.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Model(&OutboxEvent{}).Where("published_at IS NULL").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// counterTable is the consumer effect the exactly-once tests inspect: one row per event id,
// n counting how many times the effect was applied.
func createCounterTable(t testing.TB, db *gorm.DB) {
	t.Helper()
	if err := db.Exec(`CREATE TABLE applied_counts (event_id VARCHAR(36) PRIMARY KEY, n INTEGER NOT NULL)`).Error; err != nil {
		t.Fatal(err)
	}
}

func applyCount(tx *gorm.DB, evt Event) error {
	return tx.Exec(`INSERT INTO applied_counts (event_id, n) VALUES (?, 1)
		ON CONFLICT (event_id) DO UPDATE SET n = applied_counts.n + 1`, evt.ID()).Error
}

// assertAppliedOnce checks that exactly the ids were applied, each exactly once.
func assertAppliedOnce(t testing.TB, db *gorm.DB, ids []string) {
	t.Helper()
	var rows []struct {
		EventID string
		N       int
	}
	if err := db.Raw(`SELECT event_id, n FROM applied_counts`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	for _, r := range rows {
		if !want[r.EventID] {
			t.Errorf("applied an event that was never written: %s", r.EventID)
		}
		if r.N != 1 {
			t.Errorf("event %s applied %d times", r.EventID, r.N)
		}
	}
	if len(rows) != len(ids) {
		t.Errorf("applied %d distinct events, want %d", len(rows), len(ids))
	}
}

func countApplied(t testing.TB, db *gorm.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(`SELECT COUNT(*) FROM applied_counts`).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
