package auth

import (
	"context"
	"slices"
	"time"
)

// Claims is the caller as the identity service vouches for them, taken from a verified access
// token (API) or from the service's session cookie (pages).
type Claims struct {
	// Subject is the user id, or the client id for a client-credentials (service) token.
	Subject string
	// Tenant is the slug of the unit the caller works for, "xa-dong-tan"; it may be empty on
	// service tokens that act for no unit.
	Tenant string
	// Name is the display name, "Nguyễn Thị Hoa".
	Name string
	// StaffID links the person to their civil-servant record in hr ("staff_id"); empty when
	// no record is linked and on client-credentials tokens.
	StaffID string
	// SessionID is the identity service's single sign-on session ("sid"); empty on
	// client-credentials tokens.
	SessionID string
	// ClientID is the OAuth client the token was issued to.
	ClientID string
	// Roles are platform-wide role names such as "dossier.receive".
	Roles []string
	// Audience lists who the token is meant for; it includes this service.
	Audience []string
	// Expiry is when the token (or the page session) stops being accepted.
	Expiry time.Time
	// IssuedAt is when the token (or the page session) was issued.
	IssuedAt time.Time
}

// HasRole reports whether the caller holds role.
func (c *Claims) HasRole(role string) bool {
	return c != nil && slices.Contains(c.Roles, role)
}

// HasAnyRole reports whether the caller holds at least one of roles.
func (c *Claims) HasAnyRole(roles ...string) bool {
	return slices.ContainsFunc(roles, c.HasRole)
}

// ClientCredentials reports whether the token was issued to a client acting for itself
// (client credentials: the subject is the client, and there is no sign-in session), not to a
// person signed in through a client.
func (c *Claims) ClientCredentials() bool {
	return c != nil && c.Subject != "" && c.Subject == c.ClientID && c.SessionID == ""
}

// clone returns a copy that shares no slices with c, so that a handler changing its Roles cannot
// change what the token cache hands to the next request.
func (c *Claims) clone() *Claims {
	out := *c
	out.Roles = slices.Clone(c.Roles)
	out.Audience = slices.Clone(c.Audience)
	return &out
}

type claimsKey struct{}

// WithClaims returns a context carrying the caller's claims.
func WithClaims(ctx context.Context, c *Claims) context.Context {
	return context.WithValue(ctx, claimsKey{}, c)
}

// ClaimsFrom returns the caller's claims put in ctx by the middleware, if any.
func ClaimsFrom(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(*Claims)
	return c, ok && c != nil
}
