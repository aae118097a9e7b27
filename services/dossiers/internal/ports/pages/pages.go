// Package pages is the staff's and citizens' side of the one-stop shop in the platform shell
// (libs/web, htmx): the desk intake form with the procedure's checklist and the printed receipt,
// inboxes, the dossier page with its timeline and actions, search, the ledger with CSV export,
// printable forms, and the citizen's lookup and rating. Pages are in Vietnamese, or English on
// request (catalogue in i18n); the legal forms 01–07 and their PDFs stay Vietnamese.
package pages

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/sheet"
	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/dossiers/internal/app"
	"egov.vn/platform/services/dossiers/internal/domain"
	"egov.vn/platform/services/dossiers/internal/ports/api"
	"egov.vn/platform/services/dossiers/internal/ports/forms"
)

//go:embed templates/*.html
var templates embed.FS

// Templates are the service's page templates, for the shell (bootstrap.WebOptions.Pages).
func Templates() fs.FS {
	sub, err := fs.Sub(templates, "templates")
	if err != nil {
		panic(err) // the folder is embedded above: this cannot fail
	}
	return sub
}

// Pages holds the page handlers.
type Pages struct {
	app    *app.App
	shell  *web.Shell
	forms  *forms.Renderer
	units  Units
	prefix string
}

// Units is the tenant tree as the pages need it: the units' names, which people read instead of
// their slugs, and the choice of units a citizen picks from (identity's directory, auth.Directory).
type Units interface {
	Tenant(ctx context.Context, slug string) (auth.Tenant, error)
	Units(ctx context.Context) ([]auth.Tenant, error)
}

// New returns the pages.
func New(a *app.App, shell *web.Shell, f *forms.Renderer, units Units, prefix string) *Pages {
	return &Pages{app: a, shell: shell, forms: f, units: units, prefix: prefix}
}

// Routes registers the staff pages on staff (signed in, CSRF-protected, actor and scope set by
// auth.RequireActor: bootstrap.Web.Pages) and the citizen's pages on public (bootstrap.Web.Public).
func (p *Pages) Routes(staff, public gin.IRouter) {
	public.Use(func(c *gin.Context) { web.SetPublic(c, p.publicLinks()) })
	public.GET("/tra-cuu", p.lookupPage)
	public.POST("/tra-cuu", p.lookup)
	public.POST("/danh-gia", p.rate)
	public.GET("/thu-tuc", p.procedures)
	staff.Use(p.viewer)
	staff.GET("/", p.inbox)
	staff.GET("/tiep-nhan", p.intakeForm)
	staff.POST("/tiep-nhan", p.intake)
	staff.GET("/ho-so/:id", p.dossier)
	staff.POST("/ho-so/:id/hanh-dong", p.act)
	staff.GET("/ho-so/:id/phieu/:form", p.form)
	p.shell.PostUpload(staff, "/ho-so/:id/ket-qua", domain.MaxResultSize+1<<20, p.attachResult)
	staff.GET("/ho-so/:id/ket-qua", p.resultFile)
	staff.GET("/so-theo-doi", p.ledger)
	staff.GET("/nhat-ky-truy-cap", p.accessLog)
	staff.GET("/lich-lam-viec", p.calendar)
	staff.POST("/lich-lam-viec", p.setCalendarDay)
	staff.POST("/lich-lam-viec/xoa", p.deleteCalendarDay)
}

// viewer shows who is signed in, in which unit, in the shell's header once the unit is
// provisioned here.
func (p *Pages) viewer(c *gin.Context) {
	a := actorOf(c)
	if _, st, err := p.app.Calendar(c.Request.Context()); err == nil && st.Name != "" {
		web.SetViewer(c, &web.Viewer{Name: a.Name, Role: roleNames(p.shell.Translator(c), a.Roles), Tenant: web.Tenant{Slug: string(a.Tenant), Name: st.Name}})
	}
	c.Next()
}

// roleNames names the person's one-stop-shop roles in the header, in the page's language.
func roleNames(tr web.Translator, roles []platform.Role) string {
	var out []string
	for _, r := range roles {
		if id := "role." + string(r); tr.Has(id) {
			out = append(out, tr.T(id))
		}
	}
	return strings.Join(out, ", ")
}

// stateName is d's state as staff read it, in the page's language (forms.DossierStateVI's rule).
func stateName(tr web.Translator, d *domain.Dossier) string {
	if d.WaitsForApproval() {
		return tr.T("state.awaiting_approval")
	}
	return tr.T("state." + string(d.State))
}

func actorOf(c *gin.Context) platform.Actor { return auth.ActorFrom(c) }

// fail shows an error page in the page's language: the kinds whose use-case message is written
// for the log get the one-stop shop's own wording; everything else is the shell's
// (web.Shell.Fail), which also logs failures of ours.
func (p *Pages) fail(c *gin.Context, err error) {
	tr := p.shell.Translator(c)
	if e := apperr.As(err); e != nil {
		switch e.Kind {
		case apperr.KindNotFound:
			p.shell.RenderError(c, http.StatusNotFound, tr.T("fail.not_found.title"), tr.T("fail.not_found"))
			return
		case apperr.KindForbidden:
			p.shell.RenderError(c, http.StatusForbidden, tr.T("fail.forbidden.title"), tr.T("fail.forbidden"))
			return
		case apperr.KindConflict:
			p.shell.RenderError(c, http.StatusConflict, tr.T("fail.conflict.title"), tr.T("fail.conflict"))
			return
		case apperr.KindInvalid, apperr.KindMalformed:
			p.shell.RenderError(c, http.StatusUnprocessableEntity, tr.T("fail.invalid.title"), tr.Reasons(e, "web.invalid"))
			return
		}
	}
	p.shell.Fail(c, err)
}

// ---- inbox and search ----

// inboxTabs are the inboxes by key; each label is the message "inbox.tab.<key>" ("all" for "").
var inboxTabs = []string{"mine", "unit", "awaiting_approval", "due_soon", "overdue", ""}

type inboxTab struct{ Key, Label string }

func tabs(tr web.Translator) []inboxTab {
	out := make([]inboxTab, len(inboxTabs))
	for i, k := range inboxTabs {
		id := "inbox.tab." + k
		if k == "" {
			id = "inbox.tab.all"
		}
		out[i] = inboxTab{Key: k, Label: tr.T(id)}
	}
	return out
}

type row struct {
	*domain.Dossier
	N           int // the row's number in the ledger, from 1 as in its PDF
	StateVI     string
	Overdue     bool
	HandlerName string
	HolderName  string
}

// names maps the subjects of units' staff to their names, for showing who handles what. The
// directory being away only costs the names: the subject is shown instead.
func (p *Pages) names(c *gin.Context, units ...string) map[string]string {
	out := map[string]string{}
	for _, u := range units {
		people, err := p.app.Staff(c.Request.Context(), u)
		if err != nil {
			continue
		}
		for _, person := range people {
			out[person.Subject] = person.Name
		}
	}
	return out
}

// unitNames maps unit slugs to the units' names. The directory being away only costs the names:
// the slug is shown instead.
func (p *Pages) unitNames(ctx context.Context, slugs ...string) map[string]string {
	return api.UnitNames(ctx, p.units, slugs...)
}

func nameOr(names map[string]string, subject string) string {
	if n, ok := names[subject]; ok && n != "" {
		return n
	}
	return subject
}

func (p *Pages) inbox(c *gin.Context) {
	q := c.Request.URL.Query()
	f, err := api.ParseFilter(q)
	if err != nil {
		p.fail(c, err)
		return
	}
	f.Page.Limit = 50
	inbox := app.Inbox(q.Get("inbox"))
	if !q.Has("inbox") {
		inbox = defaultInbox(actorOf(c))
	}
	res, err := p.app.Dossiers(c.Request.Context(), actorOf(c), inbox, f)
	if err != nil {
		p.fail(c, err)
		return
	}
	now := time.Now()
	tr := p.shell.Translator(c)
	names := p.names(c, string(actorOf(c).Tenant))
	holders := make([]string, len(res.Items))
	for i, d := range res.Items {
		holders[i] = d.Holder
	}
	units := p.unitNames(c.Request.Context(), holders...)
	rows := make([]row, len(res.Items))
	for i, d := range res.Items {
		rows[i] = row{Dossier: d, StateVI: stateName(tr, d), Overdue: d.State.Active() && d.CurrentDue().Before(now), HolderName: units[d.Holder]}
		if d.Handler != "" {
			rows[i].HandlerName = nameOr(names, d.Handler)
		}
	}
	procs, _ := p.app.Procedures(c.Request.Context())
	form := web.NewForm(q)
	p.shell.Render(c, http.StatusOK, web.Page{Title: tr.T("inbox.title"), Content: "inbox", Form: form, Fragment: "rows",
		Data: gin.H{"Tabs": tabs(tr), "Inbox": string(inbox), "Rows": rows, "States": stateOptions(tr), "Procedures": procOptions(procs),
			"Prefix": p.prefix, "CanReceive": actorOf(c).Has(platform.RoleDossierReceive)}})
}

// defaultInbox is the list a person lands on: a handler's own dossiers, what waits for a
// leader, everything for the desk.
func defaultInbox(a platform.Actor) app.Inbox {
	switch {
	case a.Has(platform.RoleDossierReceive):
		return app.InboxAll
	case a.Has(platform.RoleDossierHandle):
		return app.InboxMine
	case a.Has(platform.RoleDossierApprove):
		return app.InboxAwaitingApproval
	}
	return app.InboxAll
}

func stateOptions(tr web.Translator) []web.Option {
	out := make([]web.Option, 0, len(domain.States))
	for _, s := range domain.States {
		out = append(out, web.Option{Value: string(s), Label: tr.T("state." + string(s))})
	}
	return out
}

func procOptions(ps []domain.Procedure) []web.Option {
	out := make([]web.Option, 0, len(ps))
	for _, pr := range ps {
		out = append(out, web.Option{Value: pr.Code, Label: pr.Name})
	}
	return out
}

// ---- intake ----

func (p *Pages) intakeForm(c *gin.Context) {
	// The form is offered only to whom may submit it.
	if !actorOf(c).Has(platform.RoleDossierReceive) {
		tr := p.shell.Translator(c)
		p.shell.RenderError(c, http.StatusForbidden, tr.T("fail.forbidden.title"), tr.T("intake.forbidden"))
		return
	}
	p.renderIntake(c, http.StatusOK, web.NewForm(c.Request.URL.Query()))
}

func (p *Pages) renderIntake(c *gin.Context, status int, form *web.Form) {
	procs, err := p.app.Procedures(c.Request.Context())
	if err != nil {
		p.fail(c, err)
		return
	}
	var chosen *domain.Procedure
	for i := range procs {
		if procs[i].Code == form.Values.Get("procedure_code") {
			chosen = &procs[i]
		}
	}
	var due string
	if chosen != nil {
		if cal, st, err := p.app.Calendar(c.Request.Context()); err == nil {
			if t, err := cal.AddWorkingMinutes(time.Now(), chosen.LegalMinutes(st.Hours)); err == nil {
				due = web.FormatDateTime(t)
			}
		}
	}
	tr := p.shell.Translator(c)
	p.shell.Render(c, status, web.Page{Title: tr.T("intake.title"), Content: "intake", Form: form, Fragment: "checklist",
		Data: gin.H{"Procedures": procOptions(procs), "Chosen": chosen, "Due": due, "Prefix": p.prefix,
			"Channels": []web.Option{{Value: "desk", Label: tr.T("channel.desk")}, {Value: "post", Label: tr.T("channel.post")}, {Value: "online", Label: tr.T("channel.online")}}}})
}

func (p *Pages) intake(c *gin.Context) {
	if err := c.Request.ParseForm(); err != nil {
		p.fail(c, apperr.Malformed("", "biểu mẫu không đọc được"))
		return
	}
	v := c.Request.PostForm
	tr := p.shell.Translator(c)
	form := web.NewForm(v)
	code := v.Get("procedure_code")
	proc, err := p.app.Procedure(c.Request.Context(), code)
	if err != nil {
		form.Errors.Add("procedure_code", tr.T("intake.err.procedure"))
		p.renderIntake(c, http.StatusUnprocessableEntity, form)
		return
	}
	var docs []domain.ReceivedDocument
	for i, d := range proc.Documents {
		if v.Get(fmt.Sprintf("doc_%d", i)) == "on" {
			docs = append(docs, domain.ReceivedDocument{Name: d.Name, Kind: d.Kind, Count: d.Count})
		}
	}
	req := app.IntakeRequest{ProcedureCode: code, Channel: domain.Channel(v.Get("channel")), Documents: docs, Note: v.Get("note"),
		Applicant: domain.Applicant{Name: v.Get("applicant_name"), IDNumber: v.Get("applicant_id_number"), Phone: v.Get("applicant_phone"),
			Address: v.Get("applicant_address"), Organisation: v.Get("applicant_organisation"), TaxCode: v.Get("applicant_tax_code")}}
	d, err := p.app.Intake(c.Request.Context(), actorOf(c), req)
	if e := apperr.As(err); e != nil && e.Kind == apperr.KindInvalid {
		for _, f := range e.Fields {
			name := strings.ReplaceAll(f.Field, ".", "_")
			if name == "documents" {
				name = "doc_0"
			}
			form.Errors.Add(name, tr.FieldReason(e, f))
		}
		p.renderIntake(c, http.StatusUnprocessableEntity, form)
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	p.shell.AddFlash(c, web.FlashSuccess, tr.T("intake.done", d.ReceiptCode))
	c.Redirect(http.StatusSeeOther, p.prefix+"/ho-so/"+d.ID+"?in=1")
}

// ---- dossier ----

type actionButton struct {
	Action   domain.Action
	Label    string
	Note     bool // needs a reason
	Assign   bool
	Extend   bool
	Dangered bool
}

func (p *Pages) dossier(c *gin.Context) {
	d, err := p.app.Dossier(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		p.fail(c, err)
		return
	}
	a := actorOf(c)
	tr := p.shell.Translator(c)
	var buttons []actionButton
	canAttach := false
	for _, act := range d.AllowedActions(a) {
		if act == domain.ActAttachResult { // its own form below, with the file
			canAttach = true
			continue
		}
		buttons = append(buttons, actionButton{Action: act, Label: tr.T("action." + string(act)),
			Note: act == domain.ActRefuse || act == domain.ActRequestSupplement || act == domain.ActStop || act == domain.ActWithdraw ||
				act == domain.ActExtend || act == domain.ActSendBack,
			Assign: act == domain.ActAssign, Extend: act == domain.ActExtend,
			Dangered: act == domain.ActRefuse || act == domain.ActStop || act == domain.ActWithdraw})
	}
	// Handlers are named by the units that assigned them (the district's, for liên thông).
	units := []string{d.Holder, d.Tenant}
	for _, h := range d.History {
		units = append(units, h.Tenant)
	}
	slices.Sort(units)
	units = slices.Compact(units)
	names := p.names(c, units...)
	unitNames := p.unitNames(c.Request.Context(), units...)
	type entry struct {
		domain.Transition
		ActionVI, StateVI, HandlerName, TenantName string
	}
	timeline := make([]entry, len(d.History))
	for i, h := range d.History {
		timeline[i] = entry{Transition: h, ActionVI: tr.T("action." + string(h.Action)), StateVI: tr.T("state." + string(h.To)), TenantName: unitNames[h.Tenant]}
		if h.Handler != "" {
			timeline[i].HandlerName = nameOr(names, h.Handler)
		}
		if h.Action == domain.ActCompleteStep || h.Action == domain.ActSendBack {
			if h.Step >= 1 && h.Step <= len(d.Steps) {
				timeline[i].ActionVI += " " + strconv.Itoa(h.Step) + ": " + d.Steps[h.Step-1].Name
			}
		}
	}
	var handlers, approvers []app.Person
	if slices.ContainsFunc(buttons, func(b actionButton) bool { return b.Assign }) {
		handlers, _ = p.app.StaffWith(c.Request.Context(), d.Holder, platform.RoleDossierHandle)
	}
	if d.WaitsForApproval() {
		approvers, _ = p.app.StaffWith(c.Request.Context(), d.Holder, platform.RoleDossierApprove)
	}
	var available []gin.H
	for n := 1; n <= 6; n++ {
		if _, err := forms.Build(n, d, app.Settings{}, forms.Refs{}); err == nil {
			available = append(available, gin.H{"N": n, "Name": tr.T(fmt.Sprintf("form.%d", n))})
		}
	}
	archive, err := p.app.ArchivedResult(c.Request.Context(), d.ID)
	if err != nil {
		p.fail(c, err)
		return
	}
	p.shell.Render(c, http.StatusOK, web.Page{Title: tr.T("dossier.title", d.ReceiptCode), Content: "dossier",
		Data: gin.H{"D": d, "Archive": archive, "StateVI": stateName(tr, d), "Timeline": timeline, "Buttons": buttons, "Forms": available,
			"CanAttach": canAttach, "SentBack": sentBack(d), "ResultTypes": resultTypes, "MaxResultMB": domain.MaxResultSize >> 20,
			"Handlers": handlers, "Approvers": approvers, "Waiting": d.WaitsForApproval(), "HandlerName": nameOr(names, d.Handler),
			"HolderName": unitNames[d.Holder],
			"Prefix":     p.prefix, "Print": c.Query("in") == "1", "Overdue": d.State.Active() && d.CurrentDue().Before(time.Now()),
			"Masked": !domain.SeesPersonalData(d, a)}})
}

func (p *Pages) act(c *gin.Context) {
	if err := c.Request.ParseForm(); err != nil {
		p.fail(c, apperr.Malformed("", "biểu mẫu không đọc được"))
		return
	}
	v := c.Request.PostForm
	version, _ := strconv.Atoi(v.Get("version"))
	cmd := domain.Command{Action: domain.Action(v.Get("action")), Note: v.Get("note"), Unit: v.Get("unit"), Handler: v.Get("handler")}
	if s := v.Get("new_due"); s != "" {
		if d, err := domain.ParseDate(s); err == nil {
			t := d.At(17 * 60)
			cmd.NewDueAt = &t
		}
	}
	if cmd.Action == domain.ActAssign && cmd.Handler == "me" {
		cmd.Handler = actorOf(c).Subject
	}
	d, err := p.app.Act(c.Request.Context(), actorOf(c), c.Param("id"), version, cmd)
	tr := p.shell.Translator(c)
	if err != nil {
		e := apperr.As(err)
		switch {
		case e != nil && e.Kind == apperr.KindConflict:
			p.shell.AddFlash(c, web.FlashError, tr.T("act.conflict"))
		case e != nil && (e.Kind == apperr.KindInvalid || e.Kind == apperr.KindForbidden):
			p.shell.AddFlash(c, web.FlashError, tr.T("act.failed", tr.Reasons(e, "web.forbidden")))
		default:
			p.fail(c, err)
			return
		}
		c.Redirect(http.StatusSeeOther, p.prefix+"/ho-so/"+c.Param("id"))
		return
	}
	p.shell.AddFlash(c, web.FlashSuccess, tr.T("act.done", tr.T("action."+string(cmd.Action))))
	c.Redirect(http.StatusSeeOther, p.prefix+"/ho-so/"+d.ID)
}

// sentBack is the leader's note when the dossier was sent back and the step is not yet redone.
func sentBack(d *domain.Dossier) *domain.Transition {
	for i := len(d.History) - 1; i >= 0; i-- {
		switch d.History[i].Action {
		case domain.ActSendBack:
			if d.State == domain.StateInProcess {
				return &d.History[i]
			}
			return nil
		case domain.ActCompleteStep, domain.ActApprove:
			return nil
		}
	}
	return nil
}

// resultTypes are the usual kinds of result, offered as suggestions (any other may be typed).
var resultTypes = []string{"Quyết định", "Giấy chứng nhận", "Giấy phép", "Trích lục", "Bản sao", "Văn bản trả lời", "Thông báo"}

// attachResult takes the result document from the dossier page.
func (p *Pages) attachResult(c *gin.Context) {
	id := c.Param("id")
	up, version, err := api.ReadResultUpload(c)
	if err == nil && up.Body == nil && c.Request.MultipartForm != nil && len(c.Request.MultipartForm.Value["generate"]) > 0 {
		err = p.generateResult(c, id, &up)
	}
	if err == nil {
		_, err = p.app.AttachResult(c.Request.Context(), actorOf(c), id, version, up)
	}
	tr := p.shell.Translator(c)
	if err != nil {
		e := apperr.As(err)
		switch {
		case e != nil && e.Kind == apperr.KindConflict:
			p.shell.AddFlash(c, web.FlashError, tr.T("attach.conflict"))
		case e != nil && (e.Kind == apperr.KindInvalid || e.Kind == apperr.KindMalformed || e.Kind == apperr.KindForbidden):
			p.shell.AddFlash(c, web.FlashError, tr.T("attach.failed", tr.Reasons(e, "web.invalid")))
		default:
			p.fail(c, err)
			return
		}
		c.Redirect(http.StatusSeeOther, p.prefix+"/ho-so/"+id)
		return
	}
	p.shell.AddFlash(c, web.FlashSuccess, tr.T("attach.done"))
	c.Redirect(http.StatusSeeOther, p.prefix+"/ho-so/"+id)
}

// generateResult makes the result document a PDF of what was typed (forms.ResultDoc), for a
// unit that prints the result and signs it on paper.
func (p *Pages) generateResult(c *gin.Context, id string, up *app.ResultUpload) error {
	d, err := p.app.Dossier(c.Request.Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	check := domain.Result{Type: up.Type, Summary: up.Summary, Signer: up.Signer}
	if err := check.ValidateDescription(); err != nil {
		return err
	}
	_, st, err := p.app.Calendar(c.Request.Context())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := forms.WritePDF(&buf, forms.ResultDoc(d, st, check.Type, check.Summary, check.Signer, time.Now())); err != nil {
		return err
	}
	up.FileName = "ket-qua-" + d.ReceiptCode + ".pdf"
	up.Size, up.Body = int64(buf.Len()), &buf
	return nil
}

// resultFile downloads the result document for staff (citizens never get it from the lookup).
func (p *Pages) resultFile(c *gin.Context) {
	r, rc, err := p.app.ResultFile(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		p.fail(c, err)
		return
	}
	defer func() { _ = rc.Close() }()
	api.WriteResultFile(c, r, rc)
}

func (p *Pages) form(c *gin.Context) {
	n, pdf, ok := api.ParseFormName(c.Param("form"), 6)
	if !ok {
		p.fail(c, apperr.NotFound("form", strings.TrimSuffix(c.Param("form"), ".pdf")))
		return
	}
	d, err := p.app.Dossier(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		p.fail(c, err)
		return
	}
	_, st, err := p.app.Calendar(c.Request.Context())
	if err != nil {
		p.fail(c, err)
		return
	}
	var buf bytes.Buffer
	ct, err := p.forms.WriteNamed(&buf, n, pdf, d, st, p.unitNames(c.Request.Context(), api.FormUnits(d)...))
	if err != nil {
		p.fail(c, err)
		return
	}
	c.Data(http.StatusOK, ct, buf.Bytes())
}

// accessLog shows the unit's log of reads of personal data, for its administrator.
func (p *Pages) accessLog(c *gin.Context) {
	list, err := p.app.AccessLog(c.Request.Context(), actorOf(c), 500, 0)
	if err != nil {
		p.fail(c, err)
		return
	}
	p.shell.Render(c, http.StatusOK, web.Page{Title: p.shell.Translator(c).T("access.title"), Content: "access_log", Data: list})
}

// ---- ledger ----

func (p *Pages) ledger(c *gin.Context) {
	q := c.Request.URL.Query()
	today := time.Now().In(domain.Vietnam)
	if q.Get("from") == "" {
		q.Set("from", today.AddDate(0, 0, 1-today.Day()).Format(time.DateOnly))
	}
	if q.Get("to") == "" {
		q.Set("to", today.Format(time.DateOnly))
	}
	f, err := api.ParseFilter(q)
	if err != nil {
		p.fail(c, err)
		return
	}
	f.OldestLast = true
	var all []*domain.Dossier
	// The ledger is one unit's book: its own dossiers, read page by page up to a bound.
	for len(all) < 5000 {
		f.Page.Limit = 200
		res, err := p.app.Dossiers(c.Request.Context(), actorOf(c), app.InboxAll, f)
		if err != nil {
			p.fail(c, err)
			return
		}
		for _, d := range res.Items {
			if d.Tenant == string(actorOf(c).Tenant) {
				all = append(all, d)
			}
		}
		if res.NextCursor == "" {
			break
		}
		next, err := decodeCursor(res.NextCursor)
		if err != nil {
			break
		}
		f.Page.After = &next
	}
	_, st, _ := p.app.Calendar(c.Request.Context())
	switch q.Get("format") {
	case "csv", "xlsx":
		// The export lists the applicants' ID numbers: it is a read of personal data.
		if slices.ContainsFunc(all, func(d *domain.Dossier) bool { return domain.SeesPersonalData(d, actorOf(c)) }) {
			if err := p.app.LedgerRead(c.Request.Context(), actorOf(c)); err != nil {
				p.fail(c, err)
				return
			}
		}
		// libs/sheet: the BOM Excel needs for Vietnamese, and an applicant's name that starts
		// like a formula is written as text, never run.
		format := sheet.Format(q.Get("format"))
		var buf bytes.Buffer
		w, err := sheet.NewWriter(format, &buf, sheet.Options{Title: "Sổ theo dõi hồ sơ – " + st.Name, SheetName: "So theo doi"})
		if err == nil {
			err = w.Header("STT", "Mã hồ sơ", "Thủ tục", "Người nộp", "Số định danh", "Kênh", "Nhận lúc", "Hẹn trả", "Có kết quả", "Trả lúc", "Tình trạng", "Trễ hạn")
		}
		for i, d := range all {
			if err != nil {
				break
			}
			err = w.Row(i+1, d.ReceiptCode, d.ProcedureName, d.Applicant.Name, d.Applicant.IDNumber, string(d.Channel),
				web.FormatDateTime(d.ReceivedAt), web.FormatDateTime(d.DueAt), optTime(d.ResolvedAt), optTime(d.ReturnedAt),
				forms.StateVI[d.State], map[bool]string{true: "có", false: "không"}[d.Late])
		}
		if err == nil {
			err = w.Close()
		}
		if err != nil {
			p.fail(c, err)
			return
		}
		c.Header("Content-Disposition", `attachment; filename="so-theo-doi-ho-so.`+string(format)+`"`)
		c.Data(http.StatusOK, format.ContentType(), buf.Bytes())
	case "pdf":
		var buf bytes.Buffer
		if err := forms.WritePDF(&buf, forms.Ledger(all, st, q.Get("from"), q.Get("to"))); err != nil {
			p.fail(c, err)
			return
		}
		c.Data(http.StatusOK, "application/pdf", buf.Bytes())
	case "html":
		var buf bytes.Buffer
		if err := p.forms.WriteHTML(&buf, forms.Ledger(all, st, q.Get("from"), q.Get("to"))); err != nil {
			p.fail(c, err)
			return
		}
		c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
	default:
		tr := p.shell.Translator(c)
		rows := make([]row, len(all))
		for i, d := range all {
			rows[i] = row{Dossier: d, N: i + 1, StateVI: tr.T("state." + string(d.State))}
		}
		p.shell.Render(c, http.StatusOK, web.Page{Title: tr.T("ledger.title"), Content: "ledger", Form: web.NewForm(q),
			Data: gin.H{"Rows": rows, "Query": q.Encode(), "Prefix": p.prefix}})
	}
}

// ---- working-day calendar ----

type calendarDay struct {
	Date    string // YYYY-MM-DD, what the form sends back
	Shown   string // dd/mm/yyyy
	Weekday string
	Kind    string
	Note    string
}

// weekday names a day of the week ("weekday.0" is Sunday, as time.Weekday counts).
func weekday(tr web.Translator, d time.Weekday) string { return tr.T(fmt.Sprintf("weekday.%d", d)) }

func dayKindOptions(tr web.Translator) []web.Option {
	return []web.Option{{Value: string(domain.DayOff), Label: tr.T("calendar.kind.option.off")}, {Value: string(domain.DayWork), Label: tr.T("calendar.edit.work")}}
}

// calendar shows a year of the unit's working-day calendar: office hours, the days off and
// working weekend days the rules and the admins' edits give, and (for tenant.admin) the form
// that records a swapped day off or a make-up working day.
func (p *Pages) calendar(c *gin.Context) {
	p.renderCalendar(c, http.StatusOK, web.NewForm(nil))
}

func (p *Pages) renderCalendar(c *gin.Context, status int, form *web.Form) {
	year := time.Now().In(domain.Vietnam).Year()
	if s := c.Query("year"); s != "" {
		if y, err := strconv.Atoi(s); err == nil && y >= 1990 && y <= 2100 {
			year = y
		}
	}
	cal, st, err := p.app.Calendar(c.Request.Context())
	if err != nil {
		p.fail(c, err)
		return
	}
	tr := p.shell.Translator(c)
	var days, edits []calendarDay
	for _, o := range cal.DaysOff(year) {
		days = append(days, calendarDay{Date: o.Date.String(), Shown: web.FormatDate(o.Date.At(0)), Weekday: weekday(tr, o.Date.Weekday()), Kind: string(o.Kind), Note: o.Note})
	}
	for _, o := range cal.Overrides {
		if o.Date.Year == year {
			edits = append(edits, calendarDay{Date: o.Date.String(), Shown: web.FormatDate(o.Date.At(0)), Weekday: weekday(tr, o.Date.Weekday()), Kind: string(o.Kind), Note: o.Note})
		}
	}
	slices.SortFunc(edits, func(a, b calendarDay) int { return strings.Compare(a.Date, b.Date) })
	if form.Values.Get("kind") == "" {
		form.Set("kind", string(domain.DayOff))
	}
	p.shell.Render(c, status, web.Page{Title: tr.T("calendar.title", year), Content: "calendar", Form: form,
		Data: gin.H{"Prefix": p.prefix, "Year": year, "Prev": year - 1, "Next": year + 1, "Days": days, "Edits": edits, "Hours": st.Hours,
			"Kinds": dayKindOptions(tr), "Admin": actorOf(c).Has(platform.RoleTenantAdmin)}})
}

func (p *Pages) setCalendarDay(c *gin.Context) {
	if err := c.Request.ParseForm(); err != nil {
		p.fail(c, apperr.Malformed("", "biểu mẫu không đọc được"))
		return
	}
	v := c.Request.PostForm
	tr := p.shell.Translator(c)
	form := web.NewForm(v)
	d, err := domain.ParseDate(v.Get("date"))
	if err != nil {
		form.Errors.Add("date", tr.T("calendar.err.date"))
	}
	kind := domain.DayKind(v.Get("kind"))
	if kind != domain.DayOff && kind != domain.DayWork {
		form.Errors.Add("kind", tr.T("calendar.err.kind"))
	}
	if strings.TrimSpace(v.Get("note")) == "" {
		form.Errors.Add("note", tr.T("calendar.err.note"))
	}
	if form.Errors.Any() {
		p.renderCalendar(c, http.StatusUnprocessableEntity, form)
		return
	}
	err = p.app.SetCalendarDay(c.Request.Context(), actorOf(c), domain.DayOverride{Date: d, Kind: kind, Note: strings.TrimSpace(v.Get("note"))})
	if e := apperr.As(err); e != nil && e.Kind == apperr.KindInvalid {
		for _, f := range e.Fields {
			form.Errors.Add(f.Field, tr.FieldReason(e, f))
		}
		p.renderCalendar(c, http.StatusUnprocessableEntity, form)
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	p.shell.AddFlash(c, web.FlashSuccess, tr.T("calendar.saved", web.FormatDate(d.At(0))))
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/lich-lam-viec?year=%d", p.prefix, d.Year))
}

func (p *Pages) deleteCalendarDay(c *gin.Context) {
	d, err := domain.ParseDate(c.PostForm("date"))
	if err != nil {
		p.fail(c, apperr.Malformed("date", "ngày không hợp lệ"))
		return
	}
	if err := p.app.DeleteCalendarDay(c.Request.Context(), actorOf(c), d); err != nil {
		p.fail(c, err)
		return
	}
	p.shell.AddFlash(c, web.FlashSuccess, p.shell.Translator(c).T("calendar.removed", web.FormatDate(d.At(0))))
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/lich-lam-viec?year=%d", p.prefix, d.Year))
}

func optTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return web.FormatDateTime(*t)
}

// ---- citizens ----

// publicLinks are the citizen's pages, linked from the public layout's header.
func (p *Pages) publicLinks() []web.NavItem {
	return []web.NavItem{{Label: "Tra cứu hồ sơ", Href: p.prefix + "/tra-cuu", ID: "lookup.title"},
		{Label: "Thủ tục hành chính", Href: p.prefix + "/thu-tuc", ID: "procedures.title"}}
}

// publicPage is a citizen's page: the public layout, with the citizen's pages as its links.
func (p *Pages) publicPage(title, content string, form *web.Form, data gin.H) web.Page {
	data["Prefix"] = p.prefix
	return web.Page{Title: title, Content: content, Form: form, Data: data, Public: true, PublicLinks: p.publicLinks()}
}

// lookupPage is the lookup form; ?ma= fills in the receipt code, as the QR code on form 01 does,
// so the citizen types only the last four digits of their phone.
func (p *Pages) lookupPage(c *gin.Context) {
	form := web.NewForm(nil)
	if code := strings.TrimSpace(c.Query("ma")); code != "" && len(code) <= 64 {
		form.Set("receipt_code", code)
	}
	p.shell.Render(c, http.StatusOK, p.publicPage(p.shell.Translator(c).T("lookup.title"), "lookup", form, gin.H{}))
}

func (p *Pages) lookup(c *gin.Context) {
	if err := c.Request.ParseForm(); err != nil {
		p.fail(c, apperr.Malformed("", "biểu mẫu không đọc được"))
		return
	}
	tr := p.shell.Translator(c)
	form := web.NewForm(c.Request.PostForm)
	d, err := p.app.Lookup(c.Request.Context(), c.ClientIP(), form.Values.Get("receipt_code"), form.Values.Get("phone_last4"))
	data := gin.H{}
	status := http.StatusOK
	if err != nil {
		e := apperr.As(err)
		if e == nil || (e.Kind != apperr.KindNotFound && e.Code != app.ErrTooManyLookups.Code) {
			p.fail(c, err)
			return
		}
		form.Errors.Add("receipt_code", tr.ErrorMessage(e, "lookup.not_found"))
		status = http.StatusNotFound
		if e.Code == app.ErrTooManyLookups.Code {
			status = http.StatusTooManyRequests
			api.SetRetryAfter(c, err)
		}
	} else {
		pv := api.PublicView(d)
		data["D"], data["StateVI"] = pv, tr.T("state."+string(d.State))
		tl := make([]gin.H, len(pv.Timeline))
		for i, e := range pv.Timeline {
			tl[i] = gin.H{"At": e.At, "State": tr.T("state." + string(e.State))}
		}
		data["Timeline"] = tl
		unit := p.unitNames(c.Request.Context(), d.Tenant)[d.Tenant]
		data["Unit"], data["UnitSlug"] = unit, d.Tenant
		web.SetTenant(c, web.Tenant{Slug: d.Tenant, Name: unit})
	}
	p.shell.Render(c, status, p.publicPage(tr.T("lookup.title"), "lookup", form, data))
}

func (p *Pages) rate(c *gin.Context) {
	if err := c.Request.ParseForm(); err != nil {
		p.fail(c, apperr.Malformed("", "biểu mẫu không đọc được"))
		return
	}
	v := c.Request.PostForm
	tr := p.shell.Translator(c)
	err := p.app.Rate(c.Request.Context(), c.ClientIP(), v.Get("receipt_code"), v.Get("phone_last4"), domain.Rating(v.Get("rating")), v.Get("comment"))
	if err != nil {
		e := apperr.As(err)
		if e == nil {
			p.fail(c, err)
			return
		}
		p.shell.AddFlash(c, web.FlashError, tr.Reasons(e, "rate.failed"))
	} else {
		p.shell.AddFlash(c, web.FlashSuccess, tr.T("rate.done"))
	}
	c.Redirect(http.StatusSeeOther, p.prefix+"/tra-cuu")
}

// procedures is a unit's public list of procedures, with the documents to bring, the time the
// unit takes and the fee, so a citizen prepares the dossier before coming to the desk. The
// citizen picks the unit from the tree (?don-vi=<slug>, a link a unit can print or post too).
func (p *Pages) procedures(c *gin.Context) {
	ctx := c.Request.Context()
	all, err := p.units.Units(ctx)
	if err != nil {
		p.fail(c, err)
		return
	}
	options := make([]web.Option, len(all))
	for i, u := range all {
		options[i] = web.Option{Value: u.Slug, Label: u.Name}
	}
	tr := p.shell.Translator(c)
	form := web.NewForm(nil)
	data := gin.H{"Units": options}
	slug := c.Query("don-vi")
	if slug == "" {
		p.shell.Render(c, http.StatusOK, p.publicPage(tr.T("procedures.title"), "procedures", form, data))
		return
	}
	form.Set("don-vi", slug)
	unit, err := p.units.Tenant(ctx, slug)
	if err != nil {
		if e := apperr.As(err); e != nil && e.Kind == apperr.KindNotFound {
			form.Errors.Add("don-vi", tr.T("procedures.err.unit"))
			p.shell.Render(c, http.StatusNotFound, p.publicPage(tr.T("procedures.title"), "procedures", form, data))
			return
		}
		p.fail(c, err)
		return
	}
	// The catalogue and office hours are the unit's own: read them as the unit, with no role.
	ctx, err = p.app.Scope(ctx, platform.Actor{Tenant: platform.Slug(unit.Slug)})
	if err != nil {
		p.fail(c, err)
		return
	}
	procs, err := p.app.Procedures(ctx)
	if err != nil {
		p.fail(c, err)
		return
	}
	_, st, err := p.app.Calendar(ctx)
	if err != nil {
		p.fail(c, err)
		return
	}
	web.SetTenant(c, web.Tenant{Slug: unit.Slug, Name: unit.Name})
	data["Unit"], data["Procedures"], data["Hours"] = unit.Name, procs, st.Hours
	p.shell.Render(c, http.StatusOK, p.publicPage(tr.T("procedures.title")+" – "+unit.Name, "procedures", form, data))
}
