package web_test

import (
	"net/url"
	"path"
	"strings"
	"testing"

	"egov.vn/platform/libs/web"
)

// FuzzLocalPath: whatever a link puts in ?next=, LocalPath accepts it only unchanged, as a path
// on this site under the prefix that a browser cannot read as another host: resolved against
// this site's address it stays on this host, under the prefix, with no dot segments.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/dossiers/", "/dossiers/123?tab=files", "/dossiers", "//evil.example", "/\\evil.example",
		"https://evil.example/dossiers", "/dossiers/../identity", "/dossiers/%2e%2e/x", "/\t/evil.example", "/dossiersX",
		"/dossiers//x", "/dossiers/a#frag", "/dossiers/@evil", "/dossiers?next=//evil"} {
		f.Add(s, "/dossiers")
		f.Add(s, "")
	}
	base, _ := url.Parse("https://xa-dong-tan.egov.vn/dossiers/list")
	f.Fuzz(func(t *testing.T, next, prefix string) {
		got, ok := web.LocalPath(next, prefix)
		if !ok {
			if got != "" {
				t.Fatalf("LocalPath(%q, %q) refused but returned %q", next, prefix, got)
			}
			return
		}
		if got != next {
			t.Fatalf("LocalPath(%q, %q) changed it to %q", next, prefix, got)
		}
		u, err := base.Parse(next)
		if err != nil {
			t.Fatalf("accepted %q that does not parse: %v", next, err)
		}
		if u.Host != base.Host || u.Scheme != base.Scheme || u.User != nil {
			t.Fatalf("LocalPath accepted %q, which leads to %s", next, u)
		}
		if strings.ContainsAny(next, "\\ \t\r\n") || strings.HasPrefix(next, "//") {
			t.Fatalf("LocalPath accepted %q, which a browser may read as another host", next)
		}
		p := u.Path
		if clean := path.Clean(p); clean != strings.TrimSuffix(p, "/") && clean != p {
			t.Fatalf("LocalPath accepted %q with dot segments or doubled slashes (%q)", next, p)
		}
		if prefix != "" && p != prefix && !strings.HasPrefix(p, prefix+"/") {
			t.Fatalf("LocalPath(%q, %q) leaves the prefix: %q", next, prefix, p)
		}
	})
}
