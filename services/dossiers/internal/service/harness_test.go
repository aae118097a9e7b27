package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.opentelemetry.io/otel/trace/noop"
	"go.yaml.in/yaml/v3"
	"gorm.io/gorm"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/config"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/services/dossiers/api"
	"egov.vn/platform/services/dossiers/internal/service"
	"egov.vn/platform/services/identity/identitytest"
)

// harness is the dossiers service running for real on a loopback port against a real identity.
type harness struct {
	t      *testing.T
	IDP    *identitytest.Server
	Base   string // http://127.0.0.1:port/dossiers
	Svc    *service.Dossiers
	DB     *gorm.DB
	client *http.Client

	mu        sync.Mutex
	responses []recorded
}

type recorded struct {
	Method, Path, ContentType string
	Status                    int
	Body                      []byte
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
	svc, err := service.New(context.Background(), cfg, service.Deps{DB: db, Outbox: events.NewOutbox(nil), Log: log,
		Tracer: noop.NewTracerProvider().Tracer("test")})
	if err != nil {
		t.Fatal(err)
	}
	engine := httpapi.NewEngine(httpapi.Options{Logger: log})
	svc.Routes(engine)
	srv := &http.Server{Handler: engine, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	h := &harness{t: t, IDP: idp, Base: base, Svc: svc, DB: db}
	h.client = &http.Client{Timeout: 30 * time.Second, Transport: recorder{h: h, next: http.DefaultTransport}}
	return h
}

// recorder keeps every API response for the contract check.
type recorder struct {
	h    *harness
	next http.RoundTripper
}

func (r recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil || !strings.Contains(req.URL.Path, "/dossiers/api/v1/") {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	r.h.mu.Lock()
	r.h.responses = append(r.h.responses, recorded{Method: req.Method, Path: strings.TrimPrefix(req.URL.Path, "/dossiers/api/v1"),
		ContentType: resp.Header.Get("Content-Type"), Status: resp.StatusCode, Body: body})
	r.h.mu.Unlock()
	return resp, nil
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

// checkContract validates every recorded API answer against api/openapi.yaml: the route and
// status are documented, and a JSON body matches the documented schema.
func (h *harness) checkContract(t *testing.T) {
	t.Helper()
	var doc any
	if err := yaml.Unmarshal(api.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(doc)
	jdoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("https://egov.vn/dossiers/openapi.json", jdoc); err != nil {
		t.Fatal(err)
	}
	paths := doc.(map[string]any)["paths"].(map[string]any)
	type route struct {
		re       *regexp.Regexp
		template string
	}
	var routes []route
	for p := range paths {
		re := "^" + regexp.MustCompile(`\\\{[^}]+\\\}`).ReplaceAllString(regexp.QuoteMeta(p), `[^/]+`) + "$"
		routes = append(routes, route{regexp.MustCompile(re), p})
	}
	checked := 0
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.responses {
		var tmpl string
		for _, rt := range routes {
			// A literal path beats a template (/procedures/export vs /procedures/{code}).
			if rt.re.MatchString(r.Path) && (tmpl == "" || !strings.Contains(rt.template, "{")) {
				tmpl = rt.template
			}
		}
		if tmpl == "" {
			t.Errorf("%s %s (%d) is not in the contract", r.Method, r.Path, r.Status)
			continue
		}
		op, ok := paths[tmpl].(map[string]any)[strings.ToLower(r.Method)].(map[string]any)
		if !ok {
			t.Errorf("%s %s: method not in the contract", r.Method, tmpl)
			continue
		}
		resp, ok := op["responses"].(map[string]any)[fmt.Sprint(r.Status)]
		if !ok {
			t.Errorf("%s %s answered %d, which the contract does not list: %s", r.Method, tmpl, r.Status, r.Body)
			continue
		}
		ct, _, _ := strings.Cut(r.ContentType, ";")
		if ct != "application/json" && ct != "application/problem+json" || len(r.Body) == 0 {
			continue
		}
		ptr := "#/paths/" + url.PathEscape(strings.ReplaceAll(tmpl, "/", "~1")) + "/" + strings.ToLower(r.Method) +
			"/responses/" + fmt.Sprint(r.Status) + "/content/" + strings.ReplaceAll(ct, "/", "~1") + "/schema"
		if m, _ := resp.(map[string]any); m != nil && m["$ref"] != nil {
			ptr = "#/components/responses/Problem/content/application~1problem+json/schema"
		}
		sch, err := c.Compile("https://egov.vn/dossiers/openapi.json" + ptr)
		if err != nil {
			t.Errorf("%s %s %d: no schema for %s: %v", r.Method, tmpl, r.Status, ct, err)
			continue
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.Body))
		if err != nil {
			t.Errorf("%s %s: body is not JSON: %v", r.Method, tmpl, err)
			continue
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("%s %s %d: answer does not match the contract: %v\n%s", r.Method, tmpl, r.Status, err, r.Body)
		}
		checked++
	}
	if checked < 20 {
		t.Errorf("only %d answers were checked against the contract", checked)
	}
}
