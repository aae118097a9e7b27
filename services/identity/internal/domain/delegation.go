package domain

import (
	"slices"

	"egov.vn/platform/libs/platform"
)

// Delegated administration follows the tenant tree: a tenant.admin manages the accounts of their
// own unit and of every unit below it, never a sibling's or a parent's. Units and people of a
// subtree change rarely and are few (a province has some hundreds of units), so the rule is decided
// on the unit's chain of parents rather than stored as a closure table.

// Manages reports whether an administrator of the unit adminTenantID may manage accounts of the
// unit whose chain is chain (the unit itself first, then its parent, up to the province).
func Manages(adminTenantID string, chain []Tenant) bool {
	return slices.ContainsFunc(chain, func(t Tenant) bool { return t.ID == adminTenantID })
}

// GrantableRoles are the roles a unit's administrator may give: everything a unit's staff work
// with, their own unit's administration included. platform.admin runs the whole platform and
// service marks machines: neither is ever granted from inside a unit.
func GrantableRoles() []platform.Role {
	var out []platform.Role
	for _, r := range platform.Roles() {
		if r.Name != platform.RolePlatformAdmin && r.Name != platform.RoleService {
			out = append(out, r.Name)
		}
	}
	return out
}

// Grantable reports whether a unit's administrator may give role.
func Grantable(role string) bool {
	return slices.Contains(GrantableRoles(), platform.Role(role))
}

// Audit actions of delegated administration (user.create, user.update and user.reset_password
// are shared with the platform admin API).
const (
	AuditUserUnlock      = "user.unlock"
	AuditUserEndSessions = "user.end_sessions"
	AuditUserRoles       = "user.roles"
	AuditUserDisable     = "user.disable"
	AuditUserEnable      = "user.enable"
	// AuditUserStaffLink is an account linked to (or unlinked from) its HR record.
	AuditUserStaffLink = "user.staff_link"
)
