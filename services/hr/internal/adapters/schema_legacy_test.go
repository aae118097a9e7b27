package adapters

import "gorm.io/gorm"

// legacySchema is how HR made its tables before versioned migrations (gorm AutoMigrate of its
// row models and hand-written indexes), kept for TestMigrationsReproduceTheAutoMigrateSchema.
func legacySchema(tx *gorm.DB) error {
	if err := tx.AutoMigrate(&unitRow{}, &unitVersionRow{}, &staffRow{}, &assignmentRow{},
		&qualificationRow{}, &levelRow{}); err != nil {
		return err
	}
	for _, ddl := range []string{
		"CREATE INDEX IF NOT EXISTS idx_hr_assignments_active ON hr_assignments (tenant_id, starts_on, ends_on, staff_id)",
		"CREATE INDEX IF NOT EXISTS idx_hr_qualifications_best ON hr_qualifications (tenant_id, staff_id, kind, awarded_on, level_rank)",
		"CREATE UNIQUE INDEX IF NOT EXISTS idx_hr_staff_cccd ON hr_staff (tenant_id, cccd)",
		"CREATE UNIQUE INDEX IF NOT EXISTS idx_hr_units_seed ON hr_units (tenant_id, seed_key)",
	} {
		if err := tx.Exec(ddl).Error; err != nil {
			return err
		}
	}
	return nil
}
