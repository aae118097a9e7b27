package events

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"
)

// relayAll publishes every committed outbox row and returns once the outbox is empty.
func relayAll(t testing.TB, db *gorm.DB, js jetstream.JetStream) {
	t.Helper()
	r := NewRelay(db, js, RelayConfig{Logger: testLogger()})
	for {
		n, err := r.PublishBatch(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// calls counts handler invocations per event id, including ones whose transaction rolled back.
type calls struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *calls) add(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[id]++
	return c.n[id]
}

func (c *calls) get(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[id]
}

func consumerInfo(t testing.TB, js jetstream.JetStream, stream, durable string) *jetstream.ConsumerInfo {
	t.Helper()
	c, err := js.Consumer(context.Background(), stream, durable)
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// allAcked is true once the consumer has no pending or unacknowledged messages left.
func allAcked(t testing.TB, js jetstream.JetStream, stream, durable string, lastSeq uint64) bool {
	if _, err := js.Consumer(context.Background(), stream, durable); errors.Is(err, jetstream.ErrConsumerNotFound) {
		return false // Consume has not created it yet
	}
	info := consumerInfo(t, js, stream, durable)
	return info.NumPending == 0 && info.NumAckPending == 0 && info.AckFloor.Stream == lastSeq
}

// TestConsumerRestartsWithoutLossOrDoubleCount kills the consumer twice: once between committing
// an event's effect and acking it (the event comes back and must be skipped, not re-applied) and
// once in the middle of a handler's transaction (its effect must roll back and be applied later).
func TestConsumerRestartsWithoutLossOrDoubleCount(t *testing.T) {
	url := natsServer(t)
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s := newScope(t, url)
		createCounterTable(t, db)
		const n = 200
		ids := writeEvents(t, ctx, db, NewOutbox(nil), s.topic(), n, 20)
		relayAll(t, db, s.js)

		var seen calls
		handler := func(ctx context.Context, evt Event, tx *gorm.DB) error {
			seen.add(evt.ID())
			return applyCount(tx, evt)
		}
		// A short ack wait brings a dead consumer's unacked events back quickly.
		opts := []ConsumeOption{WithAckWait(time.Second), WithLogger(testLogger()), WithRetryDelay(10*time.Millisecond, 100*time.Millisecond)}

		// 1: dies after its 50th commit, before the ack.
		var crashedID string
		committed := 0
		crash := withAfterCommit(func(evt Event) error {
			if committed++; committed == 50 {
				crashedID = evt.ID()
				return errors.New("killed between commit and ack")
			}
			return nil
		})
		if err := Consume(ctx, s.js, db, s.stream, "counter", nil, handler, append(opts, crash)...); err == nil {
			t.Fatal("consumer 1 should have crashed")
		}

		// 2: cancelled inside a handler, with its transaction open.
		ctx2, kill := context.WithCancel(ctx)
		var inTx atomic.Int64
		killer := func(ctx context.Context, evt Event, tx *gorm.DB) error {
			if inTx.Add(1) == 30 {
				kill()
			}
			return handler(ctx, evt, tx)
		}
		if err := Consume(ctx2, s.js, db, s.stream, "counter", nil, killer, opts...); err != nil {
			t.Fatalf("consumer 2: %v", err)
		}
		if got := countApplied(t, db); got >= n {
			t.Fatalf("%d events applied before the last consumer ran; the test did not interrupt anything", got)
		}

		// 3: runs to the end.
		ctx3, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Go(func() {
			if err := Consume(ctx3, s.js, db, s.stream, "counter", nil, handler, opts...); err != nil {
				t.Errorf("consumer 3: %v", err)
			}
		})
		waitFor(t, "every event applied and acked", func() bool {
			return countApplied(t, db) == n && allAcked(t, s.js, s.stream, "counter", n)
		})
		stop()
		wg.Wait()

		assertAppliedOnce(t, db, ids)
		if got := seen.get(crashedID); got != 1 {
			t.Fatalf("the event committed but not acked reached the handler %d times; a redelivery of a processed id must be acked without calling it", got)
		}
	})
}

// TestConsumerSkipsAlreadyProcessedEvent delivers the same event twice past the stream's
// duplicate window (as after a relay restart later than DuplicateWindow): one effect, both acked.
func TestConsumerSkipsAlreadyProcessedEvent(t *testing.T) {
	url := natsServer(t)
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		s := newScope(t, url)
		evt, err := New(s.topic(), "d-1", map[string]int{"x": 1})
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(evt)
		for range 2 { // no message id: JetStream stores both copies
			if _, err := s.js.Publish(ctx, s.topic().Subject(), raw); err != nil {
				t.Fatal(err)
			}
		}
		var seen calls
		var wg sync.WaitGroup
		wg.Go(func() {
			_ = Consume(ctx, s.js, db, s.stream, "once", nil, func(ctx context.Context, e Event, tx *gorm.DB) error {
				seen.add(e.ID())
				return nil
			}, WithLogger(testLogger()))
		})
		waitFor(t, "both copies acked", func() bool { return allAcked(t, s.js, s.stream, "once", 2) })
		cancel()
		wg.Wait()
		if got := seen.get(evt.ID()); got != 1 {
			t.Fatalf("handler called %d times for one event id", got)
		}
		var rows int64
		db.Model(&ProcessedEvent{}).Where("consumer = ? AND event_id = ?", "once", evt.ID()).Count(&rows)
		if rows != 1 {
			t.Fatalf("processed_events rows = %d", rows)
		}
	})
}

// TestConsumerTerminatesPoisonAndRetriesFailures: undecodable messages never reach the handler and
// are not redelivered; a failing handler is retried until it succeeds; a permanent error stops
// redelivery.
func TestConsumerTerminatesPoisonAndRetriesFailures(t *testing.T) {
	url := natsServer(t)
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		s := newScope(t, url)
		createCounterTable(t, db)
		subject := s.topic().Subject()
		pub := func(data []byte) {
			t.Helper()
			if _, err := s.js.Publish(ctx, subject, data); err != nil {
				t.Fatal(err)
			}
		}
		flaky, _ := New(s.topic(), "flaky", nil)
		doomed, _ := New(s.topic(), "doomed", nil)
		fine, _ := New(s.topic(), "fine", nil)
		pub([]byte("not json at all"))                                         // 1
		pub([]byte(`{"specversion":"1.0","id":"x","source":"/a","type":"b"}`)) // 2: not ours
		for _, e := range []Event{flaky, doomed, fine} {                       // 3, 4, 5
			raw, _ := json.Marshal(e)
			pub(raw)
		}
		var seen calls
		var wg sync.WaitGroup
		wg.Go(func() {
			_ = Consume(ctx, s.js, db, s.stream, "picky", nil, func(ctx context.Context, e Event, tx *gorm.DB) error {
				call := seen.add(e.ID())
				switch e.ID() {
				case flaky.ID():
					if err := applyCount(tx, e); err != nil {
						return err
					}
					if call < 3 {
						return errors.New("transient") // rolls back the count too
					}
				case doomed.ID():
					return Permanent(errors.New("unknown procedure"))
				default:
					return applyCount(tx, e)
				}
				return nil
			}, WithLogger(testLogger()), WithRetryDelay(10*time.Millisecond, 50*time.Millisecond))
		})
		waitFor(t, "every message settled", func() bool { return allAcked(t, s.js, s.stream, "picky", 5) })
		cancel()
		wg.Wait()

		if got := seen.get(flaky.ID()); got != 3 {
			t.Errorf("flaky handler called %d times, want 3", got)
		}
		if got := seen.get(doomed.ID()); got != 1 {
			t.Errorf("permanently failing handler called %d times, want 1", got)
		}
		assertAppliedOnce(t, db, []string{flaky.ID(), fine.ID()})
		if info := consumerInfo(t, s.js, s.stream, "picky"); info.NumRedelivered != 0 {
			t.Errorf("%d messages still waiting for redelivery", info.NumRedelivered)
		}
		var processed int64
		db.Model(&ProcessedEvent{}).Where("consumer = ?", "picky").Count(&processed)
		if processed != 2 {
			t.Errorf("processed_events rows = %d, want 2 (only committed handlers count)", processed)
		}
	})
}

// TestTraceContextTravelsThroughOutbox checks that the consumer's handler runs in the producer's
// trace, with the relay's publish span between them.
func TestTraceContextTravelsThroughOutbox(t *testing.T) {
	exporter := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	prevTP, prevProp := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	t.Cleanup(func() {
		otel.SetTracerProvider(prevTP)
		otel.SetTextMapPropagator(prevProp)
		_ = tp.Shutdown(context.Background())
	})

	url := natsServer(t)
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s := newScope(t, url)

		pctx, producer := tp.Tracer("test").Start(ctx, "dossiers.App.Receive")
		evt, err := New(s.topic(), "d-1", map[string]string{"k": "v"})
		if err != nil {
			t.Fatal(err)
		}
		o := NewOutbox(nil)
		if err := o.Transact(pctx, db, func(tx *gorm.DB) error { return o.Add(pctx, tx, evt) }); err != nil {
			t.Fatal(err)
		}
		producer.End()
		want := producer.SpanContext().TraceID()

		relayAll(t, db, s.js)
		got := make(chan trace.SpanContext, 1)
		cctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Go(func() {
			_ = Consume(cctx, s.js, db, s.stream, "tracer", nil, func(ctx context.Context, e Event, tx *gorm.DB) error {
				got <- trace.SpanContextFromContext(ctx)
				return nil
			}, WithLogger(testLogger()))
		})
		sc := <-got
		cancel()
		wg.Wait()
		if sc.TraceID() != want {
			t.Fatalf("handler trace id %s, producer trace id %s", sc.TraceID(), want)
		}

		var publish, consume sdktrace.ReadOnlySpan
		for _, stub := range exporter.GetSpans().Snapshots() {
			if stub.SpanContext().TraceID() != want {
				continue
			}
			switch stub.Name() {
			case "events.publish " + s.topic().Subject():
				publish = stub
			case "events.consume " + s.topic().Subject():
				consume = stub
			}
		}
		if publish == nil || consume == nil {
			t.Fatalf("missing spans in the producer's trace: publish %v, consume %v", publish != nil, consume != nil)
		}
		if publish.Parent().SpanID() != producer.SpanContext().SpanID() || consume.Parent().SpanID() != publish.SpanContext().SpanID() {
			t.Fatalf("span chain broken: publish parent %s (want %s), consume parent %s (want %s)",
				publish.Parent().SpanID(), producer.SpanContext().SpanID(), consume.Parent().SpanID(), publish.SpanContext().SpanID())
		}
		if sc.SpanID() != consume.SpanContext().SpanID() {
			t.Fatalf("handler ctx is not inside the consume span")
		}
	})
}

// withAfterCommit makes Consume stop, as if killed, when hook fails after a commit.
func withAfterCommit(hook func(Event) error) ConsumeOption {
	return func(c *consumeConfig) { c.afterCommit = hook }
}

// TestConsumerFilterSubjects: a consumer sees only the subjects it asked for.
func TestConsumerFilterSubjects(t *testing.T) {
	url := natsServer(t)
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		s := newScope(t, url)
		received := s.topic()
		approved := received
		approved.Verb = "approved"
		rated := received
		rated.Verb = "rated"
		o := NewOutbox(nil)
		want := writeEvents(t, ctx, db, o, approved, 3, 3)
		writeEvents(t, ctx, db, o, received, 3, 3)
		want = append(want, writeEvents(t, ctx, db, o, rated, 2, 2)...)
		relayAll(t, db, s.js)

		var seen calls
		var wg sync.WaitGroup
		durables := map[string]uint64{} // durable → events it must get
		for _, filters := range [][]string{
			{approved.Subject(), rated.Subject()},
			{"egov." + s.tenant + ".dossiers.dossier.approved"}, // one filter
		} {
			durable := "f" + randHex(4)
			durables[durable] = map[int]uint64{1: 3, 2: 5}[len(filters)]
			wg.Go(func() {
				_ = Consume(ctx, s.js, db, s.stream, durable, filters, func(ctx context.Context, e Event, tx *gorm.DB) error {
					topic, err := TopicOf(e)
					if err != nil || (topic.Verb != "approved" && topic.Verb != "rated") || (len(filters) == 1 && topic.Verb != "approved") {
						t.Errorf("consumer with filters %v got %s", filters, e.Type())
					}
					seen.add(e.ID())
					return nil
				}, WithLogger(testLogger()))
			})
		}
		waitFor(t, "the filtered events", func() bool {
			for i, id := range want {
				if n := seen.get(id); (i < 3 && n != 2) || (i >= 3 && n != 1) {
					return false
				}
			}
			return true
		})
		for durable, n := range durables {
			waitFor(t, "acks", func() bool {
				info := consumerInfo(t, s.js, s.stream, durable)
				return info.NumPending == 0 && info.NumAckPending == 0 && info.Delivered.Consumer == n
			})
		}
		cancel()
		wg.Wait()
	})
}
