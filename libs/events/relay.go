package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"egov.vn/platform/libs/store"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"egov.vn/platform/libs/telemetry"
)

// instrumentation names this package's spans.
const instrumentation = "egov.vn/platform/libs/events"

// DuplicateWindow is how long the events stream remembers message ids. A relay that published an
// event but died before marking its row republishes it when it (or another replica) runs again;
// the stream drops that copy only if it arrives within this window, so relays must be restarted
// well within it. Consumers dedupe by event id anyway, so a late copy costs a redelivery, not a
// double effect.
const DuplicateWindow = 2 * time.Minute

// DefaultStreamConfig is the stream EnsureStream creates: file storage, limits retention with no
// age limit (reporting rebuilds its read model by replaying from the start) and the duplicate
// window. Callers may raise Replicas for a NATS cluster before passing it to
// js.CreateOrUpdateStream.
func DefaultStreamConfig(name string, subjects ...string) jetstream.StreamConfig {
	if len(subjects) == 0 {
		subjects = []string{AllSubjects}
	}
	return jetstream.StreamConfig{
		Name:        name,
		Description: "egov domain events (CloudEvents JSON), published by outbox relays",
		Subjects:    subjects,
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Duplicates:  DuplicateWindow,
		Replicas:    1,
	}
}

// EnsureStream creates the stream or updates it to DefaultStreamConfig(name, subjects...);
// subjects default to "egov.>". An existing stream keeps its replicas (EnsureStreamReplicas).
func EnsureStream(ctx context.Context, js jetstream.JetStream, name string, subjects ...string) (jetstream.Stream, error) {
	return EnsureStreamReplicas(ctx, js, name, 1, subjects...)
}

// EnsureStreamReplicas is EnsureStream with the replicas a NATS cluster should keep of it. An
// existing stream with more replicas keeps them: every service ensures the stream at start, and
// one started with an older or smaller setting must not take away copies an operator or another
// service asked for (a downgrade would also move the stream's data between servers).
func EnsureStreamReplicas(ctx context.Context, js jetstream.JetStream, name string, replicas int, subjects ...string) (jetstream.Stream, error) {
	cfg := DefaultStreamConfig(name, subjects...)
	cfg.Replicas = max(replicas, 1)
	existing, err := js.Stream(ctx, name)
	switch {
	case err == nil:
		cfg.Replicas = max(cfg.Replicas, existing.CachedInfo().Config.Replicas)
	case !errors.Is(err, jetstream.ErrStreamNotFound):
		return nil, fmt.Errorf("events: ensure stream %s: %w", name, err)
	}
	s, err := js.CreateOrUpdateStream(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("events: ensure stream %s with %d replicas: %w", name, cfg.Replicas, err)
	}
	return s, nil
}

// RelayConfig tunes a Relay; zero values take the defaults shown.
type RelayConfig struct {
	BatchSize      int           // rows claimed and published per round trip (100, at most 1000)
	PollInterval   time.Duration // idle wait between polls when not notified (1s)
	PublishTimeout time.Duration // wait for the PubAcks of one batch (10s)
	MaxBackoff     time.Duration // longest wait after repeated failures (30s)
	Logger         *slog.Logger  // slog.Default() when nil
}

func (c RelayConfig) withDefaults() RelayConfig {
	if c.BatchSize <= 0 {
		c.BatchSize = 100
	}
	// PublishMsgAsync stalls beyond its max pending (4000 by default); stay well below it.
	c.BatchSize = min(c.BatchSize, 1000)
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
	if c.PublishTimeout <= 0 {
		c.PublishTimeout = 10 * time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 30 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Relay moves committed outbox rows to JetStream. Any number of relays may run against one
// database: on PostgreSQL each batch is claimed with FOR UPDATE SKIP LOCKED, so replicas share the
// work instead of repeating it; on SQLite (one process per file) rows are read without claiming.
// Either way a row is marked published only after JetStream acknowledged it, so events are never
// lost, and a publish repeated after a crash carries the same message id and is dropped by the
// stream within DuplicateWindow.
type Relay struct {
	db   *gorm.DB
	js   jetstream.JetStream
	cfg  RelayConfig
	wake chan struct{}

	// beforeMark lets tests crash the relay between publishing a batch and marking it.
	beforeMark func(batch []OutboxEvent) error
}

// NewRelay returns a relay publishing db's outbox to js.
func NewRelay(db *gorm.DB, js jetstream.JetStream, cfg RelayConfig) *Relay {
	return &Relay{db: db, js: js, cfg: cfg.withDefaults(), wake: make(chan struct{}, 1)}
}

// Notify wakes the relay to poll now. It never blocks; wake-ups while one is pending merge.
func (r *Relay) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run publishes until ctx is cancelled, then returns nil. Failures (NATS or database) are logged
// and retried with exponential backoff; Run returns an error only for a test-injected crash.
func (r *Relay) Run(ctx context.Context) error {
	log := r.cfg.Logger
	backoff := time.Duration(0)
	for {
		n, err := r.PublishBatch(ctx)
		if ctx.Err() != nil {
			return nil
		}
		var crash *crashError
		if errors.As(err, &crash) {
			return err
		}
		wait := r.cfg.PollInterval
		switch {
		case err != nil:
			backoff = min(max(2*backoff, 100*time.Millisecond), r.cfg.MaxBackoff)
			wait = backoff
			log.WarnContext(ctx, "events: relay batch failed, backing off", "error", err, "backoff", backoff)
		case n == r.cfg.BatchSize:
			backoff = 0
			continue // more rows are waiting
		default:
			backoff = 0
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-r.wake:
			if err != nil {
				// A notification does not cut a backoff short: NATS is still likely down.
				select {
				case <-ctx.Done():
				case <-timer.C:
				}
			}
		case <-timer.C:
		}
		timer.Stop()
	}
}

// PublishBatch publishes the oldest unpublished rows (up to BatchSize) and marks those JetStream
// acknowledged. It returns how many rows it claimed, and an error if any could not be published.
func (r *Relay) PublishBatch(ctx context.Context) (int, error) {
	db := r.db.WithContext(ctx)
	if store.Dialect(db) != store.Postgres {
		n, failed, err := r.publishRows(ctx, db, db)
		return n, errors.Join(err, failed)
	}
	var n int
	var failed error
	// The claiming transaction lasts one publish round trip; its row locks keep other replicas on
	// other rows, and a crash simply releases them. It commits when some publishes failed too, so
	// their attempts and errors are kept.
	err := db.Transaction(func(tx *gorm.DB) error {
		var err error
		n, failed, err = r.publishRows(ctx, tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate, Options: clause.LockingOptionsSkipLocked}), tx)
		return err
	})
	return n, errors.Join(err, failed)
}

// publishRows reads a batch with query, publishes it and records the outcome with update.
// failed describes events JetStream did not take (their rows record it); err means nothing of the
// batch may be recorded.
func (r *Relay) publishRows(ctx context.Context, query, update *gorm.DB) (n int, failed, err error) {
	var batch []OutboxEvent
	if err := query.Where("published_at IS NULL").Order("id").Limit(r.cfg.BatchSize).Find(&batch).Error; err != nil {
		return 0, nil, fmt.Errorf("events: read outbox: %w", err)
	}
	if len(batch) == 0 {
		return 0, nil, nil
	}
	errs, err := r.publish(ctx, batch)
	if err != nil {
		return len(batch), nil, err
	}
	if r.beforeMark != nil {
		if err := r.beforeMark(batch); err != nil {
			return len(batch), nil, &crashError{err}
		}
	}
	now := time.Now().UTC()
	var published []int64
	for i, row := range batch {
		if errs[i] == nil {
			published = append(published, row.ID)
			continue
		}
		failed = errors.Join(failed, fmt.Errorf("event %s on %s: %w", row.EventID, row.Subject, errs[i]))
		msg := errs[i].Error()
		if len(msg) > 500 {
			msg = msg[:500]
		}
		if err := update.Model(&OutboxEvent{}).Where("id = ?", row.ID).Updates(map[string]any{
			"attempts": gorm.Expr("attempts + 1"), "last_error": msg,
		}).Error; err != nil {
			return len(batch), nil, fmt.Errorf("events: record failed publish: %w", err)
		}
	}
	if len(published) > 0 {
		if err := update.Model(&OutboxEvent{}).Where("id IN ?", published).Updates(map[string]any{
			"published_at": now, "attempts": gorm.Expr("attempts + 1"), "last_error": "",
		}).Error; err != nil {
			// Not marked means published again later: the duplicate window drops those copies.
			return len(batch), nil, fmt.Errorf("events: mark %d published: %w", len(published), err)
		}
	}
	if failed != nil {
		failed = fmt.Errorf("events: publish: %w", failed)
	}
	return len(batch), failed, nil
}

// publish sends the whole batch asynchronously, in id order, and waits for every PubAck: one
// round trip per batch rather than per event. errs[i] is the outcome of batch[i]; err means the
// batch was abandoned (ctx cancelled) and nothing may be marked.
func (r *Relay) publish(ctx context.Context, batch []OutboxEvent) (errs []error, err error) {
	tracer := otel.Tracer(instrumentation)
	errs = make([]error, len(batch))
	futures := make([]jetstream.PubAckFuture, len(batch))
	spans := make([]trace.Span, len(batch))
	defer func() {
		for i, s := range spans {
			if s == nil {
				continue
			}
			if errs[i] != nil {
				s.RecordError(errs[i])
				s.SetStatus(codes.Error, errs[i].Error())
			}
			s.End()
		}
	}()
	for i, row := range batch {
		var h nats.Header
		if err := json.Unmarshal([]byte(row.Headers), &h); err != nil {
			h = nats.Header{} // unreadable headers only cost the trace link, not the event
		}
		msg := &nats.Msg{Subject: row.Subject, Data: []byte(row.Payload), Header: h}
		// The publish span is a child of the producer's span stored with the row, and the message
		// carries the publish span on, so the trace reads producer → relay → consumer.
		pctx, span := tracer.Start(telemetry.ExtractNATS(ctx, msg), "events.publish "+row.Subject,
			trace.WithSpanKind(trace.SpanKindProducer),
			trace.WithAttributes(
				attribute.String("messaging.system", "nats"),
				attribute.String("messaging.destination.name", row.Subject),
				attribute.String("messaging.message.id", row.EventID)))
		spans[i] = span
		telemetry.InjectNATS(pctx, msg)
		futures[i], errs[i] = r.js.PublishMsgAsync(msg, jetstream.WithMsgID(row.EventID))
	}
	timeout := time.NewTimer(r.cfg.PublishTimeout)
	defer timeout.Stop()
	for i, f := range futures {
		if f == nil {
			continue
		}
		select {
		case <-f.Ok():
		case errs[i] = <-f.Err():
		case <-timeout.C:
			for j := i; j < len(futures); j++ {
				if futures[j] != nil {
					errs[j] = fmt.Errorf("no PubAck within %s", r.cfg.PublishTimeout)
				}
			}
			return errs, nil
		case <-ctx.Done():
			return errs, ctx.Err()
		}
	}
	return errs, nil
}

// crashError marks a test-injected crash, which ends Run as a real crash would.
type crashError struct{ err error }

func (e *crashError) Error() string { return "events: relay crashed: " + e.err.Error() }
func (e *crashError) Unwrap() error { return e.err }
