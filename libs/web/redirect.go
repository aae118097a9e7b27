package web

import (
	"net/url"
	"path"
	"strings"
)

// LocalPath reports whether next, a page to go to that arrived in a URL (?next=…), is a path on
// this site under prefix, and returns it unchanged when it is. Whoever wrote the link chose it,
// so everything a browser could read as another site is refused: an absolute URL, a
// scheme-relative "//host", a backslash (browsers read "/\host" as "//host"), control
// characters and spaces (browsers drop tabs and newlines, turning "/\t/host" into "//host"),
// and dot segments or doubled slashes, also percent-encoded, that could climb out of prefix
// (the platform's own links have none). Callers fall back to a page of their own.
func LocalPath(next, prefix string) (string, bool) {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') {
		return "", false
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == ' ' {
			return "", false
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	p := u.Path
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	if clean != p {
		return "", false
	}
	if prefix != "" && p != prefix && !strings.HasPrefix(p, prefix+"/") {
		return "", false
	}
	return next, true
}
