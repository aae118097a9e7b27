package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/telemetry"
	"egov.vn/platform/services/hr/internal/domain"
)

// UnitNode is a unit as it stood on a day: its name and parent then, its depth in the tree.
type UnitNode struct {
	domain.Unit
	Depth int
}

// UnitTree returns tenant's units ("" = the caller's own) that were open on day on, with the
// names and parents they had that day, in tree order (each parent before its children).
func (a *App) UnitTree(ctx context.Context, tenant string, on time.Time) (_ []UnitNode, err error) {
	ctx, span := a.tracer.Start(ctx, "hr.App.UnitTree")
	defer telemetry.End(span, &err)
	units, err := a.repo.Units(ctx, tenant)
	if err != nil {
		return nil, err
	}
	versions, err := a.repo.UnitVersions(ctx, tenant, "")
	if err != nil {
		return nil, err
	}
	on = domain.Day(on)
	then := map[string]domain.UnitVersion{}
	for _, v := range versions {
		if !v.ValidFrom.After(on) && (v.ValidTo == nil || v.ValidTo.After(on)) {
			then[v.UnitID] = v
		}
	}
	children := map[string][]domain.Unit{}
	for _, u := range units {
		v, ok := then[u.ID]
		if !ok {
			continue // not open that day
		}
		u.Name, u.ParentID = v.Name, v.ParentID
		children[u.ParentID] = append(children[u.ParentID], u)
	}
	var out []UnitNode
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		kids := children[parent]
		slices.SortFunc(kids, func(x, y domain.Unit) int { return strings.Compare(x.Code, y.Code) })
		for _, u := range kids {
			out = append(out, UnitNode{Unit: u, Depth: depth})
			walk(u.ID, depth+1)
		}
	}
	walk("", 0)
	return out, nil
}

// UnitInput is a new unit.
type UnitInput struct {
	Code     string
	Name     string
	Kind     domain.UnitKind
	ParentID string
	OpenedOn time.Time
}

// CreateUnit adds a unit to the caller's tenant.
func (a *App) CreateUnit(ctx context.Context, actor platform.Actor, in UnitInput) (_ domain.Unit, err error) {
	ctx, span := a.tracer.Start(ctx, "hr.App.CreateUnit")
	defer telemetry.End(span, &err)
	if err := requireOfficer(actor); err != nil {
		return domain.Unit{}, err
	}
	if in.OpenedOn.IsZero() {
		in.OpenedOn = a.today()
	}
	u := domain.Unit{ID: newID(), Tenant: string(actor.Tenant), Code: strings.ToUpper(strings.TrimSpace(in.Code)), Name: strings.TrimSpace(in.Name),
		Kind: in.Kind, ParentID: in.ParentID, OpenedOn: domain.Day(in.OpenedOn)}
	if err := u.ValidateNew(); err != nil {
		return domain.Unit{}, err
	}
	err = a.repo.Transact(ctx, func(ctx context.Context) error {
		units, err := a.repo.Units(ctx, "")
		if err != nil {
			return err
		}
		if err := domain.NewTree(units).CheckParent("", u.ParentID, u.OpenedOn); err != nil {
			return err
		}
		return a.repo.CreateUnit(ctx, u, "", actor.Subject)
	})
	return u, err
}

// UnitChange is a rename, move or close of a unit from a day.
type UnitChange struct {
	Change      domain.Change // renamed, moved or closed
	Name        string        // for renamed
	ParentID    string        // for moved
	EffectiveOn time.Time
	Reason      string // required for closed
}

// ChangeUnit renames, moves or closes a unit of the caller's tenant from a day on; its earlier
// shape stays in its history.
func (a *App) ChangeUnit(ctx context.Context, actor platform.Actor, id string, ch UnitChange) (_ domain.Unit, err error) {
	ctx, span := a.tracer.Start(ctx, "hr.App.ChangeUnit")
	defer telemetry.End(span, &err)
	if err := requireOfficer(actor); err != nil {
		return domain.Unit{}, err
	}
	if ch.EffectiveOn.IsZero() {
		ch.EffectiveOn = a.today()
	}
	d := domain.Day(ch.EffectiveOn)
	var out domain.Unit
	err = a.repo.Transact(ctx, func(ctx context.Context) error {
		units, err := a.repo.Units(ctx, "")
		if err != nil {
			return err
		}
		tree := domain.NewTree(units)
		u, ok := tree[id]
		if !ok {
			return apperr.NotFound("unit", id)
		}
		if u.ClosedOn != nil {
			return apperr.Conflict("unit_closed", "đơn vị đã giải thể; không thể thay đổi")
		}
		switch ch.Change {
		case domain.ChangeRenamed:
			if err := domain.CheckRename(ch.Name); err != nil {
				return err
			}
			if strings.TrimSpace(ch.Name) == u.Name {
				return apperr.Conflict("nothing_changed", "tên mới giống tên hiện tại")
			}
			u.Name = strings.TrimSpace(ch.Name)
		case domain.ChangeMoved:
			if ch.ParentID == u.ParentID {
				return apperr.Conflict("nothing_changed", "đơn vị đã trực thuộc đơn vị cấp trên này")
			}
			if err := tree.CheckParent(id, ch.ParentID, d); err != nil {
				return err
			}
			u.ParentID = ch.ParentID
		case domain.ChangeClosed:
			n, err := a.repo.ActiveInUnit(ctx, id, d)
			if err != nil {
				return err
			}
			if err := tree.CheckClose(id, d, ch.Reason, n); err != nil {
				return err
			}
			u.ClosedOn, u.CloseReason = &d, strings.TrimSpace(ch.Reason)
		default:
			return apperr.Invalid("change", "thay đổi phải là renamed, moved hoặc closed")
		}
		out = u
		return a.repo.ChangeUnit(ctx, u, ch.Change, d, strings.TrimSpace(ch.Reason), actor.Subject)
	})
	return out, err
}

// UnitHistory returns a unit with every shape it has had, oldest first.
func (a *App) UnitHistory(ctx context.Context, id string) (_ domain.Unit, _ []domain.UnitVersion, err error) {
	ctx, span := a.tracer.Start(ctx, "hr.App.UnitHistory")
	defer telemetry.End(span, &err)
	u, err := a.repo.Unit(ctx, id)
	if err != nil {
		return u, nil, err
	}
	vs, err := a.repo.UnitVersions(ctx, u.Tenant, id)
	return u, vs, err
}

// Provision seeds the default organisation units of tenant slug, idempotently: units already
// seeded are left as they are (an HR officer may have renamed them since). p has passed
// platform.Provisioning.Validate (provision.Handler checks it). Only a platform administrator
// may call it; the scope is the tenant being provisioned, which is the one case where the tenant
// comes from the request — the operator acts for every tenant.
func (a *App) Provision(ctx context.Context, actor platform.Actor, slug platform.Slug, p platform.Provisioning) (out platform.Provisioned, err error) {
	ctx, span := a.tracer.Start(ctx, "hr.App.Provision")
	defer telemetry.End(span, &err)
	if !actor.Has(platform.RolePlatformAdmin) {
		return out, apperr.Forbidden("provisioning a tenant needs the " + string(platform.RolePlatformAdmin) + " role")
	}
	if _, err := platform.ParseSlug("slug", string(slug)); err != nil {
		return out, err
	}
	if err := p.Validate(); err != nil {
		return out, err
	}
	// The operator's token names no unit: the scope is the tenant it provisions, to write.
	if ctx, err = store.ScopeFor(ctx, platform.Actor{Subject: actor.Subject, Tenant: slug}, false, nil); err != nil {
		return out, err
	}
	out = platform.Provisioned{Tenant: slug, Seeded: map[string]int{"organisation_units": 0}}
	err = a.repo.Transact(ctx, func(ctx context.Context) error {
		have, err := a.repo.SeededUnits(ctx)
		if err != nil {
			return err
		}
		ids := map[string]string{}
		for k, id := range have {
			ids[k] = id
		}
		out.Created = len(have) == 0
		for _, s := range domain.DefaultUnits(p.Kind, p.Name) {
			if _, ok := have[s.Code]; ok {
				continue
			}
			u := domain.Unit{ID: newID(), Tenant: string(slug), Code: s.Code, Name: s.Name, Kind: s.Kind, ParentID: ids[s.Parent], OpenedOn: domain.SeedOpenedOn(p.Kind, a.today())}
			if err := a.repo.CreateUnit(ctx, u, s.Code, actor.Subject); err != nil {
				return err
			}
			ids[s.Code] = u.ID
			out.Seeded["organisation_units"]++
		}
		return nil
	})
	return out, err
}
