package adapters

import (
	"context"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/services/dossiers/internal/app"
)

// Directory reads the tenant tree from identity through libs/auth.
type Directory struct{ D *auth.Directory }

var _ app.Directory = Directory{}

// Tenant returns one unit.
func (d Directory) Tenant(ctx context.Context, slug string) (app.Tenant, error) {
	t, err := d.D.Tenant(ctx, slug)
	if err != nil {
		return app.Tenant{}, err
	}
	return app.Tenant{Slug: t.Slug, Code: t.Code, Name: t.Name, Kind: t.Kind, Parent: t.Parent}, nil
}

// Subtree returns slug and every unit below it.
func (d Directory) Subtree(ctx context.Context, slug string) ([]string, error) {
	return d.D.Subtree(ctx, slug)
}

// Staff returns the active people of unit slug.
func (d Directory) Staff(ctx context.Context, slug string) ([]app.Person, error) {
	people, err := d.D.Staff(ctx, slug)
	if err != nil {
		return nil, err
	}
	out := make([]app.Person, len(people))
	for i, p := range people {
		roles := make([]platform.Role, len(p.Roles))
		for j, r := range p.Roles {
			roles[j] = platform.Role(r)
		}
		out[i] = app.Person{Subject: p.Subject, Username: p.Username, Name: p.Name, Roles: roles}
	}
	return out, nil
}
