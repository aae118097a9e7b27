package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gin-gonic/gin"
	"github.com/gorilla/securecookie"

	"egov.vn/platform/libs/telemetry"
	"egov.vn/platform/libs/web"
)

// DefaultSessionLifetime is how long a page session lasts without signing in again. A working
// day: identity's back-channel logout ends it earlier when the person signs out anywhere.
const DefaultSessionLifetime = 8 * time.Hour

// Routes under the service's prefix.
const (
	loginPath       = "/login"
	callbackPath    = "/auth/callback"
	logoutPath      = "/logout"
	backchannelPath = "/auth/backchannel-logout"
)

// WebConfig configures NewWeb. Issuer, ClientID, BaseURL, both cookie keys and Ended are
// required.
type WebConfig struct {
	// Issuer is identity's issuer URL, "http://localhost:8080/auth".
	Issuer string
	// ClientID and ClientSecret are the service's OIDC client at identity. Without a secret the
	// service is a public client and relies on PKCE alone.
	ClientID, ClientSecret string
	// BaseURL is the service's public URL including its path prefix,
	// "http://localhost:8080/dossiers"; the auth routes are mounted under its path.
	BaseURL string
	// Scopes asked for; default openid and profile ("openid" is always added).
	Scopes []string
	// CookieHashKey (HMAC-SHA256, at least 32 bytes) and CookieBlockKey (AES-256, exactly 32
	// bytes) protect the session cookie. Every replica must use the same keys, or a session made
	// by one is refused by another.
	CookieHashKey, CookieBlockKey []byte
	// SessionLifetime is how long a page session lasts; default DefaultSessionLifetime, at most
	// seven days.
	SessionLifetime time.Duration
	// InsecureHTTP allows cookies without Secure, for local development over plain HTTP only.
	InsecureHTTP bool
	// Ended records logouts for every replica to see (NewEndedSessions).
	Ended EndedSessions
	// AuthURL, TokenURL and EndSessionURL override identity's endpoints; those left empty are
	// discovered from Issuer+"/.well-known/openid-configuration" on the first sign-in (and again
	// on the next one if that failed). JWKSURL defaults to Issuer+"/keys".
	AuthURL, TokenURL, EndSessionURL, JWKSURL string
	// HTTPClient calls identity (discovery, token, keys); default a traced client with a 10 s
	// timeout.
	HTTPClient *http.Client
	// Logger receives sign-in failures and logouts (never tokens or cookie values); default the
	// request context's logger (telemetry.Logger).
	Logger *slog.Logger
	// Shell, when set, renders the error pages of the sign-in flow in the platform layout;
	// otherwise they are a plain page.
	Shell *web.Shell
}

// Web signs people in to a service's HTML pages through identity and keeps them signed in with
// the service's own session cookie. Build one per process with NewWeb; it is safe for concurrent
// use.
type Web struct {
	cfg        WebConfig
	base       string // BaseURL without trailing slash
	prefix     string // BaseURL's path, "" or "/dossiers"
	cookiePath string
	sessions   *securecookie.SecureCookie
	logins     *securecookie.SecureCookie
	keys       *keySet
	idTokens   *oidc.IDTokenVerifier
	client     *http.Client
	now        func() time.Time

	mu        sync.Mutex
	endpoints *endpoints // nil until configured or discovered
}

// endpoints are identity's URLs the browser and we are sent to.
type endpoints struct {
	auth, token, endSession string
}

// NewWeb checks cfg and returns a Web. It makes no network call; see WebConfig for when identity
// is first contacted.
func NewWeb(_ context.Context, cfg WebConfig) (*Web, error) {
	if err := checkIssuer("WebConfig.Issuer", cfg.Issuer); err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.ClientID) == "" {
		return nil, errors.New("auth: WebConfig.ClientID is required: the service's OIDC client id at identity")
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" ||
		base.RawQuery != "" || base.Fragment != "" {
		return nil, fmt.Errorf("auth: WebConfig.BaseURL %q must be an absolute http(s) URL without query, e.g. http://localhost:8080/dossiers", cfg.BaseURL)
	}
	if base.Scheme == "http" && !cfg.InsecureHTTP {
		return nil, fmt.Errorf("auth: WebConfig.BaseURL %q is plain http, where browsers drop Secure cookies; use https or set InsecureHTTP for local development", cfg.BaseURL)
	}
	prefix := strings.TrimSuffix(base.EscapedPath(), "/")
	if len(cfg.CookieHashKey) < 32 {
		return nil, fmt.Errorf("auth: WebConfig.CookieHashKey has %d bytes; it needs at least 32 random bytes, the same on every replica", len(cfg.CookieHashKey))
	}
	if len(cfg.CookieBlockKey) != 32 {
		return nil, fmt.Errorf("auth: WebConfig.CookieBlockKey has %d bytes; it needs exactly 32 random bytes (AES-256), the same on every replica", len(cfg.CookieBlockKey))
	}
	if cfg.Ended == nil {
		return nil, errors.New("auth: WebConfig.Ended is required (NewEndedSessions): without it a logout on one replica would not end the session on the others")
	}
	switch {
	case cfg.SessionLifetime == 0:
		cfg.SessionLifetime = DefaultSessionLifetime
	case cfg.SessionLifetime < time.Minute || cfg.SessionLifetime > maxSessionLifetime:
		return nil, fmt.Errorf("auth: WebConfig.SessionLifetime %s must be between 1m and %s", cfg.SessionLifetime, maxSessionLifetime)
	}
	for field, u := range map[string]string{"AuthURL": cfg.AuthURL, "TokenURL": cfg.TokenURL, "EndSessionURL": cfg.EndSessionURL} {
		if p, err := url.Parse(u); u != "" && (err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "") {
			return nil, fmt.Errorf("auth: WebConfig.%s %q must be an absolute http(s) URL", field, u)
		}
	}
	jwks, err := jwksURL("WebConfig.JWKSURL", cfg.JWKSURL, cfg.Issuer)
	if err != nil {
		return nil, err
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{oidc.ScopeOpenID, "profile"}
	} else if !slices.Contains(cfg.Scopes, oidc.ScopeOpenID) {
		cfg.Scopes = append([]string{oidc.ScopeOpenID}, cfg.Scopes...)
	}

	w := &Web{
		cfg:        cfg,
		base:       strings.TrimSuffix(cfg.BaseURL, "/"),
		prefix:     prefix,
		cookiePath: prefix,
		sessions:   newCodec(cfg.CookieHashKey, cfg.CookieBlockKey, cfg.SessionLifetime),
		logins:     newCodec(cfg.CookieHashKey, cfg.CookieBlockKey, loginLifetime),
		client:     httpClient(cfg.HTTPClient),
		now:        time.Now,
	}
	if w.cookiePath == "" {
		w.cookiePath = "/"
	}
	w.keys = newKeySet(jwks, w.client, w.clock)
	w.idTokens = oidc.NewVerifier(cfg.Issuer, w.keys, &oidc.Config{
		ClientID:             cfg.ClientID,
		SupportedSigningAlgs: algorithmNames(),
		Now:                  w.clock,
	})
	if cfg.AuthURL != "" && cfg.TokenURL != "" && cfg.EndSessionURL != "" {
		w.endpoints = &endpoints{auth: cfg.AuthURL, token: cfg.TokenURL, endSession: cfg.EndSessionURL}
	}
	return w, nil
}

func (w *Web) clock() time.Time { return w.now() }

// RedirectURL is the redirect_uri to register for the service's client at identity.
func (w *Web) RedirectURL() string { return w.base + callbackPath }

// BackchannelLogoutURL is the backchannel_logout_uri to register at identity.
func (w *Web) BackchannelLogoutURL() string { return w.base + backchannelPath }

// PostLogoutRedirectURL is the post_logout_redirect_uri to register at identity: the service's
// home page.
func (w *Web) PostLogoutRedirectURL() string { return w.base + "/" }

// LoginURL is the service's sign-in route, returning to next (a path under the prefix) after.
func (w *Web) LoginURL(next string) string {
	return w.prefix + loginPath + "?next=" + url.QueryEscape(safeNext(next, w.prefix))
}

// Mount registers the auth routes under the service's prefix on r (the engine, or a group at
// the root: the paths already include the prefix):
//
//	GET  <prefix>/login?next=…            starts a sign-in at identity
//	GET  <prefix>/auth/callback           identity returns here with the code
//	POST <prefix>/logout                  ends the session here and at identity
//	POST <prefix>/auth/backchannel-logout identity tells us a session has ended
//
// r must not run CSRF middleware: identity's back-channel request is server to server and carries
// no CSRF token. Pass the service's CSRF middleware (web.Shell.CSRF) as csrf instead: it then
// guards the logout route only, so another site cannot sign people out.
func (w *Web) Mount(r gin.IRouter, csrf ...gin.HandlerFunc) {
	r.GET(w.prefix+loginPath, w.login)
	r.GET(w.prefix+callbackPath, w.callback)
	r.POST(w.prefix+logoutPath, append(slices.Clone(csrf), w.logout)...)
	r.POST(w.prefix+backchannelPath, w.backchannelLogout)
}

// Session loads the session cookie when there is a valid one that no logout has ended, and then
// puts the person's Claims in the request context (ClaimsFrom) and their name and unit in the
// page shell (web.SetViewer). Without one the request goes on signed out; RequireSignIn decides
// whether that is allowed. Checking for a logout costs one database read per request: it is what
// makes a sign-out elsewhere end this session on every replica at once.
func (w *Web) Session() gin.HandlerFunc {
	return func(c *gin.Context) {
		s, present := w.readSession(c.Request)
		if s == nil {
			if present {
				w.clearSession(c) // tampered, expired or made with old keys: stop sending it
			}
			c.Next()
			return
		}
		ended, err := w.cfg.Ended.Ended(c.Request.Context(), s.SessionID, s.Subject, s.issuedAt())
		if err != nil {
			w.logger(c.Request.Context()).ErrorContext(c.Request.Context(), "auth: cannot check whether the session was ended",
				"error", err.Error())
			w.errorPage(c, http.StatusServiceUnavailable, "web.signin.unchecked.title", "web.signin.unchecked")
			return
		}
		if ended {
			w.clearSession(c)
			c.Next()
			return
		}
		claims := &Claims{
			Subject:   s.Subject,
			Tenant:    s.Tenant,
			Name:      s.Name,
			SessionID: s.SessionID,
			StaffID:   s.StaffID,
			ClientID:  w.cfg.ClientID,
			Roles:     s.Roles,
			Audience:  []string{w.cfg.ClientID},
			Expiry:    s.expiry(),
			IssuedAt:  s.issuedAt(),
		}
		c.Request = c.Request.WithContext(WithClaims(c.Request.Context(), claims))
		web.SetViewer(c, &web.Viewer{Name: s.Name, Tenant: web.Tenant{Slug: s.Tenant}})
		c.Next()
	}
}

// RequireSignIn sends people without a session (mount Session before it) to sign in and back
// to the page they asked for: 303 to <prefix>/login?next=<path>, or for htmx requests 401 with
// HX-Redirect, since htmx would otherwise swap the sign-in page into a fragment of the current
// one. For htmx the page to come back to is the one the browser shows (HX-Current-URL), not the
// fragment's URL.
func (w *Web) RequireSignIn() gin.HandlerFunc {
	return func(c *gin.Context) {
		// A signed-in page shows someone's data and a signed-out answer is a redirect: neither
		// may be kept by a cache (a shared computer at the one-stop shop, a proxy).
		c.Header("Cache-Control", "no-store")
		if _, ok := ClaimsFrom(c.Request.Context()); ok {
			c.Next()
			return
		}
		next := c.Request.URL.RequestURI()
		if c.GetHeader("HX-Request") == "true" {
			if cur, err := url.Parse(c.GetHeader("HX-Current-URL")); err == nil && cur.Path != "" {
				next = cur.RequestURI()
			}
			c.Header("HX-Redirect", w.LoginURL(next))
			c.AbortWithStatus(http.StatusUnauthorized)
			return
		}
		c.Redirect(http.StatusSeeOther, w.LoginURL(next))
		c.Abort()
	}
}

// readSession decodes the session cookie. present reports whether a cookie of that name was
// sent at all. Every cookie of the name is tried: a service mounted at "/" would add its own.
func (w *Web) readSession(r *http.Request) (s *session, present bool) {
	for _, ck := range r.CookiesNamed(sessionCookie) {
		present = true
		var v session
		if err := decodeCookie(w.sessions, sessionCookie, ck.Value, &v); err != nil {
			continue
		}
		if v.Subject == "" || !w.now().Before(v.expiry()) {
			continue
		}
		return &v, true
	}
	return nil, present
}

func (w *Web) clearSession(c *gin.Context) {
	http.SetCookie(c.Writer, w.cookieFor(sessionCookie, "", w.cookiePath, 0))
}

// resolve returns identity's endpoints: those configured, the rest discovered. A failed
// discovery is not remembered, so the next sign-in tries again.
func (w *Web) resolve(ctx context.Context) (*endpoints, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.endpoints != nil {
		return w.endpoints, nil
	}
	ctx, cancel := context.WithTimeout(ctx, defaultHTTPTimeout)
	defer cancel()
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, w.client), w.cfg.Issuer)
	if err != nil {
		if w.cfg.AuthURL != "" && w.cfg.TokenURL != "" {
			// Sign-in needs nothing more; sign-out falls back to the service's home page.
			return &endpoints{auth: w.cfg.AuthURL, token: w.cfg.TokenURL}, nil
		}
		return nil, fmt.Errorf("auth: discover identity's endpoints at %s: %w", w.cfg.Issuer, err)
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := p.Claims(&meta); err != nil {
		return nil, fmt.Errorf("auth: read identity's discovery document: %w", err)
	}
	ep := &endpoints{auth: p.Endpoint().AuthURL, token: p.Endpoint().TokenURL, endSession: meta.EndSession}
	if w.cfg.AuthURL != "" {
		ep.auth = w.cfg.AuthURL
	}
	if w.cfg.TokenURL != "" {
		ep.token = w.cfg.TokenURL
	}
	if w.cfg.EndSessionURL != "" {
		ep.endSession = w.cfg.EndSessionURL
	}
	w.endpoints = ep
	return ep, nil
}

func (w *Web) logger(ctx context.Context) *slog.Logger {
	if w.cfg.Logger != nil {
		return w.cfg.Logger
	}
	return telemetry.Logger(ctx)
}
