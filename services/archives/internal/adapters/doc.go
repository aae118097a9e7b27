// Package adapters holds the archives' ties to the outside: the gorm repository (SQLite and
// PostgreSQL, tenant-scoped through libs/store), the outbox, and the MinIO object store (one
// bucket per tenant, versioned and object-locked, streamed multipart uploads).
package adapters
