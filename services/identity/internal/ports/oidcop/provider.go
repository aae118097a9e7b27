// Package oidcop is identity's OpenID Provider: zitadel/oidc's op runs the protocol (discovery,
// JWKS, authorization code + PKCE, refresh, client credentials, userinfo, revocation,
// end_session); this package gives it storage backed by the app's use cases and answers
// introspection with the token's own claims.
package oidcop

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
)

// Keys is the key ring the provider signs tokens with and publishes in the JWKS; the composition
// root passes adapters.KeyRing.
type Keys interface {
	Signing(ctx context.Context) (*domain.SigningKey, error)
	Published(ctx context.Context) ([]domain.PublicKey, error)
}

// Config is the provider's setting.
type Config struct {
	// Issuer is the absolute URL of identity, with its path prefix: "https://egov.example/auth".
	Issuer string
	// CryptoKey encrypts op's opaque values; 32 bytes, the same on every replica.
	CryptoKey [32]byte
	// DevMode allows a plain-http issuer and plain-http redirect URIs (local stack only).
	DevMode bool
	// Health is asked by op's readiness endpoint.
	Health func(context.Context) error
	// Logger receives op's protocol errors (a client's mistakes are logged at warn).
	Logger *slog.Logger
}

// Provider is the OpenID Provider, mounted under the issuer's path.
type Provider struct {
	op      *op.Provider
	storage *storage
	app     *app.App
	prefix  string
	issuer  string
}

// New builds the provider.
func New(cfg Config, a *app.App, keys Keys) (*Provider, error) {
	u, err := url.Parse(cfg.Issuer)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("oidcop: issuer %q must be an absolute http(s) URL", cfg.Issuer)
	}
	prefix := strings.TrimSuffix(u.Path, "/")
	health := cfg.Health
	if health == nil {
		health = func(context.Context) error { return nil }
	}
	st := &storage{
		app: a, keys: keys, health: health, devMode: cfg.DevMode,
		loginURL: func(id string) string { return prefix + "/login?authRequestID=" + url.QueryEscape(id) },
		logout:   prefix + "/logout",
	}
	opts := []op.Option{op.WithLogger(cfg.Logger)}
	if u.Scheme == "http" {
		opts = append(opts, op.WithAllowInsecure())
	}
	provider, err := op.NewProvider(&op.Config{
		CryptoKey:                         cfg.CryptoKey,
		DefaultLogoutRedirectURI:          prefix + "/logout",
		CodeMethodS256:                    true,
		AuthMethodPost:                    true,
		GrantTypeRefreshToken:             true,
		SupportedUILocales:                []language.Tag{language.Vietnamese, language.English},
		SupportedClaims:                   []string{"sub", "name", "preferred_username", "email", "tenant", "roles", "sid", "staff_id"},
		BackChannelLogoutSupported:        true,
		BackChannelLogoutSessionSupported: true,
	}, st, op.StaticIssuer(strings.TrimSuffix(cfg.Issuer, "/")), opts...)
	if err != nil {
		return nil, fmt.Errorf("oidcop: %w", err)
	}
	return &Provider{op: provider, storage: st, app: a, prefix: prefix, issuer: strings.TrimSuffix(cfg.Issuer, "/")}, nil
}

// CallbackURL is where the browser goes once a sign-in has completed authorization request id:
// op then issues the code to the client.
func (p *Provider) CallbackURL(_ context.Context, id string) string {
	return p.op.AuthorizationEndpoint().Absolute(p.issuer) + "/callback?id=" + url.QueryEscape(id)
}

// maxProtocolBody bounds the OAuth requests: they are a few form fields, so anything bigger is
// refused with 413 before op parses it (op would answer a cut-off form with a misleading 400).
const maxProtocolBody = 64 << 10

func limitBody(c *gin.Context) {
	if c.Request.ContentLength > maxProtocolBody {
		httpapi.RespondError(c, &http.MaxBytesError{Limit: maxProtocolBody})
		c.Abort()
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxProtocolBody)
	c.Next()
}

// Routes registers the protocol's endpoints on r (the service's gin engine), under the issuer's
// path. Listing them keeps them beside the sign-in pages in one router.
func (p *Provider) Routes(r gin.IRouter) {
	h := gin.WrapH(http.StripPrefix(p.prefix, p.op))
	for _, route := range []struct{ methods, path string }{
		{"GET", "/keys"},
		{"GET POST", "/authorize"},
		{"GET", "/authorize/callback"},
		{"POST OPTIONS", "/oauth/token"},
		{"OPTIONS", "/userinfo"},
		{"OPTIONS", "/revoke"},
		{"GET POST", "/end_session"},
	} {
		for _, m := range strings.Fields(route.methods) {
			r.Handle(m, p.prefix+route.path, limitBody, h)
		}
	}
	revoked := p.presentedAccessToken(func(r *http.Request) string {
		if r.PostForm.Get("token_type_hint") == "refresh_token" {
			return ""
		}
		return r.PostForm.Get("token")
	})
	r.POST(p.prefix+"/revoke", limitBody, revoked, h)
	bearer := p.presentedAccessToken(func(r *http.Request) string {
		if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			return t
		}
		return r.PostForm.Get("access_token")
	})
	r.GET(p.prefix+"/userinfo", limitBody, bearer, h)
	r.POST(p.prefix+"/userinfo", limitBody, bearer, h)
	// op's verifiers read the issuer from the request context, which its own router sets.
	issuer := op.NewIssuerInterceptor(p.op.IssuerFromRequest)
	r.POST(p.prefix+"/oauth/introspect", limitBody, gin.WrapF(issuer.HandlerFunc(p.introspect)))
	r.GET(p.prefix+"/.well-known/openid-configuration", gin.WrapF(issuer.HandlerFunc(p.discovery)))
}

// presentedAccessToken reads, before op handles a request, the claims of the access token the
// request presents (tokenOf; when it is one of ours). op passes the storage only the token's id
// and subject, and the storage needs more: RevokeToken the client it was issued to (RFC 7009
// §2.1), SetUserinfoFromToken its session.
func (p *Provider) presentedAccessToken(tokenOf func(*http.Request) string) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := c.Request
		if err := r.ParseForm(); err != nil {
			c.Next() // op parses it again and answers the error
			return
		}
		token := tokenOf(r)
		if strings.Count(token, ".") != 2 {
			c.Next()
			return
		}
		ctx := op.ContextWithIssuer(r.Context(), p.op.IssuerFromRequest(r))
		claims, err := op.VerifyAccessToken[*oidc.AccessTokenClaims](ctx, token, p.op.AccessTokenVerifier(ctx))
		if err == nil {
			c.Request = r.WithContext(context.WithValue(r.Context(), presentedTokenKey{}, claims))
		}
		c.Next()
	}
}

type presentedTokenKey struct{}

// presentedTokenClaims returns the claims presentedAccessToken read for the token with id jti.
func presentedTokenClaims(ctx context.Context, jti string) (*oidc.AccessTokenClaims, bool) {
	c, ok := ctx.Value(presentedTokenKey{}).(*oidc.AccessTokenClaims)
	return c, ok && c.JWTID == jti
}

// discovery publishes op's discovery document cut down to what identity really serves. op
// lists, whatever the storage offers, a device endpoint (not routed), the implicit grant and
// id_token response types (clients are registered for "code" only), the JWT-bearer grant and
// private_key_jwt client authentication with RS256 (the storage refuses both); a client that
// believed them would fail later and more obscurely.
func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	d := op.CreateDiscoveryConfig(r.Context(), p.op, p.storage)
	d.DeviceAuthorizationEndpoint = ""
	d.CheckSessionIframe = ""
	d.ResponseTypesSupported = []string{string(oidc.ResponseTypeCode)}
	d.GrantTypesSupported = []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken, oidc.GrantTypeClientCredentials}
	secrets := []oidc.AuthMethod{oidc.AuthMethodBasic, oidc.AuthMethodPost}
	d.TokenEndpointAuthMethodsSupported = append([]oidc.AuthMethod{oidc.AuthMethodNone}, secrets...)
	d.RevocationEndpointAuthMethodsSupported = append([]oidc.AuthMethod{oidc.AuthMethodNone}, secrets...)
	d.IntrospectionEndpointAuthMethodsSupported = secrets
	d.TokenEndpointAuthSigningAlgValuesSupported = nil
	d.IntrospectionEndpointAuthSigningAlgValuesSupported = nil
	d.RevocationEndpointAuthSigningAlgValuesSupported = nil
	d.RequestObjectSigningAlgValuesSupported = nil
	d.RequestParameterSupported = false
	op.Discover(w, d)
}
