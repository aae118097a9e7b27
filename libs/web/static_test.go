package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

func TestStaticFilesAreServedWithTypeAndCacheHeaders(t *testing.T) {
	t.Parallel()
	shell, r := demoApp(t, demoOpts{})
	get := func(path string, hdr ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		return w
	}
	for name, ctype := range map[string]string{
		"app.css":     "text/css; charset=utf-8",
		"htmx.min.js": "text/javascript; charset=utf-8",
		"favicon.svg": "image/svg+xml",
	} {
		url := shell.Asset(name)
		if !strings.HasPrefix(url, "/dossiers/static/"+name+"?v=") {
			t.Errorf("Asset(%q) = %q", name, url)
		}
		w := get(url)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: status %d", url, w.Code)
		}
		if got := w.Header().Get("Content-Type"); got != ctype {
			t.Errorf("%s: Content-Type %q, want %q", name, got, ctype)
		}
		if got := w.Header().Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("%s: versioned Cache-Control %q", name, got)
		}
		if got := w.Header().Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", name, got)
		}
		etag := w.Header().Get("ETag")
		if nm := get(url, "If-None-Match", etag); nm.Code != http.StatusNotModified {
			t.Errorf("%s: revalidation status %d, want 304", name, nm.Code)
		}
		if plain := get("/dossiers/static/" + name); plain.Header().Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: unversioned Cache-Control %q, want no-cache", name, plain.Header().Get("Cache-Control"))
		}
	}

	// The vendored htmx is served byte for byte, compressed when the browser accepts it.
	want, err := os.ReadFile("static/htmx.min.js")
	if err != nil {
		t.Fatal(err)
	}
	w := get(shell.Asset("htmx.min.js"), "Accept-Encoding", "gzip, deflate, br")
	if w.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", w.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("gzipped htmx differs from the vendored file (err %v)", err)
	}

	for _, p := range []string{"/dossiers/static/vendor.sh", "/dossiers/static/VERSIONS", "/dossiers/static/../shell.go"} {
		if w := get(p); w.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, w.Code)
		}
	}
}
