package events

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

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
	ID          int64     `gorm:"primaryKey;autoIncrement;index:idx_outbox_events_unpublished,where:published_at IS NULL"`
	EventID     string    `gorm:"size:36;not null;uniqueIndex"`
	Subject     string    `gorm:"size:255;not null"`
	Payload     string    `gorm:"type:text;not null"` // CloudEvents JSON, readable in psql
	Headers     string    `gorm:"type:text;not null"` // JSON of the NATS headers, incl. traceparent
	CreatedAt   time.Time `gorm:"not null"`
	PublishedAt *time.Time
	Attempts    int    `gorm:"not null;default:0"`
	LastError   string `gorm:"size:500;not null;default:''"`
}

// TableName fixes the table name whatever the caller's gorm naming strategy.
func (OutboxEvent) TableName() string { return "outbox_events" }

// ProcessedEvent is one row of processed_events: consumer has applied the event. Its primary key
// makes a second apply of the same event by the same consumer impossible.
type ProcessedEvent struct {
	Consumer    string    `gorm:"primaryKey;size:200"`
	EventID     string    `gorm:"primaryKey;size:36"`
	ProcessedAt time.Time `gorm:"not null"`
}

// TableName fixes the table name whatever the caller's gorm naming strategy.
func (ProcessedEvent) TableName() string { return "processed_events" }

// AutoMigrate creates or extends outbox_events and processed_events. Both tables are owned by this
// package and only ever grow columns, so gorm's AutoMigrate is enough; a service that versions its
// schema with goose can instead copy the CREATE TABLE statements gorm emits into a migration.
//
// Replicas start together, so the check-then-create runs in one transaction: on PostgreSQL it
// also holds an advisory lock, and a second replica waits and then finds the tables made instead
// of failing on a concurrent CREATE TABLE; on SQLite, store.Open's immediate transactions take
// the write lock at BEGIN, which serialises the same way.
func AutoMigrate(db *gorm.DB) error {
	err := db.Transaction(func(tx *gorm.DB) error {
		if store.Dialect(tx) == store.Postgres {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", outboxMigrationLock).Error; err != nil {
				return err
			}
		}
		return tx.AutoMigrate(&OutboxEvent{}, &ProcessedEvent{})
	})
	if err != nil {
		return fmt.Errorf("events: migrate outbox_events, processed_events: %w", err)
	}
	return nil
}

// outboxMigrationLock is the advisory-lock key of AutoMigrate: any fixed number that goose
// (which uses its own) and services do not.
const outboxMigrationLock int64 = 0x65676f760001 // "egov" + 1

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
// serve only inspection once JetStream holds the event; services run this periodically (a day or
// a week back) so outbox_events stays small.
func PurgePublished(ctx context.Context, db *gorm.DB, cutoff time.Time) (int64, error) {
	res := db.WithContext(ctx).Where("published_at IS NOT NULL AND published_at < ?", cutoff.UTC()).Delete(&OutboxEvent{})
	if res.Error != nil {
		return 0, fmt.Errorf("events: purge published outbox rows: %w", res.Error)
	}
	return res.RowsAffected, nil
}
