package auth

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/store/storetest"
)

// TestMigrationsMakeTheModelsSchema: the versioned SQL makes exactly the table gorm makes from
// endedSession, on both databases, and adopts a table AutoMigrate made before.
func TestMigrationsMakeTheModelsSchema(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, migrated *gorm.DB) {
		ctx := context.Background()
		if err := store.MigrateAll(ctx, migrated, Migrations); err != nil {
			t.Fatal(err)
		}
		models := storetest.Another(t, migrated)
		if err := models.AutoMigrate(&endedSession{}); err != nil {
			t.Fatal(err)
		}
		storetest.RequireSameSchema(t, "the gorm model", models, "migrations", migrated)
		if err := store.MigrateAll(ctx, models, Migrations); err != nil {
			t.Fatalf("adopting the AutoMigrate table: %v", err)
		}
	})
}
