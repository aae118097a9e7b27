package adapters

import "gorm.io/gorm"

// legacySchema is how identity made its tables before versioned migrations (gorm AutoMigrate of
// its row models), kept for TestMigrationsReproduceTheAutoMigrateSchema.
func legacySchema(db *gorm.DB) error {
	return db.AutoMigrate(&tenantRow{}, &userRow{}, &addressRow{}, &clientRow{}, &sessionRow{},
		&sessionClientRow{}, &authRequestRow{}, &refreshTokenRow{}, &revokedTokenRow{},
		&signingKeyRow{}, &auditRow{})
}
