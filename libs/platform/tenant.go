package platform

import (
	"regexp"
	"strings"

	"egov.vn/platform/libs/apperr"
)

// Slug is a tenant's stable name: a DNS label (RFC 1123) such as "xa-dong-tan". It names the
// tenant in tokens, events' subjects, its Kubernetes namespace (NamespacePrefix + slug) and its
// bucket (BucketPrefix + slug), so it is short enough for both to stay within 63 characters.
type Slug string

// MaxSlugLength keeps "tenant-" + slug a valid namespace and bucket name (63 characters).
const MaxSlugLength = 63 - len(NamespacePrefix)

var slugRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// ValidSlug reports whether s is a tenant slug.
func ValidSlug(s string) bool { return len(s) <= MaxSlugLength && slugRE.MatchString(s) }

// SlugReason is what a person is told when a slug is refused.
const SlugReason = "must be a DNS label: lower-case letters, digits and '-', at most 56 characters, starting and ending with a letter or digit, e.g. xa-dong-tan"

// ParseSlug returns s as a Slug, or an invalid-field error naming field.
func ParseSlug(field, s string) (Slug, error) {
	if !ValidSlug(s) {
		return "", apperr.Invalid(field, SlugReason)
	}
	return Slug(s), nil
}

// String returns the slug as written.
func (s Slug) String() string { return string(s) }

// TenantKind is the level of an administrative unit. Provinces sit at the top; communes, wards and
// towns (thị trấn) are the lowest level and sit under a district or, in two-tier provinces since
// 2025, directly under the province. Nothing may assume a district exists.
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

// KindReason is what a person is told when a kind is refused.
const KindReason = "must be one of province, district, commune, ward, town"

// unitCodeRE: official unit codes (Decision 124/2004/QĐ-TTg) have 2 digits for a province, 3 for
// a district, 5 for a commune.
var unitCodeRE = regexp.MustCompile(`^[0-9]{2,5}$`)

// ValidUnitCode reports whether code is an official unit code.
func ValidUnitCode(code string) bool { return unitCodeRE.MatchString(code) }

// UnitCodeReason is what a person is told when a unit code is refused.
const UnitCodeReason = "must be the official unit code: 2 to 5 digits, e.g. 26734"

// validName reports whether a unit's display name is present and at most 200 characters.
func validName(name string) bool {
	return strings.TrimSpace(name) != "" && len([]rune(name)) <= 200
}
