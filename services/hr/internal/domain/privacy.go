package domain

import "egov.vn/platform/libs/platform"

// Who may see and change what in HR, decided from the caller as identity vouches for them
// (platform.Actor, passed explicitly by the ports).

// SeesPersonal says whether a may see s's personal fields (date of birth, gender, CCCD,
// contacts): an HR officer of the person's own tenant, or the person themselves. An HR officer
// of a parent unit, any other colleague and other services see the directory entry only.
func SeesPersonal(a platform.Actor, s Staff) bool {
	if a.Subject != "" && s.UserSubject != "" && a.Subject == s.UserSubject {
		return true
	}
	return a.Has(platform.RoleHROfficer) && a.Tenant != "" && string(a.Tenant) == s.Tenant
}

// ManagesStaff says whether a may change staff records of its own tenant.
func ManagesStaff(a platform.Actor) bool { return a.Has(platform.RoleHROfficer) && a.Tenant != "" }

// ReadsStatistics says whether a may read statistics.
func ReadsStatistics(a platform.Actor) bool {
	return a.HasAny(platform.RoleHROfficer, platform.RoleReportView, platform.RoleService)
}

// ReadsSubtree says whether a's reads reach the tenants below its own: HR officers, report
// readers and services read their descendants (never write them); other staff see their own
// tenant's directory only.
func ReadsSubtree(a platform.Actor) bool {
	return a.HasAny(platform.RoleHROfficer, platform.RoleReportView, platform.RoleService)
}

// SeesCareer says whether a, who may not see s's personal fields, still sees their career and
// qualifications: readers of a parent unit (HR officers, report readers) do; colleagues and
// other services see the directory entry only.
func SeesCareer(a platform.Actor, s Staff) bool {
	return SeesPersonal(a, s) || a.HasAny(platform.RoleHROfficer, platform.RoleReportView) && string(a.Tenant) != s.Tenant
}
