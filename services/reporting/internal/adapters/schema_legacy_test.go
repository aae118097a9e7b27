package adapters

import "gorm.io/gorm"

// legacySchema is how reporting made its tables before versioned migrations (gorm AutoMigrate of
// its row models, then its natural keys and read indexes by hand, dropping the ones they
// replaced), kept for TestMigrationsReproduceTheAutoMigrateSchema.
func legacySchema(tx *gorm.DB) error {
	if err := tx.AutoMigrate(&tenantRow{}, &counterRow{}, &dossierRow{}, &documentRow{}, &staffRow{}, &targetRow{}); err != nil {
		return err
	}
	for _, q := range []string{
		"CREATE UNIQUE INDEX IF NOT EXISTS ux_report_counters ON report_counters (tenant_id, month, indicator)",
		"CREATE UNIQUE INDEX IF NOT EXISTS ux_report_dossiers ON report_dossiers (dossier_id, tenant_id)",
		"CREATE UNIQUE INDEX IF NOT EXISTS ux_report_documents ON report_documents (document_id, tenant_id)",
		"CREATE UNIQUE INDEX IF NOT EXISTS ux_report_staff ON report_staff (staff_id, tenant_id)",
		"CREATE UNIQUE INDEX IF NOT EXISTS ux_report_targets ON report_targets (tenant_id, indicator, period)",
		"CREATE INDEX IF NOT EXISTS ix_report_counters_stock ON report_counters (tenant_id, indicator, month, value)",
		"CREATE INDEX IF NOT EXISTS ix_report_dossiers_tenant_received ON report_dossiers (tenant_id, received_month)",
		"CREATE INDEX IF NOT EXISTS ix_report_dossiers_tenant_resolved ON report_dossiers (tenant_id, resolved_month)",
		"CREATE INDEX IF NOT EXISTS ix_report_dossiers_tenant_due ON report_dossiers (tenant_id, due_at)",
		"DROP INDEX IF EXISTS ix_report_dossiers_received",
		"DROP INDEX IF EXISTS ix_report_dossiers_resolved",
	} {
		if err := tx.Exec(q).Error; err != nil {
			return err
		}
	}
	return nil
}
