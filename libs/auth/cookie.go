package auth

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
)

const (
	sessionCookie = "egov_session"
	// loginCookiePrefix + state names the cookie of one sign-in in progress. One cookie per
	// state lets a person whose session ran out in several tabs sign in from all of them; a single
	// cookie would be overwritten by the last tab and fail the others' callbacks.
	loginCookiePrefix = "egov_login_"
	loginLifetime     = 10 * time.Minute
	// maxCookieBytes keeps a cookie under the 4096 bytes browsers store per cookie (name, value and
	// attributes together), with room for the attributes.
	maxCookieBytes = 3800
	// stateBytes of randomness in state and nonce; base64url makes them 43 characters.
	stateBytes = 32
)

// session is what the session cookie holds, encrypted and authenticated (AES-256 + HMAC): enough
// to rebuild Claims for each request without calling identity, and the ID token for
// id_token_hint at sign-out. Short JSON names keep the cookie small.
type session struct {
	Subject   string   `json:"sub"`
	SessionID string   `json:"sid,omitempty"`
	Name      string   `json:"name,omitempty"`
	Tenant    string   `json:"tenant,omitempty"`
	Roles     []string `json:"roles,omitempty"`
	StaffID   string   `json:"staff,omitempty"`
	IDToken   string   `json:"idt,omitempty"`
	// Microseconds since the epoch: the precision EndedSessions compares with.
	IssuedAt int64 `json:"iat"`
	Expiry   int64 `json:"exp"`
}

func (s *session) issuedAt() time.Time { return time.UnixMicro(s.IssuedAt) }
func (s *session) expiry() time.Time   { return time.UnixMicro(s.Expiry) }

// loginState is one sign-in in progress, kept between /login and the callback.
type loginState struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"` // PKCE code verifier
	Next     string `json:"next"`
}

// newCodec returns a securecookie codec with JSON encoding (smaller than gob for these structs)
// that also refuses values older than maxAge.
func newCodec(hashKey, blockKey []byte, maxAge time.Duration) *securecookie.SecureCookie {
	c := securecookie.New(hashKey, blockKey)
	c.SetSerializer(securecookie.JSONEncoder{})
	c.MaxAge(int(maxAge / time.Second))
	c.MaxLength(0) // lengths are checked against maxCookieBytes by encodeCookie and decodeCookie
	return c
}

// cookieTooLargeError means a cookie would be larger than browsers keep.
type cookieTooLargeError struct {
	name string
	size int
}

func (e *cookieTooLargeError) Error() string {
	return fmt.Sprintf("cookie %s would be %d bytes, over the %d a browser keeps; "+
		"the ID token is too large (too many roles or a long name?)", e.name, e.size, maxCookieBytes)
}

// encodeCookie encodes v for a cookie named name and refuses results too large for browsers,
// which would otherwise drop the cookie silently and leave the person in a sign-in loop.
func encodeCookie(codec *securecookie.SecureCookie, name string, v any) (string, error) {
	value, err := codec.Encode(name, v)
	if err != nil {
		return "", fmt.Errorf("encode cookie %s: %w", name, err)
	}
	if n := len(name) + 1 + len(value); n > maxCookieBytes {
		return "", &cookieTooLargeError{name: name, size: n}
	}
	return value, nil
}

// decodeCookie authenticates, decrypts and decodes a cookie value made by encodeCookie; values
// longer than encodeCookie makes are refused before any work is spent on them.
func decodeCookie(codec *securecookie.SecureCookie, name, value string, v any) error {
	if len(name)+1+len(value) > maxCookieBytes {
		return &cookieTooLargeError{name: name, size: len(name) + 1 + len(value)}
	}
	return codec.Decode(name, value, v)
}

// randomString returns n random bytes, base64url without padding.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// validState reports whether s looks like a state we made, before it is used in a cookie name.
func validState(s string) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(stateBytes) {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}

// cookieFor sets the attributes every cookie of ours carries: HttpOnly (no script reads it),
// SameSite=Lax (sent on top-level navigations such as the return from identity, not on
// cross-site posts) and Secure unless the service runs on plain local HTTP.
func (w *Web) cookieFor(name, value, path string, maxAge time.Duration) *http.Cookie {
	c := &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     path,
		HttpOnly: true,
		Secure:   !w.cfg.InsecureHTTP,
		SameSite: http.SameSiteLaxMode,
	}
	if maxAge > 0 {
		c.MaxAge = int(maxAge / time.Second)
		c.Expires = w.now().Add(maxAge)
	} else {
		c.MaxAge = -1
		c.Expires = time.Unix(0, 0)
	}
	return c
}
