package oidcop

import (
	"context"
	"net/http"
	"slices"

	httphelper "github.com/zitadel/oidc/v3/pkg/http"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// introspect answers RFC 7662 introspection. A JWT access token is verified with op's own
// verifier and its claims returned as they were issued (op's path would rebuild them from the
// user instead); it is inactive once revoked or once its sign-in session has ended. A client
// learns only about tokens meant for it (its own, or addressed to it).
func (p *Provider) introspect(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	clientID, authenticated, err := op.ClientIDFromRequest(r, p.op)
	if err != nil || !authenticated {
		w.Header().Set("WWW-Authenticate", `Basic realm="identity"`)
		op.RequestError(w, r, oidc.ErrInvalidClient().WithDescription("introspection needs client authentication (HTTP Basic with client_id and secret)"), p.op.Logger())
		return
	}
	token := r.PostForm.Get("token")
	if token == "" {
		op.RequestError(w, r, oidc.ErrInvalidRequest().WithDescription("the token parameter is missing"), p.op.Logger())
		return
	}
	ctx := r.Context()
	resp := &oidc.IntrospectionResponse{}
	if r.PostForm.Get("token_type_hint") != "refresh_token" {
		claims, err := op.VerifyAccessToken[*oidc.AccessTokenClaims](ctx, token, p.op.AccessTokenVerifier(ctx))
		if err == nil {
			sid, _ := claims.Claims["sid"].(string)
			active, aerr := p.app.AccessTokenActive(ctx, claims.JWTID, sid)
			if aerr == nil && active && (claims.ClientID == clientID || slices.Contains(claims.Audience, clientID)) {
				resp.Active = true
				resp.Scope = claims.Scopes
				resp.ClientID = claims.ClientID
				resp.TokenType = oidc.BearerToken
				resp.Expiration = claims.Expiration
				resp.IssuedAt = claims.IssuedAt
				resp.NotBefore = claims.NotBefore
				resp.Subject = claims.Subject
				resp.Audience = claims.Audience
				resp.Issuer = claims.Issuer
				resp.JWTID = claims.JWTID
				resp.Claims = claims.Claims
			}
			httphelper.MarshalJSON(w, resp)
			return
		}
	}
	t, active, err := p.app.InspectRefreshToken(ctx, token)
	if err == nil && active && t.ClientID == clientID {
		resp.Active = true
		resp.Scope = t.Scopes
		resp.ClientID = t.ClientID
		resp.TokenType = "refresh_token"
		resp.Expiration = oidc.FromTime(t.ExpiresAt)
		resp.IssuedAt = oidc.FromTime(t.CreatedAt)
		resp.Subject = t.UserID
		resp.Audience = t.Audience
		resp.Issuer = p.issuer
	}
	httphelper.MarshalJSON(w, resp)
}

// Active answers, for identity's own admin API, what introspection would: whether a token is
// ours, not revoked (by itself or with its refresh-token family) and of a living session. It is
// the admin API verifier's auth.Introspector, without an HTTP round trip.
func (p *Provider) Active(ctx context.Context, raw string) (bool, error) {
	ctx = op.ContextWithIssuer(ctx, p.issuer)
	claims, err := op.VerifyAccessToken[*oidc.AccessTokenClaims](ctx, raw, p.op.AccessTokenVerifier(ctx))
	if err != nil {
		return false, nil
	}
	sid, _ := claims.Claims["sid"].(string)
	return p.app.AccessTokenActive(ctx, claims.JWTID, sid)
}
