package pages

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
)

// A sign-in with more than one step (password, then a TOTP code or a new password) carries its
// state between the steps in an encrypted, signed cookie rather than in server memory: any
// replica may answer the next step, and nothing is left behind when a person gives up.
const (
	pendingCookie   = "egov_login"
	pendingLifetime = 5 * time.Minute
)

// pendingLogin is a sign-in whose password was right and which waits for its next step.
type pendingLogin struct {
	UserID        string   `json:"u"`
	AuthRequestID string   `json:"a,omitempty"`
	Next          string   `json:"n,omitempty"`
	AMR           []string `json:"m"` // factors proven so far: pwd, then otp
	// Lang is the language the sign-in began in, which may have come from the OIDC request's
	// ui_locales: the next steps keep it unless the person picks another.
	Lang web.Lang `json:"l,omitempty"`
}

func (p *Pages) pendingPath() string { return p.cfg.Prefix + "/login" }

func (p *Pages) setPending(c *gin.Context, pl pendingLogin) error {
	v, err := p.pending.Encode(pendingCookie, pl)
	if err != nil {
		return err
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: pendingCookie, Value: v, Path: p.pendingPath(),
		MaxAge: int(pendingLifetime / time.Second), HttpOnly: true, Secure: !p.cfg.InsecureHTTP,
		SameSite: http.SameSiteLaxMode})
	return nil
}

// readPending returns the pending sign-in; a missing, forged or expired cookie is ok=false.
func (p *Pages) readPending(c *gin.Context) (pendingLogin, bool) {
	var pl pendingLogin
	ck, err := c.Request.Cookie(pendingCookie)
	if err != nil {
		return pl, false
	}
	if err := p.pending.Decode(pendingCookie, ck.Value, &pl); err != nil || pl.UserID == "" || !slices.Contains(pl.AMR, "pwd") {
		return pendingLogin{}, false
	}
	return pl, true
}

func (p *Pages) clearPending(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{Name: pendingCookie, Path: p.pendingPath(), MaxAge: -1,
		HttpOnly: true, Secure: !p.cfg.InsecureHTTP, SameSite: http.SameSiteLaxMode})
}

// pendingExpired sends a person whose sign-in state is gone back to the start.
func (p *Pages) pendingExpired(c *gin.Context) {
	p.clearPending(c)
	p.flashRedirect(c, web.FlashInfo, "flash.pending_expired", p.cfg.Prefix+"/login")
}

// safeNext keeps a redirect after sign-in on identity's own pages (web.LocalPath: a path under
// Prefix, never another host). Anything else goes to the account page.
func (p *Pages) safeNext(next string) string {
	if local, ok := web.LocalPath(next, p.cfg.Prefix); ok {
		return local
	}
	return p.cfg.Prefix + "/account"
}

// loginURL is the sign-in page's address for a request or a next page.
func (p *Pages) loginURL(authRequestID, next string) string {
	q := url.Values{}
	if authRequestID != "" {
		q.Set("authRequestID", authRequestID)
	} else if next != "" {
		q.Set("next", next)
	}
	u := p.cfg.Prefix + "/login"
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// loginData is the sign-in page.
type loginData struct {
	view
	AuthRequestID string
	Next          string
	ClientName    string // the service the person is signing in to, when an OIDC request says
}

func (p *Pages) renderLogin(c *gin.Context, status int, form *web.Form, a *domain.AuthRequest, next, alert string) {
	d := loginData{view: p.newView(c, p.loginURL("", next)), Next: next}
	if a != nil {
		d.AuthRequestID = a.ID
		d.Here = p.loginURL(a.ID, "")
		if cl, err := p.app.Client(c.Request.Context(), a.ClientID); err == nil {
			d.ClientName = cl.Name
		}
	}
	d.Alert = alert
	p.renderSignIn(c, status, "login", "login.title", d, form)
}

// authRequest loads the OIDC request a sign-in answers. An unknown or expired one gets a page
// saying to start again from the service: nothing here can repair it.
func (p *Pages) authRequest(c *gin.Context, id string) (domain.AuthRequest, bool) {
	a, err := p.app.AuthRequest(c.Request.Context(), id)
	if apperr.KindOf(err) == apperr.KindNotFound {
		p.message(c, http.StatusBadRequest, "", "err.request.title", "err.request", "", "")
		return a, false
	}
	if err != nil {
		p.fail(c, err)
		return a, false
	}
	suggestUILocales(c, a.UILocales)
	return a, true
}

// loginPage is where the OIDC provider sends a person (?authRequestID=) and where a direct visit
// lands (?next=). With an SSO session the request is answered at once: that is single sign-on.
func (p *Pages) loginPage(c *gin.Context) {
	ctx := c.Request.Context()
	sess, _, signedIn, err := p.currentSession(c)
	if err != nil {
		p.fail(c, err)
		return
	}
	id := c.Query("authRequestID")
	if id == "" {
		next := p.safeNext(c.Query("next"))
		if signedIn {
			c.Redirect(http.StatusSeeOther, next)
			return
		}
		p.renderLogin(c, http.StatusOK, web.NewForm(nil), nil, next, "")
		return
	}
	a, ok := p.authRequest(c, id)
	if !ok {
		return
	}
	if signedIn && !slices.Contains(a.Prompt, "login") && !maxAgeExceeded(a, sess, p.app.Now()) {
		p.completeAuthRequest(c, a.ID, sess)
		return
	}
	if slices.Contains(a.Prompt, "none") {
		// No page may be shown: the provider answers login_required to the relying party.
		c.Redirect(http.StatusSeeOther, p.cfg.CallbackURL(ctx, a.ID))
		return
	}
	form := web.NewForm(nil)
	if a.LoginHint != "" {
		form.Set("username", a.LoginHint)
	}
	p.renderLogin(c, http.StatusOK, form, &a, "", "")
}

// maxAgeExceeded reports whether the request's max_age asks for a sign-in more recent than the
// session's.
func maxAgeExceeded(a domain.AuthRequest, sess domain.Session, now time.Time) bool {
	return a.MaxAgeSeconds != nil && now.Sub(sess.AuthTime) > time.Duration(*a.MaxAgeSeconds)*time.Second
}

// completeAuthRequest answers the OIDC request with the session and hands back to the provider.
func (p *Pages) completeAuthRequest(c *gin.Context, id string, sess domain.Session) {
	ctx := c.Request.Context()
	err := p.app.CompleteAuthRequest(ctx, id, sess)
	switch {
	case err == nil, conflictCode(err) == "auth_request_done":
		// Done already (a reload, a second tab): the provider knows what to do with it.
		c.Redirect(http.StatusSeeOther, p.cfg.CallbackURL(ctx, id))
	case apperr.KindOf(err) == apperr.KindNotFound:
		p.message(c, http.StatusBadRequest, "", "err.request.title", "err.request", "", "")
	default:
		p.fail(c, err)
	}
}

var usernameSpace = regexp.MustCompile(`\s+`)

// login checks the password. The same message answers a wrong password and an unknown username,
// so the form cannot be used to find out who has an account.
func (p *Pages) login(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.PostForm("authRequestID")
	next := p.safeNext(c.PostForm("next"))
	var a *domain.AuthRequest
	if id != "" {
		req, ok := p.authRequest(c, id)
		if !ok {
			return
		}
		a, next = &req, ""
	}
	l := p.lang(c) // after the request: its ui_locales count
	// Phones capitalise the first letter; usernames are lower case without spaces.
	username := strings.ToLower(usernameSpace.ReplaceAllString(c.PostForm("username"), ""))
	password := c.PostForm("password")
	form := web.NewForm(nil).Set("username", username) // the password is never sent back
	if username == "" {
		form.Errors.Add("username", l.T("err.username_required"))
	}
	if password == "" {
		form.Errors.Add("password", l.T("err.password_required"))
	}
	if form.Errors.Any() {
		p.renderLogin(c, http.StatusUnprocessableEntity, form, a, next, "")
		return
	}
	res, err := p.app.SignIn(ctx, app.SignInInput{Username: username, Password: password,
		Address: c.ClientIP(), UserAgent: c.Request.UserAgent()})
	if err != nil {
		if msg, locked := p.lockedOut(c, l, err); locked {
			p.renderLogin(c, http.StatusTooManyRequests, form, a, next, msg)
			return
		}
		// A disabled account answers as a wrong password does (see app.SignIn).
		if errors.Is(err, app.ErrBadCredentials) {
			p.renderLogin(c, http.StatusUnauthorized, form, a, next, l.T("err.bad_credentials"))
			return
		}
		p.fail(c, err)
		return
	}
	pl := pendingLogin{UserID: res.User.ID, AuthRequestID: id, Next: next, AMR: []string{"pwd"}, Lang: l.Lang()}
	switch {
	case res.NeedTOTP:
		p.toStep(c, pl, "/login/totp")
	case res.User.MustChangePassword:
		p.toStep(c, pl, "/login/new-password")
	default:
		p.finish(c, res.User, pl)
	}
}

// toStep keeps the sign-in's state and moves on to its next step.
func (p *Pages) toStep(c *gin.Context, pl pendingLogin, step string) {
	if err := p.setPending(c, pl); err != nil {
		p.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, p.cfg.Prefix+step)
}

// finish opens the SSO session of a completed sign-in, sets its cookie, and goes where the
// sign-in was for: back to the OIDC provider, or to the page the person wanted.
func (p *Pages) finish(c *gin.Context, user domain.User, pl pendingLogin) {
	ctx := c.Request.Context()
	// Someone else still signed in on this browser (a shared desk, prompt=login): their session
	// ends here, with every service's, rather than linger in a browser that is not theirs.
	if old, _, ok, _ := p.currentSession(c); ok && old.UserID != user.ID {
		if err := p.app.SignOut(ctx, old.ID, old.UserID, c.ClientIP()); err != nil {
			p.log.WarnContext(ctx, "ending the previous person's session failed", "sid", old.ID, "error", err.Error())
		}
	}
	secret, sess, err := p.app.StartSession(ctx, user, pl.AMR, c.ClientIP(), c.Request.UserAgent())
	if err != nil {
		p.fail(c, err)
		return
	}
	p.setSSOCookie(c, secret)
	p.clearPending(c)
	if pl.AuthRequestID != "" {
		p.completeAuthRequest(c, pl.AuthRequestID, sess)
		return
	}
	c.Redirect(http.StatusSeeOther, p.safeNext(pl.Next))
}
