package pages

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// logoutData is the sign-out confirmation.
type logoutData struct {
	view
	Username string
}

// logoutPage asks before signing out: a GET must not sign anyone out (a link or an image on
// another site could), so the page offers a button that posts.
func (p *Pages) logoutPage(c *gin.Context) {
	_, user, ok, err := p.currentSession(c)
	if err != nil {
		p.fail(c, err)
		return
	}
	if !ok {
		p.signedOut(c)
		return
	}
	if tenant, err := p.app.Tenant(c.Request.Context(), user.TenantID); err == nil {
		p.setViewer(c, user, tenant)
	}
	d := logoutData{view: p.newView(c, ""), Username: user.Username}
	p.render(c, http.StatusOK, "logout", "logout.title", d, nil)
}

// logout ends the SSO session, and through back-channel logout every service's session of it.
// The cookie is removed only once that worked, so a failure can be retried from the same page.
func (p *Pages) logout(c *gin.Context) {
	sess, user, ok, err := p.currentSession(c)
	if err != nil {
		p.fail(c, err)
		return
	}
	if ok {
		if err := p.app.SignOut(c.Request.Context(), sess.ID, user.ID, c.ClientIP()); err != nil {
			p.fail(c, err)
			return
		}
		p.clearSSOCookie(c)
	}
	p.clearPending(c)
	p.signedOut(c)
}

func (p *Pages) signedOut(c *gin.Context) {
	p.message(c, http.StatusOK, p.cfg.Prefix+"/logout", "signedout.title", "signedout.lead", p.cfg.Prefix+"/login", "signedout.again")
}
