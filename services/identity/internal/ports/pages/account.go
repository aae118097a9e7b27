package pages

import (
	"bytes"
	"errors"
	"image/png"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/pquerna/otp"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
)

const (
	sessionKey = "egov.identity.session"
	userKey    = "egov.identity.user"
	tenantKey  = "egov.identity.tenant"
)

// requireSession lets only a signed-in person through to the account pages. Others go to the
// sign-in page, which brings them back here; a form posted after the session ended is not
// replayed (it may be stale), the person is told to do it again.
func (p *Pages) requireSession(c *gin.Context) {
	sess, user, ok, err := p.currentSession(c)
	if err != nil {
		p.fail(c, err)
		c.Abort()
		return
	}
	if !ok {
		if c.Request.Method == http.MethodGet {
			c.Redirect(http.StatusSeeOther, p.loginURL("", c.Request.URL.RequestURI()))
		} else {
			p.flashRedirect(c, web.FlashInfo, "flash.session_over", p.loginURL("", p.cfg.Prefix+"/account"))
		}
		c.Abort()
		return
	}
	tenant, err := p.app.Tenant(c.Request.Context(), user.TenantID)
	if err != nil {
		p.fail(c, err)
		c.Abort()
		return
	}
	c.Set(sessionKey, sess)
	c.Set(userKey, user)
	c.Set(tenantKey, tenant)
	p.setViewer(c, user, tenant)
	c.Next()
}

// setViewer shows the person in the page header, with their first role as the shell expects.
func (p *Pages) setViewer(c *gin.Context, user domain.User, tenant domain.Tenant) {
	v := &web.Viewer{Name: user.Name, Tenant: web.Tenant{Slug: tenant.Slug, Name: tenant.Name}}
	if len(user.Roles) > 0 {
		v.Role = p.lang(c).roleDescription(user.Roles[0])
	}
	web.SetViewer(c, v)
}

func signedIn(c *gin.Context) (domain.Session, domain.User, domain.Tenant) {
	return c.MustGet(sessionKey).(domain.Session), c.MustGet(userKey).(domain.User), c.MustGet(tenantKey).(domain.Tenant)
}

type roleView struct {
	Name        string
	Description string
}

type enrolmentView struct {
	Secret string // grouped in fours, for typing into an app by hand
	QRURL  string
}

type sessionView struct {
	ID        string
	Started   time.Time
	LastSeen  time.Time
	Address   string
	Browser   string
	Current   bool
	EndAction string
}

// accountData is the account page.
type accountData struct {
	view
	User        domain.User
	TenantName  string
	Roles       []roleView
	TOTPEnabled bool
	Enrolment   *enrolmentView
	CodeError   string
	Sessions    []sessionView
	MinLength   int
	AdminURL    string // the administration pages, for a unit's administrator
	StaffURL    string // the person's HR record, when the account is linked to one
}

func (p *Pages) accountURL(fragment string) string {
	u := p.cfg.Prefix + "/account"
	if fragment != "" {
		u += "#" + fragment
	}
	return u
}

// renderAccount shows the account page; a form posted from it comes back here with its errors.
func (p *Pages) renderAccount(c *gin.Context, status int, form *web.Form, codeErr, alert string) {
	ctx := c.Request.Context()
	sess, user, tenant := signedIn(c)
	d := accountData{view: p.newView(c, p.accountURL("")), User: user, TenantName: tenant.Name, StaffURL: staffURL(user.StaffID),
		TOTPEnabled: user.TOTPEnabled, CodeError: codeErr, MinLength: p.app.Config().PasswordPolicy.MinLength}
	d.Alert = alert
	if user.HasRole(platform.RoleTenantAdmin) {
		d.AdminURL = p.adminURL("")
	}
	for _, r := range user.Roles {
		d.Roles = append(d.Roles, roleView{Name: r, Description: d.Lang.roleDescription(r)})
	}
	if !user.TOTPEnabled {
		enr, pending, err := p.app.PendingTOTP(ctx, user.ID, totpIssuer)
		if err != nil {
			p.fail(c, err)
			return
		}
		if pending {
			d.Enrolment = &enrolmentView{Secret: groupSecret(enr.Secret), QRURL: p.cfg.Prefix + "/account/totp/qr.png"}
		}
	}
	sessions, err := p.app.Sessions(ctx, user.ID)
	if err != nil {
		p.fail(c, err)
		return
	}
	// The newest activity first, this browser's session at the top.
	sort.SliceStable(sessions, func(i, j int) bool {
		if (sessions[i].ID == sess.ID) != (sessions[j].ID == sess.ID) {
			return sessions[i].ID == sess.ID
		}
		return sessions[i].LastSeenAt.After(sessions[j].LastSeenAt)
	})
	for _, s := range sessions {
		d.Sessions = append(d.Sessions, sessionView{ID: s.ID, Started: s.CreatedAt, LastSeen: s.LastSeenAt,
			Address: s.Address, Browser: describeBrowser(d.Lang, s.UserAgent), Current: s.ID == sess.ID,
			EndAction: p.cfg.Prefix + "/account/sessions/" + url.PathEscape(s.ID) + "/end"})
	}
	noStore(c)
	p.render(c, status, "account", "account.title", d, form)
}

func (p *Pages) accountPage(c *gin.Context) {
	p.renderAccount(c, http.StatusOK, web.NewForm(nil), "", "")
}

// changePassword checks the current password (counted against the lockout, so a stolen session
// cannot be used to guess it) and sets the new one.
func (p *Pages) changePassword(c *gin.Context) {
	_, user, _ := signedIn(c)
	l := p.lang(c)
	form := p.newPasswordForm(c, "new_password", "confirm_password")
	if c.PostForm("current_password") == "" {
		form.Errors.Add("current_password", l.T("err.current_required"))
	}
	if form.Errors.Any() {
		p.renderAccount(c, http.StatusUnprocessableEntity, form, "", "")
		return
	}
	err := p.app.ChangePassword(c.Request.Context(), user.ID, c.PostForm("current_password"), c.PostForm("new_password"), c.ClientIP())
	var pe *app.PasswordError
	if msg, locked := p.lockedOut(c, l, err); locked {
		p.renderAccount(c, http.StatusTooManyRequests, form, "", msg)
		return
	}
	switch {
	case err == nil:
		p.flashRedirect(c, web.FlashSuccess, "flash.password_changed", p.accountURL(""))
	case errors.As(err, &pe):
		form.Errors.Add("new_password", l.passwordProblem(pe.Problem, p.app.Config().PasswordPolicy))
		p.renderAccount(c, http.StatusUnprocessableEntity, form, "", "")
	case fieldIs(err, "current_password"):
		form.Errors.Add("current_password", l.T("err.current_wrong"))
		p.renderAccount(c, http.StatusUnprocessableEntity, form, "", "")
	default:
		p.fail(c, err)
	}
}

// beginTOTP makes a new secret; the page then shows it until a code confirms it.
func (p *Pages) beginTOTP(c *gin.Context) {
	_, user, _ := signedIn(c)
	_, err := p.app.BeginTOTP(c.Request.Context(), user.ID, totpIssuer)
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, p.accountURL("totp"))
	case conflictCode(err) == "totp_enabled":
		p.flashRedirect(c, web.FlashInfo, "flash.totp_already_on", p.accountURL("totp"))
	default:
		p.fail(c, err)
	}
}

// totpQR draws the pending secret's otpauth:// URL as a QR code. It is the secret itself, so no
// cache may keep it, and it exists only while the set-up waits for its first code.
func (p *Pages) totpQR(c *gin.Context) {
	_, user, _ := signedIn(c)
	noStore(c)
	enr, pending, err := p.app.PendingTOTP(c.Request.Context(), user.ID, totpIssuer)
	if err != nil {
		p.log.ErrorContext(c.Request.Context(), "TOTP QR code: reading the pending set-up failed", "error", err.Error())
		c.Status(http.StatusInternalServerError)
		return
	}
	if !pending {
		c.Status(http.StatusNotFound)
		return
	}
	key, err := otp.NewKeyFromURL(enr.URL)
	if err != nil {
		p.log.ErrorContext(c.Request.Context(), "TOTP QR code: the otpauth URL does not parse", "error", err.Error())
		c.Status(http.StatusInternalServerError)
		return
	}
	img, err := key.Image(240, 240)
	var buf bytes.Buffer
	if err == nil {
		err = png.Encode(&buf, img)
	}
	if err != nil {
		p.log.ErrorContext(c.Request.Context(), "TOTP QR code: drawing failed", "error", err.Error())
		c.Status(http.StatusInternalServerError)
		return
	}
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "image/png", buf.Bytes())
}

// confirmTOTP turns the second factor on once the person's app gives a right code.
func (p *Pages) confirmTOTP(c *gin.Context) {
	_, user, _ := signedIn(c)
	l := p.lang(c)
	code := normaliseCode(c.PostForm("totp_code"))
	form := web.NewForm(nil)
	if !sixDigits.MatchString(code) {
		form.Errors.Add("totp_code", l.T("err.code_format"))
		p.renderAccount(c, http.StatusUnprocessableEntity, form, l.T("err.code_format"), "")
		return
	}
	err := p.app.ConfirmTOTP(c.Request.Context(), user.ID, code, c.ClientIP())
	switch {
	case err == nil:
		p.flashRedirect(c, web.FlashSuccess, "flash.totp_on", p.accountURL("totp"))
	case fieldIs(err, "code"):
		form.Errors.Add("totp_code", l.T("err.code_mismatch"))
		p.renderAccount(c, http.StatusUnprocessableEntity, form, l.T("err.code_mismatch"), "")
	case apperr.KindOf(err) == apperr.KindConflict:
		p.flashRedirect(c, web.FlashInfo, "flash.totp_not_pending", p.accountURL("totp"))
	default:
		p.fail(c, err)
	}
}

// disableTOTP turns the second factor off after the password is typed again.
func (p *Pages) disableTOTP(c *gin.Context) {
	_, user, _ := signedIn(c)
	l := p.lang(c)
	form := web.NewForm(nil)
	password := c.PostForm("disable_password")
	if password == "" {
		form.Errors.Add("disable_password", l.T("err.password_required"))
		p.renderAccount(c, http.StatusUnprocessableEntity, form, "", "")
		return
	}
	err := p.app.DisableTOTP(c.Request.Context(), user.ID, password, c.ClientIP())
	if msg, locked := p.lockedOut(c, l, err); locked {
		p.renderAccount(c, http.StatusTooManyRequests, form, "", msg)
		return
	}
	switch {
	case err == nil:
		p.flashRedirect(c, web.FlashSuccess, "flash.totp_off", p.accountURL("totp"))
	case fieldIs(err, "password"):
		form.Errors.Add("disable_password", l.T("err.password_wrong"))
		p.renderAccount(c, http.StatusUnprocessableEntity, form, "", "")
	default:
		p.fail(c, err)
	}
}

// endSession signs the person out of one of their sessions (with back-channel logout to the
// services used in it). Ending this browser's own session also removes its cookie.
func (p *Pages) endSession(c *gin.Context) {
	sess, user, _ := signedIn(c)
	sid := c.Param("sid")
	err := p.app.EndOwnSession(c.Request.Context(), user.ID, sid, c.ClientIP())
	switch {
	case err == nil && sid == sess.ID:
		p.clearSSOCookie(c)
		p.flashRedirect(c, web.FlashSuccess, "flash.current_ended", p.loginURL("", p.accountURL("")))
	case err == nil:
		p.flashRedirect(c, web.FlashSuccess, "flash.session_ended", p.accountURL("sessions"))
	case apperr.KindOf(err) == apperr.KindNotFound:
		p.flashRedirect(c, web.FlashError, "flash.session_gone", p.accountURL("sessions"))
	default:
		p.fail(c, err)
	}
}

// groupSecret writes a base32 secret in groups of four, as people copy it: "JBSW Y3DP EHPK 3PXP".
func groupSecret(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// describeBrowser turns a User-Agent into what a person recognises: "Chrome trên Windows". The
// order matters: Edge, Opera and Cốc Cốc also say "Chrome", Chrome also says "Safari".
func describeBrowser(l Lang, ua string) string {
	browsers := []struct{ marker, name string }{
		{"Edg", "Microsoft Edge"}, {"OPR/", "Opera"}, {"coc_coc_browser", "Cốc Cốc"},
		{"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"}, {"SamsungBrowser/", "Samsung Internet"},
		{"Chrome/", "Chrome"}, {"CriOS/", "Chrome"}, {"Safari/", "Safari"},
	}
	systems := []struct{ marker, name string }{
		{"Windows", "Windows"}, {"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iPadOS"},
		{"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	}
	var browser, system string
	for _, b := range browsers {
		if strings.Contains(ua, b.marker) {
			browser = b.name
			break
		}
	}
	for _, s := range systems {
		if strings.Contains(ua, s.marker) {
			system = s.name
			break
		}
	}
	switch {
	case browser != "" && system != "":
		return l.T("browser.on", browser, system)
	case browser != "":
		return browser
	case system != "":
		return system
	case ua != "":
		if r := []rune(ua); len(r) > 60 {
			return string(r[:60]) + "…"
		}
		return ua
	}
	return l.T("browser.unknown")
}
