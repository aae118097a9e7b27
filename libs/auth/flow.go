package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"
)

// idTokenClaims are the ID token's claims beyond those go-oidc reads.
type idTokenClaims struct {
	SessionID string   `json:"sid"`
	Name      string   `json:"name"`
	Tenant    string   `json:"tenant"`
	Roles     []string `json:"roles"`
	StaffID   string   `json:"staff_id"`
	AZP       string   `json:"azp"`
}

func (w *Web) oauth2Config(ep *endpoints) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     w.cfg.ClientID,
		ClientSecret: w.cfg.ClientSecret,
		Endpoint:     oauth2.Endpoint{AuthURL: ep.auth, TokenURL: ep.token},
		RedirectURL:  w.RedirectURL(),
		Scopes:       w.cfg.Scopes,
	}
}

// login starts a sign-in: it remembers state, nonce, PKCE verifier and where to return in a
// short-lived encrypted cookie that only the callback route receives, and sends the browser to
// identity.
func (w *Web) login(c *gin.Context) {
	ctx := c.Request.Context()
	c.Header("Cache-Control", "no-store")
	ep, err := w.resolve(ctx)
	if err != nil {
		w.logger(ctx).WarnContext(ctx, "auth: sign-in cannot start: identity is unreachable", "error", err.Error())
		w.errorPage(c, http.StatusServiceUnavailable, "web.signin.unreachable.title", "web.signin.unreachable")
		return
	}
	ls := loginState{
		State:    randomString(stateBytes),
		Nonce:    randomString(stateBytes),
		Verifier: oauth2.GenerateVerifier(),
		Next:     safeNext(c.Query("next"), w.prefix),
	}
	name := loginCookiePrefix + ls.State
	value, err := encodeCookie(w.logins, name, ls)
	if err != nil {
		w.internalError(c, "auth: cannot store the sign-in state", err)
		return
	}
	http.SetCookie(c.Writer, w.cookieFor(name, value, w.prefix+callbackPath, loginLifetime))
	c.Redirect(http.StatusSeeOther, w.oauth2Config(ep).AuthCodeURL(ls.State,
		oidc.Nonce(ls.Nonce), oauth2.S256ChallengeOption(ls.Verifier)))
}

// callback finishes a sign-in: it matches the state with the cookie login set, exchanges the code
// with the PKCE verifier, verifies the ID token (signature, issuer, audience, expiry, nonce) and
// starts the session.
func (w *Web) callback(c *gin.Context) {
	ctx := c.Request.Context()
	log := w.logger(ctx)
	c.Header("Cache-Control", "no-store")
	q := c.Request.URL.Query()

	state := q.Get("state")
	var ls *loginState
	if validState(state) {
		ls = w.readLogin(c.Request, state)
		w.clearLogin(c, state) // a sign-in state is used once, whatever happens next
	}
	if opErr := q.Get("error"); opErr != "" {
		log.InfoContext(ctx, "auth: identity refused the sign-in", "op_error", printable(opErr, 64))
		w.errorPage(c, http.StatusBadRequest, "web.signin.failed.title", opErrorMessage(opErr))
		return
	}
	if ls == nil || subtle.ConstantTimeCompare([]byte(state), []byte(ls.State)) != 1 {
		log.WarnContext(ctx, "auth: sign-in callback without a matching sign-in in progress",
			"state_well_formed", validState(state))
		w.errorPage(c, http.StatusBadRequest, "web.signin.expired.title", "web.signin.expired")
		return
	}
	code := q.Get("code")
	if code == "" {
		w.errorPage(c, http.StatusBadRequest, "web.signin.failed.title", "web.signin.no_code")
		return
	}
	ep, err := w.resolve(ctx)
	if err != nil {
		log.WarnContext(ctx, "auth: sign-in cannot finish: identity is unreachable", "error", err.Error())
		w.errorPage(c, http.StatusServiceUnavailable, "web.signin.unreachable.title", "web.signin.unreachable")
		return
	}
	tok, err := w.oauth2Config(ep).Exchange(context.WithValue(ctx, oauth2.HTTPClient, w.client), code,
		oauth2.VerifierOption(ls.Verifier))
	if err != nil {
		// A RetrieveError carries identity's error response (error, description), no tokens.
		status := http.StatusBadGateway
		var refused *oauth2.RetrieveError
		if errors.As(err, &refused) {
			status = http.StatusBadRequest
		}
		log.WarnContext(ctx, "auth: code exchange failed", "error", err.Error())
		w.errorPage(c, status, "web.signin.failed.title", "web.signin.exchange")
		return
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		log.WarnContext(ctx, "auth: token response has no id_token; is the openid scope allowed for this client?")
		w.errorPage(c, http.StatusBadGateway, "web.signin.failed.title", "web.signin.no_id_token")
		return
	}
	s, err := w.sessionFromIDToken(ctx, rawID, ls.Nonce)
	if err != nil {
		log.WarnContext(ctx, "auth: ID token refused", "error", err.Error())
		w.errorPage(c, http.StatusBadRequest, "web.signin.failed.title", "web.signin.bad_id_token")
		return
	}
	value, err := encodeCookie(w.sessions, sessionCookie, s)
	if tooLarge := (*cookieTooLargeError)(nil); errors.As(err, &tooLarge) {
		log.ErrorContext(ctx, "auth: the session does not fit in a cookie", "error", err.Error(),
			"subject", s.Subject, "roles", len(s.Roles))
		w.errorPage(c, http.StatusInternalServerError, "web.signin.too_large.title", "web.signin.too_large")
		return
	} else if err != nil {
		w.internalError(c, "auth: cannot store the session", err)
		return
	}
	http.SetCookie(c.Writer, w.cookieFor(sessionCookie, value, w.cookiePath, w.cfg.SessionLifetime))
	log.InfoContext(ctx, "auth: signed in", "subject", s.Subject, "tenant", s.Tenant)
	c.Redirect(http.StatusSeeOther, ls.Next)
}

// sessionFromIDToken verifies the ID token for this sign-in and returns the session it starts.
func (w *Web) sessionFromIDToken(ctx context.Context, rawID, nonce string) (*session, error) {
	ctx, report := withVerifyReport(ctx)
	idt, err := w.idTokens.Verify(ctx, rawID)
	if err != nil {
		if report.err != nil {
			return nil, report.err
		}
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, errors.New("the ID token's nonce is not the one this sign-in sent (a replayed or injected code)")
	}
	var ic idTokenClaims
	if err := idt.Claims(&ic); err != nil {
		return nil, err
	}
	// OIDC Core §3.1.3.7: with an azp, it must be us.
	if ic.AZP != "" && ic.AZP != w.cfg.ClientID {
		return nil, errors.New("the ID token was issued to another client (azp)")
	}
	if idt.Subject == "" {
		return nil, errors.New("the ID token has no subject")
	}
	now := w.now()
	return &session{
		Subject:   idt.Subject,
		SessionID: ic.SessionID,
		Name:      ic.Name,
		Tenant:    ic.Tenant,
		Roles:     ic.Roles,
		StaffID:   ic.StaffID,
		IDToken:   rawID,
		IssuedAt:  now.UnixMicro(),
		Expiry:    now.Add(w.cfg.SessionLifetime).UnixMicro(),
	}, nil
}

func (w *Web) readLogin(r *http.Request, state string) *loginState {
	name := loginCookiePrefix + state
	ck, err := r.Cookie(name)
	if err != nil {
		return nil
	}
	var ls loginState
	if err := decodeCookie(w.logins, name, ck.Value, &ls); err != nil {
		return nil
	}
	return &ls
}

func (w *Web) clearLogin(c *gin.Context, state string) {
	http.SetCookie(c.Writer, w.cookieFor(loginCookiePrefix+state, "", w.prefix+callbackPath, 0))
}

// logout ends the session here (cookie cleared, sid recorded as ended for every replica) and
// sends the browser to identity's end-session endpoint, which ends the single sign-on session and
// tells every other service. The service's CSRF middleware runs before it (see Mount).
func (w *Web) logout(c *gin.Context) {
	ctx := c.Request.Context()
	c.Header("Cache-Control", "no-store")
	s, _ := w.readSession(c.Request)
	w.clearSession(c)
	if s != nil && s.SessionID != "" {
		// Identity will tell us too; recording it now also ends copies of the cookie at once.
		if err := w.cfg.Ended.End(ctx, s.SessionID, s.Subject, w.now()); err != nil {
			w.logger(ctx).WarnContext(ctx, "auth: cannot record the logout", "error", err.Error())
		}
	}
	target := w.PostLogoutRedirectURL()
	ep, err := w.resolve(ctx)
	switch {
	case err != nil:
		w.logger(ctx).WarnContext(ctx, "auth: identity is unreachable; signed out of this service only", "error", err.Error())
	case ep.endSession == "":
		w.logger(ctx).WarnContext(ctx, "auth: identity publishes no end_session_endpoint; signed out of this service only")
	default:
		idToken := ""
		if s != nil {
			idToken = s.IDToken
		}
		target = w.endSessionURL(ep.endSession, idToken)
	}
	c.Redirect(http.StatusSeeOther, target)
}

// endSessionURL is RP-Initiated Logout 1.0's request: id_token_hint says whose session,
// client_id and post_logout_redirect_uri where to come back.
func (w *Web) endSessionURL(endpoint, idToken string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return w.PostLogoutRedirectURL()
	}
	q := u.Query()
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	q.Set("client_id", w.cfg.ClientID)
	q.Set("post_logout_redirect_uri", w.PostLogoutRedirectURL())
	u.RawQuery = q.Encode()
	return u.String()
}

// opErrorMessage explains identity's error code (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6) to the
// person: the message id in the shell's catalogue, and its argument.
func opErrorMessage(code string) message {
	switch code {
	case "access_denied":
		return message{id: "web.signin.op.denied"}
	case "login_required", "interaction_required", "consent_required", "account_selection_required":
		return message{id: "web.signin.op.login"}
	case "server_error", "temporarily_unavailable":
		return message{id: "web.signin.op.down"}
	}
	return message{id: "web.signin.op.other", args: []any{printable(code, 64)}}
}

// printable keeps the printable ASCII of s, at most n bytes: identity's error codes are ASCII,
// and anything else in the query came from whoever wrote the link.
func printable(s string, n int) string {
	out := make([]byte, 0, min(len(s), n))
	for i := 0; i < len(s) && len(out) < n; i++ {
		if s[i] >= 0x20 && s[i] < 0x7f {
			out = append(out, s[i])
		}
	}
	return string(out)
}
