package service_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/trace/noop"
	"gorm.io/gorm"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/config"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/httpapi/openapitest"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/services/identity/identitytest"
	reportingapi "egov.vn/platform/services/reporting/api"
	"egov.vn/platform/services/reporting/internal/adapters"
	"egov.vn/platform/services/reporting/internal/service"
)

// harness is reporting on a loopback port with a real identity, a private JetStream (the test
// makes the platform stream on egov.>) and a fresh SQLite database, its consumer running.
type harness struct {
	t      *testing.T
	idp    *identitytest.Server
	rep    *service.Service
	db     *gorm.DB
	js     jetstream.JetStream
	origin string // http://127.0.0.1:port
	base   string // origin + /reports

	// answers records what the API answers during the test; at its end checkContract wants at
	// least answersAtLeast JSON answers validated, so that a harness that stopped recording fails.
	answers        *openapitest.Recorder
	answersAtLeast int
}

func start(t *testing.T) *harness {
	t.Helper()
	idp := identitytest.Start(t)
	nc, err := nats.Connect("nats://" + testenv.StartNATS(t).Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := events.EnsureStream(context.Background(), js, bootstrap.Stream); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	origin := "http://" + ln.Addr().String()
	base := origin + "/reports"
	id, secret := idp.ServiceClient(t, service.Name, base)
	cfg := service.Config{
		Common:        config.Common{HTTPAddr: ln.Addr().String(), PublicBaseURL: base, ShutdownTimeout: time.Second},
		ServiceConfig: auth.ServiceConfig{OIDCIssuer: idp.Issuer, OIDCClientID: id, OIDCClientSecret: secret, SecretKey: randomHex(32)},
		Durable:       "reporting", IngestBatch: 100,
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db := storetest.SQLite(t)
	// The bootstrap migrates before New in production; the harness does it by hand.
	if err := adapters.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	rep, err := service.New(context.Background(), cfg, bootstrap.Deps{DB: db, JetStream: js, Tracer: noop.NewTracerProvider().Tracer("test"), Log: log})
	if err != nil {
		t.Fatal(err)
	}
	rep.Ingest.MaxWait = 50 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = rep.Ingest.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	engine := httpapi.NewEngine(httpapi.Options{Logger: log})
	// Every answer the API gives during the test, to the harness's client, to a raw request or
	// to Chromium, is recorded and held to api/openapi.yaml once the test is done.
	answers := openapitest.NewRecorder("/reports/api/v1")
	engine.Use(answers.Middleware())
	rep.Routes(engine)
	srv := httptest.NewUnstartedServer(engine)
	_ = srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	h := &harness{t: t, idp: idp, rep: rep, db: db, js: js, origin: origin, base: base, answers: answers, answersAtLeast: 1}
	t.Cleanup(h.checkContract)
	return h
}

// checkContract holds every API answer of the test to api/openapi.yaml (libs/httpapi/openapitest):
// its route and status are documented, and a JSON body matches the documented schema. It runs
// when the test is done, after its last call.
func (h *harness) checkContract() {
	h.t.Helper()
	h.answers.Validate(h.t, reportingapi.OpenAPI, h.answersAtLeast)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// viewer is a token of a person of tenant with roles, for the reporting audience.
func (h *harness) viewer(tenant, username string, roles ...string) string {
	h.t.Helper()
	return h.idp.Token(h.t, identitytest.Person{Tenant: tenant, Username: username, Name: "Người xem " + username, Roles: roles}, service.Name)
}

type response struct {
	status int
	body   []byte
	header http.Header
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("not JSON (%d): %s", r.status, r.body)
	}
	return m
}

func (h *harness) do(token, method, path string, body any) response {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, h.base+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, body: b, header: resp.Header}
}

// dossierEvent publishes one dossier event as the dossiers relay would.
func (h *harness) publish(tenant, service, entity, verb string, data map[string]any) {
	h.t.Helper()
	evt, err := events.New(events.Topic{Tenant: tenant, Service: service, Entity: entity, Verb: verb}, "", data)
	if err != nil {
		h.t.Fatal(err)
	}
	body, err := evt.MarshalJSON()
	if err != nil {
		h.t.Fatal(err)
	}
	msg := &nats.Msg{Subject: "egov." + tenant + "." + service + "." + entity + "." + verb, Data: body, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, evt.ID())
	if _, err := h.js.PublishMsg(context.Background(), msg); err != nil {
		h.t.Fatal(err)
	}
}

// dossier publishes a dossier's life: received in March 2026 and, when resolved, its result
// (on time or late) and a rating.
func (h *harness) dossier(tenant, id, receipt string, resolved, onTime bool, rating string) {
	h.t.Helper()
	rec := time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)
	due := rec.Add(5 * 24 * time.Hour)
	base := func(v int, state string, at time.Time) map[string]any {
		return map[string]any{"dossier_id": id, "receipt_code": receipt, "tenant": tenant, "procedure_code": "1.001",
			"procedure_name": "Đăng ký khai sinh", "field": "Hộ tịch", "level": "commune", "channel": "online", "state": state,
			"version": v, "received_at": rec, "due_at": due, "occurred_at": at}
	}
	d := base(1, "received", rec)
	d["legal_minutes"] = 2400
	h.publish(tenant, "dossiers", "dossier", "received", d)
	if !resolved {
		return
	}
	res := rec.Add(3 * 24 * time.Hour)
	if !onTime {
		res = rec.Add(8 * 24 * time.Hour)
	}
	d = base(2, "result_ready", res)
	d["resolved_at"], d["on_time"], d["elapsed_minutes"], d["legal_minutes"] = res, onTime, 1200, 2400
	h.publish(tenant, "dossiers", "dossier", "result-ready", d)
	if rating != "" {
		d = base(3, "returned", res.Add(time.Hour))
		d["rating"] = rating
		h.publish(tenant, "dossiers", "dossier", "rated", d)
	}
}

// caughtUp waits until the consumer has applied everything published.
func (h *harness) caughtUp() {
	h.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if c, err := h.js.Consumer(context.Background(), bootstrap.Stream, "reporting"); err == nil {
			if info, err := c.Info(context.Background()); err == nil && info.NumPending == 0 && info.NumAckPending == 0 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	h.t.Fatal("the consumer did not catch up")
}

// seed publishes a small known history: xa-dong-tan 3 dossiers (2 resolved: 1 on time, 1 late;
// ratings satisfied and not satisfied), xa-dong-la 2 dossiers (1 resolved on time, very
// satisfied).
func (h *harness) seed() {
	h.t.Helper()
	h.dossier("xa-dong-tan", "0190b7a4-0000-7000-8000-000000000001", "UBXDT-260310-0001", true, true, "satisfied")
	h.dossier("xa-dong-tan", "0190b7a4-0000-7000-8000-000000000002", "UBXDT-260310-0002", true, false, "not_satisfied")
	h.dossier("xa-dong-tan", "0190b7a4-0000-7000-8000-000000000003", "UBXDT-260310-0003", false, false, "")
	h.dossier("xa-dong-la", "0190b7a4-0000-7000-8000-000000000004", "UBXDL-260310-0001", true, true, "very_satisfied")
	h.dossier("xa-dong-la", "0190b7a4-0000-7000-8000-000000000005", "UBXDL-260310-0002", false, false, "")
	h.caughtUp()
}
