package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace/noop"
	"gorm.io/gorm"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/config"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/httpapi/openapitest"
	"egov.vn/platform/services/dossiers/api"
	"egov.vn/platform/services/dossiers/internal/adapters"
	"egov.vn/platform/services/dossiers/internal/service"
	"egov.vn/platform/services/identity/identitytest"
)

// harness is the dossiers service running for real on a loopback port against a real identity.
type harness struct {
	t      *testing.T
	IDP    *identitytest.Server
	Base   string // http://127.0.0.1:port/dossiers
	Svc    *service.Service
	DB     *gorm.DB
	client *http.Client

	answers *openapitest.Recorder
}

func start(t *testing.T, db *gorm.DB) *harness {
	t.Helper()
	idp := identitytest.Start(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	origin := "http://" + ln.Addr().String()
	base := origin + "/dossiers"
	id, secret := idp.ServiceClient(t, service.Name, base)
	cfg := service.Config{
		Common:          config.Common{HTTPAddr: ln.Addr().String(), PublicBaseURL: base, LogLevel: slog.LevelInfo, ShutdownTimeout: 5 * time.Second},
		ServiceConfig:   auth.ServiceConfig{OIDCIssuer: idp.Issuer, OIDCClientID: id, OIDCClientSecret: secret, SecretKeyFile: t.TempDir() + "/key"},
		OverdueInterval: time.Minute, LookupLimit: 10, LookupWindow: 10 * time.Minute,
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	// The bootstrap migrates before New in production; the harness does it by hand.
	if err := adapters.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	svc, err := service.New(context.Background(), cfg, bootstrap.Deps{DB: db, Outbox: events.NewOutbox(nil), Log: log,
		Tracer: noop.NewTracerProvider().Tracer("test")})
	if err != nil {
		t.Fatal(err)
	}
	engine := httpapi.NewEngine(httpapi.Options{Logger: log})
	svc.Routes(engine)
	srv := &http.Server{Handler: engine, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	h := &harness{t: t, IDP: idp, Base: base, Svc: svc, DB: db, answers: openapitest.NewRecorder("/dossiers/api/v1")}
	h.client = &http.Client{Timeout: 30 * time.Second, Transport: h.answers.Transport(nil)}
	return h
}

// Person tokens of the test tree.
func (h *harness) token(tenant, user string, roles ...string) string {
	return h.IDP.Token(h.t, identitytest.Person{Tenant: tenant, Username: user, Name: "Cán bộ " + user, Roles: roles}, "dossiers")
}

func (h *harness) operator() string {
	return h.IDP.ServiceToken(h.t, "tenant-operator-test", "tinh-thai-binh", []string{"platform.admin"}, "dossiers")
}

// do sends a JSON request and decodes a JSON answer into out (when not nil).
func (h *harness) do(method, path, token string, body any, out any) int {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, h.Base+"/api/v1"+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			h.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
	return resp.StatusCode
}

func (h *harness) provision(slug, code, name, kind, parent string) {
	h.t.Helper()
	var out map[string]any
	if st := h.do("PUT", "/tenants/"+slug, h.operator(), map[string]string{"code": code, "name": name, "kind": kind, "parent": parent}, &out); st != 200 {
		h.t.Fatalf("provision %s: %d %v", slug, st, out)
	}
}

// checkContract validates every recorded API answer against api/openapi.yaml
// (libs/httpapi/openapitest): the route and status are documented, and a JSON body matches the
// documented schema.
func (h *harness) checkContract(t *testing.T) {
	t.Helper()
	h.answers.Validate(t, api.OpenAPI, 20)
}
