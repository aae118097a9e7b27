-- archives's schema as the service's gorm AutoMigrate and hand-written DDL made it before versioned
-- migrations. IF NOT EXISTS lets a database made that way adopt this history without error;
-- later changes go into new files.
-- +goose Up
CREATE TABLE IF NOT EXISTS `documents` (
	`id` text,
	`tenant_id` text NOT NULL,
	`direction` text NOT NULL,
	`year` integer NOT NULL,
	`number` integer NOT NULL,
	`issuing_organ` text NOT NULL,
	`type` text NOT NULL,
	`source_number` integer NOT NULL,
	`symbol` text NOT NULL,
	`issued_date` datetime NOT NULL,
	`subject` text NOT NULL,
	`signer` text NOT NULL,
	`language` text NOT NULL,
	`pages` integer NOT NULL,
	`priority` text NOT NULL,
	`security` text NOT NULL,
	`due_date` datetime,
	`arrival_date` datetime,
	`record_id` text,
	`from_tenant` text NOT NULL DEFAULT "",
	`source_document_id` text NOT NULL DEFAULT "",
	`read_at` datetime,
	`registered_at` datetime NOT NULL,
	`registered_by` text NOT NULL,
	`search_text` text NOT NULL,
	PRIMARY KEY (`id`)
);
CREATE INDEX IF NOT EXISTS `idx_documents_record_id` ON `documents`(`record_id`);
CREATE INDEX IF NOT EXISTS `idx_documents_issued_date` ON `documents`(`issued_date`);
CREATE INDEX IF NOT EXISTS `idx_documents_type` ON `documents`(`type`);
CREATE INDEX IF NOT EXISTS `idx_documents_tenant_id` ON `documents`(`tenant_id`);
CREATE TABLE IF NOT EXISTS `register_counters` (
	`tenant_id` text,
	`direction` text,
	`year` integer,
	`last_number` integer NOT NULL,
	PRIMARY KEY (`tenant_id`,`direction`,`year`)
);
CREATE TABLE IF NOT EXISTS `record_files` (
	`id` text,
	`tenant_id` text NOT NULL,
	`file_code` text NOT NULL,
	`title` text NOT NULL,
	`retention_years` integer NOT NULL,
	`rights` text NOT NULL,
	`creator` text NOT NULL,
	`start_date` datetime NOT NULL,
	`end_date` datetime,
	`created_at` datetime NOT NULL,
	`search_text` text NOT NULL,
	PRIMARY KEY (`id`)
);
CREATE INDEX IF NOT EXISTS `idx_record_files_tenant_id` ON `record_files`(`tenant_id`);
CREATE TABLE IF NOT EXISTS `stored_files` (
	`id` text,
	`tenant_id` text NOT NULL,
	`document_id` text NOT NULL DEFAULT "",
	`owner_service` text NOT NULL DEFAULT "",
	`owner_ref` text NOT NULL DEFAULT "",
	`name` text NOT NULL,
	`bucket` text NOT NULL,
	`object_key` text NOT NULL,
	`version_id` text NOT NULL,
	`size` integer NOT NULL,
	`sha256` text NOT NULL,
	`content_type` text NOT NULL,
	`retain_until` datetime,
	`legal_hold` numeric NOT NULL DEFAULT false,
	`created_at` datetime NOT NULL,
	`created_by` text NOT NULL,
	`fixity_at` datetime,
	`fixity_due` datetime NOT NULL,
	PRIMARY KEY (`id`)
);
CREATE INDEX IF NOT EXISTS `idx_stored_files_fixity_due` ON `stored_files`(`fixity_due`);
CREATE INDEX IF NOT EXISTS `idx_stored_files_key` ON `stored_files`(`object_key`);
CREATE INDEX IF NOT EXISTS `idx_stored_files_document_id` ON `stored_files`(`document_id`);
CREATE INDEX IF NOT EXISTS `idx_stored_files_tenant_id` ON `stored_files`(`tenant_id`);
CREATE TABLE IF NOT EXISTS `pending_uploads` (
	`id` text,
	`tenant_id` text NOT NULL,
	`bucket` text NOT NULL,
	`object_key` text NOT NULL,
	`started_at` datetime NOT NULL,
	PRIMARY KEY (`id`)
);
CREATE INDEX IF NOT EXISTS `idx_pending_uploads_started_at` ON `pending_uploads`(`started_at`);
CREATE TABLE IF NOT EXISTS `access_log` (
	`id` text,
	`tenant_id` text NOT NULL,
	`document_id` text NOT NULL,
	`file_id` text NOT NULL DEFAULT "",
	`actor` text NOT NULL,
	`actor_name` text NOT NULL DEFAULT "",
	`action` text NOT NULL,
	`client_ip` text NOT NULL DEFAULT "",
	`at` datetime NOT NULL,
	PRIMARY KEY (`id`)
);
CREATE INDEX IF NOT EXISTS `idx_access_log_document_id` ON `access_log`(`document_id`);
CREATE INDEX IF NOT EXISTS `idx_access_log_tenant_id` ON `access_log`(`tenant_id`);
CREATE TABLE IF NOT EXISTS `deliveries` (
	`id` text,
	`sender_tenant` text NOT NULL,
	`document_id` text NOT NULL,
	`recipient_tenant` text NOT NULL,
	`incoming_document_id` text NOT NULL,
	`incoming_number` integer NOT NULL,
	`state` text NOT NULL,
	`sent_at` datetime NOT NULL,
	`received_at` datetime NOT NULL,
	`read_at` datetime,
	PRIMARY KEY (`id`)
);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_deliveries_incoming_document_id` ON `deliveries`(`incoming_document_id`);
CREATE INDEX IF NOT EXISTS `idx_deliveries_recipient_tenant` ON `deliveries`(`recipient_tenant`);
CREATE INDEX IF NOT EXISTS `idx_deliveries_document_id` ON `deliveries`(`document_id`);
CREATE INDEX IF NOT EXISTS `idx_deliveries_sender_tenant` ON `deliveries`(`sender_tenant`);
CREATE TABLE IF NOT EXISTS `fixity_alerts` (
	`id` text,
	`tenant_id` text NOT NULL,
	`file_id` text NOT NULL,
	`document_id` text NOT NULL DEFAULT "",
	`object_key` text NOT NULL,
	`version_id` text NOT NULL,
	`problem` text NOT NULL,
	`expected_sha256` text NOT NULL,
	`actual_sha256` text NOT NULL DEFAULT "",
	`detail` text NOT NULL DEFAULT "",
	`detected_at` datetime NOT NULL,
	PRIMARY KEY (`id`)
);
CREATE INDEX IF NOT EXISTS `idx_fixity_alerts_file_id` ON `fixity_alerts`(`file_id`);
CREATE INDEX IF NOT EXISTS `idx_fixity_alerts_tenant_id` ON `fixity_alerts`(`tenant_id`);

-- The register's uniqueness: one number per unit, direction and year.
CREATE UNIQUE INDEX IF NOT EXISTS ux_documents_register ON documents (tenant_id, direction, year, number);
CREATE UNIQUE INDEX IF NOT EXISTS ux_record_files_code ON record_files (tenant_id, file_code);

-- The register's order within a unit (Store.Documents), so that a listing or a search with
-- many matches reads the newest rows in order and stops at the page's end. It replaces
-- ix_documents_list, a copy of ux_documents_register.
CREATE INDEX IF NOT EXISTS ix_documents_order ON documents (tenant_id, year DESC, registered_at DESC, number DESC, id DESC);
DROP INDEX IF EXISTS ix_documents_list;

-- Full-text search: FTS5 tables over search_text, kept in step by triggers.
CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(search_text, content='documents', content_rowid='rowid', tokenize='unicode61');
-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS documents_fts_ai AFTER INSERT ON documents BEGIN INSERT INTO documents_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS documents_fts_ad AFTER DELETE ON documents BEGIN INSERT INTO documents_fts(documents_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS documents_fts_au AFTER UPDATE OF search_text ON documents BEGIN INSERT INTO documents_fts(documents_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); INSERT INTO documents_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END;
-- +goose StatementEnd
CREATE VIRTUAL TABLE IF NOT EXISTS record_files_fts USING fts5(search_text, content='record_files', content_rowid='rowid', tokenize='unicode61');
-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS record_files_fts_ai AFTER INSERT ON record_files BEGIN INSERT INTO record_files_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS record_files_fts_ad AFTER DELETE ON record_files BEGIN INSERT INTO record_files_fts(record_files_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS record_files_fts_au AFTER UPDATE OF search_text ON record_files BEGIN INSERT INTO record_files_fts(record_files_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); INSERT INTO record_files_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE IF EXISTS record_files_fts;
DROP TABLE IF EXISTS documents_fts;
DROP TABLE IF EXISTS `fixity_alerts`;
DROP TABLE IF EXISTS `deliveries`;
DROP TABLE IF EXISTS `access_log`;
DROP TABLE IF EXISTS `pending_uploads`;
DROP TABLE IF EXISTS `stored_files`;
DROP TABLE IF EXISTS `record_files`;
DROP TABLE IF EXISTS `register_counters`;
DROP TABLE IF EXISTS `documents`;
