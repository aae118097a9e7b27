package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/workspace"
	platformv1 "egov.vn/platform/operator/api/v1alpha1"
	"egov.vn/platform/operator/internal/adapters/platformapi"
)

// fakeIdentity keeps tenants and users in memory, as identity's admin API would.
type fakeIdentity struct {
	tenants map[string]platformapi.IdentityTenant
	users   map[string]platformapi.IdentityUser
}

func (f *fakeIdentity) Tenant(_ context.Context, slug string) (platformapi.IdentityTenant, error) {
	t, ok := f.tenants[slug]
	if !ok {
		return t, &apperr.Error{Kind: apperr.KindNotFound, Code: "not_found", Message: slug}
	}
	return t, nil
}

func (f *fakeIdentity) Onboard(_ context.Context, in platformapi.Onboarding) (platformapi.Onboarded, error) {
	if in.Tenant.Parent != "" {
		if _, ok := f.tenants[in.Tenant.Parent]; !ok {
			return platformapi.Onboarded{}, apperr.Invalid("parent", "unknown parent "+in.Tenant.Parent)
		}
	}
	in.Tenant.ID = "id-" + in.Tenant.Slug
	f.tenants[in.Tenant.Slug] = in.Tenant
	in.Admin.Tenant = in.Tenant.Slug
	f.users[in.Admin.Username] = in.Admin
	return platformapi.Onboarded{Tenant: in.Tenant, TenantCreated: true, Admin: in.Admin, Clients: in.Clients}, nil
}

func (f *fakeIdentity) PatchTenant(_ context.Context, slug string, p platformapi.TenantPatch) (platformapi.IdentityTenant, error) {
	t := f.tenants[slug]
	if p.Name != nil {
		t.Name = *p.Name
	}
	f.tenants[slug] = t
	return t, nil
}

func (f *fakeIdentity) Users(_ context.Context, tenant string) ([]platformapi.IdentityUser, error) {
	var out []platformapi.IdentityUser
	for _, u := range f.users {
		if u.Tenant == tenant {
			out = append(out, u)
		}
	}
	return out, nil
}

func (f *fakeIdentity) EnsureUser(_ context.Context, u platformapi.IdentityUser) (platformapi.IdentityUser, error) {
	f.users[u.Username] = u
	return u, nil
}

func (f *fakeIdentity) SetUserDisabled(context.Context, string, bool) error { return nil }
func (f *fakeIdentity) Clients(context.Context, string) ([]platformapi.IdentityClient, error) {
	return nil, nil
}

func (f *fakeIdentity) EnsureClient(_ context.Context, c platformapi.IdentityClient) (platformapi.IdentityClient, error) {
	return c, nil
}
func (f *fakeIdentity) SetClientDisabled(context.Context, string, bool) error { return nil }

type fakeBuckets struct{ names []string }

func (f *fakeBuckets) Ensure(_ context.Context, b platform.Bucket) ([]string, error) {
	f.names = append(f.names, b.Name)
	return nil, nil
}

type fakeServices struct {
	calls []string // service/slug
	down  string   // a service that answers unavailable
}

func (f *fakeServices) Provision(_ context.Context, service, _ string, slug platform.Slug, p platform.Provisioning) (platform.Provisioned, error) {
	if err := p.Validate(); err != nil {
		return platform.Provisioned{}, err
	}
	if service == f.down {
		return platform.Provisioned{}, apperr.Unavailable(service, errors.New("connection refused"))
	}
	f.calls = append(f.calls, service+"/"+string(slug))
	return platform.Provisioned{Tenant: slug, Seeded: map[string]int{"items": 1}}, nil
}

// TestOnboardTheDevTenants reads the local stack's own manifests and onboards them twice: every
// tenant gets its identity tenant, its bucket by the storage contract and its provisioning in all
// four services (archives included), parents first; the second run changes nothing in identity.
func TestOnboardTheDevTenants(t *testing.T) {
	root, err := workspace.Root()
	if err != nil {
		t.Fatal(err)
	}
	tenants, err := readTenants(filepath.Join(root, "infra", "dev", "tenants.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, tn := range tenants {
		slugs = append(slugs, tn.Name)
	}
	if strings.Join(slugs, ",") != "tinh,huyen-dong-hung,xa-dong-tan,xa-dong-la" {
		t.Fatalf("infra/dev/tenants.yaml holds %v", slugs)
	}
	id := &fakeIdentity{tenants: map[string]platformapi.IdentityTenant{}, users: map[string]platformapi.IdentityUser{}}
	buckets, services := &fakeBuckets{}, &fakeServices{}
	var out bytes.Buffer
	o := &onboarder{out: &out, identity: id, store: buckets, prov: services,
		urls:          map[platformv1.ServiceName]string{"dossiers": "http://d/dossiers", "archives": "http://a/archives", "hr": "http://h/hr", "reporting": "http://r/reports"},
		adminPassword: "Demo-password-1"}
	for run := 1; run <= 2; run++ {
		if _, err := o.run(context.Background(), tenants); err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, out.String())
		}
	}
	if u := id.users["tuan.pv"]; u.Tenant != "xa-dong-tan" || u.Password != "Demo-password-1" || !slices.Contains(u.Roles, string(platform.RoleTenantAdmin)) {
		t.Errorf("xa-dong-tan's administrator: %+v", u)
	}
	if !slices.Contains(buckets.names, platform.BucketName("", "xa-dong-tan")) {
		t.Errorf("buckets %v", buckets.names)
	}
	for _, want := range []string{"dossiers/xa-dong-tan", "archives/xa-dong-tan", "hr/xa-dong-la", "reporting/tinh"} {
		if !slices.Contains(services.calls, want) {
			t.Errorf("no provisioning call %s in %v", want, services.calls)
		}
	}
	if len(services.calls) != 2*4*4 {
		t.Errorf("%d provisioning calls, want 4 services × 4 tenants × 2 runs", len(services.calls))
	}
}

// TestOnboardReportsAFailingServiceAndGoesOn: a service that stays unavailable fails the run
// with its name, and the other services are still provisioned.
func TestOnboardReportsAFailingServiceAndGoesOn(t *testing.T) {
	tn := &platformv1.Tenant{}
	tn.Kind, tn.Name = "Tenant", "tinh"
	tn.Spec = platformv1.TenantSpec{Code: "34", DisplayName: "UBND tỉnh Thái Bình", Kind: platformv1.KindProvince,
		Admins: []platformv1.TenantAdmin{{Username: "khanh.tq", Name: "Trần Quốc Khánh"}}}
	if err := checkTenant(tn); err != nil {
		t.Fatal(err)
	}
	id := &fakeIdentity{tenants: map[string]platformapi.IdentityTenant{}, users: map[string]platformapi.IdentityUser{}}
	services := &fakeServices{down: "archives"}
	var out bytes.Buffer
	o := &onboarder{out: &out, identity: id, store: &fakeBuckets{}, prov: services,
		urls: map[platformv1.ServiceName]string{"dossiers": "http://d/dossiers", "archives": "http://a/archives"}}
	_, err := o.run(context.Background(), []*platformv1.Tenant{tn})
	if err == nil || !strings.Contains(err.Error(), "archives") {
		t.Fatalf("err = %v", err)
	}
	if !slices.Equal(services.calls, []string{"dossiers/tinh"}) {
		t.Errorf("calls %v", services.calls)
	}
	if !strings.Contains(out.String(), "hr not deployed") {
		t.Errorf("output does not say hr was skipped:\n%s", out.String())
	}
}
