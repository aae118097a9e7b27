// Package app holds reporting's use cases: projecting events into the read model, and answering
// a unit's leaders with its indicators (rolled up over the units below it) against their
// targets, the ranking of its communes, the trend, and the dossiers behind a figure — always
// within what the caller's token lets them read.
package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/trace"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/telemetry"
	"egov.vn/platform/services/reporting/internal/domain"
)

// Tenant is a unit of the tree the roll-ups follow.
type Tenant struct {
	Slug   string `json:"slug"`
	Code   string `json:"code"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Parent string `json:"parent"`
}

// DisplayName is the unit's name, or its slug while only events have named it.
func (t Tenant) DisplayName() string { return cmp.Or(t.Name, t.Slug) }

// TenantTarget is a target a unit set for itself.
type TenantTarget struct {
	Tenant    string  `json:"tenant"`
	Indicator string  `json:"indicator"`
	Period    string  `json:"period"`
	Value     float64 `json:"value"`
}

// Figures a drill-down can list the dossiers of.
const (
	FigureReceived     = "received"
	FigureOnline       = "received_online"
	FigureResolved     = "resolved"
	FigureOnTime       = "resolved_on_time"
	FigureLate         = "resolved_late"
	FigureCarriedOver  = "carried_over"
	FigureInProcess    = "in_process"
	FigureOverdue      = "in_process_overdue"
	FigureReturned     = "returned"
	FigureNotArchived  = "returned_not_archived"
	FigureRated        = "ratings"
	FigureNotSatisfied = "not_satisfied"
)

// Figures lists the drill-down figures with their Vietnamese names.
var Figures = []struct{ Code, Name string }{
	{FigureCarriedOver, "Kỳ trước chuyển sang"}, {FigureReceived, "Tiếp nhận trong kỳ"},
	{FigureOnline, "Tiếp nhận trực tuyến"}, {FigureResolved, "Đã giải quyết"},
	{FigureOnTime, "Giải quyết đúng hạn"}, {FigureLate, "Giải quyết quá hạn"},
	{FigureInProcess, "Đang giải quyết cuối kỳ"}, {FigureOverdue, "Đang giải quyết quá hạn"},
	{FigureReturned, "Đã trả kết quả"}, {FigureNotArchived, "Đã trả kết quả nhưng chưa lưu trữ"}, {FigureRated, "Đã đánh giá"}, {FigureNotSatisfied, "Không hài lòng"},
}

// DossierQuery selects the dossiers behind a figure.
type DossierQuery struct {
	Tenants []string
	Period  domain.Period
	Cut     domain.Cut // when the period's stocks are read (Period.CutAt now)
	Figure  string
	Limit   int
	Offset  int
}

// Store is the read model as the use cases need it (adapters.Store).
type Store interface {
	Tenants(ctx context.Context) ([]Tenant, error)
	RegisterTenant(ctx context.Context, t Tenant) (created bool, err error)
	Counters(ctx context.Context, tenants []string, from, to domain.Month, stocks *domain.Cut) (map[string]domain.Counters, error)
	Monthly(ctx context.Context, tenants []string, from, to domain.Month) (map[domain.Month]domain.Sums, error)
	Dossiers(ctx context.Context, q DossierQuery) ([]domain.DossierFact, int64, error)
	Targets(ctx context.Context, tenants []string) ([]TenantTarget, error)
	SetTarget(ctx context.Context, t TenantTarget) error
	DeleteTarget(ctx context.Context, indicator, period string) error
}

// Directory is identity's tenant tree (auth.Directory), used to learn units not yet registered.
type Directory interface {
	Tenant(ctx context.Context, slug string) (Tenant, error)
	Subtree(ctx context.Context, slug string) ([]string, error)
}

// App is reporting's use cases.
type App struct {
	store  Store
	dir    Directory
	tracer trace.Tracer
	now    func() time.Time
}

// Option changes how New builds the use cases.
type Option func(*App)

// WithClock makes now the time the stocks of a period not over yet are read at (the wall clock
// by default): tests fix it.
func WithClock(now func() time.Time) Option { return func(a *App) { a.now = now } }

// New builds the use cases; dir may be nil (the tree is then only what was registered).
func New(s Store, dir Directory, tracer trace.Tracer, opts ...Option) *App {
	a := &App{store: s, dir: dir, tracer: tracer, now: time.Now}
	for _, o := range opts {
		o(a)
	}
	return a
}

// Now is the app's clock: what "now" is for the stocks, and the current period of the pages.
func (a *App) Now() time.Time { return a.now() }

// tree is the registered units by slug with their children.
type tree struct {
	units    map[string]Tenant
	children map[string][]string
}

func (a *App) tree(ctx context.Context) (tree, error) {
	ts, err := a.store.Tenants(ctx)
	if err != nil {
		return tree{}, err
	}
	t := tree{units: map[string]Tenant{}, children: map[string][]string{}}
	for _, x := range ts {
		t.units[x.Slug] = x
		if x.Parent != "" {
			t.children[x.Parent] = append(t.children[x.Parent], x.Slug)
		}
	}
	return t, nil
}

// subtree is slug and every unit below it (cycles, which a bad registration could make, stop).
func (t tree) subtree(slug string) []string {
	out, seen := []string{}, map[string]bool{}
	var walk func(string)
	walk = func(s string) {
		if seen[s] {
			return
		}
		seen[s] = true
		out = append(out, s)
		for _, c := range t.children[s] {
			walk(c)
		}
	}
	walk(slug)
	return out
}

func (t tree) unit(slug string) Tenant {
	if u, ok := t.units[slug]; ok {
		return u
	}
	return Tenant{Slug: slug}
}

// ancestors is slug's parent, its parent, and so on.
func (t tree) ancestors(slug string) []string {
	var out []string
	seen := map[string]bool{slug: true}
	for p := t.units[slug].Parent; p != "" && !seen[p]; p = t.units[p].Parent {
		seen[p] = true
		out = append(out, p)
	}
	return out
}

// Scope is the one place a request's read scope is set, from the caller: their own unit and
// every unit below it. Only report.view gives it; the tree comes from the registered units,
// completed from identity's directory when one is wired.
func (a *App) Scope(ctx context.Context, who platform.Actor) (context.Context, error) {
	if !who.Has(platform.RoleReportView) || who.Tenant == "" {
		return ctx, apperr.Forbidden("Cần vai trò report.view của một đơn vị để xem báo cáo")
	}
	if a.dir != nil {
		a.learn(ctx, string(who.Tenant))
	}
	return store.ScopeFor(ctx, who, true, func(ctx context.Context, tenant string) ([]string, error) {
		t, err := a.tree(ctx)
		if err != nil {
			return nil, err
		}
		return t.subtree(tenant)[1:], nil
	})
}

// learn registers the caller's subtree from identity's directory where reporting does not know
// it yet; failures only mean the tree stays as registered.
func (a *App) learn(ctx context.Context, slug string) {
	t, err := a.tree(ctx)
	if err != nil {
		return
	}
	sub, err := a.dir.Subtree(ctx, slug)
	if err != nil {
		telemetry.Logger(ctx).WarnContext(ctx, "reporting: tenant directory unavailable", "tenant", slug, "error", err)
		return
	}
	for _, s := range sub {
		if u, ok := t.units[s]; ok && u.Name != "" {
			continue
		}
		if u, err := a.dir.Tenant(ctx, s); err == nil {
			_, _ = a.store.RegisterTenant(ctx, u)
		}
	}
}

// Provision registers a unit with its parent (the operator's provisioning call; platform.admin
// and the body are checked by provision.Routes): the roll-ups follow the tree it builds.
func (a *App) Provision(ctx context.Context, _ platform.Actor, slug platform.Slug, p platform.Provisioning) (_ platform.Provisioned, err error) {
	ctx, span := a.tracer.Start(ctx, "reporting.App.Provision")
	defer telemetry.End(span, &err)
	t := Tenant{Slug: string(slug), Code: p.Code, Name: p.Name, Kind: string(p.Kind), Parent: string(p.Parent)}
	if t.Parent == t.Slug {
		return platform.Provisioned{}, apperr.Invalid("parent", "the slug of another unit")
	}
	if t.Parent != "" {
		tr, err := a.tree(ctx)
		if err != nil {
			return platform.Provisioned{}, err
		}
		if slices.Contains(tr.subtree(t.Slug), t.Parent) {
			return platform.Provisioned{}, apperr.Invalid("parent", "would make the unit its own ancestor")
		}
	}
	created, err := a.store.RegisterTenant(ctx, t)
	if err != nil {
		return platform.Provisioned{}, err
	}
	return platform.Provisioned{Tenant: slug, Created: created, Seeded: map[string]int{"units": 1}}, nil
}

// readable checks that the caller may read slug and returns the tree.
func (a *App) readable(ctx context.Context, slug string) (tree, store.Scope, error) {
	sc, err := store.ScopeFrom(ctx)
	if err != nil {
		return tree{}, sc, err
	}
	if !sc.CanRead(slug) {
		return tree{}, sc, apperr.Forbidden("Đơn vị này nằm ngoài phạm vi được xem báo cáo của bạn").WithDetail("tenant", slug)
	}
	t, err := a.tree(ctx)
	return t, sc, err
}

// TenantReport is one unit's figures for a period, rolled up over the units below it.
type TenantReport struct {
	Tenant     Tenant                   `json:"tenant"`
	Period     string                   `json:"period"`
	Baseline   string                   `json:"baseline"`
	Ledger     domain.Ledger            `json:"ledger"`
	Documents  domain.Documents         `json:"documents"`
	Staff      domain.Staff             `json:"staff"`
	Indicators []IndicatorValue         `json:"indicators"`
	values     domain.Values            //
	targets    map[string]domain.Target //
}

// IndicatorValue is an indicator against its target; Value is nil without data, Met nil
// without a target or value.
type IndicatorValue struct {
	domain.Definition
	Value  *float64       `json:"value"`
	Target *domain.Target `json:"target,omitempty"`
	Met    *bool          `json:"met,omitempty"`
}

// Value is an indicator's value, if it has one.
func (r TenantReport) Value(code string) (float64, bool) {
	v, ok := r.values[code]
	return v, ok
}

// Periods is the period asked for and its baseline (the same period a year earlier unless
// baseline is given).
func Periods(period, baseline string) (domain.Period, domain.Period, error) {
	p, err := domain.ParsePeriod(period)
	if err != nil {
		return p, p, apperr.Invalid("period", "kỳ báo cáo có dạng 2026, 2026-Q4 hoặc 2026-11")
	}
	b := domain.Period{Kind: p.Kind, From: p.From.Add(-12), To: p.To.Add(-12)}
	if baseline != "" {
		if b, err = domain.ParsePeriod(baseline); err != nil {
			return p, b, apperr.Invalid("baseline", "kỳ gốc có dạng 2025, 2025-Q4 hoặc 2025-11")
		}
	}
	return p, b, nil
}

// Dashboard is a unit's report with the reports of the units directly below it and the trend.
type Dashboard struct {
	Unit     TenantReport   `json:"unit"`
	Children []TenantReport `json:"children"`
	Trend    Trend          `json:"trend"`
}

// Report computes slug's report for the period (rolled up over its subtree).
func (a *App) Report(ctx context.Context, slug, period, baseline string) (r TenantReport, err error) {
	ctx, span := a.tracer.Start(ctx, "reporting.App.Report")
	defer telemetry.End(span, &err)
	reps, err := a.reports(ctx, slug, period, baseline, false)
	if err != nil {
		return TenantReport{}, err
	}
	return reps[0], nil
}

// Dashboard computes slug's dashboard: its report, its children's, and twelve months of trend.
func (a *App) Dashboard(ctx context.Context, slug, period, baseline string) (d Dashboard, err error) {
	ctx, span := a.tracer.Start(ctx, "reporting.App.Dashboard")
	defer telemetry.End(span, &err)
	reps, err := a.reports(ctx, slug, period, baseline, true)
	if err != nil {
		return Dashboard{}, err
	}
	p, _, _ := Periods(period, baseline)
	trend, err := a.trend(ctx, slug, p.To, 12)
	if err != nil {
		return Dashboard{}, err
	}
	return Dashboard{Unit: reps[0], Children: reps[1:], Trend: trend}, nil
}

// reports computes slug's report and, with children, those of the units directly below it,
// from two counter queries whatever the number of dossiers.
func (a *App) reports(ctx context.Context, slug, period, baseline string, children bool) ([]TenantReport, error) {
	p, b, err := Periods(period, baseline)
	if err != nil {
		return nil, err
	}
	t, sc, err := a.readable(ctx, slug)
	if err != nil {
		return nil, err
	}
	sub := t.subtree(slug)
	cut := p.CutAt(a.now())
	cur, err := a.store.Counters(ctx, sub, p.From, p.To, &cut)
	if err != nil {
		return nil, err
	}
	base, err := a.store.Counters(ctx, sub, b.From, b.To, nil) // the baseline needs only its flows
	if err != nil {
		return nil, err
	}
	own, err := a.store.Targets(ctx, append(t.ancestors(slug), sub...))
	if err != nil {
		return nil, err
	}
	units := []string{slug}
	if children {
		for _, c := range slices.Sorted(slices.Values(t.children[slug])) {
			if sc.CanRead(c) {
				units = append(units, c)
			}
		}
	}
	out := make([]TenantReport, 0, len(units))
	for _, u := range units {
		members := t.subtree(u)
		c, bc := sumCounters(cur, members), sumCounters(base, members)
		out = append(out, buildReport(t.unit(u), p, b, c, &bc, resolveTargets(t, u, p, own)))
	}
	return out, nil
}

func sumCounters(by map[string]domain.Counters, tenants []string) domain.Counters {
	out := domain.Counters{InPeriod: domain.Sums{}, ToEnd: domain.Sums{}, Before: domain.Sums{}}
	for _, t := range tenants {
		c := by[t]
		for k, v := range c.InPeriod {
			out.InPeriod[k] += v
		}
		for k, v := range c.ToEnd {
			out.ToEnd[k] += v
		}
		for k, v := range c.Before {
			out.Before[k] += v
		}
	}
	return out
}

func buildReport(u Tenant, p, b domain.Period, c domain.Counters, base *domain.Counters, targets map[string]domain.Target) TenantReport {
	vals := domain.Compute(c, base)
	r := TenantReport{Tenant: u, Period: p.Key(), Baseline: b.Key(), Ledger: domain.LedgerOf(c),
		Documents: domain.DocumentsOf(c), Staff: domain.StaffOf(c), values: vals, targets: targets}
	for _, d := range domain.Catalogue() {
		iv := IndicatorValue{Definition: d}
		if v, ok := vals[d.Code]; ok {
			iv.Value = &v
		}
		if tg, ok := targets[d.Code]; ok {
			iv.Target = &tg
			if iv.Value != nil {
				met := tg.Met(*iv.Value)
				iv.Met = &met
			}
		}
		r.Indicators = append(r.Indicators, iv)
	}
	return r
}

// resolveTargets picks, per indicator, the most specific target: the unit's own, then its
// ancestors', each first for the exact period, then its year, then every period; else the plan's.
func resolveTargets(t tree, slug string, p domain.Period, own []TenantTarget) map[string]domain.Target {
	byKey := map[[3]string]TenantTarget{}
	for _, x := range own {
		byKey[[3]string{x.Tenant, x.Indicator, x.Period}] = x
	}
	periods := []string{p.Key()}
	if p.Kind != domain.KindYear {
		periods = append(periods, strconv.Itoa(p.From.Year()))
	}
	periods = append(periods, "*")
	out := map[string]domain.Target{}
	for _, d := range domain.Catalogue() {
		if d.Comparator == domain.NoTarget {
			continue
		}
	search:
		for _, unit := range append([]string{slug}, t.ancestors(slug)...) {
			for _, per := range periods {
				if x, ok := byKey[[3]string{unit, d.Code, per}]; ok {
					out[d.Code] = domain.Target{Indicator: d.Code, Period: per, Value: x.Value, Comparator: d.Comparator, Source: unit}
					break search
				}
			}
		}
		if _, ok := out[d.Code]; !ok {
			if tg, ok := domain.DefaultTarget(d.Code); ok {
				out[d.Code] = tg
			}
		}
	}
	return out
}

// Trend is monthly values of the main indicators.
type Trend struct {
	Months []string              `json:"months"`
	Series map[string][]*float64 `json:"series"` // indicator → value per month (null without data)
}

// TrendIndicators are the indicators the trend follows.
var TrendIndicators = []string{domain.IOnTimeRate, domain.ISatisfaction, domain.IElectronicDocs, domain.IOnlineShare, domain.IElapsedVsLegal}

func (a *App) trend(ctx context.Context, slug string, to domain.Month, n int) (Trend, error) {
	t, _, err := a.readable(ctx, slug)
	if err != nil {
		return Trend{}, err
	}
	from := to.Add(-(n - 1))
	monthly, err := a.store.Monthly(ctx, t.subtree(slug), from, to)
	if err != nil {
		return Trend{}, err
	}
	tr := Trend{Series: map[string][]*float64{}}
	cum := domain.Sums{}
	for k, v := range monthly[from.Add(-1)] {
		cum[k] += v
	}
	for m := from; m <= to; m = m.Add(1) {
		before := domain.Sums{}
		for k, v := range cum {
			before[k] = v
		}
		for k, v := range monthly[m] {
			cum[k] += v
		}
		end := domain.Sums{}
		for k, v := range cum {
			end[k] = v
		}
		in := monthly[m]
		if in == nil {
			in = domain.Sums{}
		}
		vals := domain.Compute(domain.Counters{InPeriod: in, ToEnd: end, Before: before}, nil)
		tr.Months = append(tr.Months, m.String())
		for _, code := range TrendIndicators {
			var p *float64
			if v, ok := vals[code]; ok {
				p = &v
			}
			tr.Series[code] = append(tr.Series[code], p)
		}
	}
	return tr, nil
}

// Ranking is the units directly below slug ordered by an indicator, best first; units without a
// value come last.
func (a *App) Ranking(ctx context.Context, slug, period, indicator string) (rs []TenantReport, err error) {
	ctx, span := a.tracer.Start(ctx, "reporting.App.Ranking")
	defer telemetry.End(span, &err)
	def, ok := domain.DefinitionOf(cmp.Or(indicator, domain.IIndex766Total))
	if !ok {
		return nil, apperr.Invalid("indicator", "không có chỉ tiêu này")
	}
	reps, err := a.reports(ctx, slug, period, "", true)
	if err != nil {
		return nil, err
	}
	rs = reps[1:]
	lowerBetter := def.Comparator == domain.AtMost
	slices.SortStableFunc(rs, func(x, y TenantReport) int {
		xv, xok := x.Value(def.Code)
		yv, yok := y.Value(def.Code)
		switch {
		case xok && !yok:
			return -1
		case !xok && yok:
			return 1
		case !xok:
			return cmp.Compare(x.Tenant.Slug, y.Tenant.Slug)
		case lowerBetter:
			return cmp.Or(cmp.Compare(xv, yv), cmp.Compare(x.Tenant.Slug, y.Tenant.Slug))
		default:
			return cmp.Or(cmp.Compare(yv, xv), cmp.Compare(x.Tenant.Slug, y.Tenant.Slug))
		}
	})
	return rs, nil
}

// DossierPage is one page of the dossiers behind a figure.
type DossierPage struct {
	Tenant   Tenant               `json:"tenant"`
	Period   string               `json:"period"`
	Figure   string               `json:"figure"`
	Total    int64                `json:"total"`
	Offset   int                  `json:"offset"`
	Dossiers []domain.DossierFact `json:"dossiers"`
}

// Dossiers lists the dossiers behind one figure of slug's report (its subtree included).
func (a *App) Dossiers(ctx context.Context, slug, period, figure string, limit, offset int) (pg DossierPage, err error) {
	ctx, span := a.tracer.Start(ctx, "reporting.App.Dossiers")
	defer telemetry.End(span, &err)
	p, _, err := Periods(period, "")
	if err != nil {
		return pg, err
	}
	t, _, err := a.readable(ctx, slug)
	if err != nil {
		return pg, err
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	offset = max(offset, 0)
	ds, total, err := a.store.Dossiers(ctx, DossierQuery{Tenants: t.subtree(slug), Period: p, Cut: p.CutAt(a.now()),
		Figure: figure, Limit: limit, Offset: offset})
	if err != nil {
		return pg, err
	}
	return DossierPage{Tenant: t.unit(slug), Period: p.Key(), Figure: figure, Total: total, Offset: offset, Dossiers: ds}, nil
}

// Targets lists the targets that apply to slug for a period, with where each comes from.
func (a *App) Targets(ctx context.Context, slug, period string) (map[string]domain.Target, error) {
	p, _, err := Periods(period, "")
	if err != nil {
		return nil, err
	}
	t, _, err := a.readable(ctx, slug)
	if err != nil {
		return nil, err
	}
	own, err := a.store.Targets(ctx, append(t.ancestors(slug), slug))
	if err != nil {
		return nil, err
	}
	return resolveTargets(t, slug, p, own), nil
}

// SetTarget sets a target of the caller's own unit (tenant.admin); units below it inherit it
// unless they set their own.
func (a *App) SetTarget(ctx context.Context, who platform.Actor, indicator, period string, value float64) (err error) {
	ctx, span := a.tracer.Start(ctx, "reporting.App.SetTarget")
	defer telemetry.End(span, &err)
	if err := a.mayWriteTargets(ctx, who); err != nil {
		return err
	}
	if err := domain.ValidateTarget(domain.Target{Indicator: indicator, Period: period, Value: value}); err != nil {
		return apperr.Invalid("target", err.Error())
	}
	if period != "*" {
		p, _ := domain.ParsePeriod(period)
		period = p.Key()
	}
	return a.store.SetTarget(ctx, TenantTarget{Indicator: indicator, Period: period, Value: value})
}

// DeleteTarget removes a target of the caller's own unit.
func (a *App) DeleteTarget(ctx context.Context, who platform.Actor, indicator, period string) error {
	if err := a.mayWriteTargets(ctx, who); err != nil {
		return err
	}
	return a.store.DeleteTarget(ctx, indicator, period)
}

func (a *App) mayWriteTargets(ctx context.Context, who platform.Actor) error {
	if !who.Has(platform.RoleTenantAdmin) {
		return apperr.Forbidden("Đặt chỉ tiêu cần vai trò tenant.admin của đơn vị")
	}
	sc, err := store.ScopeFrom(ctx)
	if err != nil {
		return err
	}
	if sc.Tenant != string(who.Tenant) {
		return fmt.Errorf("reporting: scope %s is not the caller's unit", sc.Tenant)
	}
	return nil
}
