package domain

import "slices"

// Roles HR acts on (identity refuses any other name).
const (
	RoleHROfficer     = "hr.officer"
	RoleTenantAdmin   = "tenant.admin"
	RoleReportView    = "report.view"
	RolePlatformAdmin = "platform.admin"
	RoleService       = "service"
)

// Viewer is who is asking, from their verified token.
type Viewer struct {
	Subject string
	Tenant  string
	Roles   []string
}

// Has reports whether the viewer holds role.
func (v Viewer) Has(role string) bool { return slices.Contains(v.Roles, role) }

// SeesPersonal says whether v may see s's personal fields (date of birth, gender, CCCD,
// contacts): an HR officer of the person's own tenant, or the person themselves. An HR officer
// of a parent unit, any other colleague and other services see the directory entry only.
func (v Viewer) SeesPersonal(s Staff) bool {
	if v.Subject != "" && s.UserSubject != "" && v.Subject == s.UserSubject {
		return true
	}
	return v.Has(RoleHROfficer) && v.Tenant != "" && v.Tenant == s.Tenant
}

// ManagesStaff says whether v may change staff records of its own tenant.
func (v Viewer) ManagesStaff() bool { return v.Has(RoleHROfficer) && v.Tenant != "" }

// ReadsStatistics says whether v may read statistics.
func (v Viewer) ReadsStatistics() bool {
	return v.Has(RoleHROfficer) || v.Has(RoleReportView) || v.Has(RoleService)
}

// ReadsSubtree says whether v's reads reach the tenants below its own: HR officers, report
// readers and services read their descendants (never write them); other staff see their own
// tenant's directory only.
func (v Viewer) ReadsSubtree() bool {
	return v.Has(RoleHROfficer) || v.Has(RoleReportView) || v.Has(RoleService)
}
