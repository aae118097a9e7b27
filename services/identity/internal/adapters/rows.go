package adapters

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/idempotency"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/identity/migrations"
)

// strList is a list stored as a JSON array in one text column: small, read whole, never queried
// by element.
type strList []string

func (l strList) Value() (driver.Value, error) {
	if l == nil {
		l = strList{}
	}
	b, err := json.Marshal([]string(l))
	return string(b), err
}

func (l *strList) Scan(v any) error {
	var b []byte
	switch x := v.(type) {
	case nil:
		*l = nil
		return nil
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		return fmt.Errorf("strList: cannot scan %T", v)
	}
	return json.Unmarshal(b, (*[]string)(l))
}

type tenantRow struct {
	ID        string  `gorm:"primaryKey;size:36"`
	Slug      string  `gorm:"size:63;uniqueIndex"`
	Code      string  `gorm:"size:16;uniqueIndex"`
	Name      string  `gorm:"size:200"`
	Kind      string  `gorm:"size:16"`
	ParentID  *string `gorm:"size:36;index"`
	Disabled  bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (tenantRow) TableName() string { return "tenants" }

type userRow struct {
	ID                 string  `gorm:"primaryKey;size:36"`
	TenantID           string  `gorm:"size:36;index"`
	Username           string  `gorm:"size:64;uniqueIndex"`
	Name               string  `gorm:"size:200"`
	Email              string  `gorm:"size:254"`
	Roles              strList `gorm:"type:text"`
	PasswordHash       string  `gorm:"size:200"`
	MustChangePassword bool
	TOTPSecret         string `gorm:"column:totp_secret;size:64"`
	TOTPEnabled        bool   `gorm:"column:totp_enabled"`
	TOTPLastStep       int64  `gorm:"column:totp_last_step"`
	StaffID            string `gorm:"size:64"`
	Disabled           bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (userRow) TableName() string { return "users" }

// signinCounterRow is one sign-in key's lock (see domain.SignInKey). Every attempt against the
// key first writes this row, so parallel attempts queue on it and count one after another.
type signinCounterRow struct {
	Key           string `gorm:"column:signin_key;primaryKey;size:200"`
	LockedUntilMs int64  // unix ms; integers compare the same on SQLite and PostgreSQL
	UpdatedAt     time.Time
}

func (signinCounterRow) TableName() string { return "signin_counters" }

// signinAttemptRow is one attempt against one key, kept while it is inside the key's window:
// in flight until settled, then failed (a success removes it).
type signinAttemptRow struct {
	AttemptID string `gorm:"primaryKey;size:36"`
	Key       string `gorm:"column:signin_key;primaryKey;size:200;index:idx_signin_attempts_key_at,priority:1"`
	AtMs      int64  `gorm:"index:idx_signin_attempts_key_at,priority:2"`
	Failed    bool
}

func (signinAttemptRow) TableName() string { return "signin_attempts" }

type clientRow struct {
	ID                     string  `gorm:"primaryKey;size:64"`
	TenantID               string  `gorm:"size:36;index"`
	Name                   string  `gorm:"size:200"`
	Type                   string  `gorm:"size:16"`
	SecretHash             string  `gorm:"size:100"`
	RedirectURIs           strList `gorm:"type:text"`
	PostLogoutRedirectURIs strList `gorm:"type:text"`
	BackchannelLogoutURI   string  `gorm:"size:500"`
	GrantTypes             strList `gorm:"type:text"`
	Roles                  strList `gorm:"type:text"`
	Audiences              strList `gorm:"type:text"`
	Disabled               bool
	CreatedAt              time.Time
	UpdatedAt              time.Time
}

func (clientRow) TableName() string { return "clients" }

type sessionRow struct {
	ID         string  `gorm:"primaryKey;size:36"`
	SecretHash string  `gorm:"size:64;uniqueIndex"`
	UserID     string  `gorm:"size:36;index"`
	TenantID   string  `gorm:"size:36"`
	AMR        strList `gorm:"column:amr;type:text"`
	AuthTime   time.Time
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	EndedAt    *time.Time
	UserAgent  string `gorm:"size:300"`
	Address    string `gorm:"size:64"`
}

func (sessionRow) TableName() string { return "sso_sessions" }

// sessionClientRow records that a relying party received tokens in a session: those are the
// parties told by back-channel logout when it ends.
type sessionClientRow struct {
	SessionID string `gorm:"primaryKey;size:36"`
	ClientID  string `gorm:"primaryKey;size:64"`
	CreatedAt time.Time
}

func (sessionClientRow) TableName() string { return "sso_session_clients" }

type authRequestRow struct {
	ID                  string  `gorm:"primaryKey;size:36"`
	ClientID            string  `gorm:"size:64"`
	RedirectURI         string  `gorm:"size:500"`
	State               string  `gorm:"size:500"`
	Nonce               string  `gorm:"size:500"`
	Scopes              strList `gorm:"type:text"`
	ResponseType        string  `gorm:"size:32"`
	ResponseMode        string  `gorm:"size:32"`
	CodeChallenge       string  `gorm:"size:128"`
	CodeChallengeMethod string  `gorm:"size:8"`
	Prompt              strList `gorm:"type:text"`
	MaxAgeSeconds       *int64
	LoginHint           string  `gorm:"size:200"`
	UILocales           strList `gorm:"column:ui_locales;type:text"`
	UserID              string  `gorm:"size:36"`
	SessionID           string  `gorm:"size:36"`
	AuthTime            time.Time
	AMR                 strList `gorm:"column:amr;type:text"`
	Done                bool
	CodeHash            *string   `gorm:"size:64;uniqueIndex"`
	CreatedAt           time.Time `gorm:"index"`
}

func (authRequestRow) TableName() string { return "auth_requests" }

type refreshTokenRow struct {
	ID        string  `gorm:"primaryKey;size:36"`
	TokenHash string  `gorm:"size:64;uniqueIndex"`
	FamilyID  string  `gorm:"size:36;index"`
	ClientID  string  `gorm:"size:64"`
	UserID    string  `gorm:"size:36;index"`
	SessionID string  `gorm:"size:36;index"`
	TenantID  string  `gorm:"size:36"`
	Scopes    strList `gorm:"type:text"`
	Audience  strList `gorm:"type:text"`
	AMR       strList `gorm:"column:amr;type:text"`
	AuthTime  time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
	CreatedAt time.Time
	// AccessTokenID is the jti of the access token issued with this link (migration 00003).
	AccessTokenID string `gorm:"size:36;index"`
	// SessionEndedAt is read from the token's session by RefreshTokenByHash; not a column.
	SessionEndedAt *time.Time `gorm:"->;-:migration"`
}

func (refreshTokenRow) TableName() string { return "refresh_tokens" }

// revokedTokenRow lists revoked JWT access tokens by jti until they would have expired anyway.
type revokedTokenRow struct {
	JTI       string    `gorm:"column:jti;primaryKey;size:64"`
	ExpiresAt time.Time `gorm:"index"`
}

func (revokedTokenRow) TableName() string { return "revoked_access_tokens" }

type signingKeyRow struct {
	ID         string `gorm:"primaryKey;size:64"`
	Algorithm  string `gorm:"size:16"`
	PrivatePEM string `gorm:"type:text"`
	CreatedAt  time.Time
	// SignUntil ends the key's time as the signing key; PublishUntil ends its time in the JWKS,
	// after the last token it signed has expired.
	SignUntil    time.Time
	PublishUntil time.Time `gorm:"index"`
}

func (signingKeyRow) TableName() string { return "signing_keys" }

type auditRow struct {
	ID       string    `gorm:"primaryKey;size:36"`
	At       time.Time `gorm:"index"`
	TenantID string    `gorm:"size:36;index"`
	Actor    string    `gorm:"size:64"`
	Action   string    `gorm:"size:64;index"`
	Subject  string    `gorm:"size:200"`
	Outcome  string    `gorm:"size:16"`
	Address  string    `gorm:"size:64"`
	Detail   string    `gorm:"size:500"`
}

func (auditRow) TableName() string { return "audit_events" }

// Migrations are identity's schema: the events tables (processed_events, for the departures
// consumer), the idempotency keys of its admin API and its own versioned SQL. The bootstrap
// applies them at start; tests use Migrate.
var Migrations = []store.MigrationSet{events.Migrations, idempotency.Migrations, migrations.Set}

// Migrate brings identity's database to its newest schema: the versioned SQL in migrations/,
// applied once under the platform's migration lock (store.MigrateAll).
func Migrate(ctx context.Context, db *gorm.DB) error {
	if err := store.MigrateAll(ctx, db, Migrations...); err != nil {
		return fmt.Errorf("identity: migrate: %w", err)
	}
	return nil
}
