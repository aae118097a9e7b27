// Package storetest runs a repository's contract tests against every database the platform
// supports: a fresh SQLite file and a fresh PostgreSQL database (skipped when no server is
// reachable, failed under CI=true), both opened with store.Open exactly as services open them.
package storetest

import (
	"context"
	"path/filepath"
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

func open(t testing.TB, dsn string, opts []store.Option) *gorm.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, opts...)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	// Registered after the database is created, so it runs before testenv drops it.
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	return db
}
