// Package redact hides credentials in text that is about to be logged or shown: DSNs and URLs
// that drivers and clients echo into their error messages. It is the one place that knows the
// pattern, so a log line, a readiness answer and a config dump mask the same way.
package redact

import "regexp"

// urlPassword matches the password of a URL's userinfo (scheme://user:password@host).
var urlPassword = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@`)

// URLPasswords replaces every password inside scheme://user:password@host in s with ***.
func URLPasswords(s string) string {
	return urlPassword.ReplaceAllString(s, "${1}***@")
}
