// Package pages owns HR's pages for HR officers, in Vietnamese, in the platform's shell: the unit
// tree with its history, the staff list with filters, a person's profile with their career and
// qualifications, the import wizard (check first, then write everything or nothing) and the
// statistics with charts drawn by the vendored Chart.js.
package pages

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/sheet"
	"egov.vn/platform/libs/telemetry"
	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/hr/internal/app"
	"egov.vn/platform/services/hr/internal/domain"
)

// Templates are the page templates, one per file under templates/ (see web.Config.Pages).
//
//go:embed templates/*.html
var Templates embed.FS

// TemplatePatterns is where the templates lie inside Templates.
var TemplatePatterns = []string{"templates/*.html"}

//go:embed static/stats.js static/hr.css
var assets embed.FS

// maxUpload bounds an import file sent through the wizard (the second step sends it again, as
// base64, so the form body is about a third larger).
const maxUpload = 32 << 20

// Pages serves the HR pages.
type Pages struct {
	app     *app.App
	shell   *web.Shell
	prefix  string
	tenants *auth.Directory
	// identityURL is identity's public address (its issuer), where the "create account" and
	// "link account" ways of a staff record lead.
	identityURL string
	now         func() time.Time
	// versions are the content hashes of the assets, for cache-busting URLs.
	versions map[string]string
}

// New returns the pages; tenants (may be nil) names the unit in the header and tells whether a
// staff member has an account; identityURL is identity's public address.
func New(a *app.App, shell *web.Shell, prefix string, tenants *auth.Directory, identityURL string) *Pages {
	p := &Pages{app: a, shell: shell, prefix: prefix, tenants: tenants, identityURL: strings.TrimSuffix(identityURL, "/"), now: time.Now,
		versions: map[string]string{}}
	for _, name := range []string{"stats.js", "hr.css"} {
		b, err := assets.ReadFile("static/" + name)
		if err == nil {
			sum := sha256.Sum256(b)
			p.versions[name] = hex.EncodeToString(sum[:6])
		}
	}
	return p
}

// Routes adds the pages to r, the group at the prefix that already requires a session, CSRF and
// the actor with its scope (bootstrap.Web.Pages).
func (p *Pages) Routes(r gin.IRouter) {
	r.GET("/assets/:file", p.asset)
	g := r.Group("", p.header)
	g.GET("/", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, p.prefix+"/staff") })
	g.GET("/units", p.units)
	g.POST("/units", p.createUnit)
	g.GET("/units/:id", p.unit)
	g.POST("/units/:id", p.changeUnit)
	g.GET("/staff", p.staff)
	g.GET("/staff/:id", p.profile)
	g.GET("/import", p.importForm)
	p.shell.PostUpload(g, "/import", maxUpload, p.importCheck)
	p.shell.PostUpload(g, "/import/commit", maxUpload*2, p.importCommit)
	g.GET("/statistics", p.statistics)
	p.formRoutes(g)
}

func (p *Pages) assetURL(name string) string {
	return p.prefix + "/assets/" + name + "?v=" + p.versions[name]
}

func (p *Pages) asset(c *gin.Context) {
	name := path.Base(c.Param("file"))
	b, err := assets.ReadFile("static/" + name)
	if err != nil {
		c.AbortWithStatus(http.StatusNotFound)
		return
	}
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	ct := "text/javascript; charset=utf-8"
	if path.Ext(name) == ".css" {
		ct = "text/css; charset=utf-8"
	}
	c.Data(http.StatusOK, ct, b)
}

// header shows the person's role and their unit's name in the page header (the session put
// their name there).
func (p *Pages) header(c *gin.Context) {
	auth.SetViewer(c, p.tenants, roleLabel(p.shell.Translator(c), auth.ActorFrom(c)))
	c.Next()
}

func roleLabel(tr web.Translator, a platform.Actor) string {
	switch {
	case a.Has(platform.RoleHROfficer):
		return tr.T("role.hr.officer")
	case a.Has(platform.RoleReportView):
		return tr.T("role.report.view")
	}
	return ""
}

// formErrors turns an invalid-input error into the form's field errors, in the page's language;
// other errors are returned.
func formErrors(tr web.Translator, err error) (web.FormErrors, error) {
	e := apperr.As(err)
	if e == nil || (e.Kind != apperr.KindInvalid && e.Kind != apperr.KindConflict) {
		return nil, err
	}
	fe := web.FormErrors{}
	for _, f := range e.Fields {
		fe.Add(f.Field, tr.FieldReason(e, f))
	}
	if len(e.Fields) == 0 {
		fe.Add("form", tr.ErrorMessage(e, "web.invalid"))
	}
	return fe, nil
}

// parseDay reads a date as a date input sends it (ISO) or as staff type it (dd/mm/yyyy); def
// otherwise.
func parseDay(s string, def time.Time) time.Time {
	if d, err := domain.ParseDate(s); err == nil {
		return d
	}
	return def
}

// today is the Vietnamese calendar day, the default of every "Tại ngày" and "Ngày hiệu lực".
func (p *Pages) today() time.Time { return web.Today(p.now()) }

// lastDay shows the end of a half-open period [from, to) as people write it, by its last day:
// an assignment that ends when the next starts on 01/01/2026 ran "đến ngày 31/12/2025".
func lastDay(to *time.Time) string {
	if to == nil {
		return ""
	}
	return web.FormatDate(to.AddDate(0, 0, -1))
}

// ---- units

type unitRow struct {
	ID, Code, Name, Kind, OpenedOn, Indent string
}

func (p *Pages) unitOptions(c *gin.Context) ([]web.Option, map[string]string, error) {
	nodes, err := p.app.UnitTree(c.Request.Context(), "", p.today())
	if err != nil {
		return nil, nil, err
	}
	opts := make([]web.Option, len(nodes))
	names := map[string]string{}
	for i, n := range nodes {
		opts[i] = web.Option{Value: n.ID, Label: strings.Repeat("— ", n.Depth) + n.Name}
		names[n.ID] = n.Name
	}
	return opts, names, nil
}

// unitKindsOffered are the kinds of unit in the order the form offers them.
var unitKindsOffered = []domain.UnitKind{domain.UnitOffice, domain.UnitDepartment, domain.UnitCenter, domain.UnitDesk, domain.UnitTeam, domain.UnitAuthority}

func unitKinds(tr web.Translator) []web.Option {
	out := make([]web.Option, len(unitKindsOffered))
	for i, k := range unitKindsOffered {
		out[i] = web.Option{Value: string(k), Label: tr.T("unit_kind." + string(k))}
	}
	return out
}

func (p *Pages) units(c *gin.Context) { p.renderUnits(c, http.StatusOK, nil) }

func (p *Pages) renderUnits(c *gin.Context, status int, form *web.Form) {
	on := parseDay(c.Query("on"), p.today())
	nodes, err := p.app.UnitTree(c.Request.Context(), "", on)
	if err != nil {
		p.shell.Fail(c, err)
		return
	}
	tr := p.shell.Translator(c)
	rows := make([]unitRow, len(nodes))
	for i, n := range nodes {
		rows[i] = unitRow{ID: n.ID, Code: n.Code, Name: n.Name, Kind: tr.T("unit_kind." + string(n.Kind)), OpenedOn: web.FormatDate(n.OpenedOn), Indent: strings.Repeat("— ", n.Depth)}
	}
	parents, _, err := p.unitOptions(c)
	if err != nil {
		p.shell.Fail(c, err)
		return
	}
	if form == nil {
		form = web.NewForm(nil).Set("opened_on", web.DateInput(p.today()))
	}
	p.render(c, status, "units", web.Page{Title: tr.T("units.title"), Content: "units", Form: form, Data: map[string]any{
		"On": web.DateInput(on), "OnText": web.FormatDate(on), "Units": rows, "Kinds": unitKinds(tr), "Parents": parents,
		"Officer": domain.ManagesStaff(auth.ActorFrom(c))}})
}

func (p *Pages) createUnit(c *gin.Context) {
	_ = c.Request.ParseForm()
	f := c.Request.PostForm
	_, err := p.app.CreateUnit(c.Request.Context(), auth.ActorFrom(c), app.UnitInput{Code: f.Get("code"), Name: f.Get("name"), Kind: domain.UnitKind(f.Get("kind")),
		ParentID: f.Get("parent_id"), OpenedOn: parseDay(f.Get("opened_on"), time.Time{})})
	if err != nil {
		fe, other := formErrors(p.shell.Translator(c), err)
		if other != nil {
			p.shell.Fail(c, other)
			return
		}
		form := web.NewForm(f)
		form.Errors = fe
		p.renderUnits(c, http.StatusUnprocessableEntity, form)
		return
	}
	p.shell.AddFlash(c, web.FlashSuccess, p.shell.Translator(c).T("flash.unit_created", strings.TrimSpace(f.Get("name"))))
	c.Redirect(http.StatusSeeOther, p.prefix+"/units")
}

type versionRow struct{ From, To, Name, Parent, Change, Reason string }

func (p *Pages) unit(c *gin.Context) { p.renderUnit(c, http.StatusOK, nil) }

func (p *Pages) renderUnit(c *gin.Context, status int, form *web.Form) {
	u, vs, err := p.app.UnitHistory(c.Request.Context(), c.Param("id"))
	if err != nil {
		p.shell.Fail(c, err)
		return
	}
	parents, names, err := p.unitOptions(c)
	if err != nil {
		p.shell.Fail(c, err)
		return
	}
	tr := p.shell.Translator(c)
	hist := make([]versionRow, len(vs))
	for i, v := range vs {
		hist[i] = versionRow{From: web.FormatDate(v.ValidFrom), To: lastDay(v.ValidTo), Name: v.Name, Parent: names[v.ParentID],
			Change: tr.T("unit_change." + string(v.Change)), Reason: v.Reason}
	}
	if form == nil {
		form = web.NewForm(nil).Set("effective_on", web.DateInput(p.today()))
	}
	var closed string
	if u.ClosedOn != nil {
		closed = web.FormatDate(*u.ClosedOn)
	}
	p.render(c, status, "units", web.Page{Title: u.Name, Content: "unit", Form: form, Data: map[string]any{
		"Unit": u, "Kind": tr.T("unit_kind." + string(u.Kind)), "OpenedOn": web.FormatDate(u.OpenedOn), "ClosedOn": closed, "History": hist, "Parents": parents,
		"Changes": []web.Option{{Value: "renamed", Label: tr.T("unit_change.renamed")}, {Value: "moved", Label: tr.T("unit_change.moved")},
			{Value: "closed", Label: tr.T("unit_change.closed")}},
		"Officer": domain.ManagesStaff(auth.ActorFrom(c))}})
}

func (p *Pages) changeUnit(c *gin.Context) {
	_ = c.Request.ParseForm()
	f := c.Request.PostForm
	_, err := p.app.ChangeUnit(c.Request.Context(), auth.ActorFrom(c), c.Param("id"), app.UnitChange{Change: domain.Change(f.Get("change")), Name: f.Get("name"),
		ParentID: f.Get("parent_id"), EffectiveOn: parseDay(f.Get("effective_on"), time.Time{}), Reason: f.Get("reason")})
	if err != nil {
		fe, other := formErrors(p.shell.Translator(c), err)
		if other != nil {
			p.shell.Fail(c, other)
			return
		}
		form := web.NewForm(f)
		form.Errors = fe
		p.renderUnit(c, http.StatusUnprocessableEntity, form)
		return
	}
	p.shell.AddFlash(c, web.FlashSuccess, p.shell.Translator(c).T("flash.unit_changed"))
	c.Redirect(http.StatusSeeOther, p.prefix+"/units/"+c.Param("id"))
}

// ---- staff

type staffRow struct{ ID, Name, Category, Unit, Position, BirthDate string }

func categoryOptions(tr web.Translator) []web.Option {
	out := make([]web.Option, len(domain.Categories))
	for i, k := range domain.Categories {
		out[i] = web.Option{Value: string(k), Label: tr.T("category." + string(k))}
	}
	return out
}

func (p *Pages) staff(c *gin.Context) {
	ctx := c.Request.Context()
	on := parseDay(c.Query("on"), p.today())
	f := domain.StaffFilter{Category: domain.Category(c.Query("category")), Query: c.Query("q"), On: on, Limit: 200}
	if u := c.Query("unit"); u != "" {
		f.UnitIDs = []string{u}
	}
	if !f.Category.Valid() {
		f.Category = ""
	}
	page, err := p.app.ListStaff(ctx, auth.ActorFrom(c), f)
	if err != nil {
		p.shell.Fail(c, err)
		return
	}
	opts, names, err := p.unitOptions(c)
	if err != nil {
		p.shell.Fail(c, err)
		return
	}
	tr := p.shell.Translator(c)
	rows := make([]staffRow, len(page.Items))
	for i, l := range page.Items {
		rows[i] = staffRow{ID: l.Staff.ID, Name: l.Staff.FullName, Category: tr.T("category." + string(l.Staff.Category)), Unit: names[l.Assignment.UnitID],
			Position: l.Assignment.Position}
		if page.Personal[i] {
			rows[i].BirthDate = web.FormatDate(l.Staff.BirthDate)
		}
	}
	p.render(c, http.StatusOK, "staff", web.Page{Title: tr.T("staff.title"), Content: "staff", Data: map[string]any{
		"Rows": rows, "Total": page.Total, "Units": opts, "Categories": categoryOptions(tr), "Unit": c.Query("unit"),
		"Category": string(f.Category), "Q": f.Query, "On": web.DateInput(on)}})
}

type historyRow struct{ From, To, Unit, Position, Rank, Note string }
type qualificationRow struct{ ID, Kind, Level, Detail, Body, Awarded, Evidence string }

func (p *Pages) profile(c *gin.Context) {
	ctx := c.Request.Context()
	pr, err := p.app.Profile(ctx, auth.ActorFrom(c), c.Param("id"))
	if err != nil {
		p.shell.Fail(c, err)
		return
	}
	units, err := p.app.UnitTree(ctx, pr.Staff.Tenant, p.today())
	if err != nil {
		p.shell.Fail(c, err)
		return
	}
	names := map[string]string{}
	for _, u := range units {
		names[u.ID] = u.Name
	}
	// A unit closed since (merged, dissolved) is not in today's tree; the career still names it.
	for _, a := range pr.Employment.Assignments {
		if _, ok := names[a.UnitID]; !ok {
			if u, _, err := p.app.UnitHistory(ctx, a.UnitID); err == nil {
				names[a.UnitID] = u.Name
			}
		}
	}
	codes, err := p.app.Levels(ctx)
	if err != nil {
		p.shell.Fail(c, err)
		return
	}
	tr := p.shell.Translator(c)
	data := map[string]any{"Personal": pr.Personal, "Category": tr.T("category." + string(pr.Staff.Category)), "ID": pr.Staff.ID,
		"Officer": pr.Personal && domain.ManagesStaff(auth.ActorFrom(c)), "Employed": pr.Current != nil}
	if pr.Current != nil {
		data["Unit"], data["Position"] = names[pr.Current.UnitID], pr.Current.Position
	} else {
		data["Unit"], data["Position"] = "—", tr.T("profile.left")
	}
	if pr.Personal {
		s := pr.Staff
		data["BirthDate"], data["Gender"], data["CCCD"] = web.FormatDate(s.BirthDate), tr.T("gender."+string(s.Gender)), s.CCCD
		data["Phone"], data["Email"], data["Address"] = s.Contacts.Phone, s.Contacts.Email, s.Contacts.Address
	}
	var hist []historyRow
	for i := len(pr.Employment.Assignments) - 1; i >= 0; i-- {
		a := pr.Employment.Assignments[i]
		rank := a.Rank
		if a.Step > 0 {
			rank += ", " + tr.T("profile.step", a.Step)
		}
		note := changeLabel(tr, a.Change)
		if a.EndReason != "" {
			note += "; " + tr.T("profile.left_because", a.EndReason)
		}
		hist = append(hist, historyRow{From: web.FormatDate(a.From), To: lastDay(a.To), Unit: names[a.UnitID], Position: a.Position, Rank: rank, Note: note})
	}
	data["History"] = hist
	var quals []qualificationRow
	for _, q := range pr.Qualifications {
		level := q.Level
		if l, ok := codes.Find(q.Kind, q.Level); ok {
			level = l.Name
		}
		detail := strings.TrimSpace(q.Field + " " + q.Language + " " + q.Course)
		if q.Result != "" {
			detail += " (" + q.Result + ")"
		}
		if q.Kind == domain.Training && q.StartOn != nil && q.EndOn != nil {
			detail += ", " + web.FormatDate(*q.StartOn) + " – " + web.FormatDate(*q.EndOn)
		}
		row := qualificationRow{ID: q.ID, Kind: tr.T("qual_kind." + string(q.Kind)), Level: level, Detail: detail, Body: q.AwardingBody, Awarded: web.FormatDate(q.AwardedOn)}
		if q.Evidence != nil {
			row.Evidence = q.Evidence.FileName
		}
		quals = append(quals, row)
	}
	data["Qualifications"] = quals
	data["Account"] = p.accountOf(c, pr.Staff)
	p.render(c, http.StatusOK, "staff", web.Page{Title: pr.Staff.FullName, Content: "profile", Data: data})
}

// accountView is what a staff record's page says of the person's account at identity.
type accountView struct {
	Known    bool // identity answered
	Username string
	Disabled bool
	// The ways for the unit's administrator: identity's new-account page pre-filled with the
	// record, the unit's accounts to link one of, or the linked account's page.
	NewURL, LinkURL, URL string
	// AskAdmin: an HR officer who is not the unit's administrator is told who makes accounts
	// (identity's administration pages would answer them 403).
	AskAdmin bool
}

// accountOf asks identity for the account linked to st. Identity away is not the page's failure:
// the page says the state is unknown.
func (p *Pages) accountOf(c *gin.Context, st domain.Staff) accountView {
	var v accountView
	if p.tenants == nil {
		return v
	}
	people, err := p.tenants.Accounts(c.Request.Context(), st.Tenant)
	if err != nil {
		telemetry.Logger(c.Request.Context()).WarnContext(c.Request.Context(), "hr: reading accounts from identity failed", "tenant", st.Tenant, "error", err.Error())
		return v
	}
	v.Known = true
	for _, person := range people {
		if person.StaffID == st.ID {
			v.Username, v.Disabled = person.Username, person.Disabled
			break
		}
	}
	actor := auth.ActorFrom(c)
	if !actor.HasAny(platform.RoleTenantAdmin) {
		v.AskAdmin = actor.HasAny(platform.RoleHROfficer)
		return v
	}
	if p.identityURL != "" {
		admin := p.identityURL + "/admin"
		if v.Username != "" {
			v.URL = admin + "/accounts/" + url.PathEscape(v.Username)
		} else {
			v.NewURL = admin + "/accounts/new?" + url.Values{"unit": {st.Tenant}, "name": {st.FullName}, "staff_id": {st.ID}}.Encode()
			v.LinkURL = admin + "?" + url.Values{"unit": {st.Tenant}, "staff_id": {st.ID}}.Encode()
		}
	}
	return v
}

func changeLabel(tr web.Translator, c domain.Change) string {
	switch c {
	case domain.ChangeHired, domain.ChangeMoved:
		return tr.T("career." + string(c))
	}
	return string(c)
}

func itoa(n int) string { return strconv.Itoa(n) }

// ---- import wizard

func datasets(tr web.Translator) []web.Option {
	return []web.Option{{Value: string(app.StaffData), Label: tr.T("import.dataset.staff")}, {Value: string(app.QualificationsData), Label: tr.T("import.dataset.qualifications")}}
}

func (p *Pages) importForm(c *gin.Context) { p.renderImportForm(c, http.StatusOK, nil) }

func (p *Pages) renderImportForm(c *gin.Context, status int, form *web.Form) {
	if form == nil {
		form = web.NewForm(nil)
	}
	staffHelp, qualHelp, err := p.importHelp(c)
	if err != nil {
		p.shell.Fail(c, err)
		return
	}
	tr := p.shell.Translator(c)
	p.render(c, status, "import", web.Page{Title: tr.T("import.title"), Content: "import", Form: form, Data: map[string]any{
		"Datasets": datasets(tr), "Help": []helpTable{{ID: "help-staff", Caption: tr.T("import.help.staff"), Rows: staffHelp},
			{ID: "help-qualifications", Caption: tr.T("import.help.qualifications"), Rows: qualHelp}}}})
}

func formatOf(name string) sheet.Format {
	if strings.EqualFold(path.Ext(name), ".csv") {
		return sheet.CSV
	}
	return sheet.XLSX
}

// importCheck is step 1: a dry run. The file travels to step 2 inside the page (base64 in a
// hidden field), so any replica can commit it and nothing is kept between the steps.
func (p *Pages) importCheck(c *gin.Context) {
	dataset := c.PostForm("dataset")
	fh, err := c.FormFile("file")
	if err != nil || dataset == "" {
		form := web.NewForm(c.Request.PostForm)
		form.Errors = web.FormErrors{}
		tr := p.shell.Translator(c)
		if dataset == "" {
			form.Errors.Add("dataset", tr.T("import.err.dataset"))
		}
		if err != nil {
			form.Errors.Add("file", tr.T("import.err.file"))
		}
		p.renderImportForm(c, http.StatusUnprocessableEntity, form)
		return
	}
	f, err := fh.Open()
	if err != nil {
		p.shell.Fail(c, err)
		return
	}
	defer func() { _ = f.Close() }()
	content, err := io.ReadAll(f)
	if err != nil {
		p.shell.Fail(c, err)
		return
	}
	p.runImport(c, dataset, formatOf(fh.Filename), path.Base(fh.Filename), content, false)
}

func (p *Pages) importCommit(c *gin.Context) {
	content, err := base64.StdEncoding.DecodeString(c.PostForm("content"))
	if err != nil {
		p.shell.Fail(c, apperr.Invalid("file", "Tệp gửi lại không đọc được; vui lòng chọn lại tệp."))
		return
	}
	format := sheet.XLSX
	if c.PostForm("format") == string(sheet.CSV) {
		format = sheet.CSV
	}
	p.runImport(c, c.PostForm("dataset"), format, c.PostForm("file_name"), content, true)
}

func (p *Pages) runImport(c *gin.Context, dataset string, format sheet.Format, name string, content []byte, commit bool) {
	rep, err := p.app.Import(c.Request.Context(), auth.ActorFrom(c), app.Dataset(dataset), format, bytes.NewReader(content), commit)
	if err != nil {
		if e := apperr.As(err); e != nil && e.Code == "import_rejected" {
			if r, ok := e.Details["report"].(app.ImportReport); ok {
				rep, err = r, nil
			}
		}
	}
	if err != nil {
		var fe web.FormErrors
		if fe, err = formErrors(p.shell.Translator(c), err); err != nil {
			p.shell.Fail(c, err)
			return
		}
		form := web.NewForm(c.Request.PostForm)
		form.Errors = web.FormErrors{}
		for k, v := range fe {
			if k != "file" && k != "dataset" {
				k = "file"
			}
			form.Errors.Add(k, v)
		}
		p.renderImportForm(c, http.StatusUnprocessableEntity, form)
		return
	}
	if rep.Committed {
		p.shell.AddFlash(c, web.FlashSuccess, p.shell.Translator(c).T("flash.imported", rep.Rows, name))
		c.Redirect(http.StatusSeeOther, p.prefix+"/staff")
		return
	}
	status := http.StatusOK
	if !rep.OK() {
		status = http.StatusUnprocessableEntity
	}
	p.render(c, status, "import", web.Page{Title: p.shell.Translator(c).T("import.report.title"), Content: "import_report", Data: map[string]any{
		"Report": rep, "Dataset": dataset, "Format": format, "FileName": name, "Content": base64.StdEncoding.EncodeToString(content)}})
}

// ---- statistics

type categoryRow struct {
	Label       string
	Before, Now int
	Delta       string
}

type levelTable struct {
	Kind   string
	Shares []domain.Share
}

func signed(n int) string {
	switch {
	case n > 0:
		return "+" + itoa(n)
	case n < 0:
		return "−" + itoa(-n)
	}
	return "0"
}

func (p *Pages) statistics(c *gin.Context) {
	ctx := c.Request.Context()
	on := parseDay(c.Query("on"), p.today())
	from := parseDay(c.Query("from"), on.AddDate(-1, 0, 0))
	if !from.Before(on) {
		from = on.AddDate(-1, 0, 0)
	}
	ch, err := p.app.Change(ctx, auth.ActorFrom(c), "", c.Query("unit"), from, on)
	if err != nil {
		p.shell.Fail(c, err)
		return
	}
	opts, _, err := p.unitOptions(c)
	if err != nil {
		p.shell.Fail(c, err)
		return
	}
	tr := p.shell.Translator(c)
	var cats []categoryRow
	chartCats := map[string]any{}
	var labels []string
	var values []int
	for _, k := range domain.Categories {
		b, n := ch.From.ByCategory[k], ch.To.ByCategory[k]
		label := tr.T("category." + string(k))
		cats = append(cats, categoryRow{Label: label, Before: b, Now: n, Delta: signed(n - b)})
		labels, values = append(labels, label), append(values, n)
	}
	chartCats["labels"], chartCats["values"] = labels, values
	var levels []levelTable
	var kindLabels []string
	// One series per "at or above" step (1st, 2nd, … threshold of each kind), so a kind with
	// more levels shows more bars; the chart's x axis is the kinds.
	maxSteps := 0
	for _, ks := range ch.To.Levels {
		levels = append(levels, levelTable{Kind: tr.T("qual_kind." + string(ks.Kind)), Shares: ks.Shares})
		kindLabels = append(kindLabels, tr.T("qual_kind."+string(ks.Kind)))
		maxSteps = max(maxSteps, len(ks.Shares))
	}
	type series struct {
		Label  string    `json:"label"`
		Values []float64 `json:"values"`
	}
	var ss []series
	for step := range maxSteps {
		s := series{Label: tr.T("stats.series", step+1)}
		for _, ks := range ch.To.Levels {
			v := 0.0
			if step < len(ks.Shares) {
				v = ks.Shares[step].Percent
			}
			s.Values = append(s.Values, v)
		}
		ss = append(ss, s)
	}
	p.render(c, http.StatusOK, "statistics", web.Page{Title: tr.T("stats.title"), Content: "statistics", Data: map[string]any{
		"Change": ch, "Categories": cats, "HeadcountDelta": signed(ch.Headcount), "Levels": levels, "Units": opts, "Unit": c.Query("unit"),
		"On": web.DateInput(on), "From": web.DateInput(from), "OnText": web.FormatDate(on), "FromText": web.FormatDate(from),
		"ChartJSON": map[string]any{"categories": chartCats, "levels": map[string]any{"labels": kindLabels, "series": ss}},
		"ChartJS":   p.shell.Asset("chart.umd.min.js"), "StatsJS": p.assetURL("stats.js")}})
}
