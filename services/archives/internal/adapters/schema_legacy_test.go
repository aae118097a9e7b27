package adapters

import (
	"fmt"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store"
)

// legacySchema is how archives made its tables before versioned migrations (gorm AutoMigrate of
// its row models, then hand-written indexes, full-text columns or FTS5 tables and the drops of
// replaced indexes), kept for TestMigrationsReproduceTheAutoMigrateSchema.
func legacySchema(tx *gorm.DB) error {
	dialect := store.Dialect(tx)
	if err := tx.AutoMigrate(&documentRow{}, &counterRow{}, &recordRow{}, &fileRow{}, &uploadRow{}, &accessRow{},
		&deliveryRow{}, &alertRow{}, &dossierLinkRow{}, &grantRow{}); err != nil {
		return err
	}
	stmts := []string{
		`CREATE UNIQUE INDEX IF NOT EXISTS ux_documents_register ON documents (tenant_id, direction, year, number)`,
		`CREATE UNIQUE INDEX IF NOT EXISTS ux_record_files_code ON record_files (tenant_id, file_code)`,
		`CREATE UNIQUE INDEX IF NOT EXISTS ux_document_dossiers ON document_dossiers (tenant_id, dossier_id)`,
		`CREATE INDEX IF NOT EXISTS ix_documents_order ON documents (tenant_id, year DESC, registered_at DESC, number DESC, id DESC)`,
		`DROP INDEX IF EXISTS ix_documents_list`,
		`CREATE INDEX IF NOT EXISTS ix_document_grants_subject ON document_grants (tenant_id, subject, document_id)`,
	}
	if dialect == store.Postgres {
		if err := tx.Exec(`CREATE EXTENSION IF NOT EXISTS btree_gin`).Error; err != nil {
			return err
		}
		stmts = append(stmts,
			`ALTER TABLE documents ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED`,
			`ALTER TABLE record_files ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED`,
			`CREATE INDEX IF NOT EXISTS ix_documents_search ON documents USING gin (tenant_id, search_vector)`,
			`CREATE INDEX IF NOT EXISTS ix_record_files_search ON record_files USING gin (tenant_id, search_vector)`,
			`DROP INDEX IF EXISTS ix_documents_fts`,
			`DROP INDEX IF EXISTS ix_record_files_fts`)
	} else {
		for _, t := range []string{"documents", "record_files"} {
			stmts = append(stmts,
				fmt.Sprintf(`CREATE VIRTUAL TABLE IF NOT EXISTS %[1]s_fts USING fts5(search_text, content='%[1]s', content_rowid='rowid', tokenize='unicode61')`, t),
				fmt.Sprintf(`CREATE TRIGGER IF NOT EXISTS %[1]s_fts_ai AFTER INSERT ON %[1]s BEGIN INSERT INTO %[1]s_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END`, t),
				fmt.Sprintf(`CREATE TRIGGER IF NOT EXISTS %[1]s_fts_ad AFTER DELETE ON %[1]s BEGIN INSERT INTO %[1]s_fts(%[1]s_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); END`, t),
				fmt.Sprintf(`CREATE TRIGGER IF NOT EXISTS %[1]s_fts_au AFTER UPDATE OF search_text ON %[1]s BEGIN INSERT INTO %[1]s_fts(%[1]s_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); INSERT INTO %[1]s_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END`, t))
		}
	}
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}
