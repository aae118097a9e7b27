package devstack

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// echoUpstream answers with what reached it, as a service behind the gateway would see it.
func echoUpstream(t *testing.T, name string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/readyz" {
			w.WriteHeader(http.StatusOK)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{
			"service": name, "path": r.URL.Path, "query": r.URL.RawQuery, "host": r.Host,
			"xff": r.Header.Get("X-Forwarded-For"), "xfh": r.Header.Get("X-Forwarded-Host"),
			"xfp": r.Header.Get("X-Forwarded-Proto"),
		})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func hostOf(t *testing.T, s *httptest.Server) string {
	t.Helper()
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

type statusMap map[string]Status

func (m statusMap) get(name string) Status { return m[name] }

func testGateway(t *testing.T, status statusMap, deps ...Dependency) (*httptest.Server, map[string]*httptest.Server) {
	t.Helper()
	ups := map[string]*httptest.Server{
		"identity":    echoUpstream(t, "identity"),
		"identity-ui": echoUpstream(t, "identity-ui"),
		"dossiers":    echoUpstream(t, "dossiers"),
	}
	routes := []Route{
		{Name: "identity", Prefix: "/auth", Addr: hostOf(t, ups["identity"]), Readyz: "/readyz"},
		{Name: "identity-ui", Prefix: "/auth/ui", Addr: hostOf(t, ups["identity-ui"]), Readyz: "/readyz"},
		{Name: "dossiers", Prefix: "/dossiers", Addr: hostOf(t, ups["dossiers"]), Readyz: "/readyz"},
		{Name: "hr", Prefix: "/hr", Addr: "127.0.0.1:1", Readyz: "/readyz"},
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	gw := httptest.NewServer(NewGateway(log, routes, status.get, deps, []Link{{Name: "NATS", Note: "nats://127.0.0.1:4222"}}))
	t.Cleanup(gw.Close)
	return gw, ups
}

func running() statusMap {
	return statusMap{
		"identity": {State: StateRunning}, "identity-ui": {State: StateRunning},
		"dossiers": {State: StateRunning}, "hr": {State: StateNotInstalled},
	}
}

func getJSON(t *testing.T, req *http.Request) (*http.Response, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("%s %s: body is not JSON: %v", req.Method, req.URL, err)
	}
	return resp, body
}

func TestGatewayRoutesByLongestPrefixKeepingIt(t *testing.T) {
	t.Parallel()
	gw, _ := testGateway(t, running())
	for path, want := range map[string]string{
		"/auth":                     "identity",
		"/auth/.well-known/openid":  "identity",
		"/auth/ui/login":            "identity-ui",
		"/auth/ui":                  "identity-ui",
		"/auth/uix":                 "identity", // a prefix ends at a segment boundary
		"/dossiers/api/v1/dossiers": "dossiers",
	} {
		req, _ := http.NewRequest(http.MethodGet, gw.URL+path+"?q=1", nil)
		resp, body := getJSON(t, req)
		if resp.StatusCode != http.StatusOK || body["service"] != want {
			t.Errorf("%s: got %d from %v, want %s", path, resp.StatusCode, body["service"], want)
			continue
		}
		if body["path"] != path || body["query"] != "q=1" {
			t.Errorf("%s: upstream saw path %v query %v; the prefix and query must be kept", path, body["path"], body["query"])
		}
	}
}

func TestGatewaySetsForwardedHeaders(t *testing.T) {
	t.Parallel()
	gw, _ := testGateway(t, running())
	req, _ := http.NewRequest(http.MethodGet, gw.URL+"/dossiers/x", nil)
	req.Host = "localhost:8080"
	// A client must not be able to choose the address the service sees.
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	_, body := getJSON(t, req)
	if body["xff"] != "127.0.0.1" {
		t.Errorf("X-Forwarded-For = %v, want only 127.0.0.1", body["xff"])
	}
	if body["xfh"] != "localhost:8080" || body["xfp"] != "http" {
		t.Errorf("X-Forwarded-Host %v / -Proto %v", body["xfh"], body["xfp"])
	}
	if body["host"] != "localhost:8080" {
		t.Errorf("Host = %v; the browser's host must be kept as behind the ingress", body["host"])
	}
}

func TestGatewayAnswersProblemForServiceNotRunning(t *testing.T) {
	t.Parallel()
	st := running()
	st["dossiers"] = Status{State: StateRestarting}
	gw, _ := testGateway(t, st)
	for path, svc := range map[string]string{"/hr/units": "hr", "/dossiers": "dossiers"} {
		req, _ := http.NewRequest(http.MethodGet, gw.URL+path, nil)
		resp, body := getJSON(t, req)
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s: status %d, want 503", path, resp.StatusCode)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			t.Errorf("%s: Content-Type %q", path, ct)
		}
		detail, _ := body["detail"].(string)
		if !strings.Contains(detail, "Dịch vụ "+svc) || !strings.Contains(detail, "chưa chạy") {
			t.Errorf("%s: detail %q is not the Vietnamese not-running message", path, detail)
		}
		if body["code"] != "service_not_running" || body["status"] != float64(503) || body["service"] != svc {
			t.Errorf("%s: problem %v", path, body)
		}
	}
}

func TestGatewayUnknownPathIsNotFoundProblem(t *testing.T) {
	t.Parallel()
	gw, _ := testGateway(t, running())
	req, _ := http.NewRequest(http.MethodGet, gw.URL+"/nowhere", nil)
	resp, body := getJSON(t, req)
	if resp.StatusCode != http.StatusNotFound || body["code"] != "not_found" {
		t.Errorf("got %d %v", resp.StatusCode, body)
	}
}

func TestGatewayUnreachableUpstreamIsBadGateway(t *testing.T) {
	t.Parallel()
	st := running()
	st["hr"] = Status{State: StateRunning} // running, but nothing listens on 127.0.0.1:1
	gw, _ := testGateway(t, st)
	req, _ := http.NewRequest(http.MethodGet, gw.URL+"/hr", nil)
	resp, body := getJSON(t, req)
	if resp.StatusCode != http.StatusBadGateway || body["code"] != "upstream_unreachable" {
		t.Errorf("got %d %v", resp.StatusCode, body)
	}
}

func TestGatewayLivez(t *testing.T) {
	t.Parallel()
	gw, _ := testGateway(t, running())
	req, _ := http.NewRequest(http.MethodGet, gw.URL+"/livez", nil)
	resp, body := getJSON(t, req)
	if resp.StatusCode != http.StatusOK || body["status"] != "ok" || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("got %d %v", resp.StatusCode, body)
	}
}

func TestGatewayReadyz(t *testing.T) {
	t.Parallel()
	ok := Dependency{Name: "nats", Check: func(context.Context) error { return nil }}
	gw, _ := testGateway(t, running(), ok)
	req, _ := http.NewRequest(http.MethodGet, gw.URL+"/readyz", nil)
	resp, body := getJSON(t, req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("got %d %v", resp.StatusCode, body)
	}
	checks := body["checks"].(map[string]any)
	if _, counted := checks["hr"]; counted {
		t.Error("a service without code must not count against readiness")
	}
	for _, n := range []string{"identity", "dossiers", "nats"} {
		if c, _ := checks[n].(map[string]any); c["status"] != "ok" {
			t.Errorf("%s: %v", n, checks[n])
		}
	}

	down := Dependency{Name: "minio", Check: func(context.Context) error { return errors.New("connection refused") }}
	gw2, _ := testGateway(t, running(), ok, down)
	req, _ = http.NewRequest(http.MethodGet, gw2.URL+"/readyz", nil)
	resp, body = getJSON(t, req)
	if resp.StatusCode != http.StatusServiceUnavailable || body["status"] != "not ready" {
		t.Errorf("with MinIO down: %d %v", resp.StatusCode, body)
	}

	st := running()
	st["dossiers"] = Status{State: StateBuildFailed}
	gw3, _ := testGateway(t, st, ok)
	req, _ = http.NewRequest(http.MethodGet, gw3.URL+"/readyz", nil)
	if resp, body = getJSON(t, req); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("with a service that failed to build: %d %v", resp.StatusCode, body)
	}
}

func TestGatewayLandingPage(t *testing.T) {
	t.Parallel()
	gw, _ := testGateway(t, running())
	resp, err := http.Get(gw.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	page := string(b)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("got %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{`lang="vi"`, `href="/auth/"`, "identity", "hr", "chưa cài đặt", "đang chạy", "nats://127.0.0.1:4222"} {
		if !strings.Contains(page, want) {
			t.Errorf("landing page lacks %q", want)
		}
	}
	if strings.Contains(page, `href="/hr/"`) {
		t.Error("a service that is not running must not be linked")
	}
}
