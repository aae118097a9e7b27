package auth

import (
	"embed"

	"egov.vn/platform/libs/store"
)

//go:embed migrations
var migrationFiles embed.FS

// Migrations are the versioned SQL of auth_ended_sessions (migrations/postgres,
// migrations/sqlite), with their own version table schema_migrations_auth. A service that signs
// staff in with NewService lists them in its store.MigrateAll.
var Migrations = store.MigrationSet{Name: "auth", FS: migrationFiles, Dir: "migrations"}
