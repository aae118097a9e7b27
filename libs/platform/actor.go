package platform

import "slices"

// Actor is who asks for something, as identity vouches for them: ports turn the verified token
// (API) or the page session into an Actor and pass it to the use case explicitly, so no app or
// domain code reads tokens.
type Actor struct {
	// Subject is the user id, or the client id of a client-credentials (service) token.
	Subject string
	// Name is the person's display name, "Nguyễn Thị Hoa".
	Name string
	// Tenant is the unit the caller works for; empty on service tokens that act for no unit.
	Tenant Slug
	// Roles are the platform roles the caller holds.
	Roles []Role
	// StaffID links a person to their civil-servant record in hr; empty when none is linked.
	StaffID string
	// ClientID is the OAuth client the token was issued to.
	ClientID string
	// SessionID is identity's single sign-on session; empty on client-credentials tokens.
	SessionID string
}

// Has reports whether the actor holds role.
func (a Actor) Has(role Role) bool { return slices.Contains(a.Roles, role) }

// HasAny reports whether the actor holds at least one of roles.
func (a Actor) HasAny(roles ...Role) bool { return slices.ContainsFunc(roles, a.Has) }

// IsService reports whether the actor is one of the platform's services (a client-credentials
// token with the service role), not a person.
func (a Actor) IsService() bool { return a.Has(RoleService) }
