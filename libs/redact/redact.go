// Package redact hides credentials in text that is about to be logged or shown: DSNs and URLs
// that drivers and clients echo into their error messages. It is the one place that knows the
// pattern, so a log line, a readiness answer and a config dump mask the same way.
package redact

import (
	"net/url"
	"regexp"
)

// urlPassword matches the password of a URL's userinfo (scheme://user:password@host).
var urlPassword = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@`)

// URLPasswords replaces every password inside scheme://user:password@host in s with ***.
func URLPasswords(s string) string {
	return urlPassword.ReplaceAllString(s, "${1}***@")
}

// NotAURL stands in for a DSN that does not parse as a URL (e.g. PostgreSQL's key=value form):
// it may hold a password anywhere, so none of it is shown.
const NotAURL = "(not a URL; not shown in case it holds a password)"

// DSN shows enough of a database or server URL to recognise it (scheme, user, host, path) and
// nothing that may be secret: the password becomes xxxxx and the query string is dropped.
func DSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		return NotAURL
	}
	u.RawQuery, u.ForceQuery, u.Fragment = "", false, ""
	return u.Redacted()
}
