package testenv

import (
	"context"
	"net/http"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"
)

func TestStartNATSServesJetStream(t *testing.T) {
	t.Parallel()
	srv := StartNATS(t)
	nc, err := nats.Connect("nats://" + srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := nc.JetStream()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.AccountInfo(); err != nil {
		t.Fatalf("JetStream is not enabled on the started server: %v", err)
	}
	srv.Stop()
	srv.Stop() // a second Stop, as Cleanup will do, is harmless
}

func TestStartMinIOAnswersHealth(t *testing.T) {
	t.Parallel()
	m := StartMinIO(t)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://"+m.Endpoint+"/minio/health/live", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("MinIO health: %s", resp.Status)
	}
	if m.AccessKey == "" || len(m.SecretKey) < 8 {
		t.Fatalf("credentials not set: access key %q, secret of %d chars", m.AccessKey, len(m.SecretKey))
	}
}

func TestPostgresDatabaseIsFreshAndDropped(t *testing.T) {
	t.Parallel()
	var dsn string
	t.Run("create", func(t *testing.T) {
		dsn = PostgresDatabase(t)
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var tables int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables); err != nil {
			t.Fatal(err)
		}
		if tables != 0 {
			t.Fatalf("new database has %d tables, want none", tables)
		}
	})
	// The subtest's Cleanup dropped the database.
	ctx := context.Background()
	if conn, err := pgx.Connect(ctx, dsn); err == nil {
		conn.Close(ctx)
		t.Fatal("the test database still exists after its test ended")
	}
}

func TestBufferTakesConcurrentWrites(t *testing.T) {
	t.Parallel()
	var b Buffer
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 100 {
				_, _ = b.Write([]byte("x"))
			}
		}()
	}
	for range 8 {
		<-done
	}
	if got := len(b.String()); got != 800 {
		t.Fatalf("%d bytes collected, want 800", got)
	}
}
