package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestCSRFRefusesPostsWithoutValidTokenOrFromOtherSites(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(must(demoApp(t, demoOpts{Insecure: true})))
	defer srv.Close()
	c := newClient(t, srv)
	_, page := c.get("/dossiers/new")
	token := csrfTokenIn(t, page)

	t.Run("no token", func(t *testing.T) {
		resp, body := c.on(t).post("/dossiers/ping", url.Values{})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d, want 403", resp.StatusCode)
		}
		mustContain(t, body, `<html lang="vi">`, "<h1>Không thể thực hiện yêu cầu</h1>",
			"Biểu mẫu đã hết hạn hoặc không được gửi từ trang của hệ thống")
	})
	t.Run("forged token", func(t *testing.T) {
		resp, _ := c.on(t).post("/dossiers/ping", url.Values{"csrf_token": {strings.Repeat("A", len(token))}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d, want 403", resp.StatusCode)
		}
	})
	t.Run("valid token from another site", func(t *testing.T) {
		evil := c.on(t)
		evil.origin = "https://evil.example"
		resp, _ := evil.post("/dossiers/ping", url.Values{"csrf_token": {token}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d, want 403", resp.StatusCode)
		}
	})
	t.Run("valid token", func(t *testing.T) {
		resp, body := c.on(t).post("/dossiers/ping", url.Values{"csrf_token": {token}})
		if resp.StatusCode != http.StatusOK || body != "ok" {
			t.Fatalf("status %d body %q, want 200 ok", resp.StatusCode, body)
		}
	})
	t.Run("valid token in the htmx header", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/dossiers/ping", nil)
		req.Header.Set("X-CSRF-Token", token)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d, want 200", resp.StatusCode)
		}
	})
}

func TestCSRFCookieIsSharedAcrossServicesAndSecureByDefault(t *testing.T) {
	t.Parallel()
	_, r := demoApp(t, demoOpts{})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/dossiers/new", nil))
	var found bool
	for _, ck := range w.Result().Cookies() {
		if ck.Name != "egov_csrf" {
			continue
		}
		found = true
		if ck.Path != "/" || !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteLaxMode {
			t.Errorf("CSRF cookie %+v: want Path=/ HttpOnly Secure SameSite=Lax", ck)
		}
	}
	if !found {
		t.Fatal("no egov_csrf cookie set")
	}
}

// Behind a TLS-terminating ingress (the production default), a same-site POST passes.
func TestCSRFBehindTLSIngress(t *testing.T) {
	t.Parallel()
	_, r := demoApp(t, demoOpts{})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/dossiers/new", nil))
	token := csrfTokenIn(t, w.Body.String())
	post := func(origin string) int {
		req := httptest.NewRequest(http.MethodPost, "/dossiers/ping", strings.NewReader(url.Values{"csrf_token": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", origin)
		for _, ck := range w.Result().Cookies() {
			req.AddCookie(ck)
		}
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		return rec.Code
	}
	if got := post("https://example.com"); got != http.StatusOK {
		t.Errorf("https same origin: status %d, want 200", got)
	}
	// A network attacker's plain-HTTP page on the same host must not pass.
	if got := post("http://example.com"); got != http.StatusForbidden {
		t.Errorf("http origin against an https site: status %d, want 403", got)
	}
}

// Every form carries a fresh idempotency key: the same form sent twice carries the same key (one
// change), the form rendered again carries another (a new request).
func TestFormsCarryAFreshIdempotencyKeyPerRender(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(must(demoApp(t, demoOpts{Insecure: true})))
	defer srv.Close()
	c := newClient(t, srv)
	keyRE := regexp.MustCompile(`<input type="hidden" name="idempotency_key" value="([0-9a-f-]{36})">`)
	_, first := c.get("/dossiers/new")
	_, second := c.get("/dossiers/new")
	a, b := keyRE.FindStringSubmatch(first), keyRE.FindStringSubmatch(second)
	if a == nil || b == nil {
		t.Fatalf("no idempotency_key field beside the CSRF token:\n%s", first)
	}
	if a[1] == b[1] {
		t.Fatalf("two renders carry the same key %s", a[1])
	}
}
