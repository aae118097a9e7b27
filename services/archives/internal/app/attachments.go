package app

import (
	"context"
	"io"
	"regexp"
	"slices"
	"strings"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/telemetry"
	"egov.vn/platform/services/archives/internal/domain"
)

// ActFor lets a service token act for tenant, returning the context scoped to it and the actor
// as it acts there. The rule: the token holds the role "service", its client is one of
// ServiceClients (the services that keep attachments here, e.g. dossiers), and tenant is the
// token's own tenant or lies under it in the tenant tree. A service's client is registered at
// the province (root), so it may act for every unit of the province and for none elsewhere; the
// tenant it names must exist and be enabled. People's tokens never act for another tenant.
func (a *App) ActFor(ctx context.Context, who platform.Actor, tenant string) (context.Context, platform.Actor, error) {
	if who.Subject == "" {
		return nil, platform.Actor{}, apperr.Unauthenticated("a service token is needed")
	}
	if !who.IsService() || !slices.Contains(a.cfg.ServiceClients, clientOf(who)) {
		return nil, platform.Actor{}, apperr.Forbidden("only the service tokens of " + strings.Join(a.cfg.ServiceClients, ", ") + " may use the attachments API")
	}
	if a.dir == nil {
		return nil, platform.Actor{}, apperr.Unavailable("the tenant directory", nil)
	}
	t, err := a.dir.Tenant(ctx, tenant)
	if err != nil || t.Disabled {
		return nil, platform.Actor{}, apperr.NotFound("tenant", tenant)
	}
	if string(who.Tenant) != tenant {
		within, err := a.dir.Within(ctx, string(who.Tenant), tenant)
		if err != nil {
			return nil, platform.Actor{}, err
		}
		if !within {
			return nil, platform.Actor{}, apperr.Forbidden("the service token of " + string(who.Tenant) + " may not act for " + tenant)
		}
	}
	// The caller now acts as the tenant: the actor carries it (for the access log) and the
	// repository scope is the tenant's own.
	who.Tenant = platform.Slug(tenant)
	ctx, err = a.Scope(ctx, who)
	if err != nil {
		return nil, platform.Actor{}, err
	}
	return ctx, who, nil
}

var refRE = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// StoreAttachment keeps a file for another service's thing (ref), in the acting tenant's bucket.
func (a *App) StoreAttachment(ctx context.Context, who platform.Actor, ref string, up Upload) (_ domain.StoredFile, err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.StoreAttachment")
	defer telemetry.End(span, &err)
	if err := signedIn(who); err != nil {
		return domain.StoredFile{}, err
	}
	if !refRE.MatchString(ref) {
		return domain.StoredFile{}, apperr.Invalid("ref", "ref is 1-128 letters, digits, '.', '_', ':' or '-'")
	}
	id := newID()
	s, err := a.storeObject(ctx, string(who.Tenant), "attachments/"+clientOf(who)+"/"+ref+"/"+id, up, who.Subject)
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
func (a *App) Attachments(ctx context.Context, who platform.Actor, ref string) (_ []domain.StoredFile, err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.Attachments")
	defer telemetry.End(span, &err)
	if err := signedIn(who); err != nil {
		return nil, err
	}
	return a.store.Attachments(ctx, clientOf(who), ref)
}

// Provision prepares a unit's storage (the operator's provisioning call, platform.admin checked
// by provision.Routes): its bucket as the storage contract makes it, with object lock and
// versioning. Idempotent: the archives seed nothing else, so "created" says whether the bucket
// was made now.
func (a *App) Provision(ctx context.Context, _ platform.Actor, slug platform.Slug, _ platform.Provisioning) (_ platform.Provisioned, err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.Provision")
	defer telemetry.End(span, &err)
	created, err := a.objects.EnsureBucket(ctx, string(slug))
	if err != nil {
		return platform.Provisioned{}, err
	}
	seeded := map[string]int{"buckets": 0}
	if created {
		seeded["buckets"] = 1
	}
	return platform.Provisioned{Tenant: slug, Created: created, Seeded: seeded}, nil
}

// DownloadAttachment streams a file the calling service stored for ref; any other file of the
// tenant (its documents) is not found through this door.
func (a *App) DownloadAttachment(ctx context.Context, who platform.Actor, ref, fileID, clientIP string) (domain.StoredFile, io.ReadCloser, error) {
	if err := signedIn(who); err != nil {
		return domain.StoredFile{}, nil, err
	}
	f, err := a.store.File(ctx, fileID)
	if err != nil {
		return domain.StoredFile{}, nil, err
	}
	if f.OwnerService != clientOf(who) || f.OwnerRef != ref {
		return domain.StoredFile{}, nil, apperr.NotFound("attachment", fileID)
	}
	return a.Download(ctx, who, fileID, clientIP)
}

// clientOf names the service behind a client-credentials token.
func clientOf(c platform.Actor) string {
	if c.ClientID != "" {
		return c.ClientID
	}
	return c.Subject
}
