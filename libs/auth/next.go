package auth

import (
	"net/url"
	"strings"

	"egov.vn/platform/libs/web"
)

// safeNext returns next if it is a path under prefix on this site (web.LocalPath), else
// prefix+"/". The auth routes themselves are refused too: coming back to them would loop.
func safeNext(next, prefix string) string {
	home := prefix + "/"
	p, ok := web.LocalPath(next, prefix)
	if !ok {
		return home
	}
	if u, err := url.Parse(p); err == nil {
		switch rest := strings.TrimPrefix(u.Path, prefix); {
		case rest == "/login", rest == "/logout", rest == "/auth", strings.HasPrefix(rest, "/auth/"):
			return home
		}
	}
	return p
}
