package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace/noop"
	"golang.org/x/oauth2/clientcredentials"
	"gorm.io/gorm"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/config"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/httpapi/openapitest"
	"egov.vn/platform/libs/objstore"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/services/hr/api"
	"egov.vn/platform/services/hr/internal/adapters"
	"egov.vn/platform/services/hr/internal/service"
	"egov.vn/platform/services/identity/identitytest"
)

// harness is HR running for a test against a real identity (identitytest) on loopback ports.
type harness struct {
	IDP  *identitytest.Server
	HR   *service.Service
	DB   *gorm.DB
	Base string // http://127.0.0.1:port/hr

	// answers records every API answer the test provokes, for checkContract.
	answers *openapitest.Recorder
	client  *http.Client
}

type options struct{ minio bool }

func startHR(t testing.TB, db *gorm.DB, opts ...func(*options)) *harness {
	t.Helper()
	var o options
	for _, f := range opts {
		f(&o)
	}
	idp := identitytest.Start(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String() + "/hr"
	id, secret := idp.ServiceClient(t, "hr", base)
	cfg := service.Config{
		Common: config.Common{HTTPAddr: ln.Addr().String(), PublicBaseURL: base, LogLevel: slog.LevelInfo, ShutdownTimeout: 5 * time.Second},
		ServiceConfig: auth.ServiceConfig{OIDCIssuer: idp.Issuer, OIDCClientID: id, OIDCClientSecret: secret,
			SecretKey: strings.Repeat("ab", 32)},
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	deps := bootstrap.Deps{DB: db, Outbox: events.NewOutbox(nil), Log: log, Tracer: noop.NewTracerProvider().Tracer("hr-test")}
	if o.minio {
		m := testenv.MinIO(t)
		deps.Objects, err = objstore.New(objstore.Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey})
		if err != nil {
			t.Fatal(err)
		}
	}
	// The bootstrap migrates before New in production; the harness does it by hand.
	if err := adapters.Migrate(context.Background(), deps.DB); err != nil {
		t.Fatal(err)
	}
	hr, err := service.New(context.Background(), cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	engine := httpapi.NewEngine(httpapi.Options{Logger: log})
	hr.Routes(engine)
	srv := &http.Server{Handler: engine, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	answers := openapitest.NewRecorder("/hr/api/v1")
	return &harness{IDP: idp, HR: hr, DB: db, Base: base, answers: answers,
		client: &http.Client{Timeout: 30 * time.Second, Transport: answers.Transport(nil)}}
}

// checkContract validates every API answer recorded so far against api/openapi.yaml
// (libs/httpapi/openapitest): the route and status are documented, and a JSON body matches the
// documented schema. atLeast guards against a harness that stopped recording.
func (h *harness) checkContract(t testing.TB, atLeast int) {
	t.Helper()
	h.answers.Validate(t, api.OpenAPI, atLeast)
}

// person returns an access token for a staff account (made at identity) with the hr audience.
func (h *harness) person(t testing.TB, tenant, username string, roles ...string) string {
	t.Helper()
	return h.IDP.Token(t, identitytest.Person{Tenant: tenant, Username: username, Name: username, Roles: roles}, "hr")
}

func (h *harness) operator(t testing.TB) string {
	t.Helper()
	cc := clientcredentials.Config{ClientID: h.IDP.Operator.ID, ClientSecret: h.IDP.Operator.Secret, TokenURL: h.IDP.Issuer + "/oauth/token"}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tok.AccessToken
}

// call sends a JSON request (body may be nil, a []byte sent as is, or a value to encode) and
// decodes a JSON answer.
func (h *harness) call(t testing.TB, token, method, path string, body any) (int, map[string]any) {
	t.Helper()
	st, raw := h.raw(t, token, method, path, "application/json", body)
	var out map[string]any
	if len(raw) > 0 && (raw[0] == '{' || raw[0] == '[') {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: answer is not JSON: %v %s", method, path, err, raw)
		}
	}
	return st, out
}

func (h *harness) raw(t testing.TB, token, method, path, contentType string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, h.Base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, raw
}

// unitID finds a unit's id by code in a units answer.
func unitID(t testing.TB, units map[string]any, code string) string {
	t.Helper()
	for _, u := range units["units"].([]any) {
		if m := u.(map[string]any); m["code"] == code {
			return m["id"].(string)
		}
	}
	t.Fatalf("no unit %s in %v", code, units)
	return ""
}
