package pages

import (
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
)

// codeData is a page with a 6-digit code field, written by hand in the template because it needs
// pattern and autocomplete="one-time-code", which the shell's field helper does not take.
type codeData struct {
	view
	CodeError string
}

var sixDigits = regexp.MustCompile(`^[0-9]{6}$`)

// normaliseCode accepts a code as people type or paste it: "123 456", "123-456".
func normaliseCode(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u00a0' || r == '\t' {
			return -1
		}
		return r
	}, s)
}

// stepUser loads the person of a pending sign-in. A disabled account, or one changed since the
// password step (TOTP turned off, password already replaced), starts the sign-in again.
func (p *Pages) stepUser(c *gin.Context) (pendingLogin, domain.User, bool) {
	pl, ok := p.readPending(c)
	if !ok {
		p.pendingExpired(c)
		return pl, domain.User{}, false
	}
	if pl.Lang != "" {
		web.SuggestLang(c, pl.Lang)
	}
	user, err := p.app.User(c.Request.Context(), pl.UserID)
	if err != nil || user.Disabled {
		p.pendingExpired(c)
		return pl, user, false
	}
	return pl, user, true
}

func (p *Pages) renderTOTP(c *gin.Context, status int, codeErr, alert string) {
	d := codeData{view: p.newView(c, p.cfg.Prefix+"/login/totp"), CodeError: codeErr}
	d.Alert = alert
	form := web.NewForm(nil)
	if codeErr != "" {
		form.Errors.Add("code", codeErr)
	}
	noStore(c)
	p.renderSignIn(c, status, "totp", "totp.title", d, form)
}

func (p *Pages) totpPage(c *gin.Context) {
	pl, user, ok := p.stepUser(c)
	if !ok {
		return
	}
	if p.totpDone(c, user, pl) {
		return
	}
	p.renderTOTP(c, http.StatusOK, "", "")
}

// totpDone moves on when there is no code to check: proven already (the person came back from
// the new-password step), or turned off since the password step, which starts the sign-in again
// rather than let a GET finish it.
func (p *Pages) totpDone(c *gin.Context, user domain.User, pl pendingLogin) bool {
	switch {
	case slices.Contains(pl.AMR, "otp"):
		c.Redirect(http.StatusSeeOther, p.cfg.Prefix+"/login/new-password")
	case !user.TOTPEnabled:
		p.pendingExpired(c)
	default:
		return false
	}
	return true
}

// totp checks the second factor. Wrong codes count against the same lockout as passwords.
func (p *Pages) totp(c *gin.Context) {
	pl, user, ok := p.stepUser(c)
	if !ok {
		return
	}
	l := p.lang(c)
	if p.totpDone(c, user, pl) {
		return
	}
	code := normaliseCode(c.PostForm("code"))
	if !sixDigits.MatchString(code) {
		p.renderTOTP(c, http.StatusUnprocessableEntity, l.T("err.code_format"), "")
		return
	}
	err := p.app.VerifyTOTP(c.Request.Context(), pl.UserID, code, c.ClientIP())
	if msg, locked := p.lockedOut(c, l, err); locked {
		p.renderTOTP(c, http.StatusTooManyRequests, "", msg)
		return
	}
	switch {
	case err == nil:
	case errors.Is(err, app.ErrBadTOTP):
		p.renderTOTP(c, http.StatusUnauthorized, l.T("err.bad_code"), "")
		return
	case conflictCode(err) == "totp_not_enabled":
		p.pendingExpired(c)
		return
	default:
		p.fail(c, err)
		return
	}
	pl.AMR = append(pl.AMR, "otp")
	p.afterTOTP(c, user, pl)
}

// afterTOTP is the step after the second factor: a new password when the current one was a
// one-time password, else the end of the sign-in.
func (p *Pages) afterTOTP(c *gin.Context, user domain.User, pl pendingLogin) {
	if user.MustChangePassword {
		p.toStep(c, pl, "/login/new-password")
		return
	}
	p.finish(c, user, pl)
}

// passwordData is a page with new-password fields.
type passwordData struct {
	view
	Username  string // for password managers, which save the new password under it
	MinLength int
}

func (p *Pages) renderNewPassword(c *gin.Context, status int, user domain.User, form *web.Form) {
	d := passwordData{view: p.newView(c, p.cfg.Prefix+"/login/new-password"), Username: user.Username,
		MinLength: p.app.Config().PasswordPolicy.MinLength}
	noStore(c)
	p.renderSignIn(c, status, "new_password", "newpw.title", d, form)
}

// newPasswordStep checks that the pending sign-in is at the new-password step: a person with a
// second factor proves it first, and one whose password was already replaced signs in again.
func (p *Pages) newPasswordStep(c *gin.Context) (pendingLogin, domain.User, bool) {
	pl, user, ok := p.stepUser(c)
	if !ok {
		return pl, user, false
	}
	if user.TOTPEnabled && !slices.Contains(pl.AMR, "otp") {
		c.Redirect(http.StatusSeeOther, p.cfg.Prefix+"/login/totp")
		return pl, user, false
	}
	if !user.MustChangePassword {
		p.clearPending(c)
		p.flashRedirect(c, web.FlashInfo, "flash.password_already_set", p.loginURL(pl.AuthRequestID, pl.Next))
		return pl, user, false
	}
	return pl, user, true
}

func (p *Pages) newPasswordPage(c *gin.Context) {
	_, user, ok := p.newPasswordStep(c)
	if !ok {
		return
	}
	p.renderNewPassword(c, http.StatusOK, user, web.NewForm(nil))
}

// newPassword replaces a one-time password, then finishes the sign-in.
func (p *Pages) newPassword(c *gin.Context) {
	pl, user, ok := p.newPasswordStep(c)
	if !ok {
		return
	}
	form := p.newPasswordForm(c, "new_password", "confirm_password")
	if form.Errors.Any() {
		p.renderNewPassword(c, http.StatusUnprocessableEntity, user, form)
		return
	}
	err := p.app.ReplaceOneTimePassword(c.Request.Context(), user.ID, c.PostForm("new_password"), c.ClientIP())
	var pe *app.PasswordError
	switch {
	case err == nil:
	case errors.As(err, &pe):
		form.Errors.Add("new_password", p.lang(c).passwordProblem(pe.Problem, p.app.Config().PasswordPolicy))
		p.renderNewPassword(c, http.StatusUnprocessableEntity, user, form)
		return
	case conflictCode(err) == "password_already_set":
		p.clearPending(c)
		p.flashRedirect(c, web.FlashInfo, "flash.password_already_set", p.loginURL(pl.AuthRequestID, pl.Next))
		return
	default:
		p.fail(c, err)
		return
	}
	user.MustChangePassword = false
	if pl.AuthRequestID == "" {
		// Shown on the next page of identity; a relying party's page would not show it.
		p.shell.AddFlash(c, web.FlashSuccess, p.lang(c).T("flash.password_set"))
	}
	p.finish(c, user, pl)
}

// newPasswordForm checks the new password and its repetition before the use case sees them;
// the form never carries a password back to the page.
func (p *Pages) newPasswordForm(c *gin.Context, newField, confirmField string) *web.Form {
	l := p.lang(c)
	form := web.NewForm(nil)
	next, confirm := c.PostForm(newField), c.PostForm(confirmField)
	switch {
	case next == "":
		form.Errors.Add(newField, l.T("err.new_required"))
	case confirm == "":
		form.Errors.Add(confirmField, l.T("err.confirm_required"))
	case next != confirm:
		form.Errors.Add(confirmField, l.T("err.confirm_mismatch"))
	}
	return form
}
