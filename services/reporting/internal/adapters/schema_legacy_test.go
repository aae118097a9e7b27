package adapters

import "gorm.io/gorm"

// modelSchema is the schema the row models give with gorm's AutoMigrate, plus the natural keys
// and read indexes a gorm tag cannot declare (they lead with TenantModel's column).
func modelSchema(tx *gorm.DB) error {
	if err := tx.AutoMigrate(&tenantRow{}, &counterRow{}, &dossierRow{}, &documentRow{}, &staffRow{}, &targetRow{}); err != nil {
		return err
	}
	return exec(tx, readIndexes...)
}

var readIndexes = []string{
	"CREATE UNIQUE INDEX IF NOT EXISTS ux_report_counters ON report_counters (tenant_id, month, indicator)",
	"CREATE UNIQUE INDEX IF NOT EXISTS ux_report_dossiers ON report_dossiers (dossier_id, tenant_id)",
	"CREATE UNIQUE INDEX IF NOT EXISTS ux_report_documents ON report_documents (document_id, tenant_id)",
	"CREATE UNIQUE INDEX IF NOT EXISTS ux_report_staff ON report_staff (staff_id, tenant_id)",
	"CREATE UNIQUE INDEX IF NOT EXISTS ux_report_targets ON report_targets (tenant_id, indicator, period)",
	"CREATE INDEX IF NOT EXISTS ix_report_counters_stock ON report_counters (tenant_id, indicator, month, value)",
	"CREATE INDEX IF NOT EXISTS ix_report_dossiers_tenant_received ON report_dossiers (tenant_id, received_month)",
	"CREATE INDEX IF NOT EXISTS ix_report_dossiers_tenant_resolved ON report_dossiers (tenant_id, resolved_month)",
	"CREATE INDEX IF NOT EXISTS ix_report_dossiers_tenant_due ON report_dossiers (tenant_id, due_at)", // 00002
}

// legacySchema is how reporting made its tables before versioned migrations (gorm AutoMigrate of
// its row models as they were then, its natural keys and read indexes by hand, dropping the ones
// they replaced): today's models less what later migrations added.
func legacySchema(tx *gorm.DB) error {
	if err := modelSchema(tx); err != nil {
		return err
	}
	return exec(tx,
		"DROP INDEX IF EXISTS ix_report_dossiers_received",
		"DROP INDEX IF EXISTS ix_report_dossiers_resolved",
		// Added by 00002_archived_results_and_due_index.
		"DROP INDEX IF EXISTS ix_report_dossiers_tenant_due",
		"ALTER TABLE report_dossiers DROP COLUMN archived_at",
	)
}

func exec(tx *gorm.DB, statements ...string) error {
	for _, q := range statements {
		if err := tx.Exec(q).Error; err != nil {
			return err
		}
	}
	return nil
}
