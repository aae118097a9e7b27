// Package onboard holds what onboarding a tenant means outside Kubernetes: its identity tenant
// (with administrators and one OIDC client per service), its bucket by the platform's storage
// contract, and its provisioning in every service (PUT <prefix>/api/v1/tenants/{slug}). The Tenant
// controller runs these steps on every reconcile; `tenant-operator onboard FILE...` runs the same
// steps over Tenant manifests against service URLs without a cluster (the local stack, the e2e
// tier). One code path, so the dev stack is onboarded exactly as a real district is.
package onboard

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
	platformv1 "egov.vn/platform/operator/api/v1alpha1"
	"egov.vn/platform/operator/internal/adapters/platformapi"
)

// IdentityAdmin is identity's admin API as onboarding uses it.
type IdentityAdmin interface {
	Tenant(ctx context.Context, slug string) (platformapi.IdentityTenant, error)
	Onboard(ctx context.Context, in platformapi.Onboarding) (platformapi.Onboarded, error)
	PatchTenant(ctx context.Context, slug string, p platformapi.TenantPatch) (platformapi.IdentityTenant, error)
	Users(ctx context.Context, tenant string) ([]platformapi.IdentityUser, error)
	EnsureUser(ctx context.Context, u platformapi.IdentityUser) (platformapi.IdentityUser, error)
	SetUserDisabled(ctx context.Context, username string, disabled bool) error
	Clients(ctx context.Context, tenant string) ([]platformapi.IdentityClient, error)
	EnsureClient(ctx context.Context, c platformapi.IdentityClient) (platformapi.IdentityClient, error)
	SetClientDisabled(ctx context.Context, id string, disabled bool) error
}

// Buckets keeps tenants' buckets; it answers what it had to change.
type Buckets interface {
	Ensure(ctx context.Context, b platform.Bucket) ([]string, error)
}

// Provisioner registers a tenant in one service (provision.Put behind the operator's token).
type Provisioner interface {
	Provision(ctx context.Context, service, baseURL string, slug platform.Slug, in platform.Provisioning) (platform.Provisioned, error)
}

// Seed is one service that holds per-tenant data: the Tenant condition reporting it and what the
// service keeps for the tenant, as the condition says it.
type Seed struct {
	Service   platformv1.ServiceName
	Condition string
	What      string
}

// Seeds are the services provisioned for a tenant, in order. Every service that keeps tenant data
// is here: archives included, whose registers and retention classes exist only once provisioned.
var Seeds = []Seed{
	{platformv1.ServiceDossiers, "CatalogueSeeded", "the procedure catalogue and calendar"},
	{platformv1.ServiceArchives, "ArchivesRegistered", "the document registers and retention classes"},
	{platformv1.ServiceHR, "OrganisationSeeded", "the default organisation units"},
	{platformv1.ServiceReporting, "ReportingRegistered", "the registration for roll-ups"},
}

// ClientID is how earlier versions of the operator named a tenant's per-service OIDC client
// (<slug>-<service>). Nothing ever used those clients (the services sign people in with their own
// platform-wide clients), so onboarding no longer makes them and disables any that remain.
func ClientID(tenant string, svc platformv1.ServiceName) string { return tenant + "-" + string(svc) }

// Provisioning is the tenant as every service's provisioning API takes it.
func Provisioning(t *platformv1.Tenant) platform.Provisioning {
	return platform.Provisioning{Code: t.Spec.Code, Name: t.Spec.DisplayName, Kind: platform.TenantKind(t.Spec.Kind), Parent: platform.Slug(t.Spec.Parent)}
}

// Slug is the tenant's slug, checked by the platform's one rule.
func Slug(t *platformv1.Tenant) (platform.Slug, error) {
	return platform.ParseSlug("metadata.name", t.Name)
}

const gib = 1 << 30

// Bucket is what the tenant's bucket must be by the storage contract: platform.BucketName, object
// lock with the Tenant's default retention, its hard quota. testPrefix is "" outside tests.
func Bucket(testPrefix string, t *platformv1.Tenant) platform.Bucket {
	days, years := t.Spec.ArchiveRetention.RetentionDays()
	b := platform.Bucket{Name: platform.BucketName(testPrefix, platform.Slug(t.Name)), Mode: platform.RetentionGovernance,
		Days: uint(max(days, 0)), Years: uint(max(years, 0)), QuotaBytes: uint64(max(t.Spec.Quotas.ArchiveStorageGiB, 1)) * gib}
	if t.Spec.ArchiveRetention.Mode == platformv1.RetentionCompliance {
		b.Mode = platform.RetentionCompliance
	}
	return b
}

// EnsureBucket keeps the tenant's bucket and describes it for a condition or a console.
func EnsureBucket(ctx context.Context, store Buckets, b platform.Bucket) (changed []string, summary string, err error) {
	changed, err = store.Ensure(ctx, b)
	if err != nil {
		return changed, "", err
	}
	span := fmt.Sprintf("%d days", b.Days)
	if b.Years > 0 {
		span = fmt.Sprintf("%d years", b.Years)
	}
	mode := b.Mode
	if mode == "" {
		mode = platform.RetentionGovernance
	}
	return changed, strings.Join([]string{
		"bucket " + b.Name + " with versioning and object lock",
		fmt.Sprintf("default retention %s %s", mode, span),
		fmt.Sprintf("quota %d GiB", b.QuotaBytes/gib),
	}, ", "), nil
}

// Provision registers the tenant in the service at baseURL and describes what it seeded.
func Provision(ctx context.Context, p Provisioner, s Seed, baseURL string, t *platformv1.Tenant) (string, error) {
	slug, err := Slug(t)
	if err != nil {
		return "", err
	}
	res, err := p.Provision(ctx, string(s.Service), baseURL, slug, Provisioning(t))
	if err != nil {
		return "", err
	}
	var seeded []string
	for _, k := range slices.Sorted(maps.Keys(res.Seeded)) {
		seeded = append(seeded, fmt.Sprintf("%s %d", k, res.Seeded[k]))
	}
	return fmt.Sprintf("%s: %s (tenant created there: %t; seeded: %s)", s.Service, s.What, res.Created, strings.Join(seeded, ", ")), nil
}

// IdentityResult is what the identity step leaves: the tenant as identity shows it, the accounts
// of the tenant, the one-time passwords identity made in this call (it shows them only once), and
// the administrators removed from the spec that were disabled now.
type IdentityResult struct {
	Tenant   platformapi.IdentityTenant
	Users    map[string]platformapi.IdentityUser
	OneTime  map[string]string // username → one-time password just made
	Disabled []string          // former administrators disabled in this call
	Enabled  []string          // administrators enabled again in this call
}

// Identity keeps the identity tenant and its administrators (enabled, tenant.admin), disables
// the administrators named in formerAdmins that the spec no longer lists, and disables the
// per-service clients earlier versions made. formerAdmins are the usernames an earlier run put in
// as administrators (the Tenant's status.admins); accounts the tenant's own administrators made
// are never touched. adminPassword, when not empty, is given to administrators created now
// instead of a one-time password: the local stack and tests only.
func Identity(ctx context.Context, id IdentityAdmin, t *platformv1.Tenant, formerAdmins []string, adminPassword string) (IdentityResult, error) {
	res := IdentityResult{OneTime: map[string]string{}}
	slug := t.Name
	it, err := id.Tenant(ctx, slug)
	switch {
	case apperr.KindOf(err) == apperr.KindNotFound:
		first := t.Spec.Admins[0]
		out, err := id.Onboard(ctx, platformapi.Onboarding{
			Tenant: platformapi.IdentityTenant{Slug: slug, Code: t.Spec.Code, Name: t.Spec.DisplayName, Kind: string(t.Spec.Kind), Parent: t.Spec.Parent},
			Admin: platformapi.IdentityUser{Username: first.Username, Name: first.Name, Email: first.Email,
				Roles: []string{string(platform.RoleTenantAdmin)}, Password: adminPassword},
		})
		if err != nil {
			return res, err
		}
		it = out.Tenant
		if out.Admin.OneTimePassword != "" {
			res.OneTime[out.Admin.Username] = out.Admin.OneTimePassword
		}
	case err != nil:
		return res, err
	default:
		if it.Code != t.Spec.Code || it.Kind != string(t.Spec.Kind) || it.Parent != t.Spec.Parent {
			return res, apperr.Conflict("tenant_differs", fmt.Sprintf("identity already has tenant %s with code %s, kind %s and parent %q, which cannot change; fix the Tenant's spec or rename it",
				slug, it.Code, it.Kind, it.Parent))
		}
		var patch platformapi.TenantPatch
		if it.Name != t.Spec.DisplayName {
			patch.Name = &t.Spec.DisplayName
		}
		if it.Disabled { // retained by an earlier deletion and now applied again
			enabled := false
			patch.Disabled = &enabled
		}
		if patch.Name != nil || patch.Disabled != nil {
			if it, err = id.PatchTenant(ctx, slug, patch); err != nil {
				return res, err
			}
		}
		if err := retireClients(ctx, id, t); err != nil {
			return res, err
		}
	}
	res.Tenant = it
	err = syncAdmins(ctx, id, t, formerAdmins, adminPassword, &res)
	return res, err
}

// retireClients disables the per-service clients (<slug>-<service>) that earlier versions of the
// operator made: no service or tenant application uses them, and an enabled confidential client
// whose secret nobody holds is only a door left open.
func retireClients(ctx context.Context, id IdentityAdmin, t *platformv1.Tenant) error {
	have, err := id.Clients(ctx, t.Name)
	if err != nil {
		return err
	}
	for _, c := range have {
		svc, ok := strings.CutPrefix(c.ClientID, t.Name+"-")
		if !ok || c.Disabled || !slices.Contains(platformv1.AllServices, platformv1.ServiceName(svc)) {
			continue
		}
		if err := id.SetClientDisabled(ctx, c.ClientID, true); err != nil {
			return err
		}
	}
	return nil
}

// syncAdmins makes sure every administrator has an enabled account with tenant.admin, and
// disables the former administrators (formerAdmins not in the spec). Each change is one call to
// identity's admin API, which audits it as an admin change; nothing is called when the account
// is already as it should be, so a reconcile that changes nothing leaves no audit line.
func syncAdmins(ctx context.Context, id IdentityAdmin, t *platformv1.Tenant, formerAdmins []string, password string, res *IdentityResult) error {
	list, err := id.Users(ctx, t.Name)
	if err != nil {
		return err
	}
	users := map[string]platformapi.IdentityUser{}
	for _, u := range list {
		users[u.Username] = u
	}
	res.Users = users
	want := map[string]bool{}
	for _, a := range t.Spec.Admins {
		want[a.Username] = true
		u, ok := users[a.Username]
		if !ok {
			out, err := id.EnsureUser(ctx, platformapi.IdentityUser{Tenant: t.Name, Username: a.Username, Name: a.Name, Email: a.Email,
				Roles: []string{string(platform.RoleTenantAdmin)}, Password: password})
			if err != nil {
				return err
			}
			if out.OneTimePassword != "" {
				res.OneTime[a.Username] = out.OneTimePassword
			}
			users[a.Username] = out
			continue
		}
		if u.Disabled {
			if err := id.SetUserDisabled(ctx, a.Username, false); err != nil {
				return err
			}
			u.Disabled = false
			users[a.Username] = u
			res.Enabled = append(res.Enabled, a.Username)
		}
	}
	for _, name := range formerAdmins {
		u, ok := users[name]
		if want[name] || !ok || u.Disabled {
			continue // still an administrator, gone from identity, or already disabled
		}
		if err := id.SetUserDisabled(ctx, name, true); err != nil {
			return err
		}
		u.Disabled = true
		users[name] = u
		res.Disabled = append(res.Disabled, name)
	}
	return nil
}
