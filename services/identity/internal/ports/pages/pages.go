// Package pages owns identity's HTML pages: signing in (password, then the TOTP second factor or
// the replacement of a one-time password), the single sign-on cookie that lets a person move
// between services without signing in again, the account page (password, two-step verification,
// sessions) and signing out of every service at once. Pages are rendered in the platform shell
// (libs/web) in Vietnamese, or English on request; every form is CSRF-protected. The OIDC
// provider (ports/oidcop) sends people here with an authRequestID and reads the SSO cookie back
// through SessionFromRequest.
package pages

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/securecookie"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/sheet"
	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
)

//go:embed templates/*.html
var templateFS embed.FS

// Templates are the page templates (web.Config.Pages), for the shell the composition root builds.
func Templates() (fs.FS, error) { return fs.Sub(templateFS, "templates") }

// Title is identity's name in the shell's header and the browser tab.
var Title = "Tài khoản"

// SSOCookie holds the single sign-on session's secret (never its sid, which every relying party
// learns from its ID token).
const SSOCookie = "egov_sso"

// totpIssuer labels the account in the person's authenticator app.
const totpIssuer = "Chính quyền điện tử"

// Config is what the pages need besides the use cases.
type Config struct {
	// Prefix is the path identity is mounted under, "/auth"; the issuer is origin+Prefix.
	Prefix string
	// Issuer is the OIDC issuer URL, "http://localhost:8080/auth".
	Issuer string
	// CallbackURL is where the browser goes once a sign-in has completed an OIDC request
	// (op.AuthCallbackURL): the provider then issues the code to the relying party.
	CallbackURL func(ctx context.Context, authRequestID string) string
	// CookieHashKey signs (HMAC-SHA256, at least 32 bytes) and CookieBlockKey encrypts (AES, 16,
	// 24 or 32 bytes) the short-lived cookie that carries a sign-in between its steps. Every
	// replica must use the same keys.
	CookieHashKey, CookieBlockKey []byte
	// SessionLifetime is the SSO cookie's Max-Age; zero takes the use cases' SessionLifetime.
	SessionLifetime time.Duration
	// InsecureHTTP drops the Secure flag from cookies, for local plain-HTTP development only.
	InsecureHTTP bool
	// Shell is the platform's page shell with Templates, built with bootstrap.NewShell.
	Shell *web.Shell
	// Logger receives failures; nil is slog.Default().
	Logger *slog.Logger
}

// Pages serves identity's HTML pages. Build it once with New and put its Routes on the engine.
type Pages struct {
	app     *app.App
	cfg     Config
	shell   *web.Shell
	pending *securecookie.SecureCookie
	log     *slog.Logger
}

// New checks the configuration and parses the templates, so a mistake stops the service at start.
func New(a *app.App, cfg Config) (*Pages, error) {
	if a == nil {
		return nil, errors.New("pages: app.App is required")
	}
	if cfg.Issuer != "" {
		// The issuer is origin+Prefix; a mismatch would put the SSO cookie on a path the OIDC
		// endpoints never see.
		u, err := url.Parse(cfg.Issuer)
		if err != nil || u.Host == "" || strings.TrimSuffix(u.Path, "/") != cfg.Prefix {
			return nil, fmt.Errorf("pages: Config.Issuer %q must be an origin followed by Prefix %q", cfg.Issuer, cfg.Prefix)
		}
	}
	if cfg.CallbackURL == nil {
		return nil, errors.New("pages: Config.CallbackURL is required")
	}
	if len(cfg.CookieHashKey) < 32 {
		return nil, errors.New("pages: Config.CookieHashKey must be at least 32 bytes")
	}
	if n := len(cfg.CookieBlockKey); n != 16 && n != 24 && n != 32 {
		return nil, errors.New("pages: Config.CookieBlockKey must be 16, 24 or 32 bytes (AES)")
	}
	if cfg.SessionLifetime <= 0 {
		cfg.SessionLifetime = a.Config().SessionLifetime
	}
	if cfg.SessionLifetime <= 0 {
		return nil, errors.New("pages: no session lifetime: set Config.SessionLifetime or app.Config.SessionLifetime")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Shell == nil {
		return nil, errors.New("pages: Config.Shell is required (bootstrap.NewShell with Templates)")
	}
	sc := securecookie.New(cfg.CookieHashKey, cfg.CookieBlockKey)
	sc.MaxAge(int(pendingLifetime / time.Second)) // the signed timestamp expires it, not only the browser
	sc.SetSerializer(securecookie.JSONEncoder{})
	return &Pages{app: a, cfg: cfg, shell: cfg.Shell, pending: sc, log: cfg.Logger}, nil
}

// Routes registers the pages and the shell's static files under Prefix. Every route passes the
// CSRF middleware: GETs get a token for their forms, POSTs without a valid one are refused.
func (p *Pages) Routes(r gin.IRouter) {
	p.shell.Mount(r)
	g := r.Group(p.cfg.Prefix, p.shell.CSRF())
	g.GET("/login", p.loginPage)
	g.POST("/login", p.login)
	g.GET("/login/totp", p.totpPage)
	g.POST("/login/totp", p.totp)
	g.GET("/login/new-password", p.newPasswordPage)
	g.POST("/login/new-password", p.newPassword)
	g.GET("/logout", p.logoutPage)
	g.POST("/logout", p.logout)

	acc := g.Group("/account", p.requireSession)
	acc.GET("", p.accountPage)
	acc.POST("/password", p.changePassword)
	acc.POST("/totp/begin", p.beginTOTP)
	acc.GET("/totp/qr.png", p.totpQR)
	acc.POST("/totp/confirm", p.confirmTOTP)
	acc.POST("/totp/disable", p.disableTOTP)
	acc.POST("/sessions/:sid/end", p.endSession)

	adm := g.Group(adminPrefix, p.requireSession, p.requireAdmin)
	adm.GET("", p.accountsPage)
	adm.GET("/accounts/new", p.newAccountPage)
	adm.POST("/accounts", p.createAccount)
	adm.GET("/accounts/:username", p.accountAdminPage)
	adm.POST("/accounts/:username/reset", p.resetAccount)
	adm.POST("/accounts/:username/unlock", p.unlockAccount)
	adm.POST("/accounts/:username/disable", p.setAccountDisabled(true))
	adm.POST("/accounts/:username/enable", p.setAccountDisabled(false))
	adm.POST("/accounts/:username/end-sessions", p.endAccountSessions)
	adm.POST("/accounts/:username/roles", p.setAccountRoles)
	adm.POST("/accounts/:username/staff", p.linkStaff)
	adm.GET("/audit", p.auditPage)
	adm.GET("/audit.csv", p.auditCSV)
	adm.GET("/import", p.importPage)
	adm.GET("/import/template.csv", p.importTemplate(sheet.CSV))
	adm.GET("/import/template.xlsx", p.importTemplate(sheet.XLSX))
	p.shell.PostUpload(adm, "/import", maxImportUpload, p.importCheck)
	p.shell.PostUpload(adm, "/import/commit", maxImportUpload, p.importCommit)
}

// SessionFromRequest returns the active SSO session named by the request's cookie and its person,
// or app.ErrNoSession. The OIDC provider uses it to answer an authorization request without a form.
func (p *Pages) SessionFromRequest(r *http.Request) (domain.Session, domain.User, error) {
	ck, err := r.Cookie(SSOCookie)
	if err != nil || ck.Value == "" {
		return domain.Session{}, domain.User{}, app.ErrNoSession
	}
	return p.app.SessionFromCookie(r.Context(), ck.Value)
}

// currentSession is SessionFromRequest for a page: "not signed in" in every form (no cookie, an
// ended session, an account that is gone) is ok=false, and a stale cookie is removed on the way;
// only a failure of the system itself is an error.
func (p *Pages) currentSession(c *gin.Context) (domain.Session, domain.User, bool, error) {
	sess, user, err := p.SessionFromRequest(c.Request)
	if err == nil {
		return sess, user, true, nil
	}
	switch apperr.KindOf(err) {
	case apperr.KindUnauthenticated, apperr.KindNotFound:
		if _, cerr := c.Request.Cookie(SSOCookie); cerr == nil {
			p.clearSSOCookie(c)
		}
		return sess, user, false, nil
	}
	return sess, user, false, err
}

func (p *Pages) cookiePath() string {
	if p.cfg.Prefix == "" {
		return "/"
	}
	return p.cfg.Prefix
}

// setSSOCookie keeps the session's secret: HttpOnly so no script can read it, Lax so the OIDC
// redirect from a relying party (a top-level GET) still carries it, scoped to identity's prefix.
func (p *Pages) setSSOCookie(c *gin.Context, secret string) {
	http.SetCookie(c.Writer, &http.Cookie{Name: SSOCookie, Value: secret, Path: p.cookiePath(),
		MaxAge: int(p.cfg.SessionLifetime / time.Second), HttpOnly: true, Secure: !p.cfg.InsecureHTTP,
		SameSite: http.SameSiteLaxMode})
}

func (p *Pages) clearSSOCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{Name: SSOCookie, Path: p.cookiePath(), MaxAge: -1,
		HttpOnly: true, Secure: !p.cfg.InsecureHTTP, SameSite: http.SameSiteLaxMode})
}

// view is what every page template gets in .Data besides its own fields: the language, for the
// texts handlers build, the page's GET address for the shell's language switch, and an alert
// about the whole form. Templates read the catalogue with {{t "id"}}.
type view struct {
	Lang  Lang
	Here  string
	Alert string
}

func (v view) switchURL() string { return v.Here }

// newView starts a page's data; here is the page's GET address for the language switch ("" is the
// current request).
func (p *Pages) newView(c *gin.Context, here string) view {
	return view{Lang: p.lang(c), Here: here}
}

// render shows a page of this package in the shell, in the request's language.
func (p *Pages) render(c *gin.Context, status int, content, titleID string, data any, form *web.Form) {
	p.shell.Render(c, status, p.page(c, content, titleID, data, form))
}

// renderSignIn shows a page of the sign-in itself (password, second factor, first password) in
// the shell's public layout: before the person is signed in, the services' menu and a "Đăng nhập"
// button lead nowhere but back to this page.
func (p *Pages) renderSignIn(c *gin.Context, status int, content, titleID string, data any, form *web.Form) {
	page := p.page(c, content, titleID, data, form)
	page.Public = true
	p.shell.Render(c, status, page)
}

func (p *Pages) page(c *gin.Context, content, titleID string, data any, form *web.Form) web.Page {
	page := web.Page{Title: p.lang(c).T(titleID), Content: content, Data: data, Form: form}
	if v, ok := data.(interface{ switchURL() string }); ok {
		page.SwitchURL = v.switchURL()
	}
	return page
}

// messageData is a page that only says something, with one way on.
type messageData struct {
	view
	Message   string
	LinkURL   string
	LinkLabel string
}

// message renders a messageData page. here is the GET address of the same page for the language
// switch; "" is the current request, or the sign-in page when answering a POST.
func (p *Pages) message(c *gin.Context, status int, here, titleID, messageID, linkURL, linkID string) {
	if here == "" && c.Request.Method != http.MethodGet {
		here = p.cfg.Prefix + "/login"
	}
	v := p.newView(c, here)
	d := messageData{view: v, Message: v.Lang.T(messageID), LinkURL: linkURL}
	if linkID != "" {
		d.LinkLabel = v.Lang.T(linkID)
	}
	p.render(c, status, "message", titleID, d, nil)
}

// fail logs an unexpected error (never a password or a code: the use cases' errors hold none)
// and shows the person a page that tells them to try again.
func (p *Pages) fail(c *gin.Context, err error) {
	p.log.ErrorContext(c.Request.Context(), "identity page failed", "method", c.Request.Method,
		"path", c.Request.URL.Path, "error", err.Error())
	p.message(c, http.StatusInternalServerError, "", "err.internal.title", "err.internal", p.cfg.Prefix+"/account", "link.account")
}

// flashRedirect queues a message for the next page and sends the browser there with 303, so a
// reload does not post the form again.
func (p *Pages) flashRedirect(c *gin.Context, kind web.FlashKind, messageID, location string) {
	p.shell.AddFlash(c, kind, p.lang(c).T(messageID))
	c.Redirect(http.StatusSeeOther, location)
}

// noStore keeps responses that carry secrets (the QR code) or personal data out of every cache;
// rendered pages get it from the shell.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
}

// lockoutMessage says until when sign-in is refused, and whether the account or the address is
// locked, in Vietnam time.
// lockedOut reports whether err is a lockout; if so it sets Retry-After and returns the message
// that says until when.
func (p *Pages) lockedOut(c *gin.Context, l Lang, err error) (string, bool) {
	lock, ok := app.IsLockedOut(err)
	if !ok {
		return "", false
	}
	retryAfter(c, lock.Until, p.app.Now())
	return lockoutMessage(l, lock), true
}

func lockoutMessage(l Lang, e *app.LockedOutError) string {
	at := l.T("vn_time", web.FormatDateTime(e.Until))
	if e.Address {
		return l.T("err.locked_address", at)
	}
	return l.T("err.locked_account", at)
}

// retryAfter tells clients (and the browser's developer tools) when to try again.
func retryAfter(c *gin.Context, until, now time.Time) {
	if s := int(until.Sub(now).Seconds()) + 1; s > 0 {
		c.Header("Retry-After", fmt.Sprint(s))
	}
}

// fieldIs reports whether err is an invalid-input error about field.
func fieldIs(err error, field string) bool {
	e := apperr.As(err)
	if e == nil || e.Kind != apperr.KindInvalid {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// conflictCode returns the code of a conflict error, "" for other errors.
func conflictCode(err error) string {
	if e := apperr.As(err); e != nil && e.Kind == apperr.KindConflict {
		return e.Code
	}
	return ""
}
