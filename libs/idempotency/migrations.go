package idempotency

import (
	"embed"

	"egov.vn/platform/libs/store"
)

//go:embed migrations
var migrationFiles embed.FS

// Migrations are the versioned SQL of idempotency_keys (migrations/postgres, migrations/sqlite),
// with their own version table schema_migrations_idempotency. A service whose routes take an
// Idempotency-Key lists them in its store.MigrateAll.
var Migrations = store.MigrationSet{Name: "idempotency", FS: migrationFiles, Dir: "migrations"}
