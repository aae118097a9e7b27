package idempotency

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store"
)

const (
	// PruneInterval is how often Pruner deletes expired keys; every replica runs one, and a
	// second delete of the same rows finds nothing.
	PruneInterval = time.Hour
	// pruneBatch bounds one DELETE, so a first prune of a long backlog holds no huge transaction.
	pruneBatch = 5000
)

// Purge deletes the keys that expired before now and reports how many.
func Purge(ctx context.Context, db *gorm.DB, now time.Time) (int64, error) {
	n, err := store.DeleteInBatches(ctx, db, pruneBatch, `DELETE FROM idempotency_keys WHERE (tenant, subject, idempotency_key) IN
		(SELECT tenant, subject, idempotency_key FROM idempotency_keys WHERE expires_at < ? LIMIT ?)`, now.UTC())
	if err != nil {
		return n, fmt.Errorf("idempotency: purge expired keys: %w", err)
	}
	return n, nil
}

// Pruner deletes expired keys on a schedule.
type Pruner struct {
	DB *gorm.DB
	// Interval is the time between prunes; PruneInterval when zero.
	Interval time.Duration
	Logger   *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Run prunes at start and then every Interval until ctx ends. A failed prune is logged and tried
// again at the next tick: expired keys cost space, never a wrong answer (find ignores them).
func (p *Pruner) Run(ctx context.Context) error {
	interval, now, log := p.Interval, p.Now, p.Logger
	if interval <= 0 {
		interval = PruneInterval
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		n, err := Purge(ctx, p.DB, now())
		switch {
		case err != nil && ctx.Err() == nil:
			log.WarnContext(ctx, "pruning idempotency keys failed; retrying at the next tick", "component", "idempotency", "error", err.Error())
		case n > 0:
			log.InfoContext(ctx, "pruned expired idempotency keys", "component", "idempotency", "keys", n)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
