package platform

import (
	"net/url"

	"egov.vn/platform/libs/apperr"
)

// ProvisioningPath is where a service takes a tenant's provisioning, under its API prefix
// (<prefix>/api/v1): PUT with a Provisioning body, answered with Provisioned.
func ProvisioningPath(slug Slug) string { return "/tenants/" + url.PathEscape(string(slug)) }

// ProvisioningRoute is ProvisioningPath as a gin route.
const ProvisioningRoute = "/tenants/:slug"

// Provisioning registers a tenant with a service and asks it to seed what a new unit needs
// (procedure catalogue, organisation units, bucket, reporting's tree). Services take it from the
// operator, idempotently: the same body twice changes nothing the second time.
type Provisioning struct {
	Code   string     `json:"code"`
	Name   string     `json:"name"`
	Kind   TenantKind `json:"kind"`
	Parent Slug       `json:"parent,omitempty"`
}

// Validate checks the body on its own; each service checks it against what it already holds.
func (p Provisioning) Validate() error {
	var errs apperr.FieldErrors
	if !ValidUnitCode(p.Code) {
		errs.Add("code", UnitCodeReason)
	}
	if !validName(p.Name) {
		errs.Add("name", "is required, at most 200 characters, e.g. UBND xã Đông Tân")
	}
	if !p.Kind.Valid() {
		errs.Add("kind", KindReason)
	}
	switch {
	case p.Kind == KindProvince && p.Parent != "":
		errs.Add("parent", "a province has no parent")
	case p.Kind != KindProvince && p.Kind.Valid() && p.Parent == "":
		errs.Add("parent", "a "+string(p.Kind)+" needs its parent unit's slug")
	case p.Parent != "" && !ValidSlug(string(p.Parent)):
		errs.Add("parent", SlugReason)
	}
	return errs.Err()
}

// Provisioned is a service's answer: whether the tenant was new there and what it seeded, by
// kind of thing ("procedures": 25, "units": 1, "buckets": 0).
type Provisioned struct {
	Tenant  Slug           `json:"tenant"`
	Created bool           `json:"created"`
	Seeded  map[string]int `json:"seeded"`
}
