package auth

import (
	"net/url"
	"path"
	"strings"
)

// safeNext returns next if it is a path under prefix on this site, else prefix+"/". It guards the
// redirect after sign-in, whose target arrives in the login URL and so is chosen by whoever wrote
// the link: an absolute URL, a scheme-relative "//host", a backslash (browsers read "/\host" as
// "//host"), control characters (browsers drop tabs and newlines, turning "/\t/host" into
// "//host"), dot segments that climb out of the prefix, and the auth routes themselves (a loop)
// all fall back to the service's home.
func safeNext(next, prefix string) string {
	home := prefix + "/"
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') {
		return home
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == ' ' {
			return home
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return home
	}
	p := u.Path
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	if clean != p {
		return home // dot segments or doubled slashes (also encoded): our own links have none
	}
	if prefix != "" && p != prefix && !strings.HasPrefix(p, prefix+"/") {
		return home
	}
	switch rest := strings.TrimPrefix(p, prefix); {
	case rest == "/login", rest == "/logout", rest == "/auth", strings.HasPrefix(rest, "/auth/"):
		return home
	}
	return next
}
