package domain

import (
	"strings"
	"time"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
)

// Tenant is one administrative unit. Slug is its stable DNS label (platform.Slug: namespaces,
// buckets, token claims); Code is the official unit code, which never changes either; Kind is its
// level (platform.TenantKind).
type Tenant struct {
	ID        string
	Slug      string
	Code      string
	Name      string
	Kind      platform.TenantKind
	ParentID  string // "" for a province
	Disabled  bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate checks the tenant on its own; CanParent checks it against its parent.
func (t Tenant) Validate() error {
	var errs apperr.FieldErrors
	if !platform.ValidSlug(t.Slug) {
		errs.Add("slug", platform.SlugReason)
	}
	if !platform.ValidUnitCode(t.Code) {
		errs.Add("code", platform.UnitCodeReason)
	}
	if strings.TrimSpace(t.Name) == "" || len([]rune(t.Name)) > 200 {
		errs.Add("name", "is required, at most 200 characters, e.g. UBND xã Đông Tân")
	}
	if !t.Kind.Valid() {
		errs.Add("kind", platform.KindReason)
	}
	if t.Kind == platform.KindProvince && t.ParentID != "" {
		errs.Add("parent", "a province has no parent")
	}
	if t.Kind != platform.KindProvince && t.Kind.Valid() && t.ParentID == "" {
		errs.Add("parent", "a "+string(t.Kind)+" needs a parent tenant")
	}
	return errs.Err()
}

// CanParent checks that parent may hold child: a district under a province; a commune-level unit
// under a district or a province (two-tier provinces).
func CanParent(parent Tenant, child platform.TenantKind) error {
	switch {
	case child == platform.KindDistrict && parent.Kind == platform.KindProvince:
		return nil
	case child.CommuneLevel() && (parent.Kind == platform.KindDistrict || parent.Kind == platform.KindProvince):
		return nil
	}
	return apperr.Invalid("parent", "a "+string(child)+" cannot be placed under a "+string(parent.Kind))
}
