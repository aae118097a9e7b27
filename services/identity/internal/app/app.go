// Package app holds identity's use cases: signing in (with lockout and TOTP), single sign-on
// sessions and signing out everywhere, the OAuth 2.0 grants' state (authorization requests,
// refresh-token rotation, revocation), and the administration of tenants, users and clients.
// Every change to an account or a sign-in outcome is written to the audit log.
package app

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/trace"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/services/identity/internal/domain"
)

// Store is what the use cases need from storage (adapters.Store implements it).
type Store interface {
	Transact(ctx context.Context, fn func(ctx context.Context) error) error

	CreateTenant(ctx context.Context, t domain.Tenant) error
	UpdateTenant(ctx context.Context, t domain.Tenant) error
	TenantBySlug(ctx context.Context, slug string) (domain.Tenant, error)
	TenantByID(ctx context.Context, id string) (domain.Tenant, error)
	ListTenants(ctx context.Context) ([]domain.Tenant, error)

	CreateUser(ctx context.Context, u domain.User) error
	UpdateUser(ctx context.Context, u domain.User) error
	SetPassword(ctx context.Context, userID, hash string, mustChange bool, at time.Time) error
	SetTOTP(ctx context.Context, userID, secret string, enabled bool, at time.Time) error
	UseTOTPStep(ctx context.Context, userID string, step int64) (bool, error)
	UserByID(ctx context.Context, id string) (domain.User, error)
	UserByUsername(ctx context.Context, username string) (domain.User, error)
	ListUsers(ctx context.Context, tenantID string) ([]domain.User, error)
	TakenUsernames(ctx context.Context, usernames []string) ([]string, error)
	// UserByStaffID finds the account of unit tenantID linked to the HR record staffID.
	UserByStaffID(ctx context.Context, tenantID, staffID string) (domain.User, error)
	UserAndTenant(ctx context.Context, id string) (domain.User, domain.Tenant, error)

	ReserveSignIn(ctx context.Context, attemptID string, keys []domain.SignInKey, now time.Time) (refused *domain.SignInLock, locked []domain.SignInLock, err error)
	FailSignIn(ctx context.Context, attemptID string, keys []domain.SignInKey, now time.Time) (locked []domain.SignInLock, err error)
	SucceedSignIn(ctx context.Context, attemptID string, keys []domain.SignInKey, clear []string, now time.Time) error
	ClearSignIns(ctx context.Context, key string) error
	SignInLockedUntil(ctx context.Context, key string, now time.Time) (time.Time, error)
	PurgeSignIns(ctx context.Context, attemptsBefore, now time.Time) error

	CreateClient(ctx context.Context, c domain.Client) error
	UpdateClient(ctx context.Context, c domain.Client) error
	SetClientSecret(ctx context.Context, id, hash string, at time.Time) error
	ClientByID(ctx context.Context, id string) (domain.Client, error)
	ListClients(ctx context.Context, tenantID string) ([]domain.Client, error)

	CreateSession(ctx context.Context, s domain.Session, secretHash string) error
	SessionBySecretHash(ctx context.Context, hash string) (domain.Session, error)
	SessionByID(ctx context.Context, id string) (domain.Session, error)
	TouchSession(ctx context.Context, id string, at time.Time) error
	EndSession(ctx context.Context, id string, at time.Time) (bool, error)
	ActiveSessions(ctx context.Context, userID string, now time.Time) ([]domain.Session, error)
	AddSessionClient(ctx context.Context, sid, clientID string, at time.Time) error
	SessionClients(ctx context.Context, sid string) ([]string, error)

	SaveAuthRequest(ctx context.Context, a domain.AuthRequest) error
	AuthRequestByID(ctx context.Context, id string, notBefore time.Time) (domain.AuthRequest, error)
	AuthRequestByCodeHash(ctx context.Context, hash string, notBefore time.Time) (domain.AuthRequest, error)
	CompleteAuthRequest(ctx context.Context, id, userID, sid string, authTime time.Time, amr []string) error
	SaveAuthCode(ctx context.Context, id, codeHash string) error
	DeleteAuthRequest(ctx context.Context, id string) error
	PurgeExpired(ctx context.Context, authRequestsBefore, now time.Time) error

	CreateRefreshToken(ctx context.Context, t domain.RefreshToken, hash string) error
	RefreshTokenByHash(ctx context.Context, hash string) (domain.RefreshToken, error)
	RotateRefreshToken(ctx context.Context, currentHash string, next domain.RefreshToken, nextHash string, now time.Time) error
	RevokeFamily(ctx context.Context, familyID string, at time.Time) error
	RevokeSessionRefreshTokens(ctx context.Context, sid string, at time.Time) error
	RevokeUserClientRefreshTokens(ctx context.Context, userID, clientID string, at time.Time) error

	RevokeAccessToken(ctx context.Context, jti string, expiresAt time.Time) error
	AccessTokenRevoked(ctx context.Context, jti string) (bool, error)

	Audit(ctx context.Context, e domain.AuditEvent) error
	ListAudit(ctx context.Context, f domain.AuditFilter) ([]domain.AuditEvent, error)
}

// PasswordHasher hashes and checks passwords (argon2id in production).
type PasswordHasher interface {
	Hash(password string) (string, error)
	Verify(password, hash string) (bool, error)
	DummyVerify(password string)
}

// Secrets makes and hashes high-entropy secrets.
type Secrets interface {
	New() string
	Hash(secret string) string
	Matches(secret, hash string) bool
}

// LogoutNotifier delivers back-channel logout to one relying party.
type LogoutNotifier interface {
	Send(ctx context.Context, clientID, uri, sub, sid string) error
}

// Config holds the policies of the use cases.
type Config struct {
	AccessTokenLifetime  time.Duration // JWT access tokens
	IDTokenLifetime      time.Duration
	RefreshTokenLifetime time.Duration // each link of a rotation chain
	SessionLifetime      time.Duration // SSO session at identity
	AuthRequestLifetime  time.Duration // from /authorize to the code exchange
	MaxUserAttempts      int           // failed attempts on one username within SignInWindow before it locks
	UserLockout          time.Duration
	MaxAddressAttempts   int // failed attempts from one address within SignInWindow before it is refused
	AddressLockout       time.Duration
	SignInWindow         time.Duration // the sliding window both counts of failed attempts look back over
	PasswordPolicy       domain.PasswordPolicy
	DevMode              bool // plain-http redirect URIs on any host
}

// DefaultConfig is the production policy.
func DefaultConfig() Config {
	return Config{
		AccessTokenLifetime:  10 * time.Minute,
		IDTokenLifetime:      time.Hour,
		RefreshTokenLifetime: 12 * time.Hour,
		SessionLifetime:      10 * time.Hour, // a working day with overtime
		AuthRequestLifetime:  15 * time.Minute,
		MaxUserAttempts:      5,
		UserLockout:          15 * time.Minute,
		MaxAddressAttempts:   30, // a one-stop-shop office shares one public address
		AddressLockout:       15 * time.Minute,
		SignInWindow:         15 * time.Minute,
		PasswordPolicy:       domain.DefaultPasswordPolicy(),
	}
}

// Deps are the use cases' dependencies.
type Deps struct {
	Store   Store
	Hasher  PasswordHasher
	Secrets Secrets
	Logout  LogoutNotifier
	Tracer  trace.Tracer
	Log     *slog.Logger
	Now     func() time.Time // the clock; nil is time.Now
}

// App is identity's use cases.
type App struct {
	store   Store
	hasher  PasswordHasher
	secrets Secrets
	logout  LogoutNotifier
	tracer  trace.Tracer
	cfg     Config
	now     func() time.Time
	log     *slog.Logger
	clients clientCache
}

// New returns the use cases.
func New(d Deps, cfg Config) *App {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &App{store: d.Store, hasher: d.Hasher, secrets: d.Secrets, logout: d.Logout, tracer: d.Tracer,
		cfg: cfg, now: d.Now, log: d.Log}
}

// Config returns the policies in force.
func (s *App) Config() Config { return s.cfg }

// Now is the service's clock, in UTC.
func (s *App) Now() time.Time { return s.now().UTC() }

// Errors a person signing in can cause; pages show them in Vietnamese.
// Each has its own code, so errors.Is tells them apart.
var (
	ErrBadCredentials  = &apperr.Error{Kind: apperr.KindUnauthenticated, Code: "bad_credentials", Message: "the username or password is wrong"}
	ErrAccountDisabled = &apperr.Error{Kind: apperr.KindForbidden, Code: "account_disabled", Message: "the account is disabled; ask your unit's administrator"}
	ErrBadTOTP         = &apperr.Error{Kind: apperr.KindUnauthenticated, Code: "bad_totp", Message: "the one-time code is wrong or was already used"}
)

// LockedOutError says that sign-in is refused until Until.
type LockedOutError struct {
	Until   time.Time
	Address bool // the source address is locked, not the account
}

func (e *LockedOutError) Error() string {
	if e.Address {
		return "too many failed sign-ins from this address; try again after " + e.Until.Format(time.RFC3339)
	}
	return "the account is locked after too many failed sign-ins; try again after " + e.Until.Format(time.RFC3339)
}

// IsLockedOut reports whether err is a LockedOutError, and returns it.
func IsLockedOut(err error) (*LockedOutError, bool) {
	var l *LockedOutError
	ok := errors.As(err, &l)
	return l, ok
}

// audit writes e; a failure is logged, never hidden from the log, but does not undo the action
// the person already saw succeed.
func (s *App) audit(ctx context.Context, e domain.AuditEvent) {
	if err := s.auditTx(ctx, e); err != nil {
		s.log.ErrorContext(ctx, "audit write failed", "action", e.Action, "subject", e.Subject, "error", err)
	}
}
