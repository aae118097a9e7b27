package oidcop

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
)

// storage is op.Storage over the app's use cases: zitadel/oidc runs the protocol, the app keeps
// the state and decides who gets what.
type storage struct {
	app      *app.App
	keys     Keys
	health   func(context.Context) error
	loginURL func(authRequestID string) string
	logout   string // where end_session without an id_token_hint sends the browser
	devMode  bool
}

var (
	_ op.Storage                        = (*storage)(nil)
	_ op.ClientCredentialsStorage       = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest      = (*storage)(nil)
	_ op.CanGetPrivateClaimsFromRequest = (*storage)(nil)
	_ op.CanTerminateSessionFromRequest = (*storage)(nil)
)

// oidcError turns an app error into the OAuth error a client can act on.
func oidcError(err error) error {
	if err == nil {
		return nil
	}
	var oe *oidc.Error
	if errors.As(err, &oe) {
		return err
	}
	e := apperr.As(err)
	if e == nil {
		return oidc.ErrServerError().WithParent(err)
	}
	msg := e.Message
	if len(e.Fields) > 0 {
		msg = e.Fields[0].Field + ": " + e.Fields[0].Reason
	}
	switch e.Kind {
	case apperr.KindInvalid, apperr.KindMalformed:
		return oidc.ErrInvalidRequest().WithDescription("%s", msg).WithParent(err)
	case apperr.KindNotFound, apperr.KindUnauthenticated, apperr.KindConflict:
		return oidc.ErrInvalidGrant().WithDescription("%s", msg).WithParent(err)
	case apperr.KindForbidden:
		return oidc.ErrAccessDenied().WithDescription("%s", msg).WithParent(err)
	}
	return oidc.ErrServerError().WithParent(err)
}

// ---- authorization requests

func (s *storage) CreateAuthRequest(ctx context.Context, r *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	a := domain.AuthRequest{
		ClientID: r.ClientID, RedirectURI: r.RedirectURI, State: r.State, Nonce: r.Nonce, Scopes: r.Scopes,
		ResponseType: string(r.ResponseType), ResponseMode: string(r.ResponseMode), CodeChallenge: r.CodeChallenge,
		CodeChallengeMethod: string(r.CodeChallengeMethod), Prompt: r.Prompt, LoginHint: r.LoginHint,
	}
	if r.MaxAge != nil {
		v := int64(*r.MaxAge)
		a.MaxAgeSeconds = &v
	}
	for _, l := range r.UILocales {
		a.UILocales = append(a.UILocales, l.String())
	}
	a, err := s.app.NewAuthRequest(ctx, a)
	if err != nil {
		return nil, oidcError(err)
	}
	return s.wrap(ctx, a)
}

func (s *storage) wrap(ctx context.Context, a domain.AuthRequest) (op.AuthRequest, error) {
	c, err := s.app.Client(ctx, a.ClientID)
	if err != nil {
		return nil, oidcError(err)
	}
	return &authRequest{AuthRequest: a, audience: app.Audience(c)}, nil
}

func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	a, err := s.app.AuthRequest(ctx, id)
	if err != nil {
		return nil, oidcError(err)
	}
	return s.wrap(ctx, a)
}

func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	a, err := s.app.AuthRequestByCode(ctx, code)
	if err != nil {
		return nil, oidcError(err)
	}
	return s.wrap(ctx, a)
}

func (s *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	return oidcError(s.app.SaveAuthCode(ctx, id, code))
}

func (s *storage) DeleteAuthRequest(ctx context.Context, id string) error {
	return oidcError(s.app.DeleteAuthRequest(ctx, id))
}

// ---- tokens

func (s *storage) accessTokenID() (string, time.Time) {
	return uuid.NewString(), s.app.Now().Add(s.app.Config().AccessTokenLifetime)
}

// CreateAccessToken: access tokens are self-contained JWTs, so nothing is stored per token;
// a revoked one is listed by its id until it expires.
func (s *storage) CreateAccessToken(context.Context, op.TokenRequest) (string, time.Time, error) {
	id, exp := s.accessTokenID()
	return id, exp, nil
}

func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, r op.TokenRequest, current string) (string, string, time.Time, error) {
	id, exp := s.accessTokenID()
	if current != "" {
		req, ok := r.(*refreshRequest)
		if !ok {
			return "", "", time.Time{}, oidc.ErrInvalidGrant()
		}
		next, _, err := s.app.RotateRefreshToken(ctx, current, req.RefreshToken, req.Scopes, id)
		if err != nil {
			return "", "", time.Time{}, oidcError(err)
		}
		return id, next, exp, nil
	}
	a, ok := r.(*authRequest)
	if !ok {
		return "", "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("refresh tokens come only from the authorization code flow")
	}
	value, err := s.app.IssueRefreshToken(ctx, app.Grant{ClientID: a.ClientID, UserID: a.UserID, SessionID: a.SessionID,
		Scopes: a.Scopes, Audience: a.audience, AMR: a.AMR, AuthTime: a.AuthTime, AccessTokenID: id})
	if err != nil {
		return "", "", time.Time{}, oidcError(err)
	}
	return id, value, exp, nil
}

func (s *storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	t, err := s.app.RefreshToken(ctx, token)
	if err != nil {
		return nil, oidcError(err)
	}
	return &refreshRequest{RefreshToken: t}, nil
}

// TerminateSession is end_session without a session id: the client's refresh tokens for the
// person are revoked.
func (s *storage) TerminateSession(ctx context.Context, userID, clientID string) error {
	return oidcError(s.app.EndClientSessions(ctx, userID, clientID))
}

// TerminateSessionFromRequest ends the single sign-on session named by the id_token_hint's sid,
// which signs the person out of every service (back-channel logout). Without a hint nobody can
// tell which session is meant, so the browser goes to identity's own sign-out page, which knows
// its session from the cookie.
func (s *storage) TerminateSessionFromRequest(ctx context.Context, r *op.EndSessionRequest) (string, error) {
	if r.IDTokenHintClaims == nil || r.IDTokenHintClaims.SessionID == "" {
		return s.logout, nil
	}
	err := s.app.SignOut(ctx, r.IDTokenHintClaims.SessionID, r.UserID, "")
	if err != nil && apperr.KindOf(err) != apperr.KindNotFound {
		return "", oidcError(err)
	}
	return r.RedirectURI, nil
}

// refreshTokenPrefix marks, between GetRefreshTokenInfo and RevokeToken, a refresh token value
// apart from an access token's id.
const refreshTokenPrefix = "refresh:"

func (s *storage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	t, err := s.app.RefreshToken(ctx, token)
	if err != nil || t.ClientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	return t.UserID, refreshTokenPrefix + token, nil
}

func (s *storage) RevokeToken(ctx context.Context, tokenOrID, _, clientID string) *oidc.Error {
	var err error
	if value, ok := strings.CutPrefix(tokenOrID, refreshTokenPrefix); ok {
		err = s.app.RevokeRefreshToken(ctx, value, clientID)
	} else if claims, ok := presentedTokenClaims(ctx, tokenOrID); ok {
		// One of our access tokens, verified: only the client it was issued to may revoke it
		// (RFC 7009 §2.1), and its id is listed until it expires.
		if claims.ClientID != clientID {
			err = apperr.Forbidden("the token was not issued to this client")
		} else {
			err = s.app.RevokeAccessToken(ctx, claims.JWTID, claims.Expiration.AsTime())
		}
	} else {
		// A used or unknown refresh token, or garbage (a bare "jti" among it: revoking by id
		// alone would let anyone who saw a token's id revoke it): RFC 7009 §2.2 answers 200
		// all the same.
		err = s.app.RevokeRefreshToken(ctx, tokenOrID, clientID)
	}
	if err != nil {
		if apperr.KindOf(err) == apperr.KindForbidden {
			return oidc.ErrInvalidClient().WithDescription("the token was not issued to this client")
		}
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

// ---- keys

func (s *storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	k, err := s.keys.Signing(ctx)
	if err != nil {
		return nil, err
	}
	return signingKey{id: k.ID, key: k.PrivateKey}, nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.ES256}, nil
}

func (s *storage) KeySet(ctx context.Context) ([]op.Key, error) {
	keys, err := s.keys.Published(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]op.Key, len(keys))
	for i, k := range keys {
		out[i] = publicKey{id: k.ID, key: k.PublicKey}
	}
	return out, nil
}

// ---- clients

func (s *storage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.app.Client(ctx, id)
	if err != nil {
		if apperr.KindOf(err) == apperr.KindNotFound {
			return nil, oidc.ErrInvalidClient().WithDescription("unknown client_id %q", id)
		}
		return nil, oidcError(err)
	}
	return &client{Client: c, loginURL: s.loginURL, idTokenLifetime: s.app.Config().IDTokenLifetime, devMode: s.devMode}, nil
}

func (s *storage) AuthorizeClientIDSecret(ctx context.Context, id, secret string) error {
	_, err := s.app.AuthenticateClient(ctx, id, secret)
	if err != nil {
		return oidc.ErrInvalidClient().WithDescription("unknown client or wrong secret")
	}
	return nil
}

func (s *storage) ClientCredentials(ctx context.Context, id, secret string) (op.Client, error) {
	c, err := s.app.AuthenticateClient(ctx, id, secret)
	if err != nil {
		return nil, oidc.ErrInvalidClient().WithDescription("unknown client or wrong secret")
	}
	if !c.AllowsGrant(domain.GrantClientCredentials) {
		return nil, oidc.ErrUnauthorizedClient().WithDescription("client %q may not use client_credentials", id)
	}
	return &client{Client: c, loginURL: s.loginURL, idTokenLifetime: s.app.Config().IDTokenLifetime, devMode: s.devMode}, nil
}

func (s *storage) ClientCredentialsTokenRequest(ctx context.Context, id string, scopes []string) (op.TokenRequest, error) {
	c, err := s.app.Client(ctx, id)
	if err != nil {
		return nil, oidcError(err)
	}
	p, err := s.app.ClientPrincipal(ctx, c)
	if err != nil {
		return nil, oidcError(err)
	}
	return &clientCredentialsRequest{client: c, principal: p, scopes: scopes}, nil
}

// ---- claims

// principalClaims are the platform's claims on every token: who, which tenant, which roles.
func principalClaims(p app.Principal) map[string]any {
	claims := map[string]any{"name": p.Name, "roles": p.Roles, "tenant": p.Tenant.Slug}
	if p.Roles == nil {
		claims["roles"] = []string{}
	}
	if p.StaffID != "" {
		claims["staff_id"] = p.StaffID
	}
	return claims
}

// GetPrivateClaimsFromRequest adds tenant, roles, name (and sid for a person) to access tokens.
func (s *storage) GetPrivateClaimsFromRequest(ctx context.Context, r op.TokenRequest, _ []string) (map[string]any, error) {
	switch req := r.(type) {
	case *clientCredentialsRequest:
		return principalClaims(req.principal), nil
	}
	p, sid, err := s.principalOf(ctx, r)
	if err != nil {
		return nil, oidcError(err)
	}
	claims := principalClaims(p)
	if sid != "" {
		claims["sid"] = sid
	}
	return claims, nil
}

// principalOf reads the person a request is for, once per token response: the access token's
// claims and the ID token's are built from the same request object.
func (s *storage) principalOf(ctx context.Context, r interface{ GetSubject() string }) (app.Principal, string, error) {
	var slot **app.Principal
	var sid string
	switch req := r.(type) {
	case *authRequest:
		slot, sid = &req.principal, req.SessionID
	case *refreshRequest:
		slot, sid = &req.principal, req.SessionID
	}
	if slot != nil && *slot != nil {
		return **slot, sid, nil
	}
	p, err := s.app.UserPrincipal(ctx, r.GetSubject())
	if err == nil && slot != nil {
		*slot = &p
	}
	return p, sid, err
}

func (s *storage) GetPrivateClaimsFromScopes(ctx context.Context, userID, _ string, _ []string) (map[string]any, error) {
	p, err := s.app.UserPrincipal(ctx, userID)
	if err != nil {
		return nil, oidcError(err)
	}
	return principalClaims(p), nil
}

// SetUserinfoFromScopes sets only the subject: op calls SetUserinfoFromRequest right after it,
// which has the request and so reads the person once for both tokens.
func (s *storage) SetUserinfoFromScopes(_ context.Context, info *oidc.UserInfo, userID, _ string, _ []string) error {
	info.Subject = userID
	return nil
}

func setUserinfo(info *oidc.UserInfo, p app.Principal, scopes []string) {
	info.Subject = p.Subject
	if slices.Contains(scopes, oidc.ScopeProfile) {
		info.Name = p.Name
		info.PreferredUsername = p.Username
		info.Locale = oidc.NewLocale(language.Vietnamese)
	}
	if slices.Contains(scopes, oidc.ScopeEmail) && p.Email != "" {
		info.Email = p.Email
	}
	info.AppendClaims("tenant", p.Tenant.Slug)
	info.AppendClaims("roles", rolesOrEmpty(p.Roles))
}

func rolesOrEmpty(r []string) []string {
	if r == nil {
		return []string{}
	}
	return r
}

// SetUserinfoFromRequest puts name, tenant, roles and the session id into the ID token: the
// relying parties' pages need them without a userinfo call, and back-channel logout names the
// session by that sid.
func (s *storage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, r op.IDTokenRequest, scopes []string) error {
	p, sid, err := s.principalOf(ctx, r)
	if err != nil {
		return oidcError(err)
	}
	setUserinfo(info, p, scopes)
	info.AppendClaims("name", p.Name)
	if sid != "" {
		info.AppendClaims("sid", sid)
	}
	return nil
}

// SetUserinfoFromToken answers the userinfo endpoint for a valid access token still in force:
// not revoked, and of a sign-in session that has not ended (its sid, from the claims the route
// read; introspection answers alike).
func (s *storage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	var sid string
	if claims, ok := presentedTokenClaims(ctx, tokenID); ok {
		sid, _ = claims.Claims["sid"].(string)
	}
	active, err := s.app.AccessTokenActive(ctx, tokenID, sid)
	if err != nil {
		return err
	}
	if !active {
		return oidc.ErrInvalidRequest().WithDescription("the access token was revoked, or its sign-in session has ended")
	}
	p, err := s.app.UserPrincipal(ctx, subject)
	if apperr.KindOf(err) == apperr.KindNotFound {
		c, cerr := s.app.Client(ctx, subject) // a client-credentials token
		if cerr != nil {
			return oidcError(err)
		}
		if p, err = s.app.ClientPrincipal(ctx, c); err != nil {
			return oidcError(err)
		}
	} else if err != nil {
		return oidcError(err)
	}
	setUserinfo(info, p, []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail})
	return nil
}

// SetIntrospectionFromToken is op's introspection path; identity answers introspection itself
// (introspect.go) because it needs the token's own claims, which op does not pass here.
func (s *storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, _ string) error {
	info := new(oidc.UserInfo)
	if err := s.SetUserinfoFromToken(ctx, info, tokenID, subject, ""); err != nil {
		return err
	}
	resp.SetUserInfo(info)
	return nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, oidc.ErrUnauthorizedClient().WithDescription("JWT profile client authentication is not offered")
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, oidc.ErrUnauthorizedClient().WithDescription("the JWT profile grant is not offered")
}

func (s *storage) Health(ctx context.Context) error { return s.health(ctx) }
