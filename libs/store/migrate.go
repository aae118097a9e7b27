package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/gorm"

	"egov.vn/platform/libs/telemetry"
)

// Migrate applies the pending goose SQL migrations found in dir of fsys (usually an embed.FS)
// and returns once the schema is at the newest version; with nothing pending it does nothing.
//
// Layout: files are named NNNNN_what.sql with "-- +goose Up" / "-- +goose Down" sections. When
// dir holds a subfolder named after the dialect ("postgres" or "sqlite", see Dialect) that
// subfolder is used, otherwise dir itself; so a service writes one shared set while its SQL is
// portable and splits into migrations/postgres and migrations/sqlite (same version numbers) when
// it is not.
//
// Each migration runs in its own transaction unless it says "-- +goose NO TRANSACTION"; a failed
// one is rolled back, leaves the version where it was, and its file is named in the error. On
// PostgreSQL a session advisory lock lets many replicas call Migrate at start together: one
// applies, the others wait and then find nothing pending.
func Migrate(ctx context.Context, db *gorm.DB, fsys fs.FS, dir string) error {
	var (
		dialect goose.Dialect
		opts    = []goose.ProviderOption{
			goose.WithDisableGlobalRegistry(true), // only this service's files, no init()-registered Go migrations
			goose.WithLogger(goose.NopLogger()),   // applied migrations are logged below, structured
		}
	)
	name := Dialect(db)
	switch name {
	case Postgres:
		dialect = goose.DialectPostgres
		// Poll every second for up to ten minutes: a replica that waits is one whose peer is
		// migrating, and giving up early would crash-loop it for nothing.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 600))
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	case SQLite:
		// One file has one writer: SQLite's own write lock (BEGIN IMMEDIATE) serialises processes.
		dialect = goose.DialectSQLite3
	default:
		return fmt.Errorf("store: migrate: unsupported dialect %q", name)
	}

	if st, err := fs.Stat(fsys, path.Join(dir, name)); err == nil && st.IsDir() {
		dir = path.Join(dir, name)
	}
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		return fmt.Errorf("store: migrate: folder %s: %w", dir, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	provider, err := goose.NewProvider(dialect, sqlDB, sub, opts...)
	if err != nil {
		return fmt.Errorf("store: migrate %s: %w", dir, err)
	}

	results, err := provider.Up(ctx)
	for _, r := range results {
		if r.Error == nil {
			telemetry.Logger(ctx).InfoContext(ctx, "migration applied", "component", "store", "file", path.Join(dir, r.Source.Path), "duration", r.Duration)
		}
	}
	if err != nil {
		// goose names only the version; the person fixing it wants the file.
		var partial *goose.PartialError
		if errors.As(err, &partial) && partial.Failed != nil {
			return fmt.Errorf("store: migration %s failed (schema left at the version before it): %w",
				path.Join(dir, partial.Failed.Source.Path), partial.Err)
		}
		return fmt.Errorf("store: migrate %s: %w", dir, err)
	}
	return nil
}
