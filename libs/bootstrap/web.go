package bootstrap

import (
	"context"
	"fmt"
	"io/fs"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/config"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/idempotency"
	"egov.vn/platform/libs/web"
)

// WebOptions say what a relying-party service shows.
type WebOptions struct {
	// Title is the service's name as staff know it, in the header and the browser tab: "Một cửa".
	Title string
	// Pages are the service's page templates (the folder holding the *.html files).
	Pages fs.FS
	// Messages is the pages' catalogue in every language (web.Config.Messages).
	Messages web.Catalogue
}

// Web is what every relying-party service (all but identity) builds the same way from its
// configuration: its path prefix, its page keys, the page shell and its connection to identity
// (API verifier, pages' sign-in, client-credentials client, tenant tree).
type Web struct {
	// Prefix is the path the service is mounted under, from PUBLIC_BASE_URL: "/dossiers".
	Prefix string
	// BaseURL is PUBLIC_BASE_URL without its trailing slash.
	BaseURL string
	Keys    auth.Keys
	Shell   *web.Shell
	Auth    *auth.Service
	// Idempotency guards the API's and the signed-in pages' changes: a retry with the same
	// Idempotency-Key (or form field idempotency_key) gets the first answer. A service registers
	// how to answer again a change whose answer was lost (Rederive).
	Idempotency *idempotency.Guard
}

// NewWeb builds the service's Web. Nothing is fetched from identity yet, so a service starts
// while identity is still starting.
func NewWeb(ctx context.Context, name string, common config.Common, sc auth.ServiceConfig, d Deps, o WebOptions) (*Web, error) {
	u, err := url.Parse(common.PublicBaseURL)
	if err != nil {
		return nil, fmt.Errorf("%s: PUBLIC_BASE_URL: %w", name, err)
	}
	w := &Web{Prefix: strings.TrimSuffix(u.Path, "/"), BaseURL: strings.TrimSuffix(common.PublicBaseURL, "/")}
	if w.Keys, err = sc.Keys(name); err != nil {
		return nil, err
	}
	if w.Shell, err = NewShell(w.Prefix, w.Keys.Flash, u.Scheme == "http", d, o); err != nil {
		return nil, fmt.Errorf("%s: pages: %w", name, err)
	}
	w.Idempotency = idempotency.New(d.DB, idempotency.Options{Caller: Caller, Now: d.Now, Logger: d.Log})
	w.Auth, err = auth.NewService(ctx, sc, auth.ServiceOptions{Name: name, PublicBaseURL: w.BaseURL, DB: d.DB, Shell: w.Shell,
		Keys: w.Keys, HTTPClient: d.HTTPClient})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// NewShell is the one construction of a service's page shell: its own sign-in and sign-out under
// its prefix. identity, which is the sign-in, builds its shell with it too.
func NewShell(prefix string, flashKey []byte, insecureHTTP bool, d Deps, o WebOptions) (*web.Shell, error) {
	return web.New(web.Config{Service: o.Title, Prefix: prefix, Pages: o.Pages, Messages: o.Messages, FlashKey: flashKey, InsecureHTTP: insecureHTTP,
		LoginURL: prefix + "/login", LogoutURL: prefix + "/logout", Logger: d.Log})
}

// Caller names the verified caller for idempotency keys: the token's tenant and subject (none
// before auth.Middleware or the pages' session has verified one).
func Caller(c *gin.Context) (tenant, subject string) {
	claims, ok := auth.ClaimsFrom(c.Request.Context())
	if !ok {
		return "", ""
	}
	return claims.Tenant, claims.Subject
}

// API mounts nothing; it returns the service's API group (<prefix>/api/v1) behind the bearer
// token check, with the actor and its tenant scope set by scope (the app's Scope rule), and its
// changes guarded by Idempotency-Key.
func (w *Web) API(e *gin.Engine, scope auth.ScopeFunc) *gin.RouterGroup {
	return e.Group(w.Prefix+"/api/v1", auth.Middleware(w.Auth.Verifier), auth.RequireActor(scope, httpapi.RespondError),
		w.Idempotency.API(httpapi.RespondError))
}

// Operator returns the service's API group for platform calls that act for no person and no
// unit (provisioning, by the operator's client): bearer token checked, no actor scope, changes
// guarded by Idempotency-Key.
func (w *Web) Operator(e *gin.Engine) *gin.RouterGroup {
	return e.Group(w.Prefix+"/api/v1", auth.Middleware(w.Auth.Verifier), w.Idempotency.API(httpapi.RespondError))
}

// Pages mounts the shell's static files and the sign-in routes (login, callback, logout,
// back-channel logout) on e, and returns the group of signed-in pages under the prefix: session
// checked (a person not signed in is sent to sign in), CSRF-protected, the actor and its scope set
// by scope, form posts guarded by their idempotency_key field (after CSRF, which has parsed the
// form). Errors there are answered with the shell's error page.
func (w *Web) Pages(e *gin.Engine, scope auth.ScopeFunc) *gin.RouterGroup {
	w.Shell.Mount(e)
	w.Auth.Web.Mount(e, w.Shell.CSRF())
	return e.Group(w.Prefix, w.Auth.Web.Session(), w.Auth.Web.RequireSignIn(), w.Shell.CSRF(),
		auth.RequireActor(scope, w.Shell.Fail), w.Idempotency.Pages(w.Shell.Fail))
}

// Public returns the group of pages anyone may open (a citizen's lookup): CSRF-protected, with
// the session read when there is one but not required. Call Pages first: it mounts the shell.
func (w *Web) Public(e *gin.Engine) *gin.RouterGroup {
	return e.Group(w.Prefix, w.Auth.Web.Session(), w.Shell.CSRF())
}
