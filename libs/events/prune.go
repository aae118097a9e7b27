package events

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store"
)

// How long the events tables keep what they no longer need, and why.
//
// A published outbox row is only a record for inspection once JetStream holds its event: the relay
// never reads it again. PublishedRetention keeps a week of them, time enough to look into an
// incident report.
//
// A processed_events row is what stops a consumer from applying one event twice, so it must
// outlive every delivery of that event to that consumer. A durable consumer with explicit acks
// delivers an event again only
//   - while it is unacknowledged (AckWait × MaxDeliver: minutes),
//   - as a second copy that a relay published after DuplicateWindow (crashed between publish and
//     marking the row); that copy sits just behind the first in the stream and is delivered soon
//     after it,
//   - or while the stream still holds the message, if the consumer is recreated from the start.
//
// The last case ties the figure to the stream: when the stream ages messages out (MaxAge), ids are
// kept at least that long (ProcessedRetention). The platform's stream keeps messages without an
// age limit, because reporting rebuilds its read model by replaying from the start, and that
// rebuild deletes its consumer's ids before it replays; for that stream the ids are kept
// UnlimitedStreamProcessedRetention, far longer than the first two cases need.
const (
	PublishedRetention                = 7 * 24 * time.Hour
	UnlimitedStreamProcessedRetention = 30 * 24 * time.Hour
	// PruneInterval is how often Pruner deletes; every replica runs one, and a second delete of
	// the same rows finds nothing.
	PruneInterval = time.Hour
	// pruneBatch bounds one DELETE, so a first prune of a long backlog does not hold one huge
	// transaction.
	pruneBatch = 5000
)

// ProcessedRetention is how long processed-event ids are kept for a stream whose messages age out
// after streamMaxAge (0: never): the stream's age plus a day for clock skew between the database
// and NATS, or UnlimitedStreamProcessedRetention for a stream without an age limit.
func ProcessedRetention(streamMaxAge time.Duration) time.Duration {
	if streamMaxAge <= 0 {
		return UnlimitedStreamProcessedRetention
	}
	return streamMaxAge + 24*time.Hour
}

// PurgeProcessed deletes processed-event ids recorded before cutoff, for every consumer, and
// reports how many.
func PurgeProcessed(ctx context.Context, db *gorm.DB, cutoff time.Time) (int64, error) {
	n, err := store.DeleteInBatches(ctx, db, pruneBatch, `DELETE FROM processed_events WHERE (consumer, event_id) IN
		(SELECT consumer, event_id FROM processed_events WHERE processed_at < ? LIMIT ?)`, cutoff.UTC())
	if err != nil {
		return n, fmt.Errorf("events: purge processed event ids: %w", err)
	}
	return n, nil
}

// Pruner deletes, on a schedule, published outbox rows older than Published and processed-event
// ids older than Processed.
type Pruner struct {
	DB *gorm.DB
	// Published and Processed are the retentions; PublishedRetention and
	// ProcessedRetention(0) when zero.
	Published, Processed time.Duration
	// Interval is the time between prunes; PruneInterval when zero.
	Interval time.Duration
	Logger   *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Prune deletes once what is older than the retentions and reports how many rows of each table.
func (p *Pruner) Prune(ctx context.Context) (published, processed int64, err error) {
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	keepPublished, keepProcessed := p.Published, p.Processed
	if keepPublished <= 0 {
		keepPublished = PublishedRetention
	}
	if keepProcessed <= 0 {
		keepProcessed = ProcessedRetention(0)
	}
	at := now()
	if published, err = PurgePublished(ctx, p.DB, at.Add(-keepPublished)); err != nil {
		return published, 0, err
	}
	processed, err = PurgeProcessed(ctx, p.DB, at.Add(-keepProcessed))
	return published, processed, err
}

// Run prunes at start and then every Interval until ctx ends. A failed prune is logged and tried
// again at the next tick: old rows cost space, not correctness.
func (p *Pruner) Run(ctx context.Context) error {
	interval := p.Interval
	if interval <= 0 {
		interval = PruneInterval
	}
	log := p.Logger
	if log == nil {
		log = slog.Default()
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		published, processed, err := p.Prune(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.WarnContext(ctx, "pruning the events tables failed; retrying at the next tick", "component", "events", "error", err.Error())
		case published+processed > 0:
			log.InfoContext(ctx, "pruned the events tables", "component", "events",
				"published_outbox_rows", published, "processed_event_ids", processed)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
