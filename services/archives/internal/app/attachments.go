package app

import (
	"context"
	"io"
	"regexp"
	"slices"
	"strings"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/telemetry"
	"egov.vn/platform/services/archives/internal/domain"
)

// ActFor lets a service token act for tenant, returning the context scoped to it. The rule:
// the token holds the role "service", its client is one of ServiceClients (the services that
// keep attachments here, e.g. dossiers), and tenant is the token's own tenant or lies under it
// in the tenant tree. A service's client is registered at the province (root), so it may act
// for every unit of the province and for none elsewhere; the tenant it names must exist and be
// enabled. People's tokens never act for another tenant.
func (a *App) ActFor(ctx context.Context, tenant string) (context.Context, error) {
	who, ok := authClaims(ctx)
	if !ok {
		return nil, apperr.Unauthenticated("a service token is needed")
	}
	if !who.HasRole(RoleService) || !slices.Contains(a.cfg.ServiceClients, clientOf(who)) {
		return nil, apperr.Forbidden("only the service tokens of " + strings.Join(a.cfg.ServiceClients, ", ") + " may use the attachments API")
	}
	if a.dir == nil {
		return nil, apperr.Unavailable("the tenant directory", nil)
	}
	t, err := a.dir.Tenant(ctx, tenant)
	if err != nil || t.Disabled {
		return nil, apperr.NotFound("tenant", tenant)
	}
	if who.Tenant != tenant {
		within, err := a.dir.Within(ctx, who.Tenant, tenant)
		if err != nil {
			return nil, err
		}
		if !within {
			return nil, apperr.Forbidden("the service token of " + who.Tenant + " may not act for " + tenant)
		}
	}
	// The caller now acts as the tenant: the claims carry it (for the access log) and the
	// repository scope is the tenant's own.
	c := *who
	c.Tenant = tenant
	ctx = withClaims(ctx, &c)
	return store.WithScope(ctx, store.Scope{Tenant: tenant}), nil
}

var refRE = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// StoreAttachment keeps a file for another service's thing (ref), in the acting tenant's bucket.
func (a *App) StoreAttachment(ctx context.Context, ref string, up Upload) (_ domain.StoredFile, err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.StoreAttachment")
	defer telemetry.End(span, &err)
	who, err := actor(ctx)
	if err != nil {
		return domain.StoredFile{}, err
	}
	if !refRE.MatchString(ref) {
		return domain.StoredFile{}, apperr.Invalid("ref", "ref is 1-128 letters, digits, '.', '_', ':' or '-'")
	}
	id := newID()
	s, err := a.storeObject(ctx, who.Tenant, "attachments/"+clientOf(who)+"/"+ref+"/"+id, up, who.Subject)
	if err != nil {
		return domain.StoredFile{}, err
	}
	s.file.OwnerService, s.file.OwnerRef = clientOf(who), ref
	if err := a.store.Transact(ctx, func(ctx context.Context) error { return a.commitFiles(ctx, []stored{s}) }); err != nil {
		a.discardAll(ctx, []stored{s})
		return domain.StoredFile{}, err
	}
	return s.file, nil
}

// Attachments lists what the calling service stored for ref in the acting tenant.
func (a *App) Attachments(ctx context.Context, ref string) (_ []domain.StoredFile, err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.Attachments")
	defer telemetry.End(span, &err)
	who, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	return a.store.Attachments(ctx, clientOf(who), ref)
}

// EnsureTenant prepares a unit's storage (the operator's provisioning call): its bucket with
// object lock and versioning. Idempotent.
func (a *App) EnsureTenant(ctx context.Context, slug string) (created bool, err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.EnsureTenant")
	defer telemetry.End(span, &err)
	who, err := actor(ctx)
	if err != nil {
		return false, err
	}
	if !who.HasRole(RolePlatformAdmin) {
		return false, apperr.Forbidden("provisioning needs the role platform.admin")
	}
	if !slugRE.MatchString(slug) {
		return false, apperr.Invalid("slug", "a tenant slug is a DNS label: lowercase letters, digits and '-'")
	}
	return a.objects.EnsureBucket(ctx, slug)
}

var slugRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// DownloadAttachment streams a file the calling service stored for ref; any other file of the
// tenant (its documents) is not found through this door.
func (a *App) DownloadAttachment(ctx context.Context, ref, fileID, clientIP string) (domain.StoredFile, io.ReadCloser, error) {
	who, err := actor(ctx)
	if err != nil {
		return domain.StoredFile{}, nil, err
	}
	f, err := a.store.File(ctx, fileID)
	if err != nil {
		return domain.StoredFile{}, nil, err
	}
	if f.OwnerService != clientOf(who) || f.OwnerRef != ref {
		return domain.StoredFile{}, nil, apperr.NotFound("attachment", fileID)
	}
	return a.Download(ctx, fileID, clientIP)
}

// clientOf names the service behind a client-credentials token.
func clientOf(c *auth.Claims) string {
	if c.ClientID != "" {
		return c.ClientID
	}
	return c.Subject
}
