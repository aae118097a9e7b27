package events

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"egov.vn/platform/libs/idempotency"
	"egov.vn/platform/libs/store"

	"github.com/nats-io/nats.go"
	"gorm.io/gorm"

	"egov.vn/platform/libs/telemetry"
)

// OutboxEvent is one row of outbox_events: an event committed with the change it describes and
// waiting for the relay. ID orders the rows; EventID is the CloudEvents id and the JetStream
// message id.
type OutboxEvent struct {
	// The partial index keeps "next unpublished rows" cheap however many published rows remain.
	ID          int64      `gorm:"primaryKey;autoIncrement;index:idx_outbox_events_unpublished,where:published_at IS NULL"`
	EventID     string     `gorm:"size:36;not null;uniqueIndex"`
	Subject     string     `gorm:"size:255;not null"`
	Payload     string     `gorm:"type:text;not null"` // CloudEvents JSON, readable in psql
	Headers     string     `gorm:"type:text;not null"` // JSON of the NATS headers, incl. traceparent
	CreatedAt   time.Time  `gorm:"not null"`
	PublishedAt *time.Time `gorm:"index:idx_outbox_events_published_at"` // pruning (Pruner)
	Attempts    int        `gorm:"not null;default:0"`
	LastError   string     `gorm:"size:500;not null;default:''"`
}

// TableName fixes the table name whatever the caller's gorm naming strategy.
func (OutboxEvent) TableName() string { return "outbox_events" }

// ProcessedEvent is one row of processed_events: consumer has applied the event. Its primary key
// makes a second apply of the same event by the same consumer impossible.
type ProcessedEvent struct {
	Consumer    string    `gorm:"primaryKey;size:200"`
	EventID     string    `gorm:"primaryKey;size:36"`
	ProcessedAt time.Time `gorm:"not null;index:idx_processed_events_processed_at"` // pruning (Pruner)
}

// TableName fixes the table name whatever the caller's gorm naming strategy.
func (ProcessedEvent) TableName() string { return "processed_events" }

// AutoMigrate applies Migrations alone, for tests and tools that need only the outbox's tables.
// A service lists Migrations with its own sets in its one store.MigrateAll at start instead.
func AutoMigrate(db *gorm.DB) error {
	ctx := db.Statement.Context
	if ctx == nil {
		ctx = context.Background()
	}
	return store.MigrateAll(ctx, db, Migrations)
}

// Notifier is told that outbox rows were committed; *Relay is one.
type Notifier interface{ Notify() }

// Outbox writes events into the caller's transaction.
type Outbox struct {
	notifier Notifier
}

// NewOutbox returns an outbox. notifier (may be nil) is woken by Transact after each commit so
// an in-process relay publishes at once instead of at its next poll.
func NewOutbox(notifier Notifier) *Outbox { return &Outbox{notifier: notifier} }

// Add stores evt in tx, the caller's transaction, so that the event exists if and only if the
// caller's change commits. The trace context of ctx is stored with it: the consumer's span joins
// the producer's trace however late the relay publishes.
func (o *Outbox) Add(ctx context.Context, tx *gorm.DB, evt Event) error {
	headers, err := traceHeaders(ctx)
	if err != nil {
		return err
	}
	row, err := outboxRow(evt, headers, time.Now().UTC())
	if err != nil {
		return err
	}
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("events: add %s %s to outbox: %w", evt.Type(), evt.ID(), err)
	}
	return nil
}

// addAllBatch bounds one INSERT of AddAll: far below PostgreSQL's 65,535 bind parameters.
const addAllBatch = 500

// AddAll stores many events in tx as Add does, in batched INSERTs: an import of 10,000 rows
// writes 10,000 events, and one statement each would cost more than the import itself. Every
// event is validated before anything is written.
func (o *Outbox) AddAll(ctx context.Context, tx *gorm.DB, evts []Event) error {
	if len(evts) == 0 {
		return nil
	}
	rows, err := o.Rows(ctx, evts)
	if err != nil {
		return err
	}
	if err := tx.WithContext(ctx).CreateInBatches(&rows, addAllBatch).Error; err != nil {
		return fmt.Errorf("events: add %d events to outbox: %w", len(rows), err)
	}
	return nil
}

// Rows are the outbox rows Add would store for evts, each validated, with the trace context of
// ctx: for a caller that writes them in its own statements (store.PipelineTx) and then calls
// Notify.
func (o *Outbox) Rows(ctx context.Context, evts []Event) ([]OutboxEvent, error) {
	headers, err := traceHeaders(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	rows := make([]OutboxEvent, 0, len(evts))
	for _, evt := range evts {
		idempotency.NoteResource(ctx, evt.Subject()) // as Publish does, for a pipelined write
		row, err := outboxRow(evt, headers, now)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// Notify wakes the relay, as Transact does after its commit: call it after committing rows
// from Rows.
func (o *Outbox) Notify() {
	if o.notifier != nil {
		o.notifier.Notify()
	}
}

// traceHeaders are the NATS headers stored with an event: the trace context of ctx and the
// content type.
func traceHeaders(ctx context.Context) (string, error) {
	msg := &nats.Msg{Header: nats.Header{}}
	telemetry.InjectNATS(ctx, msg)
	msg.Header.Set("Content-Type", ContentType)
	headers, err := json.Marshal(msg.Header)
	if err != nil {
		return "", fmt.Errorf("events: encode headers: %w", err)
	}
	return string(headers), nil
}

// outboxRow validates evt and encodes it as an outbox row.
func outboxRow(evt Event, headers string, now time.Time) (OutboxEvent, error) {
	if err := Validate(evt); err != nil {
		return OutboxEvent{}, err
	}
	topic, _ := TopicOf(evt) // valid: checked above
	payload, err := json.Marshal(evt)
	if err != nil {
		return OutboxEvent{}, fmt.Errorf("events: encode %s %s: %w", evt.Type(), evt.ID(), err)
	}
	return OutboxEvent{EventID: evt.ID(), Subject: topic.Subject(), Payload: string(payload), Headers: headers, CreatedAt: now}, nil
}

// Transact runs fn in one transaction of db and, once it has committed, wakes the notifier.
// Use it where fn both changes rows and Adds their events.
func (o *Outbox) Transact(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	if err := db.WithContext(ctx).Transaction(fn); err != nil {
		return err
	}
	o.Notify()
	return nil
}

// PurgePublished deletes outbox rows published before cutoff and reports how many. Published rows
// serve only inspection once JetStream holds the event; Pruner runs this on a schedule (see
// PublishedRetention) so outbox_events stays small.
func PurgePublished(ctx context.Context, db *gorm.DB, cutoff time.Time) (int64, error) {
	n, err := store.DeleteInBatches(ctx, db, pruneBatch, `DELETE FROM outbox_events WHERE id IN
		(SELECT id FROM outbox_events WHERE published_at IS NOT NULL AND published_at < ? LIMIT ?)`, cutoff.UTC())
	if err != nil {
		return n, fmt.Errorf("events: purge published outbox rows: %w", err)
	}
	return n, nil
}
