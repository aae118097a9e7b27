package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/testenv"
)

func newServer(t *testing.T, opts httpapi.Options, routes func(*gin.Engine)) (*httptest.Server, *testenv.Buffer) {
	t.Helper()
	logs := &testenv.Buffer{}
	opts.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	e := httpapi.NewEngine(opts)
	if routes != nil {
		routes(e)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv, logs
}

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func do(t *testing.T, req *http.Request) response {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := response{status: res.StatusCode, header: res.Header, raw: string(raw)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			t.Fatalf("body is not a JSON object: %q", raw)
		}
	}
	return r
}

func get(t *testing.T, url string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, req)
}

func post(t *testing.T, url, body string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return do(t, req)
}

func assertProblem(t *testing.T, r response, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.raw)
	}
	if ct := r.header.Get("Content-Type"); ct != httpapi.ContentTypeProblem {
		t.Fatalf("Content-Type = %q, want %q", ct, httpapi.ContentTypeProblem)
	}
	if r.body["code"] != code || r.body["status"] != float64(status) {
		t.Fatalf("code/status = %v/%v, want %s/%d; body %s", r.body["code"], r.body["status"], code, status, r.raw)
	}
	if r.body["type"] != "urn:egov:problem:"+code || r.body["title"] != http.StatusText(status) {
		t.Fatalf("type/title = %v/%v; body %s", r.body["type"], r.body["title"], r.raw)
	}
	if id := r.header.Get(httpapi.HeaderRequestID); id == "" || r.body["request_id"] != id {
		t.Fatalf("request_id = %v, header %q", r.body["request_id"], id)
	}
}

func fields(r response) map[string]string {
	out := map[string]string{}
	list, _ := r.body["fields"].([]any)
	for _, f := range list {
		m := f.(map[string]any)
		out[m["field"].(string)] = m["reason"].(string)
	}
	return out
}

func TestErrorKindsMapToProblems(t *testing.T) {
	t.Parallel()
	var errs apperr.FieldErrors
	errs.Add("applicant.phone", "must have 10 digits")
	errs.Add("procedure_code", "is required")

	cases := map[string]struct {
		err    error
		status int
		code   string
		fields map[string]string
	}{
		"not_found":       {apperr.NotFound("dossier", "HS-9"), 404, "not_found", nil},
		"conflict":        {apperr.Conflict("dossier_version_conflict", "reload the dossier"), 409, "dossier_version_conflict", nil},
		"invalid":         {errs.Err(), 422, "invalid", map[string]string{"applicant.phone": "must have 10 digits", "procedure_code": "is required"}},
		"malformed":       {apperr.Malformed("limit", "must be a number"), 400, "bad_request", map[string]string{"limit": "must be a number"}},
		"forbidden":       {apperr.Forbidden("needs role dossier.approve"), 403, "forbidden", nil},
		"unauthenticated": {apperr.Unauthenticated("sign in again"), 401, "unauthenticated", nil},
		"unavailable":     {apperr.Unavailable("document storage", errors.New("dial tcp 10.0.0.5:9000: refused")), 503, "unavailable", nil},
		"wrapped":         {fmt.Errorf("receive: %w", apperr.NotFound("procedure", "1.001")), 404, "not_found", nil},
	}
	srv, _ := newServer(t, httpapi.Options{}, func(e *gin.Engine) {
		e.GET("/err/:case", func(c *gin.Context) { httpapi.RespondError(c, cases[c.Param("case")].err) })
	})
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := get(t, srv.URL+"/err/"+name)
			assertProblem(t, r, tc.status, tc.code)
			if r.body["instance"] != "/err/"+name || r.body["detail"] == "" {
				t.Fatalf("instance/detail = %v/%v", r.body["instance"], r.body["detail"])
			}
			if got := fields(r); len(got) != len(tc.fields) || fmt.Sprint(got) != fmt.Sprint(tc.fields) {
				t.Fatalf("fields = %v, want %v", got, tc.fields)
			}
			if strings.Contains(r.raw, "10.0.0.5") {
				t.Fatalf("cause leaked: %s", r.raw)
			}
		})
	}

	t.Run("unauthenticated challenge", func(t *testing.T) {
		t.Parallel()
		if got := get(t, srv.URL+"/err/unauthenticated").header.Get("WWW-Authenticate"); got != "Bearer" {
			t.Fatalf("WWW-Authenticate = %q", got)
		}
	})
}

func TestDetailsBecomeMembersAndCannotOverrideStandardOnes(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, httpapi.Options{}, func(e *gin.Engine) {
		e.POST("/dossiers/:id/approve", func(c *gin.Context) {
			httpapi.RespondError(c, apperr.Conflict("transition_not_allowed", "the dossier is already approved").
				WithDetail("allowed_actions", []string{"return_result"}).
				WithDetail("status", 200))
		})
	})
	r := post(t, srv.URL+"/dossiers/7/approve", "")
	assertProblem(t, r, 409, "transition_not_allowed")
	if fmt.Sprint(r.body["allowed_actions"]) != "[return_result]" {
		t.Fatalf("allowed_actions = %v", r.body["allowed_actions"])
	}
}

func TestUnknownErrorIs500WithoutItsMessage(t *testing.T) {
	t.Parallel()
	srv, logs := newServer(t, httpapi.Options{}, func(e *gin.Engine) {
		e.GET("/boom", func(c *gin.Context) {
			httpapi.RespondError(c, errors.New("pq: password authentication failed for user egov"))
		})
		// The c.Error path must end in the same mapping.
		e.GET("/via-context", func(c *gin.Context) { _ = c.Error(apperr.NotFound("record", 3)) })
	})
	r := get(t, srv.URL+"/boom")
	assertProblem(t, r, 500, "internal")
	if strings.Contains(r.raw, "password") {
		t.Fatalf("internal error leaked to the caller: %s", r.raw)
	}
	if !strings.Contains(logs.String(), "pq: password authentication failed") ||
		!strings.Contains(logs.String(), r.header.Get(httpapi.HeaderRequestID)) {
		t.Fatalf("real error or request id not logged: %s", logs.String())
	}

	assertProblem(t, get(t, srv.URL+"/via-context"), 404, "not_found")
}

func TestPanicBecomes500Problem(t *testing.T) {
	t.Parallel()
	srv, logs := newServer(t, httpapi.Options{}, func(e *gin.Engine) {
		e.GET("/panic", func(c *gin.Context) { panic("nil map in routing table") })
	})
	r := get(t, srv.URL+"/panic")
	assertProblem(t, r, 500, "internal")
	if strings.Contains(r.raw, "routing table") {
		t.Fatalf("panic value leaked: %s", r.raw)
	}
	if !strings.Contains(logs.String(), "nil map in routing table") {
		t.Fatalf("panic not logged: %s", logs.String())
	}
	// The server survived.
	if get(t, srv.URL+"/livez").status != 200 {
		t.Fatal("livez failed after a panic")
	}
}

type intake struct {
	ProcedureCode string `json:"procedure_code"`
	Applicant     struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
	} `json:"applicant"`
	Copies int `json:"copies"`
}

func bindRoutes(e *gin.Engine) {
	h := func(c *gin.Context) {
		var in intake
		if err := httpapi.BindJSON(c, &in); err != nil {
			httpapi.RespondError(c, err)
			return
		}
		c.JSON(http.StatusCreated, in)
	}
	e.POST("/intake", h)
	e.POST("/upload", httpapi.MaxBody(1<<20), h)
}

func TestBindJSON(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, httpapi.Options{}, bindRoutes)

	ok := post(t, srv.URL+"/intake", `{"procedure_code":"1.001","applicant":{"name":"Nguyễn Văn A"},"copies":2}`)
	if ok.status != 201 || ok.body["procedure_code"] != "1.001" {
		t.Fatalf("valid body: %d %s", ok.status, ok.raw)
	}

	cases := map[string]struct {
		body  string
		field string
	}{
		"wrong type nested": {`{"applicant":{"name":42}}`, "applicant.name"},
		"wrong type":        {`{"copies":"two"}`, "copies"},
		"unknown field":     {`{"procedure_cod":"1.001"}`, "procedure_cod"},
		"syntax":            {`{"copies":2,}`, ""},
		"empty":             {``, ""},
		"cut off":           {`{"copies":`, ""},
		"two values":        {`{} {}`, ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := post(t, srv.URL+"/intake", tc.body)
			assertProblem(t, r, 400, "bad_request")
			if tc.field != "" {
				if _, ok := fields(r)[tc.field]; !ok {
					t.Fatalf("fields = %v, want %q named; body %s", fields(r), tc.field, r.raw)
				}
			}
			if r.body["detail"] == "" {
				t.Fatal("no detail")
			}
		})
	}
}

// chunked hides the length so the limit can only trip while reading.
type chunked struct{ io.Reader }

func TestOversizedBodyIs413(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, httpapi.Options{MaxBodyBytes: 64}, bindRoutes)
	big := `{"procedure_code":"` + strings.Repeat("x", 200) + `"}`

	t.Run("known length", func(t *testing.T) {
		t.Parallel()
		r := post(t, srv.URL+"/intake", big)
		assertProblem(t, r, 413, "body_too_large")
	})
	t.Run("chunked", func(t *testing.T) {
		t.Parallel()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/intake", chunked{strings.NewReader(big)})
		if req.ContentLength != 0 {
			t.Fatal("request is not chunked")
		}
		assertProblem(t, do(t, req), 413, "body_too_large")
	})
	t.Run("route raises limit", func(t *testing.T) {
		t.Parallel()
		if r := post(t, srv.URL+"/upload", big); r.status != 201 {
			t.Fatalf("status = %d, body %s", r.status, r.raw)
		}
	})
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, httpapi.Options{}, func(e *gin.Engine) {
		e.GET("/id", func(c *gin.Context) { c.String(200, httpapi.RequestID(c)) })
	})
	send := func(incoming string) (header, seen string) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/id", nil)
		if incoming != "" {
			req.Header.Set(httpapi.HeaderRequestID, incoming)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.Header.Get(httpapi.HeaderRequestID), string(b)
	}

	h, seen := send("")
	if len(h) != 36 || seen != h {
		t.Fatalf("generated id: header %q, handler saw %q", h, seen)
	}
	if h2, _ := send(""); h2 == h {
		t.Fatal("two requests got the same generated id")
	}
	if h, seen := send("edge-7f3a.42:1"); h != "edge-7f3a.42:1" || seen != h {
		t.Fatalf("valid incoming id not kept: header %q, handler saw %q", h, seen)
	}
	if h, _ := send("bad id\twith <script>"); h == "bad id\twith <script>" || len(h) != 36 {
		t.Fatalf("invalid incoming id was echoed: %q", h)
	}
	if h, _ := send(strings.Repeat("a", 129)); len(h) != 36 {
		t.Fatalf("over-long incoming id was kept: %q", h)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := httpapi.NewEngine(httpapi.Options{Logger: slog.New(slog.DiscardHandler)})
	plain := httptest.NewServer(e)
	t.Cleanup(plain.Close)
	tls := httptest.NewTLSServer(e)
	t.Cleanup(tls.Close)

	r := get(t, plain.URL+"/livez")
	want := map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "same-origin",
		"Content-Security-Policy": httpapi.DefaultContentSecurityPolicy,
	}
	for k, v := range want {
		if got := r.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if !strings.Contains(r.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Error("CSP does not forbid framing")
	}
	if got := r.header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("HSTS sent over plain HTTP: %q", got)
	}

	// Problem responses carry them too.
	if got := get(t, plain.URL+"/nope").header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("404 problem lacks nosniff: %q", got)
	}

	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, tls.URL+"/livez", nil)
	res, err := tls.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if !strings.HasPrefix(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("HSTS missing over TLS: %q", res.Header.Get("Strict-Transport-Security"))
	}

	req, _ = http.NewRequestWithContext(t.Context(), http.MethodGet, plain.URL+"/livez", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	if got := do(t, req).header.Get("Strict-Transport-Security"); got == "" {
		t.Error("HSTS missing behind an https ingress")
	}
}

func TestUnknownRouteAndMethod(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, httpapi.Options{}, func(e *gin.Engine) {
		e.GET("/dossiers", func(c *gin.Context) { c.Status(204) })
	})
	assertProblem(t, get(t, srv.URL+"/nope"), 404, "route_not_found")
	r := post(t, srv.URL+"/dossiers", "{}")
	assertProblem(t, r, 405, "method_not_allowed")
	if r.header.Get("Allow") != "GET" {
		t.Fatalf("Allow = %q, want GET (RFC 9110 requires it on 405)", r.header.Get("Allow"))
	}
}

func TestLivezAndExtraMiddleware(t *testing.T) {
	t.Parallel()
	var seen []string
	var mu sync.Mutex
	mw := func(c *gin.Context) {
		mu.Lock()
		seen = append(seen, c.Request.URL.Path)
		mu.Unlock()
		c.Next()
	}
	e := httpapi.NewEngine(httpapi.Options{Logger: slog.New(slog.DiscardHandler)}, mw)
	e.GET("/dossiers", func(c *gin.Context) { c.Status(204) })
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)

	if r := get(t, srv.URL+"/livez"); r.status != 200 || r.body["status"] != "ok" {
		t.Fatalf("livez = %d %s", r.status, r.raw)
	}
	if r := get(t, srv.URL+"/dossiers"); r.status != 204 {
		t.Fatalf("route = %d", r.status)
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(seen) != "[/dossiers]" {
		t.Fatalf("extra middleware saw %v; want only the service route, not probes", seen)
	}
}

func TestReadyz(t *testing.T) {
	t.Parallel()
	ok := httpapi.Check{Name: "database", Probe: func(context.Context) error { return nil }}
	failing := httpapi.Check{Name: "minio", Probe: func(context.Context) error {
		return errors.New("dial postgres://egov:s3cret@db:5432/egov: refused")
	}}
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	// Ignores its context on purpose: readiness must still answer.
	stuck := httpapi.Check{Name: "nats", Probe: func(context.Context) error { <-hang; return nil }}
	panicking := httpapi.Check{Name: "cache", Probe: func(context.Context) error { panic("oops") }}

	t.Run("all pass", func(t *testing.T) {
		t.Parallel()
		srv, _ := newServer(t, httpapi.Options{Checks: []httpapi.Check{ok, ok}}, nil)
		r := get(t, srv.URL+"/readyz")
		if r.status != 200 || r.body["status"] != "ready" || len(r.body["checks"].([]any)) != 2 {
			t.Fatalf("readyz = %d %s", r.status, r.raw)
		}
	})
	t.Run("failing, stuck and panicking checks", func(t *testing.T) {
		t.Parallel()
		srv, logs := newServer(t, httpapi.Options{
			Checks:       []httpapi.Check{ok, failing, stuck, panicking},
			ReadyTimeout: 50 * time.Millisecond, //: only bounds the stuck probe, nothing is asserted on time
		}, nil)
		r := get(t, srv.URL+"/readyz")
		if r.status != 503 || r.body["status"] != "unavailable" {
			t.Fatalf("readyz = %d %s", r.status, r.raw)
		}
		got := map[string]string{}
		for _, c := range r.body["checks"].([]any) {
			m := c.(map[string]any)
			got[m["name"].(string)] = fmt.Sprint(m["status"], "/", m["reason"])
		}
		want := map[string]string{
			"database": "ok/<nil>", "minio": "fail/check failed", "nats": "fail/timed out", "cache": "fail/check failed",
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("checks = %v, want %v", got, want)
		}
		if strings.Contains(r.raw, "s3cret") || strings.Contains(r.raw, "postgres://") {
			t.Fatalf("probe error leaked: %s", r.raw)
		}
		if !strings.Contains(logs.String(), `"check":"minio"`) || !strings.Contains(logs.String(), "postgres://egov:***@db") {
			t.Fatalf("failing check not logged (with password masked): %s", logs.String())
		}
		if strings.Contains(logs.String(), "s3cret") {
			t.Fatalf("password from a probe error reached the log: %s", logs.String())
		}
	})
}

func TestContextLoggerIsUsedForRequestLogs(t *testing.T) {
	t.Parallel()
	type key struct{}
	logs := &testenv.Buffer{}
	base := slog.New(slog.NewJSONHandler(logs, nil))
	e := httpapi.NewEngine(httpapi.Options{
		Logger: slog.New(slog.DiscardHandler),
		// Stands in for telemetry.Logger: a logger carried by the request context.
		ContextLogger: func(ctx context.Context) *slog.Logger {
			if l, ok := ctx.Value(key{}).(*slog.Logger); ok {
				return l
			}
			return nil
		},
	}, func(c *gin.Context) {
		ctx := context.WithValue(c.Request.Context(), key{}, base.With("tenant", "xa-dong-tan"))
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	})
	e.GET("/panic", func(c *gin.Context) { panic("boom") })
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)

	assertProblem(t, get(t, srv.URL+"/panic"), 500, "internal")
	if out := logs.String(); !strings.Contains(out, `"tenant":"xa-dong-tan"`) || !strings.Contains(out, "boom") {
		t.Fatalf("panic not logged through the context logger: %s", out)
	}
}
