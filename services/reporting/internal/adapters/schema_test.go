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
// schema the row models make with gorm's AutoMigrate and the hand-written indexes (columns with
// their types, nullability and defaults; indexes with their columns and uniqueness; other
// objects), and a database made as reporting made it before versioned migrations takes them
// without error and ends with that same schema.
//
// Since 00002 the two differ (the former schema lacks what 00002 adds), so the row models and the former schema are
// given apart (storetest.RequireMigrationsMatch).
func TestMigrationsReproduceTheAutoMigrateSchema(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		migrate := func(db *gorm.DB) error { return Migrate(context.Background(), db) }
		storetest.RequireMigrationsMatch(t, db, migrate, modelSchema, legacySchema, events.Migrations, idempotency.Migrations, auth.Migrations)
	})
}
