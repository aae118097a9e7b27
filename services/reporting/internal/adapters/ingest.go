package adapters

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/telemetry"
	"egov.vn/platform/services/reporting/internal/app"
)

// The durable consumer's settings, the same whichever way events are applied, so that switching
// between one event and batches per transaction keeps the consumer (and its position) as it is.
const (
	ackWait    = 30 * time.Second
	maxDeliver = 20
)

// Ingest feeds the read model from the platform's stream with one durable consumer. Batch 1 uses
// libs/events.Consume (one event per transaction); a larger batch fetches up to Batch messages
// and applies them in one transaction, recording every event id in processed_events in that same
// transaction, so each event still counts exactly once: a batch that fails is retried event by
// event, which isolates an event that can never apply. In batch mode the next batch is fetched
// and decoded in a goroutine of its own while the current one is applied, so the JSON work
// overlaps the database work instead of waiting for it.
type Ingest struct {
	DB      *gorm.DB
	JS      jetstream.JetStream
	Stream  string
	Durable string
	Batch   int
	Log     *slog.Logger
	Tracer  trace.Tracer
	// MaxWait bounds how long one fetch waits for the first event of a batch (default 200ms).
	MaxWait time.Duration
	// AckWait is how long a delivered event may stay unacknowledged before JetStream delivers it
	// again (default 30s): events a stopped consumer had fetched come back after it. Tests that
	// stop the consumer mid-stream shorten it.
	AckWait time.Duration

	// registered are the tenants this Ingest has seen committed to report_tenants: a batch inserts
	// only tenants it has not seen, instead of every tenant of every batch. Tenants are never
	// removed from the table (a rebuild keeps them), so the set stays true. Only the goroutine
	// applying batches touches it.
	registered map[string]bool
}

// message is one fetched event, decoded before any transaction starts. err is set when reporting
// uses the event but cannot read its data; it surfaces only if the event turns out to be new, as
// decoding inside the transaction did.
type message struct {
	msg    jetstream.Msg // nil during a rebuild, which does not ack
	evt    events.Event
	change app.Change
	used   bool
	err    error
}

// Run consumes until ctx ends.
func (in *Ingest) Run(ctx context.Context) error {
	if in.Batch <= 1 {
		return events.Consume(ctx, in.JS, in.DB, in.Stream, in.Durable, []string{events.AllSubjects},
			func(ctx context.Context, evt events.Event, tx *gorm.DB) error {
				if err := lockConsumer(ctx, tx, in.Durable); err != nil {
					return err
				}
				return app.Project(ctx, NewTxFacts(tx), []events.Event{evt})
			}, events.WithLogger(in.Log), events.WithAckWait(cmp.Or(in.AckWait, ackWait)), events.WithMaxDeliver(maxDeliver))
	}
	cons, err := in.JS.CreateOrUpdateConsumer(ctx, in.Stream, jetstream.ConsumerConfig{
		Durable:       in.Durable,
		Description:   "egov events consumer " + in.Durable,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       cmp.Or(in.AckWait, ackWait),
		MaxDeliver:    maxDeliver,
		FilterSubject: events.AllSubjects,
		// Room for the two batches below, and a third being acknowledged, however large a batch.
		MaxAckPending: max(1000, 3*in.Batch),
	})
	if err != nil {
		return fmt.Errorf("reporting: consumer %s: %w", in.Durable, err)
	}
	// Unbuffered: one batch applying and one fetched and waiting, so no more than two batches are
	// ever unacknowledged.
	batches := make(chan []message)
	go in.fetch(ctx, cons, batches)
	for msgs := range batches {
		if ctx.Err() != nil {
			nakAll(msgs) // stopping: hand them back now rather than after AckWait
			continue
		}
		in.applyBatch(ctx, msgs)
	}
	return nil
}

// fetch fetches and decodes batches into out until ctx ends, then closes out. It waits up to
// MaxWait for the first event, then takes at once whatever else the stream holds, up to a batch:
// a batch never waits to fill up, so under live traffic an event is applied as soon as the batch
// before it is (it used to wait out MaxWait for a full batch that never came, which was most of
// the lag BenchmarkDashboardLag measures), while a backlog still goes Batch events a transaction.
func (in *Ingest) fetch(ctx context.Context, cons jetstream.Consumer, out chan<- []message) {
	defer close(out)
	wait := in.MaxWait
	if wait == 0 {
		wait = 200 * time.Millisecond
	}
	dec := app.NewDecoder()
	for ctx.Err() == nil {
		first, err := cons.Fetch(1, jetstream.FetchMaxWait(wait))
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			in.Log.WarnContext(ctx, "reporting: fetch failed", "error", err)
			time.Sleep(wait)
			continue
		}
		msgs := in.take(ctx, dec, first, make([]message, 0, in.Batch))
		if len(msgs) == 0 {
			continue
		}
		if in.Batch > 1 {
			rest, err := cons.FetchNoWait(in.Batch - 1)
			if err != nil {
				in.Log.WarnContext(ctx, "reporting: fetch failed", "error", err)
			} else {
				msgs = in.take(ctx, dec, rest, msgs)
			}
		}
		select {
		case out <- msgs:
		case <-ctx.Done():
			nakAll(msgs)
			return
		}
	}
}

// take decodes the messages of batch onto msgs, terminating those that are no event.
func (in *Ingest) take(ctx context.Context, dec *app.Decoder, batch jetstream.MessageBatch, msgs []message) []message {
	for m := range batch.Messages() {
		evt, err := events.Decode(m.Data())
		if err != nil {
			in.Log.ErrorContext(ctx, "reporting: terminating undecodable message", "subject", m.Subject(), "error", err)
			_ = m.Term()
			continue
		}
		msgs = append(msgs, decodeMessage(dec, m, evt))
	}
	if err := batch.Error(); err != nil && !errors.Is(err, context.Canceled) && ctx.Err() == nil &&
		!errors.Is(err, jetstream.ErrNoMessages) {
		in.Log.WarnContext(ctx, "reporting: fetch ended early", "error", err)
	}
	return msgs
}

func decodeMessage(dec *app.Decoder, m jetstream.Msg, evt events.Event) message {
	c, used, err := dec.Decode(evt)
	return message{msg: m, evt: evt, change: c, used: used, err: err}
}

func nakAll(msgs []message) {
	for _, m := range msgs {
		_ = m.msg.Nak()
	}
}

// applyBatch applies msgs in one transaction and acks them. When that fails it applies each half
// the same way, down to single events, which it terminates when they can never apply and hands
// back for a retry otherwise. One bad event among n is so found in about 2·log2(n) transactions
// (26 for 5,000) instead of n, each committing with an fsync, and every other event is applied
// with its neighbours, long before the batch's acknowledgement deadline.
func (in *Ingest) applyBatch(ctx context.Context, msgs []message) {
	err := in.applyTx(ctx, msgs)
	switch {
	case err == nil:
		for _, m := range msgs {
			_ = m.msg.Ack() // a lost ack is a redelivery, absorbed by processed_events
		}
	case ctx.Err() != nil:
		nakAll(msgs) // stopping: hand them back now rather than after AckWait
	case len(msgs) > 1:
		in.Log.WarnContext(ctx, "reporting: batch failed, applying its halves", "events", len(msgs), "error", err)
		half := len(msgs) / 2
		in.applyBatch(ctx, msgs[:half])
		in.applyBatch(ctx, msgs[half:])
	case isPermanent(err):
		in.Log.ErrorContext(ctx, "reporting: event rejected permanently", "event_id", msgs[0].evt.ID(), "error", err)
		_ = msgs[0].msg.Term()
	default:
		in.Log.WarnContext(ctx, "reporting: event failed, will retry", "event_id", msgs[0].evt.ID(), "error", err)
		_ = msgs[0].msg.NakWithDelay(time.Second)
	}
}

func isPermanent(err error) bool { return errors.Is(err, app.ErrMalformed) }

// applyTx claims the events' ids and projects the new ones, in one transaction. It first assumes
// every event is new, which it almost always is; if one was processed before, that claim fails
// and the batch is applied again, claiming only the ids not seen (events.ClaimBatch).
func (in *Ingest) applyTx(ctx context.Context, msgs []message) (err error) {
	ctx, span := in.Tracer.Start(ctx, "reporting.Ingest.Apply", trace.WithAttributes(attribute.Int("events", len(msgs))))
	defer telemetry.End(span, &err)
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i] = m.evt.ID()
	}
	changes, err := in.applyOnce(ctx, msgs, ids, true)
	if errors.Is(err, events.ErrSeenBefore) {
		span.AddEvent("an event was processed before: applying the batch again without it")
		changes, err = in.applyOnce(ctx, msgs, ids, false)
	}
	if err != nil {
		return err
	}
	if in.registered == nil {
		in.registered = map[string]bool{}
	}
	for _, c := range changes {
		in.registered[c.Tenant()] = true
	}
	return nil
}

// applyOnce is one attempt of applyTx; allNew is events.ClaimBatch's assumption. It returns the changes it
// applied.
func (in *Ingest) applyOnce(ctx context.Context, msgs []message, ids []string, allNew bool) (changes []app.Change, err error) {
	err = in.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockConsumer(ctx, tx, in.Durable); err != nil {
			return err
		}
		fresh, err := events.ClaimBatch(ctx, tx, in.Durable, ids, allNew)
		if err != nil {
			return err
		}
		changes = make([]app.Change, 0, len(fresh))
		for _, m := range msgs { // the stream's order
			if !fresh[m.evt.ID()] {
				continue
			}
			delete(fresh, m.evt.ID()) // a second copy of the event in this batch is not new
			if m.err != nil {
				return m.err
			}
			if m.used {
				changes = append(changes, m.change)
			}
		}
		return app.ProjectChanges(ctx, TxFacts{tx: tx, registered: in.registered}, changes)
	})
	return changes, err
}

// lockConsumer makes the transactions of one consumer take turns across replicas, until the
// transaction ends. A batch reads the facts its events touch, merges the events into them and
// writes them back: two replicas doing that to one dossier at once would each write back their
// own merge, and the events of one would be lost from the fact and from the counters
// (TestReplicasShareTheConsumer). Taking turns costs little: the database is the bottleneck, and
// the replicas would wait for each other on the same counter rows anyway. On SQLite the
// transaction's write lock, taken at BEGIN, already does this.
func lockConsumer(ctx context.Context, tx *gorm.DB, durable string) error {
	if store.Dialect(tx) != store.Postgres {
		return nil
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte("egov.reporting.consumer/" + durable))
	if _, err := tx.Statement.ConnPool.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(h.Sum64())); err != nil {
		return fmt.Errorf("reporting: lock consumer %s: %w", durable, err)
	}
	return nil
}

// RegisterLag exposes the consumer's lag as the gauge reporting.consumer.lag (Prometheus
// reporting_consumer_lag): events in the stream not yet delivered to it plus those delivered and
// not yet acknowledged.
func RegisterLag(meter metric.Meter, js jetstream.JetStream, stream, durable string) error {
	_, err := meter.Int64ObservableGauge("reporting.consumer.lag",
		metric.WithDescription("events of the stream the read model has not applied yet (pending + unacknowledged)"),
		metric.WithUnit("{event}"),
		metric.WithInt64Callback(func(ctx context.Context, o metric.Int64Observer) error {
			ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			cons, err := js.Consumer(ctx, stream, durable)
			if err != nil {
				return nil // not created yet: nothing to report
			}
			info, err := cons.Info(ctx)
			if err != nil {
				return nil
			}
			o.Observe(int64(info.NumPending)+int64(info.NumAckPending), metric.WithAttributes(attribute.String("consumer", durable)))
			return nil
		}))
	return err
}

// Rebuild wipes the read model (facts, counters and the consumer's processed ids; registered
// tenants and targets are kept) and replays the stream from its first event up to the last one
// present when it starts, in batches. Run it with the service's consumer stopped, or against a
// fresh database that the service is then pointed at: the replay records the ids under durable,
// so the durable consumer resuming on top of it skips what the replay already applied. db is
// migrated already: the bootstrap applies Migrations before the rebuild command runs.
func Rebuild(ctx context.Context, db *gorm.DB, js jetstream.JetStream, stream, durable string, batch int, tracer trace.Tracer) (applied int, err error) {
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, m := range []any{&dossierRow{}, &documentRow{}, &staffRow{}, &counterRow{}} {
			if err := tx.Session(&gorm.Session{AllowGlobalUpdate: true}).Scopes(store.AllTenants()).Delete(m).Error; err != nil {
				return err
			}
		}
		return events.ForgetProcessed(ctx, tx, durable)
	})
	if err != nil {
		return 0, fmt.Errorf("reporting: rebuild: wipe: %w", err)
	}
	s, err := js.Stream(ctx, stream)
	if err != nil {
		return 0, fmt.Errorf("reporting: rebuild: stream %s: %w", stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("reporting: rebuild: stream %s: %w", stream, err)
	}
	last := info.State.LastSeq
	if info.State.Msgs == 0 {
		return 0, nil
	}
	cons, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{events.AllSubjects},
		DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		return 0, fmt.Errorf("reporting: rebuild: replay: %w", err)
	}
	in := &Ingest{DB: db, Durable: durable, Tracer: tracer}
	dec := app.NewDecoder()
	for {
		b, err := cons.Fetch(batch, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			return applied, fmt.Errorf("reporting: rebuild: fetch: %w", err)
		}
		var (
			msgs []message
			seq  uint64
		)
		for m := range b.Messages() {
			if meta, err := m.Metadata(); err == nil {
				seq = meta.Sequence.Stream
			}
			evt, err := events.Decode(m.Data())
			if err != nil {
				continue // the live consumer terminates these too
			}
			msgs = append(msgs, decodeMessage(dec, nil, evt))
		}
		if len(msgs) > 0 {
			if err := in.applyTx(ctx, msgs); err != nil {
				return applied, fmt.Errorf("reporting: rebuild: apply: %w", err)
			}
			applied += len(msgs)
		}
		if seq >= last {
			return applied, nil
		}
		if ctx.Err() != nil {
			return applied, ctx.Err()
		}
	}
}
