package store_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/store/storetest"
)

func TestProbeReportsAClosedDatabase(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		probe := store.Probe(db)
		if err := probe(context.Background()); err != nil {
			t.Fatalf("probe of an open database: %v", err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			t.Fatal(err)
		}
		if err := sqlDB.Close(); err != nil {
			t.Fatal(err)
		}
		if err := probe(context.Background()); err == nil {
			t.Fatal("probe of a closed database reported ready")
		}
	})
}
