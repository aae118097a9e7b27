package events

import (
	"embed"

	"egov.vn/platform/libs/store"
)

//go:embed migrations
var migrationFiles embed.FS

// Migrations are the versioned SQL of outbox_events and processed_events (migrations/postgres,
// migrations/sqlite), with their own version table schema_migrations_events. A service that
// writes or consumes events lists them in its store.MigrateAll before its own set.
var Migrations = store.MigrationSet{Name: "events", FS: migrationFiles, Dir: "migrations"}
