package domain

import (
	"errors"
	"time"
)

// Session is a single sign-on session at identity: one person signed in on one browser. Its ID is
// the `sid` claim every relying party receives; the cookie holds a separate secret so that a
// relying party that knows the sid cannot take over the session.
type Session struct {
	ID         string
	UserID     string
	TenantID   string
	AMR        []string // how the person proved who they are: pwd, otp
	AuthTime   time.Time
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	EndedAt    *time.Time
	UserAgent  string
	Address    string
}

// Active reports whether the session can still be used at now.
func (s Session) Active(now time.Time) bool { return s.EndedAt == nil && now.Before(s.ExpiresAt) }

// AuthRequest is an OpenID Connect authorization request between /authorize and the token
// exchange; it is completed by a sign-in (or an existing session) and used once.
type AuthRequest struct {
	ID                  string
	ClientID            string
	RedirectURI         string
	State               string
	Nonce               string
	Scopes              []string
	ResponseType        string
	ResponseMode        string
	CodeChallenge       string
	CodeChallengeMethod string
	Prompt              []string
	MaxAgeSeconds       *int64
	LoginHint           string
	UILocales           []string
	UserID              string
	SessionID           string
	AuthTime            time.Time
	AMR                 []string
	Done                bool
	CreatedAt           time.Time
}

// RefreshToken is one link of a rotation chain. Every use marks it used and issues the next link
// of the same family; presenting a used link again means it was stolen, so the family is revoked.
type RefreshToken struct {
	ID        string
	FamilyID  string
	ClientID  string
	UserID    string
	SessionID string
	TenantID  string
	Scopes    []string
	Audience  []string
	AMR       []string
	AuthTime  time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
	CreatedAt time.Time
	// AccessTokenID is the id ("jti") of the access token issued with this link: revoking the
	// family makes that access token inactive too (RFC 7009 §2.1).
	AccessTokenID string
	// SessionEndedAt is when the sign-in session the token belongs to ended (read with it).
	SessionEndedAt *time.Time
}

// ErrRefreshTokenUsed is a refresh token presented after it was rotated (or while another
// request rotated it).
var ErrRefreshTokenUsed = errors.New("refresh token already used")

// AuditEvent is one line of the audit log: who did what to whom, from where, and how it ended.
type AuditEvent struct {
	ID       string    `json:"id"`
	At       time.Time `json:"at"`
	TenantID string    `json:"tenant_id,omitempty"`
	Actor    string    `json:"actor"`   // user id, client id, or "anonymous"
	Action   string    `json:"action"`  // sign_in, sign_in_failed, locked_out, sign_out, tenant.create …
	Subject  string    `json:"subject"` // what the action was about: a user, a client, a tenant
	Outcome  string    `json:"outcome"` // ok, denied, error
	Address  string    `json:"address,omitempty"`
	Detail   string    `json:"detail,omitempty"`
}

// Audit actions.
const (
	AuditSignIn         = "sign_in"
	AuditSignInFailed   = "sign_in_failed"
	AuditLockedOut      = "locked_out"
	AuditTOTPFailed     = "totp_failed"
	AuditSignOut        = "sign_out"
	AuditPasswordChange = "password.change"
	AuditTOTPEnable     = "totp.enable"
	AuditTOTPDisable    = "totp.disable"
	AuditTenantCreate   = "tenant.create"
	AuditTenantUpdate   = "tenant.update"
	AuditUserCreate     = "user.create"
	AuditUserUpdate     = "user.update"
	AuditUserReset      = "user.reset_password"
	AuditClientCreate   = "client.create"
	AuditClientUpdate   = "client.update"
	AuditClientSecret   = "client.rotate_secret"
	AuditRefreshReuse   = "refresh_token.reuse"
	AuditBackchannel    = "backchannel_logout"
)

// AuditFilter narrows a reading of the audit log.
type AuditFilter struct {
	TenantID string
	// TenantIDs, when not empty, keeps events of these units only (an administrator's subtree).
	TenantIDs []string
	Actor     string
	// Person keeps events a person did or that were done to them (actor or subject).
	Person string
	Action string
	Since  time.Time // events at or after; zero for no bound
	Before time.Time // events strictly before; zero for the newest
	Limit  int       // 1..500, default 100
}
