// Package api is identity's administration REST API under <prefix>/api/v1: tenants, users,
// roles, OIDC clients, onboarding a commune in one call, and the audit log. Every route needs a
// client-credentials token whose client holds platform.admin (the operator's), except the tenant
// tree, which services (role `service`) may read too; a person's token is refused. The contract
// is api/openapi.yaml.
// The caller reaches the use cases as the platform.Actor auth.RequireActor made from the token;
// the audit log names them by its subject.
package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/idempotency"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/sheet"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
)

// API serves the administration routes.
type API struct {
	app *app.App
}

// New returns the API over a.
func New(a *app.App) *API { return &API{app: a} }

// Routes registers the API on v1, the <prefix>/api/v1 group with the bearer token checked and
// the actor set (auth.Middleware, auth.RequireActor). The tenant tree is open to platform.admin
// and to the services (role service): every service reads it to let a district read its
// communes' data. So is a unit's staff directory (names and roles, no secrets), from which
// dossiers names handlers and approvers. Everything else needs platform.admin.
func (a *API) Routes(v1 gin.IRouter) {
	dir := v1.Group("", clientsOnly, auth.RequireRole(platform.RolePlatformAdmin, platform.RoleService))
	dir.GET("/tenants", a.listTenants)
	dir.GET("/tenants/:slug", a.getTenant)
	dir.GET("/tenants/:slug/staff", a.listStaff)

	g := v1.Group("", clientsOnly, auth.RequireRole(platform.RolePlatformAdmin))
	g.GET("/roles", a.roles)
	g.POST("/tenants", a.ensureTenant)
	g.PATCH("/tenants/:slug", a.patchTenant)
	g.GET("/tenants/:slug/users", a.listUsers)
	g.POST("/users", a.ensureUser)
	g.GET("/users/:username", a.getUser)
	g.PATCH("/users/:username", a.patchUser)
	g.POST("/users/:username/reset-password", a.resetPassword)
	g.GET("/clients", a.listClients)
	g.POST("/clients", a.ensureClient)
	g.GET("/clients/:id", a.getClient)
	g.PATCH("/clients/:id", a.patchClient)
	g.POST("/clients/:id/rotate-secret", a.rotateSecret)
	g.POST("/onboard", a.onboard)
	g.POST("/accounts/import", httpapi.MaxBody(app.ImportLimits.Bytes), a.importAccounts)
	g.GET("/audit", a.audit)
}

// clientsOnly admits client-credentials tokens only. Every service's client has identity in its
// audience (to read the tenant tree), so a person's token minted through any service carries
// "identity" too; were it admitted, a person holding platform.admin could administer the
// platform from any service's session. The clients meant for this API (the operator's,
// platform tooling) hold their roles themselves; people administer through the pages.
func clientsOnly(c *gin.Context) {
	claims, ok := auth.ClaimsFrom(c.Request.Context())
	if !ok || !claims.ClientCredentials() {
		httpapi.RespondError(c, apperr.Forbidden("this API takes only a client-credentials token of a client allowed to administer "+
			"identity (the operator's); a person's token is not accepted here"))
		return
	}
	c.Next()
}

// actor names the caller for the audit log: the token's subject (a person, or the client id of
// a client-credentials token).
func actor(c *gin.Context) string { return auth.ActorFrom(c).Subject }

// TenantView is a tenant as the API shows it.
type TenantView struct {
	ID        string              `json:"id"`
	Slug      string              `json:"slug"`
	Code      string              `json:"code"`
	Name      string              `json:"name"`
	Kind      platform.TenantKind `json:"kind"`
	Parent    string              `json:"parent,omitempty"`
	Disabled  bool                `json:"disabled"`
	CreatedAt time.Time           `json:"created_at"`
}

// UserView is an account as the API shows it; hashes and TOTP secrets never leave identity.
type UserView struct {
	ID                 string    `json:"id"`
	Tenant             string    `json:"tenant"`
	Username           string    `json:"username"`
	Name               string    `json:"name"`
	Email              string    `json:"email,omitempty"`
	Roles              []string  `json:"roles"`
	StaffID            string    `json:"staff_id,omitempty"`
	Disabled           bool      `json:"disabled"`
	MustChangePassword bool      `json:"must_change_password"`
	TOTPEnabled        bool      `json:"totp_enabled"`
	CreatedAt          time.Time `json:"created_at"`
	OneTimePassword    string    `json:"one_time_password,omitempty"` // only in the answer that created it
}

// ClientView is a client as the API shows it; the secret appears once, when it is made.
type ClientView struct {
	ClientID               string            `json:"client_id"`
	Tenant                 string            `json:"tenant,omitempty"`
	Name                   string            `json:"name"`
	Type                   domain.ClientType `json:"type"`
	RedirectURIs           []string          `json:"redirect_uris"`
	PostLogoutRedirectURIs []string          `json:"post_logout_redirect_uris"`
	BackchannelLogoutURI   string            `json:"backchannel_logout_uri,omitempty"`
	GrantTypes             []string          `json:"grant_types"`
	Roles                  []string          `json:"roles"`
	Audiences              []string          `json:"audiences"`
	Disabled               bool              `json:"disabled"`
	CreatedAt              time.Time         `json:"created_at"`
	ClientSecret           string            `json:"client_secret,omitempty"`
}

// slugs names tenants by slug in one answer. It reads only the tenants the answer mentions, each
// once: an answer about one commune must not read every tenant of the country.
type slugs struct {
	ctx context.Context
	app *app.App
	m   map[string]string
	err error // the first failed read; the answer is then that error
}

func (a *API) slugs(c *gin.Context) *slugs {
	return &slugs{ctx: c.Request.Context(), app: a.app, m: map[string]string{"": ""}}
}

// know records tenants the answer already holds, so naming them costs no read.
func (s *slugs) know(ts ...domain.Tenant) {
	for _, t := range ts {
		s.m[t.ID] = t.Slug
	}
}

func (s *slugs) of(id string) string {
	if slug, ok := s.m[id]; ok {
		return slug
	}
	t, err := s.app.Tenant(s.ctx, id)
	if err != nil {
		if s.err == nil {
			s.err = err
		}
		return ""
	}
	s.m[id] = t.Slug
	return t.Slug
}

func (s *slugs) tenant(t domain.Tenant) TenantView {
	s.know(t)
	return TenantView{ID: t.ID, Slug: t.Slug, Code: t.Code, Name: t.Name, Kind: t.Kind, Parent: s.of(t.ParentID), Disabled: t.Disabled, CreatedAt: t.CreatedAt}
}

func (s *slugs) user(u domain.User) UserView {
	return UserView{ID: u.ID, Tenant: s.of(u.TenantID), Username: u.Username, Name: u.Name, Email: u.Email, Roles: nonNil(u.Roles),
		StaffID: u.StaffID, Disabled: u.Disabled, MustChangePassword: u.MustChangePassword, TOTPEnabled: u.TOTPEnabled, CreatedAt: u.CreatedAt}
}

func (s *slugs) client(c domain.Client) ClientView {
	return ClientView{ClientID: c.ID, Tenant: s.of(c.TenantID), Name: c.Name, Type: c.Type, RedirectURIs: nonNil(c.RedirectURIs),
		PostLogoutRedirectURIs: nonNil(c.PostLogoutRedirectURIs), BackchannelLogoutURI: c.BackchannelLogoutURI,
		GrantTypes: nonNil(c.GrantTypes), Roles: nonNil(c.Roles), Audiences: nonNil(c.Audiences), Disabled: c.Disabled, CreatedAt: c.CreatedAt}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// created answers 201 for something new and 200 for something found (an idempotent retry).
func created(c *gin.Context, isNew bool, body any) {
	if isNew {
		c.JSON(http.StatusCreated, body)
		return
	}
	c.JSON(http.StatusOK, body)
}

// respondList answers {key: [view of each item]}, or the error that stopped the listing.
func respondList[T, V any](a *API, c *gin.Context, key string, items []T, err error, view func(*slugs, T) V) {
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	m := a.slugs(c)
	for _, it := range items { // a list of tenants names its own parents
		if t, ok := any(it).(domain.Tenant); ok {
			m.know(t)
		}
	}
	out := make([]V, len(items))
	for i, it := range items {
		out[i] = view(m, it)
	}
	if m.err != nil {
		httpapi.RespondError(c, m.err)
		return
	}
	c.JSON(http.StatusOK, gin.H{key: out})
}

// respondOne answers the view of item (201 when isNew), or err. once adds what is shown only in
// this answer (a secret); when it does, the answer must not be cached.
func respondOne[T, V any](a *API, c *gin.Context, item T, isNew bool, err error, view func(*slugs, T) V, once func(*V) bool) {
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	m := a.slugs(c)
	v := view(m, item)
	if m.err != nil {
		httpapi.RespondError(c, m.err)
		return
	}
	if once != nil && once(&v) {
		c.Header("Cache-Control", "no-store")
	}
	created(c, isNew, v)
}

func (a *API) roles(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"roles": platform.Roles()}) }

func (a *API) listTenants(c *gin.Context) {
	ts, err := a.app.Tenants(c.Request.Context())
	respondList(a, c, "tenants", ts, err, (*slugs).tenant)
}

func (a *API) ensureTenant(c *gin.Context) {
	var in app.TenantInput
	if err := httpapi.BindJSON(c, &in); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	t, isNew, err := a.app.EnsureTenant(c.Request.Context(), actor(c), in)
	a.answerTenant(c, t, isNew, err)
}

func (a *API) answerTenant(c *gin.Context, t domain.Tenant, isNew bool, err error) {
	respondOne(a, c, t, isNew, err, (*slugs).tenant, nil)
}

func (a *API) getTenant(c *gin.Context) {
	t, err := a.app.TenantBySlug(c.Request.Context(), c.Param("slug"))
	a.answerTenant(c, t, false, err)
}

func (a *API) patchTenant(c *gin.Context) {
	var p app.TenantPatch
	if err := httpapi.BindJSON(c, &p); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	t, err := a.app.UpdateTenant(c.Request.Context(), actor(c), c.Param("slug"), p)
	a.answerTenant(c, t, false, err)
}

func (a *API) listUsers(c *gin.Context) {
	us, err := a.app.Users(c.Request.Context(), c.Param("slug"))
	respondList(a, c, "users", us, err, (*slugs).user)
}

// StaffView is one person of a unit's staff directory: who they are, what they may do, the HR
// record their account is linked to, and whether it is disabled.
type StaffView struct {
	Subject  string   `json:"subject"`
	Username string   `json:"username"`
	Name     string   `json:"name"`
	Roles    []string `json:"roles"`
	StaffID  string   `json:"staff_id,omitempty"`
	Disabled bool     `json:"disabled,omitempty"`
}

// listStaff answers the active accounts, or with ?accounts=all the disabled ones too.
func (a *API) listStaff(c *gin.Context) {
	all := c.Query("accounts") == "all"
	if q := c.Query("accounts"); q != "" && !all {
		httpapi.RespondError(c, apperr.Invalid("accounts", "must be all, or left out for the active accounts only"))
		return
	}
	us, err := a.app.Staff(c.Request.Context(), c.Param("slug"), all)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	out := make([]StaffView, len(us))
	for i, u := range us {
		roles := u.Roles
		if roles == nil {
			roles = []string{}
		}
		out[i] = StaffView{Subject: u.ID, Username: u.Username, Name: u.Name, Roles: roles, StaffID: u.StaffID, Disabled: u.Disabled}
	}
	c.JSON(http.StatusOK, gin.H{"staff": out})
}

func (a *API) ensureUser(c *gin.Context) {
	var in app.UserInput
	if err := httpapi.BindJSON(c, &in); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	u, oneTime, isNew, err := a.app.EnsureUser(c.Request.Context(), actor(c), in)
	a.answerUser(c, u, oneTime, isNew, err)
}

func (a *API) answerUser(c *gin.Context, u domain.User, oneTime string, isNew bool, err error) {
	respondOne(a, c, u, isNew, err, (*slugs).user, func(v *UserView) bool {
		v.OneTimePassword = oneTime
		if oneTime != "" {
			idempotency.NoteSecret(c.Request.Context())
		}
		return oneTime != ""
	})
}

func (a *API) getUser(c *gin.Context) {
	u, err := a.app.UserByUsername(c.Request.Context(), c.Param("username"))
	a.answerUser(c, u, "", false, err)
}

func (a *API) patchUser(c *gin.Context) {
	var p app.UserPatch
	if err := httpapi.BindJSON(c, &p); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	u, err := a.app.UpdateUser(c.Request.Context(), actor(c), c.Param("username"), p)
	a.answerUser(c, u, "", false, err)
}

func (a *API) resetPassword(c *gin.Context) {
	pw, err := a.app.ResetPassword(c.Request.Context(), actor(c), c.Param("username"))
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	idempotency.NoteSecret(c.Request.Context())
	c.JSON(http.StatusOK, gin.H{"one_time_password": pw})
}

func (a *API) listClients(c *gin.Context) {
	cs, err := a.app.Clients(c.Request.Context(), c.Query("tenant"))
	respondList(a, c, "clients", cs, err, (*slugs).client)
}

func (a *API) ensureClient(c *gin.Context) {
	var in app.ClientInput
	if err := httpapi.BindJSON(c, &in); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	cl, secret, isNew, err := a.app.EnsureClient(c.Request.Context(), actor(c), in)
	a.answerClient(c, cl, secret, isNew, err)
}

func (a *API) answerClient(c *gin.Context, cl domain.Client, secret string, isNew bool, err error) {
	respondOne(a, c, cl, isNew, err, (*slugs).client, func(v *ClientView) bool {
		v.ClientSecret = secret
		if secret != "" {
			idempotency.NoteSecret(c.Request.Context())
		}
		return secret != ""
	})
}

func (a *API) getClient(c *gin.Context) {
	cl, err := a.app.ClientByID(c.Request.Context(), c.Param("id"))
	a.answerClient(c, cl, "", false, err)
}

// clientPatch is what PATCH /clients/{id} may change; settings go through POST /clients.
type clientPatch struct {
	Disabled *bool `json:"disabled"`
}

func (a *API) patchClient(c *gin.Context) {
	var p clientPatch
	if err := httpapi.BindJSON(c, &p); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	if p.Disabled == nil {
		httpapi.RespondError(c, apperr.Invalid("disabled", "is required: true or false"))
		return
	}
	cl, err := a.app.SetClientDisabled(c.Request.Context(), actor(c), c.Param("id"), *p.Disabled)
	a.answerClient(c, cl, "", false, err)
}

func (a *API) rotateSecret(c *gin.Context) {
	secret, err := a.app.RotateClientSecret(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	idempotency.NoteSecret(c.Request.Context())
	c.JSON(http.StatusOK, gin.H{"client_id": c.Param("id"), "client_secret": secret})
}

// OnboardView is the answer to POST /onboard.
type OnboardView struct {
	Tenant        TenantView   `json:"tenant"`
	TenantCreated bool         `json:"tenant_created"`
	Admin         UserView     `json:"admin"`
	Clients       []ClientView `json:"clients"`
}

func (a *API) onboard(c *gin.Context) {
	var in app.OnboardInput
	if err := httpapi.BindJSON(c, &in); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	res, err := a.app.Onboard(c.Request.Context(), actor(c), in)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	m := a.slugs(c)
	v := OnboardView{Tenant: m.tenant(res.Tenant), TenantCreated: res.TenantCreated, Admin: m.user(res.Admin), Clients: []ClientView{}}
	v.Admin.OneTimePassword = res.AdminOneTimePassword
	idempotency.NoteSecret(c.Request.Context()) // a one-time password or a client secret, or neither: never kept
	for _, ic := range res.Clients {
		cv := m.client(ic.Client)
		cv.ClientSecret = ic.Secret
		v.Clients = append(v.Clients, cv)
	}
	if m.err != nil {
		httpapi.RespondError(c, m.err)
		return
	}
	c.Header("Cache-Control", "no-store")
	created(c, res.TenantCreated, v)
}

func (a *API) audit(c *gin.Context) {
	f := domain.AuditFilter{Actor: c.Query("actor"), Action: c.Query("action")}
	if slug := c.Query("tenant"); slug != "" {
		t, err := a.app.TenantBySlug(c.Request.Context(), slug)
		if err != nil {
			httpapi.RespondError(c, err)
			return
		}
		f.TenantID = t.ID
	}
	if s := c.Query("before"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			httpapi.RespondError(c, apperr.Malformed("before", "must be an RFC 3339 time, e.g. 2026-11-27T08:00:00Z"))
			return
		}
		f.Before = t
	}
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			httpapi.RespondError(c, apperr.Malformed("limit", "must be a whole number from 1 to 500"))
			return
		}
		f.Limit = n
	}
	events, err := a.app.AuditLog(c.Request.Context(), f)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	if events == nil {
		events = []domain.AuditEvent{}
	}
	c.JSON(http.StatusOK, gin.H{"events": events})
}

// ImportProblemView is one problem of an accounts file.
type ImportProblemView struct {
	Line   int    `json:"line"`
	Column string `json:"column"`
	Code   string `json:"code"`
	Reason string `json:"reason"` // Vietnamese, with what to fix
}

// ImportedAccountView is one account an accounts file makes; the one-time password appears in the
// commit's answer only, and never again.
type ImportedAccountView struct {
	Line            int      `json:"line"`
	Username        string   `json:"username"`
	Name            string   `json:"name"`
	Tenant          string   `json:"tenant"`
	Roles           []string `json:"roles"`
	OneTimePassword string   `json:"one_time_password,omitempty"`
}

// ImportView is the answer to POST /accounts/import.
type ImportView struct {
	Rows      int                   `json:"rows"`
	Errors    []ImportProblemView   `json:"errors"`
	Truncated bool                  `json:"truncated"`
	Committed bool                  `json:"committed"`
	Accounts  []ImportedAccountView `json:"accounts"`
}

func importView(rep app.AccountImport) ImportView {
	v := ImportView{Rows: rep.Rows, Truncated: rep.Truncated, Committed: rep.Committed, Errors: []ImportProblemView{}, Accounts: []ImportedAccountView{}}
	for _, p := range rep.Problems {
		v.Errors = append(v.Errors, ImportProblemView{Line: p.Line, Column: p.Column, Code: p.Code, Reason: p.Reason()})
	}
	for _, a := range rep.Accounts {
		v.Accounts = append(v.Accounts, ImportedAccountView{Line: a.Line, Username: a.User.Username, Name: a.User.Name, Tenant: a.Unit.Slug,
			Roles: nonNil(a.User.Roles), OneTimePassword: a.OneTimePassword})
	}
	return v
}

// importAccounts checks an accounts file (the body, CSV or XLSX as ?format= says; XLSX by
// default) and, with ?commit=true only, creates every account in one transaction. A dry run is
// the default, so that a mistaken call changes nothing.
func (a *API) importAccounts(c *gin.Context) {
	// The commit's answer carries the one-time passwords; the idempotency guard would keep it in
	// its table for replay, in clear. A retried commit is safe without a key: every username is
	// then taken and nothing is created twice.
	if c.GetHeader("Idempotency-Key") != "" {
		httpapi.RespondError(c, apperr.Malformed("Idempotency-Key", "not accepted here: the answer holds one-time passwords, which are never stored; "+
			"a retried commit creates nothing twice (its usernames are then taken)"))
		return
	}
	f, err := sheet.ParseFormat("format", c.DefaultQuery("format", string(sheet.XLSX)))
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	commit := false
	if s := c.Query("commit"); s != "" {
		if commit, err = strconv.ParseBool(s); err != nil {
			httpapi.RespondError(c, apperr.Malformed("commit", "must be true or false"))
			return
		}
	}
	rep, err := a.app.ImportAccountsAsPlatform(c.Request.Context(), actor(c), f, c.Request.Body, commit)
	if apperr.As(err) != nil && apperr.As(err).Code == "import_rejected" {
		err = apperr.As(err).WithDetail("report", importView(rep))
	}
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	status := http.StatusOK
	if rep.Committed {
		status = http.StatusCreated
	}
	c.JSON(status, importView(rep))
}
