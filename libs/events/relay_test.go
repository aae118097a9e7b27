package events

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"gorm.io/gorm"
)

// TestRelayCrashesThenEveryEventAppliedExactlyOnce is the outbox's promise end to end: events
// written in transactions reach a consumer exactly once although relays die between publishing
// and marking (so rows are republished), and several relays then race over the same outbox.
func TestRelayCrashesThenEveryEventAppliedExactlyOnce(t *testing.T) {
	url := natsServer(t)
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s := newScope(t, url)
		createCounterTable(t, db)
		const n, batch = 500, 50
		ids := writeEvents(t, ctx, db, NewOutbox(nil), s.topic(), n, 10)

		consumerCtx, stopConsumer := context.WithCancel(ctx)
		var consumerErr error
		var wg sync.WaitGroup
		wg.Go(func() {
			consumerErr = Consume(consumerCtx, s.js, db, s.stream, "counter", nil,
				func(ctx context.Context, evt Event, tx *gorm.DB) error { return applyCount(tx, evt) },
				WithLogger(testLogger()))
		})
		defer func() { stopConsumer(); wg.Wait() }()

		var publishes atomic.Int64 // events sent to JetStream, repeats included
		cfg := RelayConfig{BatchSize: batch, PollInterval: 10 * time.Millisecond, Logger: testLogger()}

		// Relay A crashes after publishing its third batch, before marking it.
		a := NewRelay(db, s.js, cfg)
		batches := 0
		a.beforeMark = func(b []OutboxEvent) error {
			publishes.Add(int64(len(b)))
			if batches++; batches == 3 {
				return errors.New("killed between publish and mark")
			}
			return nil
		}
		if err := a.Run(ctx); err == nil {
			t.Fatal("relay A should have crashed")
		}
		if got := countUnpublished(t, db); got != n-2*batch {
			t.Fatalf("after relay A: %d unpublished, want %d (the crashed batch stays unmarked)", got, n-2*batch)
		}

		// Relay B republishes A's last batch, then is cancelled in the middle of its second one.
		bctx, cancelB := context.WithCancel(ctx)
		b := NewRelay(db, s.js, cfg)
		batches = 0
		b.beforeMark = func(rows []OutboxEvent) error {
			publishes.Add(int64(len(rows)))
			if batches++; batches == 2 {
				cancelB()
			}
			return nil
		}
		if err := b.Run(bctx); err != nil {
			t.Fatalf("relay B: %v", err)
		}
		if got := countUnpublished(t, db); got != n-3*batch {
			t.Fatalf("after relay B: %d unpublished, want %d", got, n-3*batch)
		}

		// Two replicas finish the job side by side.
		rctx, stopRelays := context.WithCancel(ctx)
		var relays sync.WaitGroup
		for range 2 {
			r := NewRelay(db, s.js, cfg)
			r.beforeMark = func(rows []OutboxEvent) error { publishes.Add(int64(len(rows))); return nil }
			relays.Go(func() {
				if err := r.Run(rctx); err != nil {
					t.Errorf("relay: %v", err)
				}
			})
		}
		waitFor(t, "the outbox to drain", func() bool { return countUnpublished(t, db) == 0 })
		stopRelays()
		relays.Wait()

		waitFor(t, "every event to be applied", func() bool { return countApplied(t, db) >= n })
		assertAppliedOnce(t, db, ids)

		if p := publishes.Load(); p <= n {
			t.Fatalf("only %d publishes for %d events: the crashes did not cause republishing", p, n)
		}
		info, err := s.js.Stream(ctx, s.stream)
		if err != nil {
			t.Fatal(err)
		}
		st, err := info.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.State.Msgs != n {
			t.Fatalf("stream holds %d messages after %d publishes of %d events; the duplicate window should have dropped the repeats",
				st.State.Msgs, publishes.Load(), n)
		}
		stopConsumer()
		wg.Wait()
		if consumerErr != nil {
			t.Fatalf("consumer: %v", consumerErr)
		}
	})
}

func TestRelayRecordsFailuresAndRecovers(t *testing.T) {
	url := natsServer(t)
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		js := connect(t, url)
		tenant := "t" + randHex(6)
		topic := Topic{Tenant: tenant, Service: "hr", Entity: "servant", Verb: "appointed"}
		ids := writeEvents(t, ctx, db, NewOutbox(nil), topic, 3, 3)

		// No stream captures the subject yet: publishing fails and nothing may be marked.
		r := NewRelay(db, js, RelayConfig{PublishTimeout: 3 * time.Second, Logger: testLogger()})
		n, err := r.PublishBatch(ctx)
		if err == nil || n != 3 {
			t.Fatalf("PublishBatch without a stream = %d, %v; want 3 rows and an error", n, err)
		}
		var rows []OutboxEvent
		if err := db.Order("id").Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			if row.PublishedAt != nil || row.Attempts != 1 || row.LastError == "" {
				t.Errorf("failed row %s: published_at=%v attempts=%d last_error=%q", row.EventID, row.PublishedAt, row.Attempts, row.LastError)
			}
		}

		stream := "EV_" + randHex(6)
		if _, err := EnsureStream(ctx, js, stream, "egov."+tenant+".>"); err != nil {
			t.Fatal(err)
		}
		if n, err := r.PublishBatch(ctx); err != nil || n != 3 {
			t.Fatalf("PublishBatch after the stream exists = %d, %v", n, err)
		}
		if err := db.Order("id").Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		for i, row := range rows {
			if row.PublishedAt == nil || row.Attempts != 2 || row.LastError != "" || row.EventID != ids[i] {
				t.Errorf("row %d after recovery: %+v", i, row)
			}
		}
		writeEvents(t, ctx, db, NewOutbox(nil), topic, 1, 1) // not yet published: must survive the purge
		if purged, err := PurgePublished(ctx, db, time.Now().Add(time.Second)); err != nil || purged != 3 {
			t.Fatalf("PurgePublished = %d, %v; want the 3 published rows", purged, err)
		}
		if left := countUnpublished(t, db); left != 1 {
			t.Fatalf("%d unpublished rows after the purge, want 1", left)
		}
		// The stored row carries the subject and the message id is the event id.
		str, _ := js.Stream(ctx, stream)
		msg, err := str.GetMsg(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if msg.Subject != "egov."+tenant+".hr.servant.appointed" || msg.Header.Get(jetstream.MsgIDHeader) != ids[0] ||
			msg.Header.Get("Content-Type") != ContentType {
			t.Fatalf("first stream message: subject %q, headers %v", msg.Subject, msg.Header)
		}
	})
}

func TestRelayNotifyPublishesWithoutWaitingForThePoll(t *testing.T) {
	url := natsServer(t)
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		s := newScope(t, url)
		// A poll interval far beyond the test's deadline: only Notify can get the event out.
		r := NewRelay(db, s.js, RelayConfig{PollInterval: time.Hour, Logger: testLogger()})
		var wg sync.WaitGroup
		wg.Go(func() { _ = r.Run(ctx) })
		defer func() { cancel(); wg.Wait() }()
		waitFor(t, "the relay's first (empty) poll", func() bool { return len(r.wake) == 0 })

		writeEvents(t, ctx, db, NewOutbox(r), s.topic(), 1, 1)
		waitFor(t, "the notified relay to publish", func() bool { return countUnpublished(t, db) == 0 })
	})
}

func TestEnsureStreamSetsDuplicateWindow(t *testing.T) {
	t.Parallel()
	js := connect(t, natsServer(t))
	ctx := context.Background()
	name := "EV_" + randHex(6)
	for range 2 { // creating twice is an update, not an error
		st, err := EnsureStream(ctx, js, name, "egov.t"+randHex(3)+".>")
		if err != nil {
			t.Fatal(err)
		}
		info, err := st.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.Config.Duplicates != DuplicateWindow || info.Config.Storage != jetstream.FileStorage {
			t.Fatalf("stream config: duplicates %s, storage %s", info.Config.Duplicates, info.Config.Storage)
		}
	}
	if cfg := DefaultStreamConfig("X"); len(cfg.Subjects) != 1 || cfg.Subjects[0] != "egov.>" {
		t.Fatalf("default subjects = %v", cfg.Subjects)
	}
}
