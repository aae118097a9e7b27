package events

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/store/storetest"
)

// TestMigrationsMakeTheModelsSchema: the versioned SQL makes exactly the tables gorm would make
// from OutboxEvent and ProcessedEvent, on both databases, so the models and the files cannot
// drift apart unnoticed.
func TestMigrationsMakeTheModelsSchema(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, migrated *gorm.DB) {
		if err := store.MigrateAll(context.Background(), migrated, Migrations); err != nil {
			t.Fatal(err)
		}
		models := storetest.Another(t, migrated)
		if err := models.AutoMigrate(&OutboxEvent{}, &ProcessedEvent{}); err != nil {
			t.Fatal(err)
		}
		storetest.RequireSameSchema(t, "the gorm models", models, "migrations", migrated)
	})
}

// TestMigrationsAdoptAnAutoMigratedDatabase: a database the former AutoMigrate made (the models
// without the pruning indexes) takes the migrations without error and ends with the same schema.
func TestMigrationsAdoptAnAutoMigratedDatabase(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&OutboxEvent{}, &ProcessedEvent{}); err != nil {
			t.Fatal(err)
		}
		for _, ix := range []string{"idx_outbox_events_published_at", "idx_processed_events_processed_at"} {
			if err := db.Exec("DROP INDEX " + ix).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := store.MigrateAll(context.Background(), db, Migrations); err != nil {
			t.Fatalf("adopting an AutoMigrate database: %v", err)
		}
		if !db.Migrator().HasIndex(&ProcessedEvent{}, "idx_processed_events_processed_at") {
			t.Error("the pruning index was not added")
		}
	})
}
