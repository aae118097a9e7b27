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

// servicePath is each service's path prefix behind the platform's origin.
var servicePath = map[platformv1.ServiceName]string{
	platformv1.ServiceDossiers: "/dossiers", platformv1.ServiceArchives: "/archives",
	platformv1.ServiceHR: "/hr", platformv1.ServiceReporting: "/reports",
}

// serviceTitle is how staff know each service (client names are shown on the consent and
// account pages).
var serviceTitle = map[platformv1.ServiceName]string{
	platformv1.ServiceDossiers: "Một cửa điện tử", platformv1.ServiceArchives: "Văn thư - Lưu trữ",
	platformv1.ServiceHR: "Quản lý nhân sự", platformv1.ServiceReporting: "Báo cáo cải cách hành chính",
}

// ClientID names the tenant's OIDC client for a service.
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

// Clients are the tenant's OIDC clients: one confidential code-flow client per enabled service,
// for the unit's own applications of that service, whose tokens are for that service.
func Clients(publicURL string, t *platformv1.Tenant) []platformapi.IdentityClient {
	svcs := slices.Clone(t.Spec.Services)
	slices.Sort(svcs)
	out := make([]platformapi.IdentityClient, 0, len(svcs))
	base := strings.TrimSuffix(publicURL, "/")
	for _, s := range svcs {
		p := servicePath[s]
		out = append(out, platformapi.IdentityClient{
			ClientID: ClientID(t.Name, s), Name: serviceTitle[s] + " - " + t.Spec.DisplayName, Type: "confidential",
			RedirectURIs: []string{base + p + "/auth/callback"}, PostLogoutRedirectURIs: []string{base + p + "/"},
			GrantTypes: []string{"authorization_code", "refresh_token"}, Audiences: []string{string(s)},
		})
	}
	return out
}

// clientDiffers reports whether identity's client lost the settings onboarding gives it.
func clientDiffers(have, want platformapi.IdentityClient) bool {
	eq := func(a, b []string) bool {
		a, b = slices.Clone(a), slices.Clone(b)
		slices.Sort(a)
		slices.Sort(b)
		return slices.Equal(a, b)
	}
	return have.Name != want.Name || !eq(have.RedirectURIs, want.RedirectURIs) || !eq(have.PostLogoutRedirectURIs, want.PostLogoutRedirectURIs) ||
		!eq(have.GrantTypes, want.GrantTypes) || !eq(have.Audiences, want.Audiences)
}

// IdentityResult is what the identity step leaves: the tenant as identity shows it, the accounts
// of the tenant, and the credentials identity made in this call (it shows them only once).
type IdentityResult struct {
	Tenant  platformapi.IdentityTenant
	Users   map[string]platformapi.IdentityUser
	Issued  map[string]string // client id → secret just made
	OneTime map[string]string // username → one-time password just made
}

// Identity keeps the identity tenant, its administrators (enabled, tenant.admin) and clients.
// adminPassword, when not empty, is given to administrators created now instead of a one-time
// password: the local stack and tests only, where people sign in with a known demo password.
func Identity(ctx context.Context, id IdentityAdmin, t *platformv1.Tenant, clients []platformapi.IdentityClient, adminPassword string) (IdentityResult, error) {
	res := IdentityResult{Issued: map[string]string{}, OneTime: map[string]string{}}
	slug := t.Name
	it, err := id.Tenant(ctx, slug)
	switch {
	case apperr.KindOf(err) == apperr.KindNotFound:
		first := t.Spec.Admins[0]
		out, err := id.Onboard(ctx, platformapi.Onboarding{
			Tenant: platformapi.IdentityTenant{Slug: slug, Code: t.Spec.Code, Name: t.Spec.DisplayName, Kind: string(t.Spec.Kind), Parent: t.Spec.Parent},
			Admin: platformapi.IdentityUser{Username: first.Username, Name: first.Name, Email: first.Email,
				Roles: []string{string(platform.RoleTenantAdmin)}, Password: adminPassword},
			Clients: clients,
		})
		if err != nil {
			return res, err
		}
		it = out.Tenant
		if out.Admin.OneTimePassword != "" {
			res.OneTime[out.Admin.Username] = out.Admin.OneTimePassword
		}
		for _, c := range out.Clients {
			if c.ClientSecret != "" {
				res.Issued[c.ClientID] = c.ClientSecret
			}
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
		if err := syncClients(ctx, id, t, clients, res.Issued); err != nil {
			return res, err
		}
	}
	res.Tenant = it
	res.Users, err = syncAdmins(ctx, id, t, res.OneTime, adminPassword)
	return res, err
}

// syncClients creates missing clients, puts back changed settings, re-enables disabled ones and
// disables those of services the tenant no longer uses.
func syncClients(ctx context.Context, id IdentityAdmin, t *platformv1.Tenant, want []platformapi.IdentityClient, issued map[string]string) error {
	have, err := id.Clients(ctx, t.Name)
	if err != nil {
		return err
	}
	byID := map[string]platformapi.IdentityClient{}
	for _, c := range have {
		byID[c.ClientID] = c
	}
	for _, c := range want {
		h, ok := byID[c.ClientID]
		if !ok || clientDiffers(h, c) {
			out, err := id.EnsureClient(ctx, c)
			if err != nil {
				return err
			}
			if out.ClientSecret != "" {
				issued[c.ClientID] = out.ClientSecret
			}
		}
		if ok && h.Disabled {
			if err := id.SetClientDisabled(ctx, c.ClientID, false); err != nil {
				return err
			}
		}
		delete(byID, c.ClientID)
	}
	for cid, h := range byID {
		if strings.HasPrefix(cid, t.Name+"-") && !h.Disabled {
			if err := id.SetClientDisabled(ctx, cid, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// syncAdmins makes sure every administrator has an enabled account with tenant.admin.
func syncAdmins(ctx context.Context, id IdentityAdmin, t *platformv1.Tenant, oneTime map[string]string, password string) (map[string]platformapi.IdentityUser, error) {
	list, err := id.Users(ctx, t.Name)
	if err != nil {
		return nil, err
	}
	users := map[string]platformapi.IdentityUser{}
	for _, u := range list {
		users[u.Username] = u
	}
	for _, a := range t.Spec.Admins {
		u, ok := users[a.Username]
		if !ok {
			out, err := id.EnsureUser(ctx, platformapi.IdentityUser{Tenant: t.Name, Username: a.Username, Name: a.Name, Email: a.Email,
				Roles: []string{string(platform.RoleTenantAdmin)}, Password: password})
			if err != nil {
				return nil, err
			}
			if out.OneTimePassword != "" {
				oneTime[a.Username] = out.OneTimePassword
			}
			users[a.Username] = out
			continue
		}
		if u.Disabled {
			if err := id.SetUserDisabled(ctx, a.Username, false); err != nil {
				return nil, err
			}
		}
	}
	return users, nil
}
