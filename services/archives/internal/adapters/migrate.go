package adapters

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/idempotency"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/archives/migrations"
)

// Migrations are the schema's sets in the order they apply: the outbox's, the idempotency keys',
// sign-in's and the service's own. The bootstrap applies them at start (Needs); tests apply
// them with Migrate.
var Migrations = []store.MigrationSet{events.Migrations, idempotency.Migrations, auth.Migrations, migrations.Set}

// Migrate brings the archives' database to its newest schema: the outbox's, sign-in's and the
// archives' versioned SQL (migrations/: the tables, the register's uniqueness, the full-text
// indexes as tsvector on PostgreSQL and FTS5 on SQLite), applied once under the platform's
// migration lock by store.MigrateAll.
func Migrate(ctx context.Context, db *gorm.DB) error {
	if err := store.MigrateAll(ctx, db, Migrations...); err != nil {
		return fmt.Errorf("archives: migrate: %w", err)
	}
	return nil
}
