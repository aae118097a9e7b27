// Package adapters owns HR's connections to the outside: the gorm repository (SQLite or
// PostgreSQL, every tenant table guarded by libs/store's scope, events written through the
// outbox in the same transaction) and the evidence-file store on MinIO.
package adapters
