package auth_test

import (
	"net/url"
	"strings"
	"testing"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/web"
)

// FuzzSafeNext: after sign-in a service goes either to its home page or to a ?next= that
// web.LocalPath accepts unchanged, and never back to its own sign-in, sign-out or callback
// routes (that would loop), however the path is encoded.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/dossiers/123?tab=files", "/dossiers/login?next=/dossiers/1", "/dossiers/%6Cogin", "/dossiers/auth/callback?code=x",
		"/dossiers/logout", "/dossiers/auth", "//evil.example", "/dossiers/%2F%2Fevil.example", "/dossiers/./login"} {
		f.Add(s, "/dossiers")
		f.Add(strings.TrimPrefix(s, "/dossiers"), "")
	}
	f.Fuzz(func(t *testing.T, next, prefix string) {
		got := auth.SafeNext(next, prefix)
		home := prefix + "/"
		if got == home {
			return
		}
		if got != next {
			t.Fatalf("SafeNext(%q, %q) = %q: neither home nor next", next, prefix, got)
		}
		if _, ok := web.LocalPath(next, prefix); !ok {
			t.Fatalf("SafeNext(%q, %q) kept a next LocalPath refuses", next, prefix)
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("SafeNext(%q, %q) = %q, which does not parse", next, prefix, got)
		}
		rest := strings.TrimPrefix(u.Path, prefix)
		if rest == "/login" || rest == "/logout" || rest == "/auth" || strings.HasPrefix(rest, "/auth/") {
			t.Fatalf("SafeNext(%q, %q) = %q, an auth route", next, prefix, got)
		}
	})
}
