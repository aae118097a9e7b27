package adapters

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/reporting/internal/app"
	"egov.vn/platform/services/reporting/internal/domain"
)

// Store answers the read side. Every query on tenant data is limited by the caller's scope from
// the context (store.ScopeFrom, put there by the app from the token): that is the one place the
// tenant condition is applied.
type Store struct{ db *gorm.DB }

// NewStore wraps db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

var _ app.Store = (*Store)(nil)

func (s *Store) read(ctx context.Context) (*gorm.DB, error) {
	sc, err := store.ScopeFrom(ctx)
	if err != nil {
		return nil, err
	}
	return s.db.WithContext(ctx).Scopes(store.ForRead(sc)), nil
}

// Tenants lists every registered unit (the tree is not tenant data).
func (s *Store) Tenants(ctx context.Context) ([]app.Tenant, error) {
	var rows []tenantRow
	if err := s.db.WithContext(ctx).Order("slug").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]app.Tenant, 0, len(rows))
	for _, r := range rows {
		out = append(out, app.Tenant{Slug: r.Slug, Code: r.Code, Name: r.Name, Kind: r.Kind, Parent: r.Parent})
	}
	return out, nil
}

// RegisterTenant creates or updates a unit; created says whether it was new. A unit first seen
// in an event (no name yet) counts as new when it is registered properly.
func (s *Store) RegisterTenant(ctx context.Context, t app.Tenant) (created bool, err error) {
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cur tenantRow
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("slug = ?", t.Slug).Take(&cur).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			created = true
			return tx.Create(&tenantRow{Slug: t.Slug, Code: t.Code, Name: t.Name, Kind: t.Kind, Parent: t.Parent}).Error
		case err != nil:
			return err
		}
		created = cur.Name == ""
		return tx.Model(&cur).Updates(map[string]any{"code": t.Code, "name": t.Name, "kind": t.Kind, "parent": t.Parent}).Error
	})
	return created, err
}

type counterSum struct {
	TenantID  string
	Indicator string
	Value     int64
}

// Counters sums each tenant's counters over the months from..to and, when stocks is given, reads
// its stock counters at the cut's two instants (ToEnd at End, Before at Start). Only the period's
// rows and the stock rows are read, so the cost depends on the number of units and months, never
// on the number of dossiers; an instant inside a month (now, for a period not over yet) also
// reads the few facts whose flows are dated later in that month (flowsFrom).
func (s *Store) Counters(ctx context.Context, tenants []string, from, to domain.Month, stocks *domain.Cut) (map[string]domain.Counters, error) {
	db, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]domain.Counters{}
	for _, t := range tenants {
		out[t] = domain.Counters{InPeriod: domain.Sums{}, ToEnd: domain.Sums{}, Before: domain.Sums{}}
	}
	var flows []counterSum
	err = db.Model(&counterRow{}).Select("tenant_id, indicator, SUM(value) AS value").
		Where("tenant_id IN ? AND month BETWEEN ? AND ?", tenants, int(from), int(to)).
		Group("tenant_id, indicator").Scan(&flows).Error
	if err != nil {
		return nil, fmt.Errorf("reporting: counters: %w", err)
	}
	for _, x := range flows {
		if c, ok := out[x.TenantID]; ok {
			c.InPeriod[x.Indicator] = x.Value
		}
	}
	if stocks == nil {
		return out, nil
	}
	if err := s.stocks(ctx, tenants, *stocks, out); err != nil {
		return nil, err
	}
	return out, nil
}

type stockSums struct {
	TenantID  string
	Indicator string
	AtStart   int64
	AtEnd     int64
}

// stocks puts each tenant's stocks at the cut's instants into out (Before at Start, ToEnd at
// End), in one pass over the stock rows: the stock at an instant is the stock flows of every
// month before its month, plus those of its own month dated before it. A month's counters do not
// tell when in the month a flow is dated, so for an instant inside a month (now) the month is
// summed whole and the flows dated from the instant to the month's end are taken off again
// (flowsFrom).
func (s *Store) stocks(ctx context.Context, tenants []string, cut domain.Cut, out map[string]domain.Counters) error {
	last := func(at time.Time) (domain.Month, bool) {
		m := domain.MonthOf(at)
		if at.Equal(m.Start()) {
			return m.Add(-1), false
		}
		return m, true
	}
	startLast, startInside := last(cut.Start)
	endLast, endInside := last(cut.End)
	db, err := s.read(ctx)
	if err != nil {
		return err
	}
	var sums []stockSums
	err = db.Model(&counterRow{}).
		Select("tenant_id, indicator, SUM(CASE WHEN month <= ? THEN value ELSE 0 END) AS at_start, SUM(value) AS at_end",
			int(startLast)).
		Where("tenant_id IN ? AND indicator IN ? AND month <= ?", tenants, domain.StockCounters(), int(endLast)).
		Group("tenant_id, indicator").Scan(&sums).Error
	if err != nil {
		return fmt.Errorf("reporting: stock counters: %w", err)
	}
	for _, x := range sums {
		if c, ok := out[x.TenantID]; ok {
			c.Before[x.Indicator], c.ToEnd[x.Indicator] = x.AtStart, x.AtEnd
		}
	}
	for _, at := range []struct {
		time   time.Time
		inside bool
		sums   func(domain.Counters) domain.Sums
	}{
		{cut.Start, startInside, func(c domain.Counters) domain.Sums { return c.Before }},
		{cut.End, endInside, func(c domain.Counters) domain.Sums { return c.ToEnd }},
	} {
		if !at.inside {
			continue
		}
		later, err := s.flowsFrom(ctx, tenants, at.time)
		if err != nil {
			return err
		}
		for t, sums := range later {
			if c, ok := out[t]; ok {
				for k, v := range sums {
					at.sums(c)[k] -= v
				}
			}
		}
	}
	return nil
}

// flowsFrom sums, per tenant, the stock flows dated from at to the end of at's month. Flows are
// dated when things happen, which is before anyone reads them, except the dates set ahead: a
// dossier's due time (it becomes overdue then) and HR's effective and award dates. So these are
// found among the dossiers due in that part of the month (an index on tenant_id, due_at) and the
// units' staff, a few hundred rows per unit; each fact's own Contribution says what it flows when.
func (s *Store) flowsFrom(ctx context.Context, tenants []string, at time.Time) (map[string]domain.Sums, error) {
	end := domain.MonthOf(at).Add(1).Start()
	out := map[string]domain.Sums{}
	add := func(tenant string, deltas []domain.Delta) {
		for k, v := range domain.FlowsFrom(deltas, at) {
			if out[tenant] == nil {
				out[tenant] = domain.Sums{}
			}
			out[tenant][k] += v
		}
	}
	db, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	var dossiers []dossierRow
	if err := db.Where("tenant_id IN ? AND due_at >= ? AND due_at < ?", tenants, at.UTC(), end.UTC()).Find(&dossiers).Error; err != nil {
		return nil, fmt.Errorf("reporting: dossiers due later: %w", err)
	}
	for _, r := range dossiers {
		add(r.TenantID, dossierFromRow(r).Contribution())
	}
	db, _ = s.read(ctx)
	var staff []staffRow
	if err := db.Where("tenant_id IN ?", tenants).Find(&staff).Error; err != nil {
		return nil, fmt.Errorf("reporting: staff: %w", err)
	}
	for _, r := range staff {
		f, err := staffFromRow(r)
		if err != nil {
			return nil, err
		}
		add(r.TenantID, f.Contribution())
	}
	return out, nil
}

type monthSum struct {
	Month     int
	Indicator string
	Value     int64
}

// Monthly sums the tenants' counters per month from..to, with the stock counters of every
// earlier month summed into the month before from (so stocks can be accumulated).
func (s *Store) Monthly(ctx context.Context, tenants []string, from, to domain.Month) (map[domain.Month]domain.Sums, error) {
	db, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	var rows []monthSum
	err = db.Model(&counterRow{}).Select("month, indicator, SUM(value) AS value").
		Where("tenant_id IN ? AND month BETWEEN ? AND ?", tenants, int(from), int(to)).
		Group("month, indicator").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("reporting: monthly counters: %w", err)
	}
	var earlier []counterSum
	db, _ = s.read(ctx)
	err = db.Model(&counterRow{}).Select("indicator, SUM(value) AS value").
		Where("tenant_id IN ? AND indicator IN ? AND month < ?", tenants, domain.StockCounters(), int(from)).
		Group("indicator").Scan(&earlier).Error
	if err != nil {
		return nil, fmt.Errorf("reporting: monthly stock counters: %w", err)
	}
	out := map[domain.Month]domain.Sums{from.Add(-1): {}}
	for _, r := range rows {
		m := domain.Month(r.Month)
		if out[m] == nil {
			out[m] = domain.Sums{}
		}
		out[m][r.Indicator] += r.Value
	}
	for _, x := range earlier {
		out[from.Add(-1)][x.Indicator] += x.Value
	}
	return out, nil
}

// Dossiers lists the dossier facts behind a figure, newest receipt first.
func (s *Store) Dossiers(ctx context.Context, q app.DossierQuery) ([]domain.DossierFact, int64, error) {
	db, err := s.read(ctx)
	if err != nil {
		return nil, 0, err
	}
	from, to := int(q.Period.From), int(q.Period.To)
	db = db.Model(&dossierRow{}).Where("tenant_id IN ?", q.Tenants)
	switch q.Figure {
	case app.FigureReceived:
		db = db.Where("received_month BETWEEN ? AND ?", from, to)
	case app.FigureOnline:
		db = db.Where("received_month BETWEEN ? AND ? AND channel = ?", from, to, "online")
	case app.FigureResolved:
		db = db.Where("resolved_month BETWEEN ? AND ?", from, to)
	case app.FigureOnTime:
		db = db.Where("resolved_month BETWEEN ? AND ? AND on_time = ?", from, to, true)
	case app.FigureLate:
		db = db.Where("resolved_month BETWEEN ? AND ? AND on_time = ?", from, to, false)
	case app.FigureCarriedOver:
		db = openAt(db, q.Cut.Start)
	case app.FigureInProcess:
		db = openAt(db, q.Cut.End)
	case app.FigureOverdue:
		db = openAt(db, q.Cut.End)
		if m := domain.MonthOf(q.Cut.End); q.Cut.End.Equal(m.Start()) {
			db = db.Where("due_month > 0 AND due_month < ?", int(m))
		} else {
			db = db.Where("due_at < ?", q.Cut.End.UTC())
		}
	case app.FigureReturned:
		db = db.Where("returned_month BETWEEN ? AND ?", from, to)
	case app.FigureNotArchived:
		db = db.Where("returned_month BETWEEN ? AND ? AND archived_at IS NULL", from, to)
	case app.FigureRated:
		db = db.Where("rated_month BETWEEN ? AND ?", from, to)
	case app.FigureNotSatisfied:
		db = db.Where("rated_month BETWEEN ? AND ? AND rating = ?", from, to, domain.RatingNotSatisfied)
	default:
		return nil, 0, apperr.Invalid("figure", "không có số liệu này để xem chi tiết")
	}
	var total int64
	if err := db.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []dossierRow
	if err := db.Order("received_at DESC, dossier_id").Limit(q.Limit).Offset(q.Offset).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]domain.DossierFact, 0, len(rows))
	for _, r := range rows {
		out = append(out, dossierFromRow(r))
	}
	return out, total, nil
}

// openAt keeps the dossiers in process at the instant at: received before it, and neither
// resolved nor closed before it. At a month's start the month columns say it; inside a month
// (now, for a period not over yet) the times do.
func openAt(db *gorm.DB, at time.Time) *gorm.DB {
	if m := domain.MonthOf(at); at.Equal(m.Start()) {
		return db.Where("received_month > 0 AND received_month < ? AND (ended_month = 0 OR ended_month >= ?)", int(m), int(m))
	}
	return db.Where("received_month > 0 AND received_at < ? AND (ended_month = 0 OR COALESCE(resolved_at, closed_at) >= ?)", at.UTC(), at.UTC())
}

// Targets returns the targets the given units set for themselves. Targets flow down the tree
// (a commune works to its district's target unless it sets its own), so a caller may read those
// of its ancestors as well as of its readable units: the app passes exactly those, and the
// query crosses tenants on purpose for them only.
func (s *Store) Targets(ctx context.Context, tenants []string) ([]app.TenantTarget, error) {
	if _, err := store.ScopeFrom(ctx); err != nil {
		return nil, err
	}
	var rows []targetRow
	if err := s.db.WithContext(ctx).Scopes(store.AllTenants()).Where("tenant_id IN ?", tenants).Order("tenant_id, indicator, period").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]app.TenantTarget, 0, len(rows))
	for _, r := range rows {
		out = append(out, app.TenantTarget{Tenant: r.TenantID, Indicator: r.Indicator, Period: r.Period, Value: r.Value})
	}
	return out, nil
}

// SetTarget writes a target of the caller's own unit.
func (s *Store) SetTarget(ctx context.Context, t app.TenantTarget) error {
	sc, err := store.ScopeFrom(ctx)
	if err != nil {
		return err
	}
	row := targetRow{Indicator: t.Indicator, Period: t.Period, Value: t.Value, UpdatedAt: time.Now().UTC()}
	return s.db.WithContext(ctx).Scopes(store.ForWrite(sc)).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "tenant_id"}, {Name: "indicator"}, {Name: "period"}},
		DoUpdates: clause.AssignmentColumns([]string{"value", "updated_at"}),
	}).Create(&row).Error
}

// DeleteTarget removes a target of the caller's own unit (the plan's default applies again).
func (s *Store) DeleteTarget(ctx context.Context, indicator, period string) error {
	sc, err := store.ScopeFrom(ctx)
	if err != nil {
		return err
	}
	return s.db.WithContext(ctx).Scopes(store.ForWrite(sc)).
		Where("indicator = ? AND period = ?", indicator, period).Delete(&targetRow{}).Error
}
