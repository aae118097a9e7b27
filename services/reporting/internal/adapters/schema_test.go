package adapters

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/store/storetest"
)

// TestMigrationsReproduceTheAutoMigrateSchema: on both databases, the versioned SQL makes the
// schema that gorm's AutoMigrate and the former hand-written DDL made (columns with their types,
// nullability and defaults; indexes with their columns and uniqueness; other objects), and a
// database made that way takes the migrations without error and keeps that schema.
func TestMigrationsReproduceTheAutoMigrateSchema(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, migrated *gorm.DB) {
		ctx := context.Background()
		if err := Migrate(migrated.WithContext(ctx)); err != nil {
			t.Fatal(err)
		}
		legacy := storetest.Another(t, migrated)
		if err := store.MigrateAll(ctx, legacy, events.Migrations, auth.Migrations); err != nil {
			t.Fatal(err)
		}
		if err := legacySchema(legacy); err != nil {
			t.Fatal(err)
		}
		storetest.RequireSameSchema(t, "AutoMigrate", legacy, "migrations", migrated)

		if err := Migrate(legacy.WithContext(ctx)); err != nil {
			t.Fatalf("a database AutoMigrate made does not take the migrations: %v", err)
		}
		storetest.RequireSameSchema(t, "migrations", migrated, "AutoMigrate, then migrations", legacy)
	})
}
