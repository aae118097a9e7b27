package store_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"gorm.io/gorm"

	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/testenv"
)

func TestOpenSQLiteSetsPragmas(t *testing.T) {
	t.Parallel()
	db := storetest.SQLite(t)
	if got := store.Dialect(db); got != store.SQLite {
		t.Fatalf("Dialect = %q, want %q", got, store.SQLite)
	}
	// Every pooled connection must carry the pragmas, so check them on several at once.
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var conns []interface{ Close() error }
	for range 3 {
		c, err := sqlDB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		for pragma, want := range map[string]string{
			"journal_mode": "wal", "foreign_keys": "1", "synchronous": "1", "busy_timeout": "5000",
		} {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatalf("PRAGMA %s: %v", pragma, err)
			}
			if got != want {
				t.Errorf("PRAGMA %s = %q, want %q", pragma, got, want)
			}
		}
	}
	for _, c := range conns {
		_ = c.Close()
	}
}

func TestOpenSQLiteRelativePathCreatesFolder(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	db, err := store.Open(context.Background(), "sqlite://data/nested/app.db", store.WithBusyTimeout(2500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB(t, db)
	if err := db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY)").Error; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "nested", "app.db")); err != nil {
		t.Fatalf("database file not where the relative path says: %v", err)
	}
	var busy int
	if err := db.Raw("PRAGMA busy_timeout").Scan(&busy).Error; err != nil || busy != 2500 {
		t.Fatalf("busy_timeout = %d (%v), want 2500", busy, err)
	}
}

func TestOpenSQLiteEnforcesForeignKeys(t *testing.T) {
	t.Parallel()
	db := storetest.SQLite(t)
	for _, q := range []string{
		"CREATE TABLE parent (id INTEGER PRIMARY KEY)",
		"CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id))",
	} {
		if err := db.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	err := db.Exec("INSERT INTO child (id, parent_id) VALUES (1, 42)").Error
	if err == nil {
		t.Fatal("insert with a dangling foreign key succeeded")
	}
}

func TestOpenPostgresPool(t *testing.T) {
	t.Parallel()
	dsn := testenv.PostgresDatabase(t)
	ctx := context.Background()

	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB(t, db)
	if got := store.Dialect(db); got != store.Postgres {
		t.Fatalf("Dialect = %q, want %q", got, store.Postgres)
	}
	if got := stats(t, db); got != 20 {
		t.Errorf("default max open connections = %d, want 20", got)
	}
	var one int
	if err := db.Raw("SELECT 1").Scan(&one).Error; err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}

	db2, err := store.Open(ctx, strings.Replace(dsn, "postgres://", "postgresql://", 1), store.WithMaxOpenConns(3), store.WithMaxIdleConns(1))
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB(t, db2)
	if got := stats(t, db2); got != 3 {
		t.Errorf("max open connections = %d, want 3", got)
	}
}

func TestOpenRejectsBadDSNsWithoutLeakingPasswords(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-Pa55"
	for _, tc := range []struct {
		name, dsn string
		wantIn    []string
	}{
		{"unknown scheme", "mysql://admin:" + secret + "@db:3306/egov", []string{"sqlite://", "postgres://", "mysql://admin:xxxxx@db:3306/egov"}},
		{"key-value form", "host=db user=admin password=" + secret + " dbname=egov", []string{"sqlite://", "postgres://", "not a URL"}},
		{"no scheme", "egov.db", []string{"sqlite://path/to/file.db"}},
		{"password in query", "mysql://db/egov?password=" + secret, []string{"postgres://"}},
		{"sqlite memory", "sqlite://:memory:", []string{"in-memory"}},
		{"sqlite empty", "sqlite://", []string{"needs a file path"}},
		{"sqlite query", "sqlite://x.db?_pragma=foo", []string{"without query parameters"}},
		{"postgres unreachable", "postgres://admin:" + secret + "@127.0.0.1:1/egov?sslmode=disable", []string{`"postgres://admin:xxxxx@127.0.0.1:1/egov"`}},
		{"postgres password in query", "postgres://127.0.0.1:1/egov?sslmode=disable&password=" + secret, []string{"127.0.0.1:1"}},
		{"postgres bad port", "postgres://admin:" + secret + "@127.0.0.1:notaport/egov", []string{"store:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db, err := store.Open(context.Background(), tc.dsn)
			if err == nil {
				closeDB(t, db)
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			if strings.Contains(msg, secret) {
				t.Fatalf("error leaks the password: %s", msg)
			}
			for _, want := range tc.wantIn {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not mention %q", msg, want)
				}
			}
		})
	}
}

func TestQueriesMakeSpansWithoutParameters(t *testing.T) {
	t.Parallel()
	const secret = "mat-khau-bi-mat"
	var (
		mu   sync.Mutex
		logs bytes.Buffer
	)
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))
	for name, open := range map[string]func(testing.TB, ...store.Option) *gorm.DB{
		store.SQLite: storetest.SQLite, store.Postgres: storetest.Postgres,
	} {
		t.Run(name, func(t *testing.T) { testSpans(t, open, logger, secret) })
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "slow SQL query") {
		t.Fatalf("no slow query logged with a 1ns threshold: %s", logs.String())
	}
	if strings.Contains(logs.String(), secret) {
		t.Fatalf("log carries a query parameter: %s", logs.String())
	}
}

func testSpans(t *testing.T, open func(testing.TB, ...store.Option) *gorm.DB, logger *slog.Logger, secret string) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	traced := open(t, store.WithTracerProvider(tp), store.WithLogger(logger), store.WithSlowQueryThreshold(1))
	if err := traced.Exec("CREATE TABLE accounts (name TEXT, password TEXT)").Error; err != nil {
		t.Fatal(err)
	}
	if err := traced.Exec("INSERT INTO accounts (name, password) VALUES (?, ?)", "an", secret).Error; err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := traced.Table("accounts").Where("password = ?", secret).Count(&n).Error; err != nil || n != 1 {
		t.Fatalf("count = %d, %v", n, err)
	}
	spans := rec.Ended()
	if len(spans) != 3 {
		t.Fatalf("got %d spans for 3 statements", len(spans))
	}
	for _, s := range spans {
		for _, a := range s.Attributes() {
			if strings.Contains(a.Value.String(), secret) {
				t.Errorf("span %q attribute %s carries a query parameter", s.Name(), a.Key)
			}
		}
	}
}

// TestSQLiteConcurrentWriters is the reason for _txlock=immediate: with deferred transactions,
// two that read and then write deadlock on the lock upgrade and one fails with "database is
// locked" at once, whatever busy_timeout says.
func TestSQLiteConcurrentWriters(t *testing.T) {
	t.Parallel()
	db := storetest.SQLite(t)
	if err := db.Exec("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("INSERT INTO counter (id, n) VALUES (1, 0)").Error; err != nil {
		t.Fatal(err)
	}
	const writers = 50
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Go(func() {
			errs <- db.Transaction(func(tx *gorm.DB) error {
				var n int
				if err := tx.Raw("SELECT n FROM counter WHERE id = 1").Scan(&n).Error; err != nil {
					return err
				}
				// More reads widen the window in which the others read the same value, as a
				// real use case (validate, then write) would.
				for range 5 {
					if err := tx.Raw("SELECT count(*) FROM counter").Scan(new(int)).Error; err != nil {
						return err
					}
				}
				return tx.Exec("UPDATE counter SET n = ? WHERE id = 1", n+1).Error
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("writer failed: %v", err)
		}
	}
	var n int
	if err := db.Raw("SELECT n FROM counter WHERE id = 1").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != writers {
		t.Fatalf("counter = %d after %d read-then-write transactions: updates were lost", n, writers)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func stats(t *testing.T, db *gorm.DB) int {
	t.Helper()
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	return sqlDB.Stats().MaxOpenConnections
}

func closeDB(t testing.TB, db *gorm.DB) {
	t.Helper()
	if sqlDB, err := db.DB(); err == nil {
		_ = sqlDB.Close()
	}
}
