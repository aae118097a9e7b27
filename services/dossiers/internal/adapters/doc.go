// Package adapters holds the dossiers service's outside world: the gorm repository (SQLite and
// PostgreSQL) with its tenant scoping, gap-free receipt counters, optimistic locking, overdue
// flags and outbox events, and the MinIO file store for received documents.
package adapters
