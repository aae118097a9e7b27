package adapters

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/idempotency"
	"egov.vn/platform/libs/store/storetest"
)

// TestMigrationsReproduceTheAutoMigrateSchema: on both databases, the versioned SQL makes the
// schema that gorm's AutoMigrate and the former hand-written DDL made (columns with their types,
// nullability and defaults; indexes with their columns and uniqueness; other objects), and a
// database made that way takes the migrations without error and keeps that schema.
func TestMigrationsReproduceTheAutoMigrateSchema(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		migrate := func(db *gorm.DB) error { return Migrate(context.Background(), db) }
		storetest.RequireMigrationsReproduce(t, db, migrate, legacySchema, events.Migrations, idempotency.Migrations, auth.Migrations)
	})
}
