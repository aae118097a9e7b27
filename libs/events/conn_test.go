package events

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/testenv"
)

func TestProbeFollowsTheConnection(t *testing.T) {
	t.Parallel()
	srv := testenv.StartNATS(t)
	nc, js, err := Connect("nats://"+srv.Addr, "probe-test")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	probe := Probe(nc, js)
	if err := probe(context.Background()); err != nil {
		t.Fatalf("probe with NATS up: %v", err)
	}
	srv.Stop()
	// The client notices the closed socket asynchronously; the probe must report it once it has.
	deadline := time.Now().Add(30 * time.Second)
	for nc.IsConnected() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := probe(context.Background()); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("probe with NATS down: err = %v, want ErrNotConnected", err)
	}
}

func TestConnectRefusedNamesNATS(t *testing.T) {
	t.Parallel()
	_, _, err := Connect("nats://127.0.0.1:"+strconv.Itoa(testenv.FreePort(t)), "refused-test")
	if err == nil || !strings.Contains(err.Error(), "connect to NATS") {
		t.Fatalf("Connect to a closed port: err = %v, want an error naming NATS", err)
	}
}

func TestAutoMigrateFromConcurrentReplicas(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		errs := make(chan error, 5)
		for range 5 {
			go func() { errs <- AutoMigrate(db) }()
		}
		for range 5 {
			if err := <-errs; err != nil {
				t.Fatalf("replica migration: %v", err)
			}
		}
		if !db.Migrator().HasTable(&OutboxEvent{}) || !db.Migrator().HasTable(&ProcessedEvent{}) {
			t.Fatal("outbox tables missing after migration")
		}
	})
}
