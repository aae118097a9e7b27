package adapters

import (
	"gorm.io/gorm"

	"egov.vn/platform/libs/store"
)

// legacySchema is how dossiers made its tables before versioned migrations (gorm AutoMigrate of
// its row models, hand-written composite indexes and PostgreSQL statistics), kept for
// TestMigrationsReproduceTheAutoMigrateSchema.
func legacySchema(tx *gorm.DB) error {
	if err := tx.AutoMigrate(&procedureRow{}, &settingsRow{}, &calendarDayRow{}, &receiptCounterRow{},
		&dossierRow{}, &transitionRow{}, &hitRow{}, &resultRow{}, &archiveLinkRow{}, &accessRow{}); err != nil {
		return err
	}
	for _, ddl := range []string{
		"CREATE INDEX IF NOT EXISTS idx_dossiers_tenant_received ON dossiers (tenant_id, received_at, id)",
		"CREATE INDEX IF NOT EXISTS idx_dossiers_unit_inbox ON dossiers (holder_tenant, tenant_id, open, received_at, id)",
		"CREATE INDEX IF NOT EXISTS idx_dossiers_mine ON dossiers (holder_tenant, handler, tenant_id, open, received_at, id)",
		"CREATE INDEX IF NOT EXISTS idx_dossiers_holder_due ON dossiers (holder_tenant, tenant_id, active, current_due_at, id)",
	} {
		if err := tx.Exec(ddl).Error; err != nil {
			return err
		}
	}
	if store.Dialect(tx) == store.Postgres {
		return tx.Exec("CREATE STATISTICS IF NOT EXISTS dossiers_tenant_holder (dependencies) ON tenant_id, holder_tenant FROM dossiers").Error
	}
	return nil
}
