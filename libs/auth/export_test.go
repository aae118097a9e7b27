package auth

import (
	"net/http"
	"time"
)

// Hooks for the black-box tests in package auth_test.

func SetVerifierClock(v *Verifier, now func() time.Time) { v.now = now }
func SetWebClock(w *Web, now func() time.Time)           { w.now = now }
func CacheLen(v *Verifier) int                           { return v.cache.Len() }

var SafeNext = safeNext

const (
	KeysMaxAge      = keysMaxAge
	KeysMinInterval = keysMinInterval
	EndedRetention  = endedRetention
	SessionCookie   = sessionCookie
	LoginCookie     = loginCookiePrefix
)

// NewSessionCookie makes the cookie a sign-in would have set, for tests that need a session
// without running the code flow.
func NewSessionCookie(w *Web, sub, sid string, roles []string) (*http.Cookie, error) {
	now := w.now()
	s := session{Subject: sub, SessionID: sid, Name: "Nguyễn Thị Hoa", Tenant: "xa-dong-tan", Roles: roles,
		IDToken: "id-token-for-" + sub, IssuedAt: now.UnixMicro(), Expiry: now.Add(w.cfg.SessionLifetime).UnixMicro()}
	v, err := encodeCookie(w.sessions, sessionCookie, s)
	if err != nil {
		return nil, err
	}
	return w.cookieFor(sessionCookie, v, w.cookiePath, w.cfg.SessionLifetime), nil
}
