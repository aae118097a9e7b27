package pages

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/sheet"
	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
)

// The administration pages are where a unit's administrator (tenant.admin) runs the accounts of
// their unit and the units below it, and reads their audit log. The use cases decide who may
// touch what (app.ManagedAccount); these pages only offer what the administrator can do and say
// in Vietnamese why something was refused.

const adminPrefix = "/admin"

// requireAdmin lets only a tenant.admin through; others see a 403 page that says whom to ask.
func (p *Pages) requireAdmin(c *gin.Context) {
	_, user, _ := signedIn(c)
	if !user.HasRole(platform.RoleTenantAdmin) {
		p.adminFail(c, app.ErrNotAdministrator)
		c.Abort()
		return
	}
	c.Next()
}

func (p *Pages) adminURL(rest string) string { return p.cfg.Prefix + adminPrefix + rest }

// adminFail answers a refused or failed administration step: a refusal of the tree rule is a 403
// page in the person's language; other kinds go to the shell's one mapping.
func (p *Pages) adminFail(c *gin.Context, err error) {
	e := apperr.As(err)
	if e == nil {
		p.fail(c, err)
		return
	}
	switch e.Kind {
	case apperr.KindForbidden:
		id := "admin.err." + e.Code
		if !p.lang(c).Has(id) {
			id = "admin.err.forbidden"
		}
		p.message(c, http.StatusForbidden, p.adminURL(""), "admin.err.title", id, p.adminURL(""), "admin.link.accounts")
	case apperr.KindNotFound:
		p.message(c, http.StatusNotFound, p.adminURL(""), "err.not_found.title", "err.not_found", p.adminURL(""), "admin.link.accounts")
	default:
		p.shell.Fail(c, err)
	}
}

type accountRow struct {
	Username string
	Name     string
	Unit     string
	Roles    []string
	Disabled bool
	Pending  bool // still on a one-time password
	URL      string
}

type accountsData struct {
	view
	Units    []web.Option
	Unit     string
	Accounts []accountRow
	NewURL   string
	AuditURL string
	Linking  bool // opened to pick the account an HR record is linked to
}

// accountsPage lists the accounts of the subtree, one unit at a time when the filter names one.
func (p *Pages) accountsPage(c *gin.Context) {
	ctx := c.Request.Context()
	_, admin, _ := signedIn(c)
	tenants, err := p.app.ManagedTenants(ctx, admin)
	if err != nil {
		p.adminFail(c, err)
		return
	}
	unit := c.Query("unit")
	users, err := p.app.ManagedAccounts(ctx, admin, unit)
	if err != nil {
		p.adminFail(c, err)
		return
	}
	d := accountsData{view: p.newView(c, ""), Unit: unit, NewURL: p.adminURL("/accounts/new"), AuditURL: p.adminURL("/audit")}
	names := map[string]string{}
	d.Units = append(d.Units, web.Option{Value: "", Label: d.Lang.T("admin.units.all")})
	for _, t := range tenants {
		names[t.ID] = t.Name
		d.Units = append(d.Units, web.Option{Value: t.Slug, Label: t.Name})
	}
	// Opened from an HR record's "link an existing account" (staff_id in the query), each account's
	// page opens with that record in its link form.
	linking := ""
	if staffID := strings.TrimSpace(c.Query("staff_id")); staffID != "" {
		linking = "?" + url.Values{"staff_id": {staffID}}.Encode()
		d.Linking = true
	}
	for _, u := range users {
		r := accountRow{Username: u.Username, Name: u.Name, Unit: names[u.TenantID], Disabled: u.Disabled, Pending: u.MustChangePassword,
			URL: p.adminURL("/accounts/"+url.PathEscape(u.Username)) + linking}
		for _, role := range u.Roles {
			r.Roles = append(r.Roles, d.Lang.roleDescription(role))
		}
		d.Accounts = append(d.Accounts, r)
	}
	form := web.NewForm(url.Values{"unit": {unit}})
	noStore(c)
	p.render(c, http.StatusOK, "admin_accounts", "admin.title", d, form)
}

type roleChoice struct {
	Name        string
	Description string
	Checked     bool
}

type newAccountData struct {
	view
	Units []web.Option
	Roles []roleChoice
}

func (p *Pages) roleChoices(l Lang, held []string) []roleChoice {
	var out []roleChoice
	for _, r := range domain.GrantableRoles() {
		out = append(out, roleChoice{Name: string(r), Description: l.roleDescription(string(r)), Checked: slices.Contains(held, string(r))})
	}
	return out
}

func (p *Pages) renderNewAccount(c *gin.Context, status int, form *web.Form) {
	_, admin, _ := signedIn(c)
	tenants, err := p.app.ManagedTenants(c.Request.Context(), admin)
	if err != nil {
		p.adminFail(c, err)
		return
	}
	d := newAccountData{view: p.newView(c, p.adminURL("/accounts/new"))}
	if len(tenants) == 1 && form.Values.Get("unit") == "" {
		// A commune's administrator has one unit to choose from: it is chosen for them.
		form.Set("unit", tenants[0].Slug)
	}
	for _, t := range tenants {
		d.Units = append(d.Units, web.Option{Value: t.Slug, Label: t.Name})
	}
	d.Roles = p.roleChoices(d.Lang, form.Values["roles"])
	noStore(c)
	p.render(c, status, "admin_new", "admin.new.title", d, form)
}

// newAccountPage offers the new-account form; HR's staff page opens it pre-filled with the
// person's name, unit and HR record (name, unit, staff_id in the query).
func (p *Pages) newAccountPage(c *gin.Context) {
	p.renderNewAccount(c, http.StatusOK, web.NewForm(url.Values{"unit": {c.Query("unit")}, "name": {c.Query("name")},
		"staff_id": {c.Query("staff_id")}}))
}

// slipData is the hand-over slip of a one-time password. It is rendered in the answer to the
// POST that made the password and never again: the password is not stored in clear anywhere.
type slipData struct {
	view
	Name       string
	Username   string
	Unit       string
	Password   string
	SignInURL  string
	IssuedAt   time.Time
	AccountURL string
	Created    bool
}

func (p *Pages) renderSlip(c *gin.Context, u domain.User, unit, password string, created bool) {
	d := slipData{view: p.newView(c, p.adminURL("/accounts/"+url.PathEscape(u.Username))), Name: u.Name, Username: u.Username, Unit: unit,
		Password: password, SignInURL: p.cfg.Issuer + "/account", IssuedAt: p.app.Now(), Created: created,
		AccountURL: p.adminURL("/accounts/" + url.PathEscape(u.Username))}
	noStore(c)
	c.Header("Pragma", "no-cache")
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	p.render(c, status, "admin_slip", "admin.slip.page", d, nil)
}

// createAccount makes the account and shows its one-time password on a slip, once.
func (p *Pages) createAccount(c *gin.Context) {
	_ = c.Request.ParseForm()
	_, admin, _ := signedIn(c)
	l := p.lang(c)
	form := web.NewForm(c.Request.PostForm)
	in := app.NewAccount{Tenant: c.PostForm("unit"), Username: c.PostForm("username"), Name: c.PostForm("name"),
		Email: c.PostForm("email"), Roles: c.PostFormArray("roles"), StaffID: c.PostForm("staff_id")}
	if strings.TrimSpace(in.Name) == "" {
		form.Errors.Add("name", l.T("admin.err.name"))
	}
	if strings.TrimSpace(in.Username) == "" {
		form.Errors.Add("username", l.T("admin.err.username"))
	}
	if form.Errors.Any() {
		p.renderNewAccount(c, http.StatusUnprocessableEntity, form)
		return
	}
	u, oneTime, err := p.app.CreateAccount(c.Request.Context(), admin, in)
	switch {
	case err == nil:
		t, terr := p.app.Tenant(c.Request.Context(), u.TenantID)
		if terr != nil {
			p.fail(c, terr)
			return
		}
		p.renderSlip(c, u, t.Name, oneTime, true)
		return
	case conflictCode(err) == "user_exists":
		form.Errors.Add("username", l.T("admin.err.username_taken"))
	case conflictCode(err) == "staff_linked":
		form.Errors.Add("staff_id", l.T("admin.err.staff_linked"))
	case apperr.KindOf(err) == apperr.KindInvalid:
		for _, f := range apperr.As(err).Fields {
			field := f.Field
			if field == "tenant" {
				field = "unit"
			}
			form.Errors.Add(field, l.T("admin.err.field."+field))
		}
	default:
		p.adminFail(c, err)
		return
	}
	p.renderNewAccount(c, http.StatusUnprocessableEntity, form)
}

type accountData2 struct {
	view
	User        domain.User
	Unit        string
	Roles       []roleChoice
	Self        bool
	LockedUntil time.Time
	Sessions    int
	Action      func(string) string
	ListURL     string
	AuditURL    string
	Description []string
	StaffURL    string // the linked HR record's page, when linked
}

// accountAdminPage shows one managed account and what the administrator can do to it.
func (p *Pages) accountAdminPage(c *gin.Context) {
	p.renderAccountAdmin(c, http.StatusOK, nil)
}

// renderAccountAdmin shows the account with form (the HR link form with its errors, or nil).
func (p *Pages) renderAccountAdmin(c *gin.Context, status int, form *web.Form) {
	ctx := c.Request.Context()
	_, admin, _ := signedIn(c)
	u, t, err := p.app.ManagedAccount(ctx, admin, c.Param("username"))
	if err != nil {
		p.adminFail(c, err)
		return
	}
	sessions, err := p.app.Sessions(ctx, u.ID)
	if err != nil {
		p.fail(c, err)
		return
	}
	locked, err := p.app.AccountLockedUntil(ctx, admin, u.Username)
	if err != nil {
		p.fail(c, err)
		return
	}
	base := p.adminURL("/accounts/" + url.PathEscape(u.Username))
	d := accountData2{LockedUntil: locked, view: p.newView(c, ""), User: u, Unit: t.Name, Self: u.ID == admin.ID, Sessions: len(sessions),
		Action: func(op string) string { return base + "/" + op }, ListURL: p.adminURL("?unit=" + url.QueryEscape(t.Slug)),
		AuditURL: p.adminURL("/audit?person=" + url.QueryEscape(u.Username))}
	d.Roles = p.roleChoices(d.Lang, u.Roles)
	for _, r := range u.Roles {
		d.Description = append(d.Description, d.Lang.roleDescription(r))
	}
	d.StaffURL = staffURL(u.StaffID)
	if form == nil {
		staffID := u.StaffID
		if q := strings.TrimSpace(c.Query("staff_id")); q != "" {
			staffID = q // opened from an HR record to link it: the administrator confirms with Save
		}
		form = web.NewForm(url.Values{"staff_id": {staffID}})
	}
	noStore(c)
	p.render(c, status, "admin_account", "admin.account.title", d, form)
}

// hrStaffPath is HR's staff record page under the platform's one address (services/README.md
// gives every service its fixed prefix; hr's is /hr).
const hrStaffPath = "/hr/staff/"

// staffURL is the page of the HR record staffID, or "" when the account is not linked.
func staffURL(staffID string) string {
	if staffID == "" {
		return ""
	}
	return hrStaffPath + url.PathEscape(staffID)
}

// linkStaff links the account to an HR record, or unlinks it when the field is empty; a record
// linked to another account of the unit is a field error on the same page.
func (p *Pages) linkStaff(c *gin.Context) {
	_, admin, _ := signedIn(c)
	l := p.lang(c)
	staffID := strings.TrimSpace(c.PostForm("staff_id"))
	_, err := p.app.LinkAccountStaff(c.Request.Context(), admin, c.Param("username"), staffID)
	switch {
	case err == nil:
		msg := "admin.flash.staff_linked"
		if staffID == "" {
			msg = "admin.flash.staff_unlinked"
		}
		p.flashRedirect(c, web.FlashSuccess, msg, p.adminURL("/accounts/"+url.PathEscape(c.Param("username"))))
		return
	case conflictCode(err) == "staff_linked":
		form := web.NewForm(url.Values{"staff_id": {staffID}})
		form.Errors.Add("staff_id", l.T("admin.err.staff_linked"))
		p.renderAccountAdmin(c, http.StatusConflict, form)
	case apperr.KindOf(err) == apperr.KindInvalid:
		form := web.NewForm(url.Values{"staff_id": {staffID}})
		form.Errors.Add("staff_id", l.T("admin.err.field.staff_id"))
		p.renderAccountAdmin(c, http.StatusUnprocessableEntity, form)
	default:
		p.adminFail(c, err)
	}
}

// resetAccount gives the account a one-time password and shows it on a slip, once.
func (p *Pages) resetAccount(c *gin.Context) {
	ctx := c.Request.Context()
	_, admin, _ := signedIn(c)
	password, err := p.app.ResetAccountPassword(ctx, admin, c.Param("username"))
	if err != nil {
		p.adminFail(c, err)
		return
	}
	u, t, err := p.app.ManagedAccount(ctx, admin, c.Param("username"))
	if err != nil {
		p.adminFail(c, err)
		return
	}
	p.renderSlip(c, u, t.Name, password, false)
}

func (p *Pages) unlockAccount(c *gin.Context) {
	_, admin, _ := signedIn(c)
	if err := p.app.UnlockAccount(c.Request.Context(), admin, c.Param("username")); err != nil {
		p.adminFail(c, err)
		return
	}
	p.flashRedirect(c, web.FlashSuccess, "admin.flash.unlocked", p.adminURL("/accounts/"+url.PathEscape(c.Param("username"))))
}

func (p *Pages) setAccountDisabled(disabled bool) gin.HandlerFunc {
	msg := "admin.flash.enabled"
	if disabled {
		msg = "admin.flash.disabled"
	}
	return func(c *gin.Context) {
		_, admin, _ := signedIn(c)
		if _, err := p.app.SetAccountDisabled(c.Request.Context(), admin, c.Param("username"), disabled); err != nil {
			p.adminFail(c, err)
			return
		}
		p.flashRedirect(c, web.FlashSuccess, msg, p.adminURL("/accounts/"+url.PathEscape(c.Param("username"))))
	}
}

func (p *Pages) endAccountSessions(c *gin.Context) {
	_, admin, _ := signedIn(c)
	n, err := p.app.EndAccountSessions(c.Request.Context(), admin, c.Param("username"))
	if err != nil {
		p.adminFail(c, err)
		return
	}
	p.shell.AddFlash(c, web.FlashSuccess, p.lang(c).T("admin.flash.sessions_ended", n))
	c.Redirect(http.StatusSeeOther, p.adminURL("/accounts/"+url.PathEscape(c.Param("username"))))
}

func (p *Pages) setAccountRoles(c *gin.Context) {
	_ = c.Request.ParseForm()
	_, admin, _ := signedIn(c)
	if _, err := p.app.SetAccountRoles(c.Request.Context(), admin, c.Param("username"), c.PostFormArray("roles")); err != nil {
		p.adminFail(c, err)
		return
	}
	p.flashRedirect(c, web.FlashSuccess, "admin.flash.roles", p.adminURL("/accounts/"+url.PathEscape(c.Param("username"))))
}

// auditActions are the kinds of event an administrator filters by, in the order they matter to
// a unit: sign-ins and their failures first, then changes made by administrators.
var auditActions = []string{
	domain.AuditSignIn, domain.AuditSignInFailed, domain.AuditLockedOut, domain.AuditTOTPFailed, domain.AuditSignOut,
	domain.AuditPasswordChange, domain.AuditUserCreate, domain.AuditUserReset, domain.AuditUserUnlock,
	domain.AuditUserDisable, domain.AuditUserEnable, domain.AuditUserRoles, domain.AuditUserEndSessions, domain.AuditUserUpdate,
	domain.AuditUserStaffLink,
}

type auditRow struct {
	At      time.Time
	Unit    string
	Actor   string
	Action  string
	Subject string
	Outcome string
	Address string
	Detail  string
}

type auditData struct {
	view
	Units   []web.Option
	Actions []web.Option
	Rows    []auditRow
	CSVURL  string
	Limit   int
}

// auditLimit bounds one page and one export; the date filters narrow a longer period.
const auditLimit = 500

// auditQuery reads the filters; a date that does not parse is a form error, never ignored.
func (p *Pages) auditQuery(c *gin.Context, l Lang) (app.AuditQuery, *web.Form) {
	form := web.NewForm(url.Values{"unit": {c.Query("unit")}, "person": {c.Query("person")}, "action": {c.Query("action")},
		"from": {c.Query("from")}, "to": {c.Query("to")}})
	q := app.AuditQuery{Tenant: c.Query("unit"), Person: strings.TrimSpace(c.Query("person")), Action: c.Query("action"), Limit: auditLimit}
	if q.Action != "" && !slices.Contains(auditActions, q.Action) {
		form.Errors.Add("action", l.T("admin.err.action"))
	}
	parse := func(field string) time.Time {
		s := strings.TrimSpace(c.Query(field))
		if s == "" {
			return time.Time{}
		}
		d, err := time.ParseInLocation("2006-01-02", s, web.Location())
		if err != nil {
			form.Errors.Add(field, l.T("admin.err.date"))
		}
		return d
	}
	q.Since = parse("from")
	if to := parse("to"); !to.IsZero() {
		q.Before = to.AddDate(0, 0, 1) // the whole of the last day
	}
	return q, form
}

// auditRows reads the events and names their units and people.
func (p *Pages) auditRows(c *gin.Context, admin domain.User, q app.AuditQuery, l Lang) ([]auditRow, error) {
	ctx := c.Request.Context()
	events, err := p.app.ManagedAuditLog(ctx, admin, q)
	if err != nil {
		return nil, err
	}
	tenants, err := p.app.ManagedTenants(ctx, admin)
	if err != nil {
		return nil, err
	}
	units := map[string]string{}
	for _, t := range tenants {
		units[t.ID] = t.Name
	}
	people := map[string]string{}
	name := func(id string) string {
		if n, ok := people[id]; ok {
			return n
		}
		n := id
		if u, err := p.app.UserByID(ctx, id); err == nil {
			n = u.Name + " (" + u.Username + ")"
		}
		people[id] = n
		return n
	}
	rows := make([]auditRow, 0, len(events))
	for _, e := range events {
		r := auditRow{At: e.At, Unit: units[e.TenantID], Action: l.T("audit." + e.Action), Outcome: l.T("audit.outcome." + e.Outcome),
			Address: e.Address, Detail: e.Detail, Actor: e.Actor, Subject: e.Subject}
		if e.Actor != "anonymous" && e.Actor != "identity" {
			r.Actor = name(e.Actor)
		}
		if strings.HasPrefix(e.Action, "user.") || e.Action == domain.AuditSignIn || e.Action == domain.AuditSignOut ||
			e.Action == domain.AuditSignInFailed || e.Action == domain.AuditTOTPFailed || e.Action == domain.AuditPasswordChange {
			r.Subject = name(e.Subject)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

func (p *Pages) auditOptions(d *auditData, tenants []domain.Tenant) {
	d.Units = append(d.Units, web.Option{Value: "", Label: d.Lang.T("admin.units.all")})
	for _, t := range tenants {
		d.Units = append(d.Units, web.Option{Value: t.Slug, Label: t.Name})
	}
	d.Actions = append(d.Actions, web.Option{Value: "", Label: d.Lang.T("audit.all")})
	for _, a := range auditActions {
		d.Actions = append(d.Actions, web.Option{Value: a, Label: d.Lang.T("audit." + a)})
	}
}

// auditPage shows the audit log of the administrator's subtree, newest first.
func (p *Pages) auditPage(c *gin.Context) {
	_, admin, _ := signedIn(c)
	l := p.lang(c)
	tenants, err := p.app.ManagedTenants(c.Request.Context(), admin)
	if err != nil {
		p.adminFail(c, err)
		return
	}
	q, form := p.auditQuery(c, l)
	d := auditData{view: p.newView(c, ""), Limit: auditLimit}
	p.auditOptions(&d, tenants)
	status := http.StatusOK
	if form.Errors.Any() {
		status = http.StatusUnprocessableEntity
	} else {
		if d.Rows, err = p.auditRows(c, admin, q, l); err != nil {
			p.adminFail(c, err)
			return
		}
		d.CSVURL = p.adminURL("/audit.csv?" + c.Request.URL.RawQuery)
	}
	noStore(c)
	p.render(c, status, "admin_audit", "audit.title", d, form)
}

// auditCSV exports what the audit page shows; sheet escapes cells that a spreadsheet would take
// for a formula (a username or a browser string typed by an attacker).
func (p *Pages) auditCSV(c *gin.Context) {
	_, admin, _ := signedIn(c)
	l := p.lang(c)
	q, form := p.auditQuery(c, l)
	if form.Errors.Any() {
		p.adminFail(c, apperr.Invalid("from", l.T("admin.err.date")))
		return
	}
	rows, err := p.auditRows(c, admin, q, l)
	if err != nil {
		p.adminFail(c, err)
		return
	}
	noStore(c)
	c.Header("Content-Type", sheet.CSV.ContentType())
	c.Header("Content-Disposition", `attachment; filename="nhat-ky-`+p.app.Now().In(web.Location()).Format("2006-01-02")+`.csv"`)
	w, err := sheet.NewWriter(sheet.CSV, c.Writer, sheet.Options{})
	if err == nil {
		err = w.Header(l.T("audit.at"), l.T("audit.unit"), l.T("audit.actor"), l.T("audit.action"), l.T("audit.subject"),
			l.T("audit.outcome"), l.T("audit.address"), l.T("audit.detail"))
	}
	for _, r := range rows {
		if err != nil {
			break
		}
		err = w.Row(web.FormatDateTime(r.At), r.Unit, r.Actor, r.Action, r.Subject, r.Outcome, r.Address, r.Detail)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		p.log.ErrorContext(c.Request.Context(), "audit export failed", "error", err.Error())
	}
}
