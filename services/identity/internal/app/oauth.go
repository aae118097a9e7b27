package app

import (
	"context"
	"errors"
	"slices"
	"time"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/services/identity/internal/domain"
)

// ErrRefreshReused is a refresh token presented again after it was rotated: someone holds a
// copy, so its whole family has been revoked.
var ErrRefreshReused = apperr.Unauthenticated("the refresh token was already used; every token of its sign-in has been revoked")

// Client returns an enabled client.
func (s *App) Client(ctx context.Context, id string) (domain.Client, error) {
	now := s.Now()
	c, ok := s.clients.get(id, now)
	if !ok {
		var err error
		if c, err = s.store.ClientByID(ctx, id); err != nil {
			return c, err
		}
		s.clients.put(c, now)
	}
	if c.Disabled {
		return domain.Client{}, apperr.NotFound("client", id)
	}
	return c, nil
}

// AuthenticateClient checks a client's secret.
func (s *App) AuthenticateClient(ctx context.Context, id, secret string) (domain.Client, error) {
	c, err := s.Client(ctx, id)
	if err != nil {
		return c, apperr.Unauthenticated("unknown client or wrong secret")
	}
	if c.Type != domain.ClientConfidential || c.SecretHash == "" || !s.secrets.Matches(secret, c.SecretHash) {
		return domain.Client{}, apperr.Unauthenticated("unknown client or wrong secret")
	}
	return c, nil
}

// NewAuthRequest stores an authorization request. Public clients must send a PKCE challenge.
func (s *App) NewAuthRequest(ctx context.Context, a domain.AuthRequest) (domain.AuthRequest, error) {
	c, err := s.Client(ctx, a.ClientID)
	if err != nil {
		return a, err
	}
	if c.Type == domain.ClientPublic && a.CodeChallenge == "" {
		return a, apperr.Invalid("code_challenge", "PKCE (code_challenge with S256) is required for public clients")
	}
	// RFC 7636 lets a missing method mean "plain", which sends the verifier itself through the
	// browser; discovery and the README promise S256 only, so anything else is refused.
	if a.CodeChallenge != "" && a.CodeChallengeMethod != "S256" {
		return a, apperr.Invalid("code_challenge_method", "only S256 is accepted (plain is refused)")
	}
	a.ID = newID()
	a.CreatedAt = s.Now()
	return a, s.store.SaveAuthRequest(ctx, a)
}

// AuthRequest returns an authorization request that has not expired.
func (s *App) AuthRequest(ctx context.Context, id string) (domain.AuthRequest, error) {
	return s.store.AuthRequestByID(ctx, id, s.Now().Add(-s.cfg.AuthRequestLifetime))
}

// AuthRequestByCode returns the request a code was issued for.
func (s *App) AuthRequestByCode(ctx context.Context, code string) (domain.AuthRequest, error) {
	return s.store.AuthRequestByCodeHash(ctx, s.secrets.Hash(code), s.Now().Add(-s.cfg.AuthRequestLifetime))
}

// SaveAuthCode stores the hash of the code issued for request id.
func (s *App) SaveAuthCode(ctx context.Context, id, code string) error {
	return s.store.SaveAuthCode(ctx, id, s.secrets.Hash(code))
}

// DeleteAuthRequest forgets a request whose code was exchanged: a code works once.
func (s *App) DeleteAuthRequest(ctx context.Context, id string) error {
	return s.store.DeleteAuthRequest(ctx, id)
}

// CompleteAuthRequest answers request id with the person of session sess.
func (s *App) CompleteAuthRequest(ctx context.Context, id string, sess domain.Session) error {
	a, err := s.AuthRequest(ctx, id)
	if err != nil {
		return err
	}
	if err := s.store.CompleteAuthRequest(ctx, a.ID, sess.UserID, sess.ID, sess.AuthTime, sess.AMR); err != nil {
		return err
	}
	// The party will get tokens in this session: it is told when the session ends.
	return s.store.AddSessionClient(ctx, sess.ID, a.ClientID, s.Now())
}

// Principal is who a token speaks for: a person, or a client acting for itself.
type Principal struct {
	Subject  string
	Name     string
	Username string
	Email    string
	Tenant   domain.Tenant
	Roles    []string
	StaffID  string
}

// UserPrincipal returns the claims of a person; a disabled account or tenant has none.
func (s *App) UserPrincipal(ctx context.Context, userID string) (Principal, error) {
	u, t, err := s.store.UserAndTenant(ctx, userID)
	if err != nil {
		return Principal{}, err
	}
	if u.Disabled || t.Disabled {
		return Principal{}, ErrAccountDisabled
	}
	return Principal{Subject: u.ID, Name: u.Name, Username: u.Username, Email: u.Email, Tenant: t, Roles: u.Roles, StaffID: u.StaffID}, nil
}

// ClientPrincipal returns the claims of a client-credentials token.
func (s *App) ClientPrincipal(ctx context.Context, c domain.Client) (Principal, error) {
	p := Principal{Subject: c.ID, Name: c.Name, Roles: c.Roles}
	if c.TenantID != "" {
		t, err := s.store.TenantByID(ctx, c.TenantID)
		if err != nil {
			return Principal{}, err
		}
		if t.Disabled {
			return Principal{}, ErrAccountDisabled
		}
		p.Tenant = t
	}
	return p, nil
}

// Audience is who a client's tokens are for: itself and the services it was allowed to call.
func Audience(c domain.Client) []string {
	out := append([]string{c.ID}, c.Audiences...)
	slices.Sort(out[1:])
	return slices.Compact(out)
}

// Grant is the state a refresh token carries forward.
type Grant struct {
	ClientID  string
	UserID    string
	SessionID string
	TenantID  string
	Scopes    []string
	Audience  []string
	AMR       []string
	AuthTime  time.Time
	// AccessTokenID is the id of the access token issued with the refresh token.
	AccessTokenID string
}

// IssueRefreshToken starts a new rotation family and returns the token's value.
func (s *App) IssueRefreshToken(ctx context.Context, g Grant) (string, error) {
	now := s.Now()
	value := s.secrets.New()
	id := newID()
	t := domain.RefreshToken{ID: id, FamilyID: id, ClientID: g.ClientID, UserID: g.UserID, SessionID: g.SessionID,
		TenantID: g.TenantID, Scopes: g.Scopes, Audience: g.Audience, AMR: g.AMR, AuthTime: g.AuthTime,
		ExpiresAt: now.Add(s.cfg.RefreshTokenLifetime), CreatedAt: now, AccessTokenID: g.AccessTokenID}
	if err := s.store.CreateRefreshToken(ctx, t, s.secrets.Hash(value)); err != nil {
		return "", err
	}
	return value, nil
}

// RefreshToken looks a refresh token up for the token endpoint. A token that was already used
// is a replay: the whole family is revoked and ErrRefreshReused returned.
func (s *App) RefreshToken(ctx context.Context, value string) (domain.RefreshToken, error) {
	t, err := s.store.RefreshTokenByHash(ctx, s.secrets.Hash(value))
	if err != nil {
		return t, err
	}
	now := s.Now()
	switch {
	case t.RevokedAt != nil:
		return domain.RefreshToken{}, apperr.Unauthenticated("the refresh token was revoked")
	case t.UsedAt != nil:
		s.revokeReused(ctx, t)
		return domain.RefreshToken{}, ErrRefreshReused
	case !now.Before(t.ExpiresAt):
		return domain.RefreshToken{}, apperr.Unauthenticated("the refresh token has expired")
	}
	if t.SessionEndedAt != nil {
		return domain.RefreshToken{}, apperr.Unauthenticated("the sign-in session of this refresh token has ended")
	}
	return t, nil
}

func (s *App) revokeReused(ctx context.Context, t domain.RefreshToken) {
	if err := s.store.RevokeFamily(ctx, t.FamilyID, s.Now()); err != nil {
		s.log.ErrorContext(ctx, "revoking a reused refresh token family failed", "family", t.FamilyID, "error", err)
	}
	s.audit(ctx, domain.AuditEvent{TenantID: t.TenantID, Actor: t.ClientID, Action: domain.AuditRefreshReuse,
		Subject: t.UserID, Outcome: "denied", Detail: "family " + t.FamilyID + " revoked"})
}

// RotateRefreshToken uses the token value once and returns the next one of its family with the
// grant's (possibly narrowed) scopes, issued with the access token accessTokenID. cur is the
// token as RefreshToken returned it for value. Two requests racing with one token: one wins, the
// other is treated as a replay.
func (s *App) RotateRefreshToken(ctx context.Context, value string, cur domain.RefreshToken, scopes []string, accessTokenID string) (string, domain.RefreshToken, error) {
	now := s.Now()
	next := cur
	next.ID = newID()
	next.Scopes = scopes
	next.ExpiresAt = now.Add(s.cfg.RefreshTokenLifetime)
	next.CreatedAt = now
	next.AccessTokenID = accessTokenID
	next.UsedAt, next.RevokedAt, next.SessionEndedAt = nil, nil, nil
	nextValue := s.secrets.New()
	err := s.store.RotateRefreshToken(ctx, s.secrets.Hash(value), next, s.secrets.Hash(nextValue), now)
	if errors.Is(err, domain.ErrRefreshTokenUsed) {
		s.revokeReused(ctx, cur)
		return "", cur, ErrRefreshReused
	}
	if err != nil {
		return "", cur, err
	}
	return nextValue, next, nil
}

// RevokeRefreshToken revokes the family of a refresh token held by clientID (RFC 7009: revoking a
// refresh token may revoke what it was issued with).
func (s *App) RevokeRefreshToken(ctx context.Context, value, clientID string) error {
	t, err := s.store.RefreshTokenByHash(ctx, s.secrets.Hash(value))
	if apperr.KindOf(err) == apperr.KindNotFound {
		return nil // RFC 7009 §2.2: an unknown token is not an error
	}
	if err != nil {
		return err
	}
	if t.ClientID != clientID {
		return apperr.Forbidden("the token was not issued to this client")
	}
	return s.store.RevokeFamily(ctx, t.FamilyID, s.Now())
}

// RevokeAccessToken lists a JWT access token's id as revoked until it expires.
func (s *App) RevokeAccessToken(ctx context.Context, jti string, expiresAt time.Time) error {
	return s.store.RevokeAccessToken(ctx, jti, expiresAt)
}

// AccessTokenActive reports whether a verified access token is still in force: its id not
// revoked and, for a person's token (sid set), its sign-in session not ended. Introspection
// answers with it, so that it agrees with the services, which drop the tokens of ended sessions.
func (s *App) AccessTokenActive(ctx context.Context, jti, sid string) (bool, error) {
	revoked, err := s.store.AccessTokenRevoked(ctx, jti)
	if err != nil || revoked {
		return false, err
	}
	if sid == "" {
		return true, nil
	}
	sess, err := s.store.SessionByID(ctx, sid)
	if apperr.KindOf(err) == apperr.KindNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return sess.EndedAt == nil, nil
}

// EndClientSessions signs userID out of clientID when end_session comes without a session hint:
// the client's refresh tokens for the person are revoked.
func (s *App) EndClientSessions(ctx context.Context, userID, clientID string) error {
	return s.store.RevokeUserClientRefreshTokens(ctx, userID, clientID, s.Now())
}

// Session returns a session by its sid.
func (s *App) Session(ctx context.Context, sid string) (domain.Session, error) {
	return s.store.SessionByID(ctx, sid)
}

// Purge removes expired authorization requests and revocation entries, and sign-in counts that
// can no longer count.
func (s *App) Purge(ctx context.Context) error {
	now := s.Now()
	if err := s.store.PurgeExpired(ctx, now.Add(-s.cfg.AuthRequestLifetime), now); err != nil {
		return err
	}
	return s.store.PurgeSignIns(ctx, now.Add(-s.cfg.SignInWindow), now)
}

// InspectRefreshToken reports whether a refresh token is usable, without the replay handling of
// RefreshToken: introspecting a used token tells, it does not revoke.
func (s *App) InspectRefreshToken(ctx context.Context, value string) (domain.RefreshToken, bool, error) {
	t, err := s.store.RefreshTokenByHash(ctx, s.secrets.Hash(value))
	if apperr.KindOf(err) == apperr.KindNotFound {
		return t, false, nil
	}
	if err != nil {
		return t, false, err
	}
	return t, t.UsedAt == nil && t.RevokedAt == nil && s.Now().Before(t.ExpiresAt), nil
}
