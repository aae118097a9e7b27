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
// Transact, which also wakes its relay after the commit).
func Transact(ctx context.Context, begin func(func(tx *gorm.DB) error) error, fn func(ctx context.Context) error) error {
	if _, ok := TxFrom(ctx); ok {
		return fn(ctx)
	}
	return begin(func(tx *gorm.DB) error { return fn(WithTx(ctx, tx)) })
}
