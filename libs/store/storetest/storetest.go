// Package storetest runs a repository's contract tests against every database the platform
// supports: a fresh SQLite file and a fresh PostgreSQL database (skipped when no server is
// reachable, failed under CI=true), both opened with store.Open exactly as services open them.
package storetest

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/testenv"
)

// EachDB runs fn as the subtests "sqlite" and "postgres", each with a fresh, empty database.
// Apply the service's migrations (store.Migrate) or AutoMigrate at the start of fn.
func EachDB(t *testing.T, fn func(t *testing.T, db *gorm.DB), opts ...store.Option) {
	t.Helper()
	t.Run(store.SQLite, func(t *testing.T) { fn(t, SQLite(t, opts...)) })
	t.Run(store.Postgres, func(t *testing.T) { fn(t, Postgres(t, opts...)) })
}

// SQLite opens a fresh SQLite file in the test's temporary folder, closed when the test ends.
func SQLite(t testing.TB, opts ...store.Option) *gorm.DB {
	t.Helper()
	return open(t, "sqlite://"+filepath.Join(t.TempDir(), "test.db"), opts)
}

// Postgres opens a fresh PostgreSQL database (see testenv.PostgresDatabase), dropped when the
// test ends.
func Postgres(t testing.TB, opts ...store.Option) *gorm.DB {
	t.Helper()
	return open(t, testenv.PostgresDatabase(t), opts)
}

// dsns remembers the DSN each test database was opened with, for Reopen.
var dsns sync.Map // *gorm.DB -> string

// Reopen opens a second pool on the database of db (from SQLite, Postgres or EachDB), as another
// replica of a service would, closed when the test ends.
func Reopen(t testing.TB, db *gorm.DB, opts ...store.Option) *gorm.DB {
	t.Helper()
	dsn, ok := dsns.Load(db)
	if !ok {
		t.Fatal("storetest.Reopen: db was not opened by storetest")
	}
	return open(t, dsn.(string), opts)
}

func open(t testing.TB, dsn string, opts []store.Option) *gorm.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, opts...)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	dsns.Store(db, dsn)
	// Registered after the database is created, so it runs before testenv drops it.
	t.Cleanup(func() {
		dsns.Delete(db)
		if sqlDB, err := db.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	return db
}

// Another opens a fresh, empty database of db's dialect: the second side of a comparison such
// as RequireSameSchema.
func Another(t testing.TB, db *gorm.DB, opts ...store.Option) *gorm.DB {
	t.Helper()
	if store.Dialect(db) == store.Postgres {
		return Postgres(t, opts...)
	}
	return SQLite(t, opts...)
}
