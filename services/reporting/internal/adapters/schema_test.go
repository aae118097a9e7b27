package adapters

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/idempotency"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/store/storetest"
)

// TestMigrationsReproduceTheAutoMigrateSchema: on both databases, the versioned SQL makes the
// schema the row models make with gorm's AutoMigrate and the hand-written indexes (columns with
// their types, nullability and defaults; indexes with their columns and uniqueness; other
// objects), and a database made as reporting made it before versioned migrations takes them
// without error and ends with that same schema.
//
// storetest.RequireMigrationsReproduce holds the two to be one schema; since 00002 they differ
// (the former schema lacks what 00002 adds), so this test makes each on its own.
func TestMigrationsReproduceTheAutoMigrateSchema(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if err := Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		shared := []store.MigrationSet{events.Migrations, idempotency.Migrations, auth.Migrations}
		models := storetest.Another(t, db)
		if err := store.MigrateAll(ctx, models, shared...); err != nil {
			t.Fatal(err)
		}
		if err := modelSchema(models); err != nil {
			t.Fatal(err)
		}
		storetest.RequireSameSchema(t, "the row models", models, "migrations", db)

		old := storetest.Another(t, db)
		if err := store.MigrateAll(ctx, old, shared...); err != nil {
			t.Fatal(err)
		}
		if err := legacySchema(old); err != nil {
			t.Fatal(err)
		}
		if err := Migrate(ctx, old); err != nil {
			t.Fatalf("a database made before versioned migrations does not take them: %v", err)
		}
		storetest.RequireSameSchema(t, "migrations", db, "the former schema, then migrations", old)
	})
}
