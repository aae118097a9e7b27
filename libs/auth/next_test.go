package auth_test

import (
	"testing"

	"egov.vn/platform/libs/auth"
)

func TestSafeNext(t *testing.T) {
	t.Parallel()
	cases := []struct {
		next, prefix, want string
	}{
		{"/dossiers/123?tab=files", "/dossiers", "/dossiers/123?tab=files"},
		{"/dossiers", "/dossiers", "/dossiers"},
		{"/dossiers/", "/dossiers", "/dossiers/"},
		{"/dossiers/a%2Fb#files", "/dossiers", "/dossiers/a%2Fb#files"},
		{"", "/dossiers", "/dossiers/"},
		{"//evil.example/x", "/dossiers", "/dossiers/"},
		{"https://evil.example/dossiers/1", "/dossiers", "/dossiers/"},
		{"javascript:alert(1)", "/dossiers", "/dossiers/"},
		{`/\evil.example`, "/dossiers", "/dossiers/"},
		{`/dossiers\..\x`, "/dossiers", "/dossiers/"},
		{"/\t/evil.example", "/dossiers", "/dossiers/"},
		{"/dossiers/\nx", "/dossiers", "/dossiers/"},
		{"/dossiers/../archives/1", "/dossiers", "/dossiers/"},
		{"/dossiers/%2e%2e/archives/1", "/dossiers", "/dossiers/"},
		{"/dossiers//evil.example", "/dossiers", "/dossiers/"},
		{"/dossiers/%2F%2Fevil.example", "/dossiers", "/dossiers/"},
		{"/archives/1", "/dossiers", "/dossiers/"},
		{"/dossiers-old/1", "/dossiers", "/dossiers/"},
		{"dossiers/1", "/dossiers", "/dossiers/"},
		{"/dossiers/login?next=/dossiers/1", "/dossiers", "/dossiers/"},
		{"/dossiers/auth/callback?code=x", "/dossiers", "/dossiers/"},
		{"/dossiers/logout", "/dossiers", "/dossiers/"},
		{"/anything?x=1", "", "/anything?x=1"},
		{"//evil.example", "", "/"},
		{`/\evil.example`, "", "/"},
		{"/\t/evil.example", "", "/"},
		{"/login", "", "/"},
	}
	for _, tc := range cases {
		if got := auth.SafeNext(tc.next, tc.prefix); got != tc.want {
			t.Errorf("SafeNext(%q, %q) = %q, want %q", tc.next, tc.prefix, got, tc.want)
		}
	}
}
