// Package pages is reporting's Vietnamese pages for report.view (session sign-in): a unit's
// dashboard with its indicators against their targets, the ranking of the units below it, the
// dossiers behind a figure, and the exports of every table shown.
package pages

import (
	"cmp"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/reporting/internal/app"
	"egov.vn/platform/services/reporting/internal/domain"
	"egov.vn/platform/services/reporting/internal/ports/export"
)

//go:embed templates/*.html
var templates embed.FS

//go:embed static/*.js
var static embed.FS

// Title is the service's name as staff know it, in the shell's header and the browser tab.
const Title = "Báo cáo"

// Templates are the page templates, for the shell (bootstrap.NewWeb).
func Templates() fs.FS {
	sub, err := fs.Sub(templates, "templates")
	if err != nil {
		panic(err) // the embed pattern above guarantees the folder
	}
	return sub
}

// Pages serves the Vietnamese pages.
type Pages struct {
	app    *app.App
	shell  *web.Shell
	prefix string
}

// New returns the pages of a under prefix, shown in shell.
func New(a *app.App, shell *web.Shell, prefix string) *Pages {
	return &Pages{app: a, shell: shell, prefix: prefix}
}

// Routes mounts the pages on signedIn, the group under the prefix whose requests are signed in,
// CSRF-protected and carry the actor and its read scope (bootstrap.Web.Pages with the app's
// Scope), and the page scripts on public, which need no sign-in (bootstrap.Web.Public).
func (p *Pages) Routes(signedIn, public gin.IRouter) {
	public.GET("/assets/:file", p.asset)
	signedIn.GET("", p.home)
	signedIn.GET("/", p.home)
	signedIn.GET("/units/:slug", p.dashboard)
	signedIn.GET("/units/:slug/ranking", p.ranking)
	signedIn.GET("/units/:slug/dossiers", p.dossiers)
	signedIn.GET("/units/:slug/export/:table", func(c *gin.Context) { export.Serve(c, p.app, p.fail) })
}

// fail shows an error as a page a person can act on, with the shell's one error page
// (web.Shell.Fail, which also answers a refusal, with a way out to the person's own page); a bad
// period says more here, since reporting knows what is missing.
func (p *Pages) fail(c *gin.Context, err error) {
	tr := p.shell.Translator(c)
	switch apperr.KindOf(err) {
	case apperr.KindInvalid:
		p.shell.RenderError(c, http.StatusUnprocessableEntity, tr.T("fail.invalid.title"),
			tr.T("fail.invalid", tr.Reasons(apperr.As(err), "web.invalid")))
	default:
		p.shell.Fail(c, err)
	}
	c.Abort()
}

func (p *Pages) asset(c *gin.Context) {
	name := c.Param("file")
	body, err := static.ReadFile("static/" + name)
	if err != nil {
		c.Status(http.StatusNotFound)
		return
	}
	c.Header("Cache-Control", "public, max-age=86400")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "text/javascript; charset=utf-8", body)
}

func (p *Pages) home(c *gin.Context) {
	c.Redirect(http.StatusSeeOther, p.prefix+"/units/"+url.PathEscape(string(auth.ActorFrom(c).Tenant)))
}

// cell is one indicator as the dashboard shows it.
type cell struct {
	Code, Name, Unit, Value, Target, Formula string
	Met, HasTarget, HasValue                 bool
}

// formatValue writes an indicator's value with its unit ("%", "ngày", "điểm" in the domain) in
// the page's language.
func formatValue(tr web.Translator, v float64, unit string) string {
	switch unit {
	case "%":
		return tr.Percent(v)
	case "ngày":
		return tr.T("value.days", tr.Decimal(v, 1))
	case "điểm":
		return tr.T("value.points", tr.Decimal(v, 1))
	default:
		return tr.Decimal(v, 1) + " " + unit
	}
}

func comparatorText(tr web.Translator, c domain.Comparator) string {
	switch c {
	case domain.Above:
		return tr.T("target.above")
	case domain.AtMost:
		return tr.T("target.at_most")
	default:
		return tr.T("target.at_least")
	}
}

// periodLabel names a reporting period in the page's language: "Quý 4/2026", "Q4 2026".
func periodLabel(tr web.Translator, p domain.Period) string {
	switch p.Kind {
	case domain.KindYear:
		return tr.T("period.year", p.From.Year())
	case domain.KindQuarter:
		return tr.T("period.quarter", (p.From.Num()-1)/3+1, p.From.Year())
	default:
		return tr.T("period.month", p.From.Num(), p.From.Year())
	}
}

func cells(tr web.Translator, r app.TenantReport) []cell {
	var out []cell
	for _, iv := range r.Indicators {
		c := cell{Code: iv.Code, Name: tr.T("indicator." + iv.Code), Unit: iv.Unit, Formula: tr.T("indicator." + iv.Code + ".formula"), Value: "—"}
		if iv.Value != nil {
			c.Value, c.HasValue = formatValue(tr, *iv.Value, iv.Unit), true
		}
		if iv.Target != nil {
			c.HasTarget = true
			c.Target = comparatorText(tr, iv.Target.Comparator) + " " + formatValue(tr, iv.Target.Value, iv.Unit)
		}
		if iv.Met != nil {
			c.Met = *iv.Met
		}
		out = append(out, c)
	}
	return out
}

type unitRow struct {
	Slug, Name string
	Report     app.TenantReport
	OnTime     string
	Satisfied  string
	Index      string
}

func rowOf(tr web.Translator, r app.TenantReport) unitRow {
	f := func(code string) string {
		if v, ok := r.Value(code); ok {
			def, _ := domain.DefinitionOf(code)
			return formatValue(tr, v, def.Unit)
		}
		return "—"
	}
	return unitRow{Slug: r.Tenant.Slug, Name: r.Tenant.DisplayName(), Report: r, OnTime: f(domain.IOnTimeRate),
		Satisfied: f(domain.ISatisfaction), Index: f(domain.IIndex766Total)}
}

// chartData is what static/dashboard.js draws: the trend and the communes' on-time rates.
type chartData struct {
	Months []string              `json:"months"`
	Series []chartSeries         `json:"series"`
	Units  []string              `json:"units"`
	Bars   map[string][]*float64 `json:"bars"`
}

type chartSeries struct {
	Label  string     `json:"label"`
	Values []*float64 `json:"values"`
}

type dashboardView struct {
	Unit      unitRow
	Cells     []cell
	Children  []unitRow
	Period    string
	Baseline  string
	Label     string
	AsOf      string // set while the period is not over: its stocks are those of now
	Periods   []periodOption
	ChartJSON template.JS
	Figures   []figureLink
	Tables    []exportLink
}

type periodOption struct {
	Key, Label string
	Selected   bool
}

type figureLink struct {
	Code, Name string
	Count      int64
}

type exportLink struct{ Name, CSV, XLSX string }

func periodOptions(tr web.Translator, now time.Time, current string) []periodOption {
	month := domain.MonthOf(now)
	var out []periodOption
	for y := month.Year(); y >= month.Year()-2; y-- {
		yp := domain.PeriodOf(domain.KindYear, domain.MonthFor(y, 1))
		out = append(out, periodOption{Key: yp.Key(), Label: periodLabel(tr, yp), Selected: yp.Key() == current})
		for q := 4; q >= 1; q-- {
			qp := domain.PeriodOf(domain.KindQuarter, domain.MonthFor(y, 3*q))
			if qp.From > month {
				continue
			}
			out = append(out, periodOption{Key: qp.Key(), Label: periodLabel(tr, qp), Selected: qp.Key() == current})
		}
	}
	for m := month; m > month.Add(-12); m = m.Add(-1) {
		mp := domain.PeriodOf(domain.KindMonth, m)
		out = append(out, periodOption{Key: mp.Key(), Label: periodLabel(tr, mp), Selected: mp.Key() == current})
	}
	return out
}

func (p *Pages) dashboard(c *gin.Context) {
	slug, period := c.Param("slug"), cmp.Or(c.Query("period"), export.DefaultPeriod(p.app.Now()))
	d, err := p.app.Dashboard(c.Request.Context(), slug, period, c.Query("baseline"))
	if err != nil {
		p.fail(c, err)
		return
	}
	tr := p.shell.Translator(c)
	pr, _ := domain.ParsePeriod(d.Unit.Period)
	v := dashboardView{Unit: rowOf(tr, d.Unit), Cells: cells(tr, d.Unit), Period: d.Unit.Period, Baseline: d.Unit.Baseline,
		Label: periodLabel(tr, pr), Periods: periodOptions(tr, p.app.Now(), d.Unit.Period)}
	if b, err := domain.ParsePeriod(d.Unit.Baseline); err == nil {
		v.Baseline = periodLabel(tr, b)
	}
	if now := p.app.Now(); now.Before(pr.End()) {
		v.AsOf = web.FormatDateTime(now)
	}
	cd := chartData{Months: d.Trend.Months, Bars: map[string][]*float64{}}
	for _, code := range app.TrendIndicators {
		def, _ := domain.DefinitionOf(code)
		cd.Series = append(cd.Series, chartSeries{Label: tr.T("indicator."+def.Code) + " (%)", Values: d.Trend.Series[code]})
	}
	for _, ch := range d.Children {
		v.Children = append(v.Children, rowOf(tr, ch))
		cd.Units = append(cd.Units, ch.Tenant.DisplayName())
		for _, code := range []string{domain.IOnTimeRate, domain.ISatisfaction} {
			var val *float64
			if x, ok := ch.Value(code); ok {
				val = &x
			}
			cd.Bars[code] = append(cd.Bars[code], val)
		}
	}
	js, err := json.Marshal(cd)
	if err != nil {
		p.fail(c, err)
		return
	}
	v.ChartJSON = template.JS(js) // JSON inside <script type="application/json">: data, never run
	l := d.Unit.Ledger
	counts := map[string]int64{app.FigureCarriedOver: l.CarriedOver, app.FigureReceived: l.Received, app.FigureOnline: l.ReceivedOnline,
		app.FigureResolved: l.Resolved, app.FigureOnTime: l.ResolvedOnTime, app.FigureLate: l.ResolvedLate,
		app.FigureInProcess: l.InProcess, app.FigureOverdue: l.InProcessOverdue, app.FigureReturned: l.Returned,
		app.FigureNotArchived: l.Returned - l.ReturnedArchived, app.FigureRated: l.Ratings,
		app.FigureNotSatisfied: l.Ratings - l.RatingsSatisfied}
	for _, f := range app.Figures {
		v.Figures = append(v.Figures, figureLink{Code: f.Code, Name: tr.T("figure." + f.Code), Count: counts[f.Code]})
	}
	for _, t := range export.ExportTables {
		base := p.prefix + "/units/" + url.PathEscape(slug) + "/export/" + t.Code + "?period=" + url.QueryEscape(d.Unit.Period)
		v.Tables = append(v.Tables, exportLink{Name: tr.T("table." + t.Code), CSV: base + "&format=csv", XLSX: base + "&format=xlsx"})
	}
	web.SetTenant(c, web.Tenant{Slug: slug, Name: d.Unit.Tenant.DisplayName()})
	p.shell.Render(c, http.StatusOK, web.Page{Title: tr.T("dash.title"), Content: "dashboard", Data: v})
}

type rankingView struct {
	Unit       unitRow
	Period     string
	Label      string
	Indicator  string
	Name       string
	Rows       []rankRow
	Options    []periodOption
	Indicators []domain.Definition
	CSV, XLSX  string
}

type rankRow struct {
	Rank       int
	Slug, Name string
	Value      string
	OnTime     string
	Satisfied  string
	Index      string
}

func (p *Pages) ranking(c *gin.Context) {
	slug, period := c.Param("slug"), cmp.Or(c.Query("period"), export.DefaultPeriod(p.app.Now()))
	indicator := cmp.Or(c.Query("indicator"), domain.IIndex766Total)
	rs, err := p.app.Ranking(c.Request.Context(), slug, period, indicator)
	if err != nil {
		p.fail(c, err)
		return
	}
	unit, err := p.app.Report(c.Request.Context(), slug, period, "")
	if err != nil {
		p.fail(c, err)
		return
	}
	tr := p.shell.Translator(c)
	def, _ := domain.DefinitionOf(indicator)
	pr, _ := domain.ParsePeriod(unit.Period)
	v := rankingView{Unit: rowOf(tr, unit), Period: unit.Period, Label: periodLabel(tr, pr), Indicator: indicator, Name: tr.T("indicator." + def.Code),
		Options: periodOptions(tr, p.app.Now(), unit.Period), Indicators: domain.Catalogue()}
	for i, r := range rs {
		row := rowOf(tr, r)
		val := "—"
		if x, ok := r.Value(indicator); ok {
			val = formatValue(tr, x, def.Unit)
		}
		v.Rows = append(v.Rows, rankRow{Rank: i + 1, Slug: row.Slug, Name: row.Name, Value: val, OnTime: row.OnTime,
			Satisfied: row.Satisfied, Index: row.Index})
	}
	base := p.prefix + "/units/" + url.PathEscape(slug) + "/export/ranking?period=" + url.QueryEscape(unit.Period) + "&indicator=" + url.QueryEscape(indicator)
	v.CSV, v.XLSX = base+"&format=csv", base+"&format=xlsx"
	web.SetTenant(c, web.Tenant{Slug: slug, Name: unit.Tenant.DisplayName()})
	p.shell.Render(c, http.StatusOK, web.Page{Title: tr.T("rank.title"), Content: "ranking", Data: v})
}

type dossiersView struct {
	Unit       app.Tenant
	Period     string
	Label      string
	Figure     string
	FigureName string
	Total      int64
	Rows       []dossierRowView
	Prev, Next string
	CSV, XLSX  string
}

type dossierRowView struct {
	ReceiptCode, Tenant, Procedure, Channel, State, Received, Due, Resolved, OnTime, Rating string
}

func (p *Pages) dossiers(c *gin.Context) {
	slug, period, figure := c.Param("slug"), cmp.Or(c.Query("period"), export.DefaultPeriod(p.app.Now())), c.Query("figure")
	offset := export.Atoi(c.Query("offset"), 0)
	const pageSize = 50
	pg, err := p.app.Dossiers(c.Request.Context(), slug, period, figure, pageSize, offset)
	if err != nil {
		if apperr.KindOf(err) == apperr.KindInvalid && figure == "" {
			err = errors.Join(apperr.Invalid("figure", "chọn một số liệu để xem hồ sơ"), err)
		}
		p.fail(c, err)
		return
	}
	tr := p.shell.Translator(c)
	pr, _ := domain.ParsePeriod(pg.Period)
	v := dossiersView{Unit: pg.Tenant, Period: pg.Period, Label: periodLabel(tr, pr), Figure: figure, FigureName: tr.T("figure." + figure), Total: pg.Total}
	if !tr.Has("figure." + figure) {
		v.FigureName = figure
	}
	for _, d := range pg.Dossiers {
		row := dossierRowView{ReceiptCode: d.ReceiptCode, Tenant: d.Tenant, Procedure: d.ProcedureName, Channel: optional(tr, "channel.", d.Channel),
			State: optional(tr, "state.", d.State), Received: web.FormatDate(d.ReceivedAt), Due: web.FormatDate(d.DueAt), Resolved: web.FormatDate(d.ResolvedAt),
			Rating: optional(tr, "rating.", d.Rating)}
		if d.Resolved() {
			row.OnTime = map[bool]string{true: tr.T("col.on_time"), false: tr.T("list.late")}[d.OnTime]
		}
		v.Rows = append(v.Rows, row)
	}
	base := p.prefix + "/units/" + url.PathEscape(slug) + "/dossiers?period=" + url.QueryEscape(pg.Period) + "&figure=" + url.QueryEscape(figure)
	if offset > 0 {
		v.Prev = base + "&offset=" + strconv.Itoa(max(offset-pageSize, 0))
	}
	if int64(offset+pageSize) < pg.Total {
		v.Next = base + "&offset=" + strconv.Itoa(offset+pageSize)
	}
	exp := p.prefix + "/units/" + url.PathEscape(slug) + "/export/dossiers?period=" + url.QueryEscape(pg.Period) + "&figure=" + url.QueryEscape(figure)
	v.CSV, v.XLSX = exp+"&format=csv", exp+"&format=xlsx"
	web.SetTenant(c, web.Tenant{Slug: slug, Name: pg.Tenant.DisplayName()})
	p.shell.Render(c, http.StatusOK, web.Page{Title: tr.T("list.title", v.FigureName), Content: "dossiers", Data: v})
}

// optional names a code of the event data (a channel, a state, a rating) in the page's language;
// no code is no name, and a code this version does not know shows as itself.
func optional(tr web.Translator, prefix, code string) string {
	if code == "" {
		return ""
	}
	if tr.Has(prefix + code) {
		return tr.T(prefix + code)
	}
	return code
}
