package oidcop

import (
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
)

// authRequest adapts a stored authorization request to op.AuthRequest.
type authRequest struct {
	domain.AuthRequest
	audience  []string
	principal *app.Principal // read once per token response, shared by the access and ID token
}

var _ op.AuthRequest = (*authRequest)(nil)

func (a *authRequest) GetID() string          { return a.ID }
func (a *authRequest) GetACR() string         { return "" }
func (a *authRequest) GetAMR() []string       { return a.AMR }
func (a *authRequest) GetAudience() []string  { return a.audience }
func (a *authRequest) GetAuthTime() time.Time { return a.AuthTime }
func (a *authRequest) GetClientID() string    { return a.ClientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.CodeChallenge, Method: oidc.CodeChallengeMethod(a.CodeChallengeMethod)}
}
func (a *authRequest) GetNonce() string                   { return a.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return oidc.ResponseType(a.ResponseType) }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return oidc.ResponseMode(a.ResponseMode) }
func (a *authRequest) GetScopes() []string                { return a.Scopes }
func (a *authRequest) GetState() string                   { return a.State }
func (a *authRequest) GetSubject() string                 { return a.UserID }
func (a *authRequest) Done() bool                         { return a.AuthRequest.Done }

// refreshRequest adapts a refresh token to op.RefreshTokenRequest.
type refreshRequest struct {
	domain.RefreshToken
	principal *app.Principal
}

var _ op.RefreshTokenRequest = (*refreshRequest)(nil)

func (r *refreshRequest) GetAMR() []string            { return r.AMR }
func (r *refreshRequest) GetAudience() []string       { return r.Audience }
func (r *refreshRequest) GetAuthTime() time.Time      { return r.AuthTime }
func (r *refreshRequest) GetClientID() string         { return r.ClientID }
func (r *refreshRequest) GetScopes() []string         { return r.Scopes }
func (r *refreshRequest) GetSubject() string          { return r.UserID }
func (r *refreshRequest) SetCurrentScopes(s []string) { r.Scopes = s }

// clientCredentialsRequest is a client asking for a token for itself.
type clientCredentialsRequest struct {
	client    domain.Client
	principal app.Principal
	scopes    []string
}

var _ op.TokenRequest = (*clientCredentialsRequest)(nil)

func (c *clientCredentialsRequest) GetSubject() string    { return c.client.ID }
func (c *clientCredentialsRequest) GetAudience() []string { return app.Audience(c.client) }
func (c *clientCredentialsRequest) GetScopes() []string   { return c.scopes }

// client adapts a domain client to op.Client.
type client struct {
	domain.Client
	loginURL        func(authRequestID string) string
	idTokenLifetime time.Duration
	devMode         bool
}

var _ op.Client = (*client)(nil)

func (c *client) GetID() string                    { return c.ID }
func (c *client) RedirectURIs() []string           { return c.Client.RedirectURIs }
func (c *client) PostLogoutRedirectURIs() []string { return c.Client.PostLogoutRedirectURIs }

// ApplicationType: confidential clients are web applications; public ones are treated as
// native apps, which may only use loopback http or https redirects.
func (c *client) ApplicationType() op.ApplicationType {
	if c.Type == domain.ClientPublic {
		return op.ApplicationTypeNative
	}
	return op.ApplicationTypeWeb
}

func (c *client) AuthMethod() oidc.AuthMethod {
	if c.Type == domain.ClientPublic {
		return oidc.AuthMethodNone
	}
	return oidc.AuthMethodBasic
}

func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}

func (c *client) GrantTypes() []oidc.GrantType {
	out := make([]oidc.GrantType, 0, len(c.Client.GrantTypes))
	for _, g := range c.Client.GrantTypes {
		switch g {
		case domain.GrantAuthorizationCode:
			out = append(out, oidc.GrantTypeCode)
		case domain.GrantRefreshToken:
			out = append(out, oidc.GrantTypeRefreshToken)
		case domain.GrantClientCredentials:
			out = append(out, oidc.GrantTypeClientCredentials)
		}
	}
	return out
}

func (c *client) LoginURL(id string) string            { return c.loginURL(id) }
func (c *client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeJWT }
func (c *client) IDTokenLifetime() time.Duration       { return c.idTokenLifetime }
func (c *client) DevMode() bool                        { return c.devMode }
func (c *client) IsScopeAllowed(string) bool           { return false }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// signingKey adapts the key ring's key to op.SigningKey.
type signingKey struct {
	id  string
	key any
}

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.ES256 }
func (k signingKey) Key() any                                    { return k.key }
func (k signingKey) ID() string                                  { return k.id }

// publicKey adapts a published key to op.Key.
type publicKey struct {
	id  string
	key any
}

func (k publicKey) ID() string                         { return k.id }
func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.ES256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return k.key }
