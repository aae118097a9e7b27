package events

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"

	"egov.vn/platform/libs/idempotency"
	"egov.vn/platform/libs/store"
)

// UnitOfWork is the one way a service writes: a database transaction that carries its events.
// A repository embeds it; its use cases call Transact once around a change, every repository call
// made with the context Transact gives joins the transaction (store.Conn), and Publish puts the
// change's events into the same transaction, so an event exists if and only if its change
// commits. The outbox relay is woken after the commit.
//
// A repository that prefers an update-function style (load, let the domain decide, save with its
// events, as dossiers' Intake and Act do) builds it on top: its method calls Transact and Publish.
type UnitOfWork struct {
	db     *gorm.DB
	outbox *Outbox
}

// NewUnitOfWork returns a unit of work over db; a nil outbox keeps events in the outbox table
// with no relay to wake (tests, and tools that run without NATS).
func NewUnitOfWork(db *gorm.DB, outbox *Outbox) *UnitOfWork {
	if outbox == nil {
		outbox = NewOutbox(nil)
	}
	return &UnitOfWork{db: db, outbox: outbox}
}

// DB is the database for ctx: the transaction Transact opened, or the pool.
func (u *UnitOfWork) DB(ctx context.Context) *gorm.DB { return store.Conn(ctx, u.db) }

// maxBusyAttempts bounds the retries of a transaction SQLite refused at BEGIN.
const maxBusyAttempts = 5

// Transact runs fn in one transaction, or in the one ctx already carries (fn then joins it and
// the outer call commits). On SQLite, a transaction that waited busy_timeout for the write lock
// without getting it did nothing (BEGIN IMMEDIATE failed), so it is tried again: a burst of
// writers queues instead of failing.
func (u *UnitOfWork) Transact(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := store.TxFrom(ctx); ok {
		return fn(ctx)
	}
	for attempt := 1; ; attempt++ {
		err := store.Transact(ctx, func(begin func(tx *gorm.DB) error) error { return u.outbox.Transact(ctx, u.db, begin) }, fn)
		if err == nil || attempt == maxBusyAttempts || !sqliteBusy(err) || ctx.Err() != nil {
			return err
		}
	}
}

// sqliteBusy recognises SQLITE_BUSY from the pure-Go driver, whose error type is internal to it.
func sqliteBusy(err error) bool { return strings.Contains(err.Error(), "SQLITE_BUSY") }

// ErrNoTransaction means Publish was called outside Transact: an event without the change it
// describes could be published, or lost, so it is refused.
var ErrNoTransaction = errors.New("events: Publish outside a transaction (call it inside UnitOfWork.Transact)")

// Publish adds evts to the outbox in ctx's transaction; many events go in batched inserts (an
// import of 10,000 rows writes 10,000 events).
func (u *UnitOfWork) Publish(ctx context.Context, evts ...Event) error {
	tx, ok := store.TxFrom(ctx)
	if !ok {
		return ErrNoTransaction
	}
	// What the change made names the answer of a keyed request whose answer is lost.
	for _, e := range evts {
		idempotency.NoteResource(ctx, e.Subject())
	}
	if len(evts) == 1 {
		return u.outbox.Add(ctx, tx, evts[0])
	}
	return u.outbox.AddAll(ctx, tx, evts)
}
