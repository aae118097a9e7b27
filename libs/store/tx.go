package store

import (
	"context"

	"gorm.io/gorm"
)

// A repository whose use cases span several of its calls carries the open transaction in the
// context: every call made with that context joins it, and a call made without one uses the pool.

type txKey struct{}

// WithTx returns ctx carrying tx.
func WithTx(ctx context.Context, tx *gorm.DB) context.Context {
	return context.WithValue(ctx, txKey{}, tx)
}

// TxFrom returns the transaction ctx carries, if any.
func TxFrom(ctx context.Context) (*gorm.DB, bool) {
	tx, ok := ctx.Value(txKey{}).(*gorm.DB)
	return tx, ok
}

// Conn is the database for ctx: the transaction it carries, or db.
func Conn(ctx context.Context, db *gorm.DB) *gorm.DB {
	if tx, ok := TxFrom(ctx); ok {
		return tx.WithContext(ctx)
	}
	return db.WithContext(ctx)
}

// Transact runs fn with a context carrying a transaction: the one ctx already carries (fn then
// joins it), or a new one that begin opens around its function (db.Transaction, or an outbox's
// Transact, which also wakes its relay after the commit). A TxHook in ctx runs in a new
// transaction after fn, and hears of its commit.
func Transact(ctx context.Context, begin func(func(tx *gorm.DB) error) error, fn func(ctx context.Context) error) error {
	if _, ok := TxFrom(ctx); ok {
		return fn(ctx)
	}
	hook, _ := ctx.Value(hookKey{}).(TxHook)
	err := begin(func(tx *gorm.DB) error {
		txCtx := WithTx(ctx, tx)
		if err := fn(txCtx); err != nil {
			return err
		}
		if hook != nil {
			return hook.InTx(txCtx, tx)
		}
		return nil
	})
	if err == nil && hook != nil {
		hook.Committed(ctx)
	}
	return err
}

// TxHook is what a request adds to the transactions its context opens: libs/idempotency records
// the request's Idempotency-Key in the same transaction as the change it guards, so a crash
// between the commit and the answer cannot keep the change and lose the key.
type TxHook interface {
	// InTx runs inside the transaction after its work, before the commit; an error rolls the
	// transaction back and is returned by Transact. It may run more than once when a transaction
	// is tried again (SQLite busy).
	InTx(ctx context.Context, tx *gorm.DB) error
	// Committed runs once the transaction has committed.
	Committed(ctx context.Context)
}

type hookKey struct{}

// WithTxHook returns ctx whose transactions run h.
func WithTxHook(ctx context.Context, h TxHook) context.Context {
	return context.WithValue(ctx, hookKey{}, h)
}
