package domain

import (
	"regexp"
	"strings"
	"time"

	"egov.vn/platform/libs/apperr"
)

// TenantKind is the level of an administrative unit. Provinces sit at the top; communes, wards and
// towns (thị trấn) are the lowest level and sit under a district or, in two-tier provinces since
// 2025, directly under the province.
type TenantKind string

const (
	KindProvince TenantKind = "province"
	KindDistrict TenantKind = "district"
	KindCommune  TenantKind = "commune"
	KindWard     TenantKind = "ward"
	KindTown     TenantKind = "town"
)

// Valid reports whether k is one of the known kinds.
func (k TenantKind) Valid() bool {
	switch k {
	case KindProvince, KindDistrict, KindCommune, KindWard, KindTown:
		return true
	}
	return false
}

// CommuneLevel reports whether k is a commune-level unit (xã, phường, thị trấn).
func (k TenantKind) CommuneLevel() bool { return k == KindCommune || k == KindWard || k == KindTown }

// Tenant is one administrative unit. Slug is its stable DNS label (namespaces, buckets, token
// claims); Code is the official unit code, which never changes either.
type Tenant struct {
	ID        string
	Slug      string
	Code      string
	Name      string
	Kind      TenantKind
	ParentID  string // "" for a province
	Disabled  bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

var (
	slugRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	// Official unit codes (Decision 124/2004/QĐ-TTg): 2 digits for a province, 3 for a district,
	// 5 for a commune.
	unitCodeRE = regexp.MustCompile(`^[0-9]{2,5}$`)
)

// ValidSlug reports whether s is a DNS label (RFC 1123), as Kubernetes namespaces need.
func ValidSlug(s string) bool { return slugRE.MatchString(s) }

// Validate checks the tenant on its own; CanParent checks it against its parent.
func (t Tenant) Validate() error {
	var errs apperr.FieldErrors
	if !ValidSlug(t.Slug) {
		errs.Add("slug", "must be a DNS label: lower-case letters, digits and '-', at most 63 characters, e.g. xa-dong-tan")
	}
	if !unitCodeRE.MatchString(t.Code) {
		errs.Add("code", "must be the official unit code: 2 to 5 digits, e.g. 26734")
	}
	if strings.TrimSpace(t.Name) == "" || len([]rune(t.Name)) > 200 {
		errs.Add("name", "is required, at most 200 characters, e.g. UBND xã Đông Tân")
	}
	if !t.Kind.Valid() {
		errs.Add("kind", "must be one of province, district, commune, ward, town")
	}
	if t.Kind == KindProvince && t.ParentID != "" {
		errs.Add("parent", "a province has no parent")
	}
	if t.Kind != KindProvince && t.Kind.Valid() && t.ParentID == "" {
		errs.Add("parent", "a "+string(t.Kind)+" needs a parent tenant")
	}
	return errs.Err()
}

// CanParent checks that parent may hold child: a district under a province; a commune-level unit
// under a district or a province (two-tier provinces).
func CanParent(parent Tenant, child TenantKind) error {
	switch {
	case child == KindDistrict && parent.Kind == KindProvince:
		return nil
	case child.CommuneLevel() && (parent.Kind == KindDistrict || parent.Kind == KindProvince):
		return nil
	}
	return apperr.Invalid("parent", "a "+string(child)+" cannot be placed under a "+string(parent.Kind))
}
