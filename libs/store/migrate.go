package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"time"

	"github.com/pressly/goose/v3"
	"gorm.io/gorm"

	"egov.vn/platform/libs/telemetry"
)

// MigrationSet is one owner's versioned SQL: a service's tables, or a library's (events' outbox,
// auth's ended sessions). Each set keeps its own goose version table, schema_migrations_<Name>,
// so several sets live in one database and each numbers its files from 00001 on its own.
//
// Layout: files in Dir of FS (usually an embed.FS) are named NNNNN_what.sql with
// "-- +goose Up" / "-- +goose Down" sections. When Dir holds a subfolder named after the dialect
// ("postgres" or "sqlite", see Dialect) that subfolder is used, otherwise Dir itself; so an owner
// writes one shared set while its SQL is portable and splits into Dir/postgres and Dir/sqlite
// (same version numbers) when it is not.
type MigrationSet struct {
	// Name is the owner, e.g. "dossiers" or "events": lower-case letters, digits and "_". Empty
	// keeps goose's default version table goose_db_version (what Migrate used before sets).
	Name string
	FS   fs.FS
	// Dir is the folder inside FS; "migrations" when empty.
	Dir string
}

// VersionTable is the goose table recording which of the set's files are applied.
func (s MigrationSet) VersionTable() string {
	if s.Name == "" {
		return goose.DefaultTablename
	}
	return "schema_migrations_" + s.Name
}

var setName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Migrate applies the pending migrations of one set, as MigrateAll does.
func Migrate(ctx context.Context, db *gorm.DB, fsys fs.FS, dir string) error {
	return MigrateAll(ctx, db, MigrationSet{FS: fsys, Dir: dir})
}

// migrationLockWait bounds how long a starting replica waits for a peer that is migrating:
// giving up early would crash-loop it for nothing, never giving up would hide a stuck peer.
const migrationLockWait = 10 * time.Minute

// MigrateAll applies the pending migrations of every set, in the order given, and returns once
// the schema is at each set's newest version; with nothing pending it changes nothing.
//
// All sets are applied under one lock, taken once: on PostgreSQL a session advisory lock
// (migrationLockKey), on SQLite an exclusive lock on the file "<database>-migrate.lock" beside
// the database (a process-local mutex for an in-memory one). So replicas starting together do not
// race: one applies, the others wait and then find nothing pending.
//
// Each migration runs in its own transaction unless it says "-- +goose NO TRANSACTION"; a failed
// one is rolled back, leaves its set's version where it was, and its file is named in the error.
// The sets after a failed one are not applied.
func MigrateAll(ctx context.Context, db *gorm.DB, sets ...MigrationSet) error {
	if len(sets) == 0 {
		return errors.New("store: migrate: no migration sets")
	}
	var dialect goose.Dialect
	name := Dialect(db)
	switch name {
	case Postgres:
		dialect = goose.DialectPostgres
	case SQLite:
		dialect = goose.DialectSQLite3
	default:
		return fmt.Errorf("store: migrate: unsupported dialect %q", name)
	}
	providers := make([]*goose.Provider, len(sets))
	dirs := make([]string, len(sets))
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	for i, set := range sets {
		if set.Name != "" && !setName.MatchString(set.Name) {
			return fmt.Errorf("store: migrate: set name %q: use lower-case letters, digits and _", set.Name)
		}
		if set.FS == nil {
			return fmt.Errorf("store: migrate: set %q has no files", set.Name)
		}
		dir := set.Dir
		if dir == "" {
			dir = "migrations"
		}
		if st, err := fs.Stat(set.FS, path.Join(dir, name)); err == nil && st.IsDir() {
			dir = path.Join(dir, name)
		}
		sub, err := fs.Sub(set.FS, dir)
		if err != nil {
			return fmt.Errorf("store: migrate: folder %s: %w", dir, err)
		}
		providers[i], err = goose.NewProvider(dialect, sqlDB, sub,
			goose.WithTableName(set.VersionTable()),
			goose.WithDisableGlobalRegistry(true), // only these files, no init()-registered Go migrations
			goose.WithLogger(goose.NopLogger()),   // applied migrations are logged below, structured
		)
		if err != nil {
			return fmt.Errorf("store: migrate %s: %w", dir, err)
		}
		dirs[i] = dir
	}

	unlock, err := lockMigrations(ctx, db)
	if err != nil {
		return fmt.Errorf("store: migrate: take the migration lock: %w", err)
	}
	defer unlock()

	for i, provider := range providers {
		if err := up(ctx, provider, sets[i].Name, dirs[i]); err != nil {
			return err
		}
	}
	return nil
}

// up applies one provider's pending files, logging each applied one.
func up(ctx context.Context, provider *goose.Provider, set, dir string) error {
	results, err := provider.Up(ctx)
	for _, r := range results {
		if r.Error == nil {
			telemetry.Logger(ctx).InfoContext(ctx, "migration applied", "component", "store", "set", set, "file", path.Join(dir, r.Source.Path), "duration", r.Duration)
		}
	}
	if err != nil {
		// goose names only the version; the person fixing it wants the file.
		var partial *goose.PartialError
		if errors.As(err, &partial) && partial.Failed != nil {
			return fmt.Errorf("store: migration %s of set %q failed (schema left at the version before it): %w",
				path.Join(dir, partial.Failed.Source.Path), set, partial.Err)
		}
		return fmt.Errorf("store: migrate set %q (%s): %w", set, dir, err)
	}
	return nil
}

// migrationLockKey is the PostgreSQL advisory-lock key MigrateAll holds while it migrates: one key
// for every set of every service ("egovmigr" in ASCII), since they may share a database.
const migrationLockKey int64 = 0x65676f766d696772

// lockMigrations takes the dialect's migration lock and returns its release.
func lockMigrations(ctx context.Context, db *gorm.DB) (func(), error) {
	if Dialect(db) == SQLite {
		return lockSQLiteMigrations(ctx, db)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	// A session lock lives on one connection: hold that connection until the release. goose runs
	// the migrations on other connections of the pool, so the pool needs two.
	if sqlDB.Stats().MaxOpenConnections == 1 {
		return nil, errors.New("the pool allows one connection; migrating needs two (one holds the lock)")
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	wait, cancel := context.WithTimeout(ctx, migrationLockWait)
	defer cancel()
	if _, err := conn.ExecContext(wait, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return func() {
		// Unlock even when ctx has ended; closing the connection would release it too, but a
		// pooled connection is only returned, not closed.
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLockKey); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn }) // discard it: the lock goes with it
		}
		_ = conn.Close()
	}, nil
}
