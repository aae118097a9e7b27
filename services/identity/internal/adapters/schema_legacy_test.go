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
// its row models as they were then): today's models less the sign-in counts of 00002, with the
// lockout columns and table those replaced.
func legacySchema(db *gorm.DB) error {
	if err := db.AutoMigrate(&tenantRow{}, &userRow{}, &legacyAddressRow{}, &clientRow{}, &sessionRow{},
		&sessionClientRow{}, &authRequestRow{}, &refreshTokenRow{}, &revokedTokenRow{},
		&signingKeyRow{}, &auditRow{}); err != nil {
		return err
	}
	return db.AutoMigrate(&legacyUserLockout{}) // one call keeps one model per table
}

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
