package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A browser that asks for an address nobody registered reads the shell's 404 page in its
// language with a way back; a program still gets the problem document it can parse.
func TestUnknownAddressIsAPageForBrowsersAndAProblemForPrograms(t *testing.T) {
	t.Parallel()
	_, r := demoApp(t, demoOpts{})
	const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

	page := func(target, cookie string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("Accept", browserAccept)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		return w
	}

	w := page("/dossiers/khong-co-trang-nay", "")
	if w.Code != http.StatusNotFound || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("browser: status %d, type %q; want 404 text/html", w.Code, w.Header().Get("Content-Type"))
	}
	mustContain(t, w.Body.String(), `<html lang="vi">`, "<h1>Không tìm thấy trang</h1>",
		`<a class="button" href="/dossiers">Về trang chính của Một cửa</a>`)
	if body := w.Body.String(); strings.Contains(body, `class="account"`) || strings.Contains(body, "/dossiers/login?next=") {
		t.Errorf("the 404 page guesses the person is signed out (a sign-in button): %s", body)
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("404 page without the strict CSP: %q", csp)
	}

	en := page("/dossiers/nowhere?lang=en", "")
	mustContain(t, en.Body.String(), `<html lang="en">`, "<h1>Page not found</h1>")
	remembered := page("/dossiers/nowhere", "egov_lang=en")
	mustContain(t, remembered.Body.String(), `<html lang="en">`, "<h1>Page not found</h1>")

	for _, tc := range []struct{ name, method, target, accept string }{
		{"api path from a browser", http.MethodGet, "/dossiers/api/v1/nope", browserAccept},
		{"json client", http.MethodGet, "/dossiers/nope", "application/json"},
		{"any client", http.MethodGet, "/dossiers/nope", "*/*"},
		{"post from a form", http.MethodPost, "/dossiers/nope", browserAccept},
	} {
		req := httptest.NewRequest(tc.method, tc.target, nil)
		req.Header.Set("Accept", tc.accept)
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		var p struct{ Code string }
		if w.Code != http.StatusNotFound || w.Header().Get("Content-Type") != "application/problem+json" ||
			json.Unmarshal(w.Body.Bytes(), &p) != nil || p.Code != "route_not_found" {
			t.Errorf("%s: status %d, type %q, body %s; want the route_not_found problem", tc.name, w.Code,
				w.Header().Get("Content-Type"), w.Body.String())
		}
	}
}
