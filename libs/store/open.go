package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"egov.vn/platform/libs/redact"
	"egov.vn/platform/libs/telemetry"
)

// The dialect names Dialect returns.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// acceptedForms is quoted in every DSN error so that an operator can fix the setting at once.
const acceptedForms = "use sqlite://path/to/file.db (relative to the working directory, or sqlite:///abs/path.db) " +
	"or postgres://user:password@host:5432/dbname?sslmode=... (postgresql:// also accepted)"

// Option changes how Open sets up the database.
type Option func(*options)

type options struct {
	maxOpen, maxIdle      int
	maxLifetime, maxIdleT time.Duration
	poolSet               map[string]bool
	busyTimeout           time.Duration
	logger                *slog.Logger
	slow                  time.Duration
	tracerProvider        trace.TracerProvider
}

func (o *options) set(name string) {
	if o.poolSet == nil {
		o.poolSet = map[string]bool{}
	}
	o.poolSet[name] = true
}

// WithMaxOpenConns caps the number of open connections (PostgreSQL default 20, SQLite 8).
func WithMaxOpenConns(n int) Option {
	return func(o *options) { o.maxOpen = n; o.set("maxOpen") }
}

// WithMaxIdleConns caps the number of idle connections kept in the pool (PostgreSQL default 10;
// SQLite keeps all of them, since reopening a file connection replays its pragmas).
func WithMaxIdleConns(n int) Option {
	return func(o *options) { o.maxIdle = n; o.set("maxIdle") }
}

// WithConnMaxLifetime recycles connections after d (PostgreSQL default 30 minutes, so that
// connections follow a failover or a PgBouncer restart; SQLite default: never).
func WithConnMaxLifetime(d time.Duration) Option {
	return func(o *options) { o.maxLifetime = d; o.set("maxLifetime") }
}

// WithConnMaxIdleTime closes connections idle for longer than d (PostgreSQL default 5 minutes).
func WithConnMaxIdleTime(d time.Duration) Option {
	return func(o *options) { o.maxIdleT = d; o.set("maxIdleTime") }
}

// WithBusyTimeout sets how long a SQLite connection waits for the write lock before failing
// with "database is locked" (default 5 s). Ignored for PostgreSQL.
func WithBusyTimeout(d time.Duration) Option {
	return func(o *options) { o.busyTimeout = d }
}

// WithLogger sets the logger for gorm's own messages and slow queries (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// WithSlowQueryThreshold logs queries slower than d at warn level (default 500 ms; 0 disables).
func WithSlowQueryThreshold(d time.Duration) Option {
	return func(o *options) { o.slow = d }
}

// WithTracerProvider makes query spans with tp instead of the global provider that the
// telemetry package installs; tests use it to see the spans.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(o *options) { o.tracerProvider = tp }
}

// Open connects to the database named by dsn, which is either sqlite://path/to/file.db or a
// postgres:// (postgresql://) URL, pings it, and returns a gorm handle that traces every query
// and enforces tenant scoping on models embedding TenantModel. Errors never contain the password.
func Open(ctx context.Context, dsn string, opts ...Option) (*gorm.DB, error) {
	o := options{busyTimeout: 5 * time.Second, slow: 500 * time.Millisecond}
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}

	var (
		dialector gorm.Dialector
		pool      options
	)
	scheme, rest, _ := strings.Cut(dsn, "://")
	switch strings.ToLower(scheme) {
	case "sqlite":
		file, err := sqliteFile(rest, o.busyTimeout)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		dialector = sqlite.Open(file)
		// Several connections let readers run beside the writer under WAL; writers queue inside
		// SQLite (BEGIN IMMEDIATE + busy_timeout), not in the pool, so code that holds a
		// transaction and touches the pool meanwhile gets an error rather than a hang.
		pool = options{maxOpen: 8, maxIdle: 8}
	case "postgres", "postgresql":
		dialector = postgres.New(postgres.Config{DSN: dsn})
		pool = options{maxOpen: 20, maxIdle: 10, maxLifetime: 30 * time.Minute, maxIdleT: 5 * time.Minute}
	default:
		return nil, fmt.Errorf("store: unsupported database URL %s: %s", redactDSN(dsn), acceptedForms)
	}

	db, err := gorm.Open(dialector, &gorm.Config{
		Logger: &gormLogger{log: o.logger, slow: o.slow},
		// UTC and microseconds: what PostgreSQL stores, so that a value read back compares equal
		// to the value written on both dialects.
		NowFunc:              func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
		TranslateError:       true, // gorm.ErrDuplicatedKey / ErrForeignKeyViolated on both dialects
		DisableAutomaticPing: true, // pinged below, under the caller's context
	})
	if err != nil {
		return nil, openError(dsn, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, openError(dsn, err)
	}
	applyPool(sqlDB, pool, o)
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, openError(dsn, err)
	}

	// Spans carry the SQL text but never its parameters, which may hold personal data or secrets.
	if err := db.Use(telemetry.GormPlugin(o.tracerProvider)); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("store: register tracing: %w", err)
	}
	if err := registerTenantGuard(db); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("store: register tenant guard: %w", err)
	}
	return db, nil
}

// applyPool sets the dialect's defaults, overridden by whatever the caller set explicitly.
func applyPool(sqlDB *sql.DB, def options, o options) {
	pick := func(name string, d, v int) int {
		if o.poolSet[name] {
			return v
		}
		return d
	}
	pickD := func(name string, d, v time.Duration) time.Duration {
		if o.poolSet[name] {
			return v
		}
		return d
	}
	sqlDB.SetMaxOpenConns(pick("maxOpen", def.maxOpen, o.maxOpen))
	sqlDB.SetMaxIdleConns(pick("maxIdle", def.maxIdle, o.maxIdle))
	sqlDB.SetConnMaxLifetime(pickD("maxLifetime", def.maxLifetime, o.maxLifetime))
	sqlDB.SetConnMaxIdleTime(pickD("maxIdleTime", def.maxIdleT, o.maxIdleT))
}

// sqliteFile turns the part after sqlite:// into the driver's DSN: an absolute path (so that a
// later chdir cannot split the pool across two files) plus the pragmas every connection needs.
func sqliteFile(path string, busy time.Duration) (string, error) {
	switch {
	case path == "":
		return "", fmt.Errorf("sqlite:// needs a file path: %s", acceptedForms)
	case path == ":memory:" || strings.HasPrefix(path, "file:") || strings.Contains(path, "mode=memory"):
		// Each pooled connection would get its own empty in-memory database, and WAL needs a
		// file; tests use a file under t.TempDir() instead.
		return "", fmt.Errorf("sqlite in-memory databases are not supported (every pooled connection would see a different database); use a file, e.g. under t.TempDir()")
	case strings.ContainsAny(path, "?#"):
		return "", fmt.Errorf("sqlite:// takes a plain file path without query parameters; journal mode, busy timeout, foreign keys and locking are set by store.Open")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("sqlite path %q: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return "", fmt.Errorf("sqlite folder: %w", err)
	}
	q := url.Values{}
	// busy_timeout first: switching to WAL needs the lock and must wait for it like anything else.
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)") // durable at checkpoints; the WAL default, far fewer fsyncs
	q.Add("_pragma", "foreign_keys(1)")
	// A deferred transaction that reads and then writes cannot wait for the lock: SQLite fails it
	// with SQLITE_BUSY at once, because its snapshot may be stale. Taking the write lock at BEGIN
	// makes writers queue on busy_timeout instead. Read-only transactions still begin deferred.
	q.Set("_txlock", "immediate")
	return abs + "?" + q.Encode(), nil
}

// Dialect names the database behind db, "sqlite" or "postgres", for the rare statement that
// must differ between them.
func Dialect(db *gorm.DB) string {
	switch name := db.Name(); name {
	case "postgresql":
		return Postgres
	default:
		return name
	}
}

// redactDSN is redact.DSN, quoted when it is a URL so that the message shows where it ends.
func redactDSN(dsn string) string {
	if s := redact.DSN(dsn); s != redact.NotAURL {
		return fmt.Sprintf("%q", s)
	}
	return redact.NotAURL
}

// secrets lists the strings of dsn that must never appear in an error.
func secrets(dsn string) []string {
	var out []string
	u, err := url.Parse(dsn)
	if err != nil {
		return nil
	}
	if p, ok := u.User.Password(); ok && p != "" {
		out = append(out, p, url.PathEscape(p), url.QueryEscape(p))
	}
	for k, vs := range u.Query() {
		if strings.Contains(strings.ToLower(k), "pass") || strings.Contains(strings.ToLower(k), "secret") {
			for _, v := range vs {
				if v != "" {
					out = append(out, v, url.QueryEscape(v))
				}
			}
		}
	}
	return out
}

// openError names the database and scrubs any secret the driver may have echoed back.
func openError(dsn string, err error) error {
	msg := err.Error()
	scrubbed := msg
	for _, s := range secrets(dsn) {
		scrubbed = strings.ReplaceAll(scrubbed, s, "xxxxx")
	}
	if scrubbed != msg {
		err = &redactedError{msg: scrubbed, err: err}
	}
	return fmt.Errorf("store: open %s: %w", redactDSN(dsn), err)
}

// redactedError keeps the driver's error for errors.Is/As but prints a scrubbed message.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
