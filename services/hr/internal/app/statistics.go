package app

import (
	"context"
	"time"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/telemetry"
	"egov.vn/platform/services/hr/internal/domain"
)

// Statistics describes the staff of tenant ("" = the caller's own), or of one unit with its
// subunits, on day on.
func (a *App) Statistics(ctx context.Context, actor platform.Actor, tenant, unitID string, on time.Time) (_ domain.Statistics, err error) {
	ctx, span := a.tracer.Start(ctx, "hr.App.Statistics")
	defer telemetry.End(span, &err)
	if !domain.ReadsStatistics(actor) {
		return domain.Statistics{}, errNoStatistics()
	}
	return a.statistics(ctx, actor, tenant, unitID, on)
}

func errNoStatistics() error {
	return apperr.Forbidden("thống kê nhân sự dành cho vai trò " + string(platform.RoleHROfficer) + " hoặc " + string(platform.RoleReportView))
}

func (a *App) statistics(ctx context.Context, actor platform.Actor, tenant, unitID string, on time.Time) (domain.Statistics, error) {
	if on.IsZero() {
		on = a.today()
	}
	on = domain.Day(on)
	if tenant == "" {
		tenant = string(actor.Tenant)
	}
	units, err := a.unitFilter(ctx, tenant, unitID)
	if err != nil {
		return domain.Statistics{}, err
	}
	raw, err := a.repo.Statistics(ctx, tenant, units, on)
	if err != nil {
		return domain.Statistics{}, err
	}
	codes, err := a.repo.Levels(ctx)
	if err != nil {
		return domain.Statistics{}, err
	}
	st := domain.Statistics{Tenant: tenant, UnitID: unitID, On: on, ByCategory: map[domain.Category]int{}, Trainings: raw.Trainings}
	for _, c := range domain.Categories {
		st.ByCategory[c] = raw.ByCategory[c]
		st.Headcount += raw.ByCategory[c]
	}
	for _, k := range domain.Kinds {
		if !k.Graded() {
			continue
		}
		st.Levels = append(st.Levels, domain.KindShares{Kind: k, Shares: domain.AtOrAbove(codes.Thresholds(k), raw.BestRanks[k], st.Headcount)})
	}
	return st, nil
}

func (a *App) unitFilter(ctx context.Context, tenant, unitID string) ([]string, error) {
	if unitID == "" {
		return nil, nil
	}
	units, err := a.repo.Units(ctx, tenant)
	if err != nil {
		return nil, err
	}
	tree := domain.NewTree(units)
	if _, ok := tree[unitID]; !ok {
		return nil, apperr.NotFound("unit", unitID)
	}
	return tree.Subtree(unitID), nil
}

// Change compares the statistics on from and on to and counts the hires, moves and departures
// in between.
func (a *App) Change(ctx context.Context, actor platform.Actor, tenant, unitID string, from, to time.Time) (_ domain.PeriodChange, err error) {
	ctx, span := a.tracer.Start(ctx, "hr.App.Change")
	defer telemetry.End(span, &err)
	if !domain.ReadsStatistics(actor) {
		return domain.PeriodChange{}, errNoStatistics()
	}
	if from.IsZero() || to.IsZero() || !from.Before(to) {
		return domain.PeriodChange{}, apperr.Invalid("from", "kỳ so sánh cần ngày bắt đầu trước ngày kết thúc")
	}
	var ch domain.PeriodChange
	if ch.From, err = a.statistics(ctx, actor, tenant, unitID, from); err != nil {
		return ch, err
	}
	if ch.To, err = a.statistics(ctx, actor, tenant, unitID, to); err != nil {
		return ch, err
	}
	units, err := a.unitFilter(ctx, ch.To.Tenant, unitID)
	if err != nil {
		return ch, err
	}
	m, err := a.repo.Movements(ctx, ch.To.Tenant, units, domain.Day(from), domain.Day(to))
	if err != nil {
		return ch, err
	}
	ch.Hired, ch.Moved, ch.Left = m.Hired, m.Moved, m.Left
	ch.Headcount = ch.To.Headcount - ch.From.Headcount
	return ch, nil
}
