package bootstrap

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/nats-io/nats.go"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"gorm.io/gorm"

	"egov.vn/platform/libs/config"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/telemetry"
	"egov.vn/platform/libs/testenv"
)

var migrations = fstest.MapFS{
	"migrations/00001_things.sql": {Data: []byte(`-- +goose Up
CREATE TABLE things (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, name TEXT NOT NULL);
-- +goose Down
DROP TABLE things;
`)},
}

// TestServiceLifecycleAgainstRealServers boots a service the way every main will (PostgreSQL,
// NATS, MinIO, migrations, relay), serves a command that writes a row and its event in one
// transaction, sees the event arrive on NATS in the request's trace, and shuts down cleanly.
func TestServiceLifecycleAgainstRealServers(t *testing.T) {
	minioSrv := testenv.MinIO(t)
	// A private server: Start ensures the platform stream on egov.>, which would overlap the
	// per-test streams other packages make on a shared server.
	natsURL := "nats://" + testenv.StartNATS(t).Addr
	addr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
	spans := tracetest.NewInMemoryExporter()
	logs := &testenv.Buffer{}

	rt, err := Start(context.Background(), Options{
		Service: "demo",
		Common: config.Common{HTTPAddr: addr, DatabaseDSN: testenv.PostgresDatabase(t), NATSURL: natsURL,
			MinIOEndpoint: minioSrv.Endpoint, MinIOAccessKey: minioSrv.AccessKey, MinIOSecretKey: minioSrv.SecretKey,
			ShutdownTimeout: 5 * time.Second},
		Migrations: []store.MigrationSet{{Name: "demo", FS: migrations}},
		Events:     true,
		Objects:    true,
		LogOutput:  logs,
		// Synchronous export: the in-memory exporter forgets its spans at Shutdown, so the test
		// reads them while the service still runs.
		Telemetry: []telemetry.Option{telemetry.WithSpanProcessor(sdktrace.NewSimpleSpanProcessor(spans))},
	})
	if err != nil {
		t.Fatal(err)
	}
	// The platform stream keeps messages without an age limit: the pruner keeps processed ids
	// for the figure documented for such a stream.
	if rt.pruner == nil || rt.pruner.Processed != events.ProcessedRetention(0) || rt.pruner.Published != events.PublishedRetention {
		t.Fatalf("pruner = %+v, want the documented retentions", rt.pruner)
	}
	var things int64
	if err := rt.DB.Raw("SELECT count(*) FROM schema_migrations_demo WHERE version_id = 1").Scan(&things).Error; err != nil || things != 1 {
		t.Fatalf("the service's set was not applied once: %d, %v", things, err)
	}
	// A service with events takes Idempotency-Key on its API: its keys' table is there, and pruned.
	if err := rt.DB.Raw("SELECT count(*) FROM idempotency_keys").Scan(&things).Error; err != nil || rt.keys == nil {
		t.Fatalf("idempotency keys: table %v, pruner %v", err, rt.keys)
	}
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	received := make(chan *nats.Msg, 1)
	if _, err := nc.ChanSubscribe("egov.xa-dong-tan.demo.thing.created", received); err != nil {
		t.Fatal(err)
	}

	e := rt.Engine()
	e.POST("/demo/things", func(c *gin.Context) {
		var in struct{ ID, Name string }
		if err := httpapi.BindJSON(c, &in); err != nil {
			httpapi.RespondError(c, err)
			return
		}
		evt, err := events.New(events.Topic{Tenant: "xa-dong-tan", Service: "demo", Entity: "thing", Verb: "created"}, in.ID, in)
		if err != nil {
			httpapi.RespondError(c, err)
			return
		}
		// The request's context, not c: database/sql watches it from a goroutine that may outlive
		// the middleware chain, which rewrites c.Request on its way out.
		ctx := c.Request.Context()
		err = rt.Outbox.Transact(ctx, rt.DB, func(tx *gorm.DB) error {
			if err := tx.Exec("INSERT INTO things (id, tenant_id, name) VALUES (?, ?, ?)", in.ID, "xa-dong-tan", in.Name).Error; err != nil {
				return err
			}
			return rt.Outbox.Add(ctx, tx, evt)
		})
		if err != nil {
			httpapi.RespondError(c, err)
			return
		}
		c.JSON(http.StatusCreated, gin.H{"id": in.ID})
	})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- rt.Run(ctx, e) }()
	if err := testenv.WaitTCP(addr, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	base := "http://" + addr

	resp := get(t, base+"/readyz")
	var ready struct {
		Status string                `json:"status"`
		Checks []httpapi.CheckResult `json:"checks"`
	}
	decode(t, resp, &ready)
	if resp.StatusCode != http.StatusOK || len(ready.Checks) != 3 || ready.Status != "ready" {
		t.Fatalf("/readyz = %d %+v, want 200 with db, nats and minio", resp.StatusCode, ready)
	}

	resp = post(t, base+"/demo/things", `{"ID":"t-1","Name":"Sổ đăng ký khai sinh"}`)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /demo/things = %d", resp.StatusCode)
	}
	var msg *nats.Msg
	select {
	case msg = <-received:
	case <-time.After(30 * time.Second):
		t.Fatal("the event never reached NATS")
	}
	evt, err := events.Decode(msg.Data)
	if err != nil {
		t.Fatal(err)
	}
	if evt.Subject() != "t-1" || msg.Header.Get(nats.MsgIdHdr) != evt.ID() {
		t.Fatalf("event subject %q, Nats-Msg-Id %q, want t-1 and the event id %q", evt.Subject(), msg.Header.Get(nats.MsgIdHdr), evt.ID())
	}
	if !strings.HasPrefix(http.Header(msg.Header).Get("traceparent"), "00-") {
		t.Fatalf("the event carries no trace context: headers %v", msg.Header)
	}

	resp = post(t, base+"/demo/things", `{"ID":1}`)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("malformed body = %d, want 400", resp.StatusCode)
	}
	resp.Body.Close()

	resp = get(t, base+"/metrics")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "http_server_request") || !strings.Contains(string(body), `service_name="demo"`) {
		t.Fatalf("/metrics lacks the HTTP server metrics of service demo:\n%.2000s", body)
	}

	var server, published bool
	var serverTrace string
	for deadline := time.Now().Add(10 * time.Second); (!server || !published) && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, s := range spans.GetSpans() {
			if strings.Contains(s.Name, "/demo/things") && !server {
				server, serverTrace = true, s.SpanContext.TraceID().String()
			}
			published = published || strings.Contains(s.Name, "publish")
		}
	}
	// The event was written inside the request, so it carries the request's trace onward.
	if tp := http.Header(msg.Header).Get("traceparent"); serverTrace == "" || !strings.Contains(tp, serverTrace) {
		t.Errorf("event traceparent %q is not in the request's trace %q", tp, serverTrace)
	}
	if !server || !published {
		t.Errorf("spans recorded: server %v, publish %v; want both", server, published)
	}

	cancel()
	select {
	case err := <-runErr:
		if err != nil {
			t.Fatalf("Run after cancel: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if err := rt.DB.Exec("SELECT 1").Error; err == nil {
		t.Error("the database is still open after Run returned")
	}
	if !strings.Contains(logs.String(), `"msg":"stopped"`) {
		t.Errorf("no stop log line in:\n%s", logs.String())
	}
}

func TestStartNamesTheDependencyThatFailed(t *testing.T) {
	_, err := Start(context.Background(), Options{
		Service: "demo",
		Common: config.Common{DatabaseDSN: "sqlite://" + t.TempDir() + "/demo.db",
			NATSURL: fmt.Sprintf("nats://127.0.0.1:%d", testenv.FreePort(t))},
		Events:    true,
		LogOutput: io.Discard,
	})
	if err == nil || !strings.Contains(err.Error(), "NATS") {
		t.Fatalf("Start with NATS down: err = %v, want one naming NATS", err)
	}
	_, err = Start(context.Background(), Options{Service: "demo", Common: config.Common{DatabaseDSN: "mysql://x"}, LogOutput: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "database") {
		t.Fatalf("Start with a bad DSN: err = %v, want one naming the database", err)
	}
}

func get(t *testing.T, url string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func post(t *testing.T, url, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func decode(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}
