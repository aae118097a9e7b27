package domain

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"egov.vn/platform/libs/apperr"
)

// FuzzClientRedirectURIs: the URIs identity will send codes and tokens to (RFC 6749 §3.1.2 and
// the OAuth Security BCP): a client is registered only if each is absolute with a host, has no
// fragment, and uses https, or plain http on the loopback host; a refusal is an invalid apperr
// naming the field.
func FuzzClientRedirectURIs(f *testing.F) {
	for _, s := range []string{"https://motcua.thaibinh.gov.vn/auth/callback", "http://localhost:8080/cb", "http://127.0.0.1/cb", "http://[::1]:9/cb",
		"http://evil.example/cb", "https://a/cb#", "https://a/cb#x", "/relative", "https:///nohost", "javascript:alert(1)", "HTTPS://A/cb",
		"http://localhost.evil.example/cb", "http://127.0.0.1@evil.example/", "https://a b/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		c := Client{ID: "dossiers", Name: "Một cửa điện tử", Type: ClientConfidential,
			GrantTypes:   []string{GrantAuthorizationCode, GrantRefreshToken},
			RedirectURIs: []string{uri}, PostLogoutRedirectURIs: []string{uri}, BackchannelLogoutURI: uri}
		err := c.Validate(false)
		if err != nil {
			var e *apperr.Error
			if !errors.As(err, &e) || e.Kind != apperr.KindInvalid || len(e.Fields) == 0 {
				t.Fatalf("%q refused with %T %v, want an invalid apperr naming the field", uri, err, err)
			}
			return
		}
		u, perr := url.Parse(uri)
		if perr != nil || !u.IsAbs() || u.Host == "" || strings.Contains(uri, "#") {
			t.Fatalf("registered %q: not absolute, no host, or a fragment", uri)
		}
		loopback := u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1" || u.Hostname() == "::1"
		if u.Scheme != "https" && (u.Scheme != "http" || !loopback) {
			t.Fatalf("registered %q: plain http to %q", uri, u.Hostname())
		}
	})
}
