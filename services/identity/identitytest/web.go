package identitytest

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"
)

// PageClient signs p in to a service's pages as a browser without scripts would: it opens page
// (a signed-in page of the service), follows the redirects to identity's sign-in form, posts it
// and follows the redirects back. The returned client carries the service's session cookie, so
// tests can check pages and downloads over plain HTTP where a real browser is not needed.
func (s *Server) PageClient(t testing.TB, p Person, page string) *http.Client {
	t.Helper()
	s.Person(t, p)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	open, err := http.NewRequestWithContext(context.Background(), http.MethodGet, page, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(open)
	if err != nil {
		t.Fatalf("identitytest: open %s: %v", page, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("identitytest: %s led to %s answering %d, not the sign-in form", page, resp.Request.URL, resp.StatusCode)
	}
	action, vals, err := loginForm(resp.Body)
	if err != nil {
		t.Fatalf("identitytest: %s: %v", resp.Request.URL, err)
	}
	vals.Set("username", p.Username)
	vals.Set("password", Password)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, s.Origin+action, strings.NewReader(vals.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.Origin) // the sign-in form's CSRF check wants it, as browsers send it
	back, err := c.Do(req)
	if err != nil {
		t.Fatalf("identitytest: sign in %s: %v", p.Username, err)
	}
	defer func() { _ = back.Body.Close() }()
	if !strings.HasPrefix(back.Request.URL.String(), strings.SplitN(page, "?", 2)[0]) {
		t.Fatalf("identitytest: sign-in of %s ended at %s (%d), not back at %s", p.Username, back.Request.URL, back.StatusCode, page)
	}
	return c
}
