package adapters

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/store"
)

// migrationLock serialises replicas that migrate at the same start on PostgreSQL.
const migrationLock int64 = 0x65676f760005 // "egov" + issue 5

// Migrate creates or updates the archives' tables, the register's uniqueness and the full-text
// indexes (tsvector on PostgreSQL, FTS5 on SQLite), and the outbox's tables.
func Migrate(ctx context.Context, db *gorm.DB) error {
	if err := events.AutoMigrate(db.WithContext(ctx)); err != nil {
		return err
	}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		dialect := store.Dialect(tx)
		if dialect == store.Postgres {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", migrationLock).Error; err != nil {
				return err
			}
		}
		if err := tx.AutoMigrate(&documentRow{}, &counterRow{}, &recordRow{}, &fileRow{}, &uploadRow{}, &accessRow{},
			&deliveryRow{}, &alertRow{}); err != nil {
			return err
		}
		stmts := []string{
			`CREATE UNIQUE INDEX IF NOT EXISTS ux_documents_register ON documents (tenant_id, direction, year, number)`,
			`CREATE UNIQUE INDEX IF NOT EXISTS ux_record_files_code ON record_files (tenant_id, file_code)`,
			// The register's order within a unit (Store.Documents), so that a listing or a search
			// with many matches reads the newest rows in order and stops at the page's end. It
			// replaces ix_documents_list, a copy of ux_documents_register.
			`CREATE INDEX IF NOT EXISTS ix_documents_order ON documents (tenant_id, year DESC, registered_at DESC, number DESC, id DESC)`,
			`DROP INDEX IF EXISTS ix_documents_list`,
		}
		if dialect == store.Postgres {
			// btree_gin lets one GIN index hold the unit with the words, so that a search
			// intersects both inside the index instead of reading every row of a word common in
			// other units. It is a trusted extension: the database's owner may create it, or an
			// administrator once ahead of time, after which this statement only checks it is there.
			if err := tx.Exec(`CREATE EXTENSION IF NOT EXISTS btree_gin`).Error; err != nil {
				return fmt.Errorf("PostgreSQL extension btree_gin (run CREATE EXTENSION btree_gin in the archives database as its owner or a superuser): %w", err)
			}
			stmts = append(stmts,
				// A stored tsvector: the index's rechecks read it instead of re-parsing the text of
				// every candidate row, which dominated searches over a million documents.
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
	})
	if err != nil {
		return fmt.Errorf("archives: migrate: %w", err)
	}
	return nil
}
