package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestFlashIsShownOnceAfterRedirect(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(must(demoApp(t, demoOpts{Insecure: true})))
	defer srv.Close()
	c := newClient(t, srv)
	_, page := c.get("/dossiers/new")

	// The client follows the 303 to /dossiers, as a browser does.
	resp, body := c.post("/dossiers/new", url.Values{
		"csrf_token": {csrfTokenIn(t, page)},
		"full_name":  {"Phạm Thị Ánh <Tuyết>"},
		"procedure":  {"1.001"},
	})
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/dossiers" {
		t.Fatalf("ended at %s with %d, want /dossiers 200", resp.Request.URL.Path, resp.StatusCode)
	}
	mustContain(t, body, `<div class="flash flash-success" role="status"><strong>Thành công:</strong> Đã tiếp nhận hồ sơ của Phạm Thị Ánh &lt;Tuyết&gt;.</div>`)

	_, again := c.get("/dossiers")
	if strings.Contains(again, "Đã tiếp nhận hồ sơ") {
		t.Error("flash shown a second time")
	}
}

func TestFlashCookieIsSignedAndScoped(t *testing.T) {
	t.Parallel()
	_, r := demoApp(t, demoOpts{})
	// Get a genuine flash cookie from a successful submission.
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/dossiers/new", nil))
	token := csrfTokenIn(t, w.Body.String())
	req := httptest.NewRequest(http.MethodPost, "/dossiers/new", strings.NewReader(url.Values{
		"csrf_token": {token}, "full_name": {"Đỗ Văn Bình"}, "procedure": {"1.001"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://example.com")
	for _, ck := range w.Result().Cookies() {
		req.AddCookie(ck)
	}
	post := httptest.NewRecorder()
	r.ServeHTTP(post, req)
	if post.Code != http.StatusSeeOther {
		t.Fatalf("status %d, want 303", post.Code)
	}
	var flash *http.Cookie
	for _, ck := range post.Result().Cookies() {
		if ck.Name == "egov_flash" {
			flash = ck
		}
	}
	if flash == nil {
		t.Fatal("no flash cookie on the redirect")
	}
	if flash.Path != "/dossiers" || !flash.HttpOnly || !flash.Secure || flash.MaxAge <= 0 {
		t.Errorf("flash cookie %+v: want Path=/dossiers HttpOnly Secure, short MaxAge", flash)
	}

	show := func(value string) (string, *http.Cookie) {
		req := httptest.NewRequest(http.MethodGet, "/dossiers", nil)
		req.AddCookie(&http.Cookie{Name: "egov_flash", Value: value})
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		for _, ck := range rec.Result().Cookies() {
			if ck.Name == "egov_flash" {
				return rec.Body.String(), ck
			}
		}
		return rec.Body.String(), nil
	}
	body, cleared := show(flash.Value)
	mustContain(t, body, "Đã tiếp nhận hồ sơ của Đỗ Văn Bình.")
	if cleared == nil || cleared.MaxAge >= 0 {
		t.Errorf("flash cookie not deleted after showing: %+v", cleared)
	}

	// Change one character of the payload: the message must not show, and the cookie goes.
	payload, sig, _ := strings.Cut(flash.Value, ".")
	b := []byte(payload)
	b[5] ^= 1
	body, cleared = show(string(b) + "." + sig)
	if strings.Contains(body, "flash-success") {
		t.Error("tampered flash shown")
	}
	if cleared == nil || cleared.MaxAge >= 0 {
		t.Error("tampered flash cookie not deleted")
	}
}
