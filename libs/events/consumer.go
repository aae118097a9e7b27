package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"egov.vn/platform/libs/telemetry"
)

// Handler applies one event. ctx carries the producer's trace; every write must go through tx,
// which also records the event as processed, so the effect and that record commit together.
// Returning an error rolls both back and the event is redelivered later; wrap it with Permanent
// when retrying cannot help.
type Handler func(ctx context.Context, evt Event, tx *gorm.DB) error

// errPermanent marks handler errors that must not be retried.
var errPermanent = errors.New("permanent")

// Permanent wraps err so that Consume terminates the message instead of redelivering it.
func Permanent(err error) error { return fmt.Errorf("%w: %w", errPermanent, err) }

// Stage prepares an event before its transaction opens, for work that must not hold the database
// while it runs or that commits on its own (a file copied to object storage, with the mark that
// lets a cleanup job find it if the process dies). It returns the context the handler gets, which
// may carry what it prepared. An error is handled as a handler's: retried, or dropped when
// Permanent. Stage runs for every delivery, also of an event already processed: it must be
// harmless to repeat, and should skip work it can see is already done.
type Stage func(ctx context.Context, evt Event) (context.Context, error)

// ConsumeOption tunes Consume.
type ConsumeOption func(*consumeConfig)

type consumeConfig struct {
	ackWait    time.Duration
	maxDeliver int
	retryBase  time.Duration
	retryMax   time.Duration
	pull       int
	logger     *slog.Logger

	stage       Stage
	afterCommit func(Event) error // tests: crash between commit and ack
}

// WithStage runs stage before each event's transaction (see Stage).
func WithStage(stage Stage) ConsumeOption { return func(c *consumeConfig) { c.stage = stage } }

// WithAckWait sets how long the server waits for an ack before redelivering (default 30s); it
// bounds how long a crashed consumer's in-flight events wait before another instance gets them.
func WithAckWait(d time.Duration) ConsumeOption { return func(c *consumeConfig) { c.ackWait = d } }

// WithMaxDeliver caps deliveries of one event (default 20); after that the server gives up on it
// and Consume logs it as dropped.
func WithMaxDeliver(n int) ConsumeOption { return func(c *consumeConfig) { c.maxDeliver = n } }

// WithRetryDelay sets the redelivery delay after a handler error: base doubled per delivery,
// at most maxDelay (defaults 1s and 5m).
func WithRetryDelay(base, maxDelay time.Duration) ConsumeOption {
	return func(c *consumeConfig) { c.retryBase, c.retryMax = base, maxDelay }
}

// WithAfterCommit runs hook after an event's transaction commits and before its ack; when hook
// fails, Consume returns at once, as a consumer killed at that point would stop. For crash tests
// of services built on Consume (a real process may also exit inside hook).
func WithAfterCommit(hook func(Event) error) ConsumeOption {
	return func(c *consumeConfig) { c.afterCommit = hook }
}

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) ConsumeOption { return func(c *consumeConfig) { c.logger = l } }

// Consume runs the durable pull consumer durable on stream (created or updated with explicit
// acks, delivering the stream from its start, filtered to filterSubjects) and applies each event
// with handler until ctx is cancelled, then returns nil. Events are handled one at a time per
// call; run Consume in several processes with the same durable to share the load.
//
// An event is applied at most once per durable: its id goes into processed_events in the
// handler's transaction, and an id already there is acked without calling handler. The ack follows
// the commit, so a crash in between costs one redelivery, never a lost or doubled effect.
// Messages that are not valid CloudEvents are terminated and logged (without payload).
func Consume(ctx context.Context, js jetstream.JetStream, db *gorm.DB, stream, durable string,
	filterSubjects []string, handler Handler, opts ...ConsumeOption) error {
	cfg := consumeConfig{ackWait: 30 * time.Second, maxDeliver: 20, retryBase: time.Second, retryMax: 5 * time.Minute, pull: 100}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.logger == nil {
		cfg.logger = slog.Default()
	}
	if durable == "" {
		return &InvalidError{Field: "durable", Value: durable, Reason: "a durable consumer needs a name"}
	}
	ccfg := jetstream.ConsumerConfig{
		Durable:       durable,
		Description:   "egov events consumer " + durable,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       cfg.ackWait,
		MaxDeliver:    cfg.maxDeliver,
	}
	// One filter goes in FilterSubject, which servers before 2.10 also understand.
	if len(filterSubjects) == 1 {
		ccfg.FilterSubject = filterSubjects[0]
	} else {
		ccfg.FilterSubjects = filterSubjects
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, stream, ccfg)
	if err != nil {
		return fmt.Errorf("events: consumer %s on %s: %w", durable, stream, err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(cfg.pull))
	if err != nil {
		return fmt.Errorf("events: consume %s on %s: %w", durable, stream, err)
	}
	defer it.Stop()
	c := &consumer{db: db, durable: durable, handler: handler, cfg: cfg}
	for {
		msg, err := it.Next(jetstream.NextContext(ctx))
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return fmt.Errorf("events: consumer %s on %s closed: %w", durable, stream, err)
			}
			// Missed heartbeats and reconnects are transient; the iterator re-pulls by itself.
			cfg.logger.WarnContext(ctx, "events: consumer pull failed", "consumer", durable, "error", err)
			continue
		}
		if err := c.handle(ctx, msg); err != nil {
			var crash *crashError
			if errors.As(err, &crash) {
				return err
			}
		}
	}
}

type consumer struct {
	db      *gorm.DB
	durable string
	handler Handler
	cfg     consumeConfig
}

// handle applies one message and acks, naks or terminates it. The returned error is only for
// test-injected crashes; everything else is logged here.
func (c *consumer) handle(ctx context.Context, msg jetstream.Msg) (err error) {
	log := c.cfg.logger
	meta, _ := msg.Metadata()
	var delivered uint64 = 1
	var seq uint64
	if meta != nil {
		delivered, seq = meta.NumDelivered, meta.Sequence.Stream
	}
	ctx = telemetry.ExtractNATS(ctx, &nats.Msg{Header: msg.Headers()})
	ctx, span := otel.Tracer(instrumentation).Start(ctx, "events.consume "+msg.Subject(),
		trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			attribute.String("messaging.system", "nats"),
			attribute.String("messaging.destination.name", msg.Subject()),
			attribute.String("messaging.consumer.group.name", c.durable),
			attribute.Int64("messaging.nats.delivered", int64(delivered))))
	defer telemetry.End(span, &err)

	evt, err := Decode(msg.Data())
	if err != nil {
		log.ErrorContext(ctx, "events: terminating undecodable message", "consumer", c.durable,
			"subject", msg.Subject(), "stream_seq", seq, "error", err)
		// Plain Term: servers before 2.10.4 ignore TermWithReason and would redeliver; the reason is
		// in this log line instead.
		if termErr := msg.Term(); termErr != nil {
			log.WarnContext(ctx, "events: term failed", "consumer", c.durable, "error", termErr)
		}
		return nil // poison messages are the producer's bug, not this span's failure
	}
	span.SetAttributes(attribute.String("messaging.message.id", evt.ID()))
	log = log.With("consumer", c.durable, "event_id", evt.ID(), "event_type", evt.Type(), "stream_seq", seq)

	applied := true
	if c.cfg.stage != nil {
		var staged context.Context
		if staged, err = c.cfg.stage(ctx, evt); err == nil {
			ctx = staged
		}
	}
	if err == nil {
		err = c.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			// Claim the id first: on PostgreSQL a concurrent duplicate blocks here until this
			// transaction ends, then finds the row and skips.
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&ProcessedEvent{
				Consumer: c.durable, EventID: evt.ID(), ProcessedAt: time.Now().UTC(),
			})
			if res.Error != nil {
				return fmt.Errorf("record processed event: %w", res.Error)
			}
			if res.RowsAffected == 0 {
				applied = false
				return nil
			}
			return c.handler(ctx, evt, tx)
		})
	}
	switch {
	case err == nil:
	case errors.Is(err, errPermanent):
		log.ErrorContext(ctx, "events: handler rejected event permanently", "error", err)
		if termErr := msg.Term(); termErr != nil {
			log.WarnContext(ctx, "events: term failed", "error", termErr)
		}
		return nil
	default:
		if int(delivered) >= c.cfg.maxDeliver {
			log.ErrorContext(ctx, "events: handler failed on last delivery, event dropped", "delivered", delivered, "error", err)
		} else {
			log.WarnContext(ctx, "events: handler failed, will retry", "delivered", delivered, "error", err)
		}
		if nakErr := msg.NakWithDelay(c.retryDelay(delivered)); nakErr != nil {
			log.WarnContext(ctx, "events: nak failed", "error", nakErr)
		}
		return nil
	}
	if !applied {
		log.DebugContext(ctx, "events: event already processed, acking redelivery")
	}
	if c.cfg.afterCommit != nil {
		if err := c.cfg.afterCommit(evt); err != nil {
			return &crashError{err}
		}
	}
	// A lost ack only means a redelivery, which the processed_events row absorbs.
	if ackErr := msg.Ack(); ackErr != nil {
		log.WarnContext(ctx, "events: ack failed", "error", ackErr)
	}
	return nil
}

func (c *consumer) retryDelay(delivered uint64) time.Duration {
	d := c.cfg.retryBase
	for i := uint64(1); i < delivered && d < c.cfg.retryMax; i++ {
		d *= 2
	}
	return min(d, c.cfg.retryMax)
}
