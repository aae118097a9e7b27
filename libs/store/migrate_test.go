package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/testenv"
)

func sqlFile(up, down string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte("-- +goose Up\n" + up + "\n-- +goose Down\n" + down + "\n")}
}

var goodMigrations = fstest.MapFS{
	"migrations/00001_procedures.sql": sqlFile(
		"CREATE TABLE procedures (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE);",
		"DROP TABLE procedures;"),
	"migrations/00002_seed.sql": sqlFile(
		"INSERT INTO procedures (id, code) VALUES (1, 'khai-sinh');",
		"DELETE FROM procedures;"),
	"migrations/README.md": &fstest.MapFile{Data: []byte("not a migration")},
}

func appliedVersions(t *testing.T, db *gorm.DB) []int64 {
	t.Helper()
	var v []int64
	if err := db.Raw("SELECT version_id FROM goose_db_version WHERE version_id > 0 AND is_applied ORDER BY id").Scan(&v).Error; err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		if err := store.Migrate(ctx, db, goodMigrations, "migrations"); err != nil {
			t.Fatal(err)
		}
		if got := appliedVersions(t, db); len(got) != 2 || got[0] != 1 || got[1] != 2 {
			t.Fatalf("applied versions = %v, want [1 2] in order", got)
		}

		// A second run (a restart) changes nothing: the seed row is not inserted twice.
		if err := store.Migrate(ctx, db, goodMigrations, "migrations"); err != nil {
			t.Fatalf("second run: %v", err)
		}
		var rows int64
		if err := db.Table("procedures").Count(&rows).Error; err != nil || rows != 1 {
			t.Fatalf("procedures rows = %d (%v), want 1", rows, err)
		}
		if got := appliedVersions(t, db); len(got) != 2 {
			t.Fatalf("applied versions after a second run = %v", got)
		}

		// A broken migration: its first statement is valid, the second is not. The error names
		// the file, and the whole migration is rolled back.
		broken := fstest.MapFS{"migrations/00003_broken.sql": sqlFile(
			"CREATE TABLE half_done (id INTEGER PRIMARY KEY);\nINSERT INTO no_such_table (x) VALUES (1);",
			"DROP TABLE half_done;")}
		for k, v := range goodMigrations {
			broken[k] = v
		}
		err := store.Migrate(ctx, db, broken, "migrations")
		if err == nil {
			t.Fatal("a broken migration applied without error")
		}
		if !strings.Contains(err.Error(), "migrations/00003_broken.sql") {
			t.Errorf("error does not name the file: %v", err)
		}
		if got := appliedVersions(t, db); len(got) != 2 || got[1] != 2 {
			t.Errorf("versions after the failure = %v, want still [1 2]", got)
		}
		if db.Migrator().HasTable("half_done") {
			t.Error("the failed migration's first statement was not rolled back")
		}
	})
}

func TestMigratePrefersTheDialectFolder(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"migrations/postgres/00001_init.sql": sqlFile("CREATE TABLE only_postgres (id BIGSERIAL PRIMARY KEY);", "DROP TABLE only_postgres;"),
		"migrations/sqlite/00001_init.sql":   sqlFile("CREATE TABLE only_sqlite (id INTEGER PRIMARY KEY AUTOINCREMENT);", "DROP TABLE only_sqlite;"),
	}
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		if err := store.Migrate(context.Background(), db, fsys, "migrations"); err != nil {
			t.Fatal(err)
		}
		want, other := "only_"+store.Dialect(db), "only_postgres"
		if store.Dialect(db) == store.Postgres {
			other = "only_sqlite"
		}
		if !db.Migrator().HasTable(want) || db.Migrator().HasTable(other) {
			t.Fatalf("expected table %s and not %s", want, other)
		}
	})
}

func TestMigrateWithoutMigrationsFails(t *testing.T) {
	t.Parallel()
	db := storetest.SQLite(t)
	if err := store.Migrate(context.Background(), db, fstest.MapFS{}, "migrations"); err == nil {
		t.Fatal("an empty migrations folder passed silently; a typo in the folder name would too")
	}
}

// TestMigrateConcurrentReplicasPostgres starts several "replicas", each with its own pool, that
// migrate the same database at once: the advisory lock makes one apply and the others find
// nothing to do.
func TestMigrateConcurrentReplicasPostgres(t *testing.T) {
	t.Parallel()
	dsn := testenv.PostgresDatabase(t)
	ctx := context.Background()
	const replicas = 5
	dbs := make([]*gorm.DB, replicas)
	for i := range dbs {
		db, err := store.Open(ctx, dsn, store.WithMaxOpenConns(2))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { closeDB(t, db) })
		dbs[i] = db
	}
	var wg sync.WaitGroup
	errs := make([]error, replicas)
	for i, db := range dbs {
		wg.Go(func() { errs[i] = store.Migrate(ctx, db, goodMigrations, "migrations") })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
	if got := appliedVersions(t, dbs[0]); len(got) != 2 {
		t.Fatalf("applied versions = %v, want each once", got)
	}
	var rows int64
	if err := dbs[0].Table("procedures").Count(&rows).Error; err != nil || rows != 1 {
		t.Fatalf("seed applied %d times (%v)", rows, err)
	}
}

func setVersions(t *testing.T, db *gorm.DB, set store.MigrationSet) []int64 {
	t.Helper()
	var v []int64
	if err := db.Raw("SELECT version_id FROM " + set.VersionTable() + " WHERE version_id > 0 AND is_applied ORDER BY id").Scan(&v).Error; err != nil {
		t.Fatal(err)
	}
	return v
}

// A library's set and a service's set, both numbered from 00001, in one database.
var (
	librarySet = store.MigrationSet{Name: "outbox", FS: fstest.MapFS{
		"sql/00001_outbox.sql": sqlFile("CREATE TABLE outbox (id INTEGER PRIMARY KEY);", "DROP TABLE outbox;"),
	}, Dir: "sql"}
	serviceSet = store.MigrationSet{Name: "dossiers", FS: goodMigrations}
)

func TestMigrateAllKeepsEachSetsVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		if err := store.MigrateAll(ctx, db, librarySet, serviceSet); err != nil {
			t.Fatal(err)
		}
		if got := setVersions(t, db, librarySet); len(got) != 1 || got[0] != 1 {
			t.Errorf("%s = %v, want [1]", librarySet.VersionTable(), got)
		}
		if got := setVersions(t, db, serviceSet); len(got) != 2 || got[1] != 2 {
			t.Errorf("%s = %v, want [1 2]", serviceSet.VersionTable(), got)
		}
		if db.Migrator().HasTable("goose_db_version") {
			t.Error("named sets wrote goose's default version table")
		}
		// The library adds a second file later; only that one is applied.
		grown := store.MigrationSet{Name: "outbox", Dir: "sql", FS: fstest.MapFS{
			"sql/00001_outbox.sql": librarySet.FS.(fstest.MapFS)["sql/00001_outbox.sql"],
			"sql/00002_index.sql":  sqlFile("CREATE INDEX ix_outbox ON outbox (id);", "DROP INDEX ix_outbox;"),
		}}
		if err := store.MigrateAll(ctx, db, grown, serviceSet); err != nil {
			t.Fatal(err)
		}
		if got := setVersions(t, db, librarySet); len(got) != 2 {
			t.Errorf("%s = %v, want [1 2]", librarySet.VersionTable(), got)
		}
	})
}

func TestMigrateAllFailureNamesTheFileAndStops(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		broken := store.MigrationSet{Name: "broken", FS: fstest.MapFS{
			"migrations/00001_ok.sql":     sqlFile("CREATE TABLE fine (id INTEGER PRIMARY KEY);", "DROP TABLE fine;"),
			"migrations/00002_broken.sql": sqlFile("CREATE TABLE half_done (id INTEGER PRIMARY KEY);\nINSERT INTO no_such_table (x) VALUES (1);", "DROP TABLE half_done;"),
		}}
		err := store.MigrateAll(ctx, db, broken, librarySet)
		if err == nil || !strings.Contains(err.Error(), "migrations/00002_broken.sql") {
			t.Fatalf("error = %v, want it to name migrations/00002_broken.sql", err)
		}
		if got := setVersions(t, db, broken); len(got) != 1 || got[0] != 1 {
			t.Errorf("versions = %v, want [1]: the failed file leaves the version", got)
		}
		if db.Migrator().HasTable("half_done") || db.Migrator().HasTable("outbox") {
			t.Error("the failed migration was not rolled back, or the sets after it ran")
		}
	})
}

// TestMigrateAllConcurrentStarters starts several "replicas", each with its own pool, that
// migrate the same database at once, on both databases: the one lock makes one apply and the
// others find nothing to do.
func TestMigrateAllConcurrentStarters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	storetest.EachDB(t, func(t *testing.T, first *gorm.DB) {
		const replicas = 5
		dbs := []*gorm.DB{first}
		for range replicas - 1 {
			dbs = append(dbs, storetest.Reopen(t, first, store.WithMaxOpenConns(2)))
		}
		var wg sync.WaitGroup
		errs := make([]error, replicas)
		for i, db := range dbs {
			wg.Go(func() { errs[i] = store.MigrateAll(ctx, db, librarySet, serviceSet) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("replica %d: %v", i, err)
			}
		}
		if got := setVersions(t, first, serviceSet); len(got) != 2 {
			t.Fatalf("applied versions = %v, want each once", got)
		}
		var rows int64
		if err := first.Table("procedures").Count(&rows).Error; err != nil || rows != 1 {
			t.Fatalf("seed applied %d times (%v)", rows, err)
		}
	})
}
