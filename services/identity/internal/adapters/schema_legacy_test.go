package adapters

import (
	"time"

	"gorm.io/gorm"
)

// modelSchema is the schema identity's row models make with gorm's AutoMigrate.
func modelSchema(db *gorm.DB) error {
	return db.AutoMigrate(&tenantRow{}, &userRow{}, &signinCounterRow{}, &signinAttemptRow{}, &clientRow{}, &sessionRow{},
		&sessionClientRow{}, &authRequestRow{}, &refreshTokenRow{}, &revokedTokenRow{},
		&signingKeyRow{}, &auditRow{})
}

// legacySchema is how identity made its tables before versioned migrations (gorm AutoMigrate of
// its row models as they were then): today's models less the sign-in counts of 00002 (with the
// lockout columns and table those replaced) and less the access_token_id of 00003.
func legacySchema(db *gorm.DB) error {
	if err := db.AutoMigrate(&tenantRow{}, &userRow{}, &legacyAddressRow{}, &clientRow{}, &sessionRow{},
		&sessionClientRow{}, &authRequestRow{}, &legacyRefreshTokenRow{}, &revokedTokenRow{},
		&signingKeyRow{}, &auditRow{}); err != nil {
		return err
	}
	return db.AutoMigrate(&legacyUserLockout{}) // one call keeps one model per table
}

// legacyRefreshTokenRow is refresh_tokens before 00003 added access_token_id.
type legacyRefreshTokenRow struct {
	ID        string  `gorm:"primaryKey;size:36"`
	TokenHash string  `gorm:"size:64;uniqueIndex:idx_refresh_tokens_token_hash"`
	FamilyID  string  `gorm:"size:36;index:idx_refresh_tokens_family_id"`
	ClientID  string  `gorm:"size:64"`
	UserID    string  `gorm:"size:36;index:idx_refresh_tokens_user_id"`
	SessionID string  `gorm:"size:36;index:idx_refresh_tokens_session_id"`
	TenantID  string  `gorm:"size:36"`
	Scopes    strList `gorm:"type:text"`
	Audience  strList `gorm:"type:text"`
	AMR       strList `gorm:"column:amr;type:text"`
	AuthTime  time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
	CreatedAt time.Time
}

func (legacyRefreshTokenRow) TableName() string { return "refresh_tokens" }

// legacyUserLockout is the lockout count users had before 00002 (AutoMigrate adds its columns
// to the table userRow made).
type legacyUserLockout struct {
	FailedAttempts int
	LockedUntilMs  int64
}

func (legacyUserLockout) TableName() string { return "users" }

// legacyAddressRow is the per-address lockout 00002 replaced.
type legacyAddressRow struct {
	Address        string `gorm:"primaryKey;size:64"`
	FailedAttempts int
	LockedUntilMs  int64
	UpdatedAt      time.Time
}

func (legacyAddressRow) TableName() string { return "address_lockouts" }
