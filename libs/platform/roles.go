package platform

import (
	"slices"
	"strings"

	"egov.vn/platform/libs/apperr"
)

// Role is a platform-wide permission carried in the tokens' `roles` claim. identity refuses any
// name that is not one of these.
type Role string

const (
	RoleDossierReceive Role = "dossier.receive"
	RoleDossierHandle  Role = "dossier.handle"
	RoleDossierApprove Role = "dossier.approve"
	RoleArchiveClerk   Role = "archive.clerk"
	RoleHROfficer      Role = "hr.officer"
	RoleReportView     Role = "report.view"
	RoleTenantAdmin    Role = "tenant.admin"
	RolePlatformAdmin  Role = "platform.admin"
	// RoleService marks a service's own client-credentials token (service-to-service calls).
	RoleService Role = "service"
)

// RoleInfo describes a role for the admin API and the pages.
type RoleInfo struct {
	Name        Role   `json:"name"`
	Description string `json:"description"` // Vietnamese, as staff read it
}

// Roles lists every role the platform knows, in the order the pages show them.
func Roles() []RoleInfo {
	return []RoleInfo{
		{RoleDossierReceive, "Tiếp nhận hồ sơ tại bộ phận một cửa"},
		{RoleDossierHandle, "Thụ lý, xử lý hồ sơ"},
		{RoleDossierApprove, "Phê duyệt kết quả hồ sơ"},
		{RoleArchiveClerk, "Văn thư, lưu trữ"},
		{RoleHROfficer, "Cán bộ tổ chức, nhân sự"},
		{RoleReportView, "Xem báo cáo, chỉ số cải cách hành chính"},
		{RoleTenantAdmin, "Quản trị đơn vị"},
		{RolePlatformAdmin, "Quản trị nền tảng"},
		{RoleService, "Dịch vụ của nền tảng (tài khoản máy)"},
	}
}

// DossierRoles are the roles of the one-stop shop: holding one of them lets a person work with
// the unit's dossiers.
var DossierRoles = []Role{RoleDossierReceive, RoleDossierHandle, RoleDossierApprove}

// KnownRole reports whether r is one of Roles.
func KnownRole(r string) bool {
	return slices.ContainsFunc(Roles(), func(i RoleInfo) bool { return string(i.Name) == r })
}

// NormalizeRoles checks every role, drops duplicates and sorts, so a role set compares equal
// however it was written. field names the input in the error.
func NormalizeRoles(field string, roles []string) ([]string, error) {
	out := make([]string, 0, len(roles))
	for _, r := range roles {
		r = strings.TrimSpace(r)
		if !KnownRole(r) {
			names := make([]string, 0, len(Roles()))
			for _, i := range Roles() {
				names = append(names, string(i.Name))
			}
			return nil, apperr.Invalid(field, `unknown role "`+r+`"; known roles: `+strings.Join(names, ", "))
		}
		out = append(out, r)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
