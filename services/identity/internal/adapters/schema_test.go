package adapters

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/idempotency"
	"egov.vn/platform/libs/store/storetest"
)

// TestMigrationsReproduceTheAutoMigrateSchema: on both databases, the versioned SQL makes the
// schema the row models make with gorm's AutoMigrate (columns with their types, nullability and
// defaults; indexes with their columns and uniqueness; other objects), and a database made as
// identity made it before versioned migrations takes them without error and ends with that same
// schema.
//
// Since 00002 the two differ (the former schema has the lockout columns 00002 replaced), so the row models and the former schema are
// given apart (storetest.RequireMigrationsMatch).
func TestMigrationsReproduceTheAutoMigrateSchema(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		migrate := func(db *gorm.DB) error { return Migrate(context.Background(), db) }
		storetest.RequireMigrationsMatch(t, db, migrate, modelSchema, legacySchema, events.Migrations, idempotency.Migrations)
	})
}

// TestSignInLocksCarryOver: 00002 keeps the locks of a database made before it (a person locked
// out stays locked until the same time); the counts without a time go.
func TestSignInLocksCarryOver(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if err := legacySchema(db); err != nil {
			t.Fatal(err)
		}
		const until = int64(1772418600000)
		for _, q := range []string{
			"INSERT INTO users (id, username, failed_attempts, locked_until_ms) VALUES ('u1', 'hoa.nt', 5, 1772418600000)",
			"INSERT INTO users (id, username, failed_attempts, locked_until_ms) VALUES ('u2', 'lan.pt', 2, 0)",
			"INSERT INTO address_lockouts (address, failed_attempts, locked_until_ms) VALUES ('14.160.32.7', 30, 1772418600000)",
		} {
			if err := db.Exec(q).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		var rows []signinCounterRow
		if err := db.Order("signin_key").Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0].Key != "account:hoa.nt" || rows[1].Key != "address:14.160.32.7" ||
			rows[0].LockedUntilMs != until || rows[1].LockedUntilMs != until {
			t.Fatalf("counters after 00002: %+v; want the two locks until %d", rows, until)
		}
	})
}
