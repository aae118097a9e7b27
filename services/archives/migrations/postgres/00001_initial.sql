-- archives's schema as the service's gorm AutoMigrate and hand-written DDL made it before versioned
-- migrations. IF NOT EXISTS lets a database made that way adopt this history without error;
-- later changes go into new files.
-- +goose Up
CREATE TABLE IF NOT EXISTS "documents" (
	"id" varchar(36),
	"tenant_id" text NOT NULL,
	"direction" varchar(16) NOT NULL,
	"year" bigint NOT NULL,
	"number" bigint NOT NULL,
	"issuing_organ" varchar(255) NOT NULL,
	"type" varchar(32) NOT NULL,
	"source_number" bigint NOT NULL,
	"symbol" varchar(64) NOT NULL,
	"issued_date" timestamptz NOT NULL,
	"subject" text NOT NULL,
	"signer" varchar(255) NOT NULL,
	"language" varchar(2) NOT NULL,
	"pages" bigint NOT NULL,
	"priority" varchar(16) NOT NULL,
	"security" varchar(16) NOT NULL,
	"due_date" timestamptz,
	"arrival_date" timestamptz,
	"record_id" varchar(36),
	"from_tenant" varchar(63) NOT NULL DEFAULT '',
	"source_document_id" varchar(36) NOT NULL DEFAULT '',
	"read_at" timestamptz,
	"registered_at" timestamptz NOT NULL,
	"registered_by" varchar(255) NOT NULL,
	"search_text" text NOT NULL,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_documents_record_id" ON "documents" ("record_id");
CREATE INDEX IF NOT EXISTS "idx_documents_issued_date" ON "documents" ("issued_date");
CREATE INDEX IF NOT EXISTS "idx_documents_type" ON "documents" ("type");
CREATE INDEX IF NOT EXISTS "idx_documents_tenant_id" ON "documents" ("tenant_id");
CREATE TABLE IF NOT EXISTS "register_counters" (
	"tenant_id" varchar(63),
	"direction" varchar(16),
	"year" bigint,
	"last_number" bigint NOT NULL,
	PRIMARY KEY ("tenant_id","direction","year")
);
CREATE TABLE IF NOT EXISTS "record_files" (
	"id" varchar(36),
	"tenant_id" text NOT NULL,
	"file_code" varchar(64) NOT NULL,
	"title" text NOT NULL,
	"retention_years" bigint NOT NULL,
	"rights" varchar(16) NOT NULL,
	"creator" varchar(255) NOT NULL,
	"start_date" timestamptz NOT NULL,
	"end_date" timestamptz,
	"created_at" timestamptz NOT NULL,
	"search_text" text NOT NULL,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_record_files_tenant_id" ON "record_files" ("tenant_id");
CREATE TABLE IF NOT EXISTS "stored_files" (
	"id" varchar(36),
	"tenant_id" text NOT NULL,
	"document_id" varchar(36) NOT NULL DEFAULT '',
	"owner_service" varchar(63) NOT NULL DEFAULT '',
	"owner_ref" varchar(128) NOT NULL DEFAULT '',
	"name" varchar(255) NOT NULL,
	"bucket" varchar(63) NOT NULL,
	"object_key" varchar(255) NOT NULL,
	"version_id" varchar(64) NOT NULL,
	"size" bigint NOT NULL,
	"sha256" varchar(64) NOT NULL,
	"content_type" varchar(128) NOT NULL,
	"retain_until" timestamptz,
	"legal_hold" boolean NOT NULL DEFAULT false,
	"created_at" timestamptz NOT NULL,
	"created_by" varchar(255) NOT NULL,
	"fixity_at" timestamptz,
	"fixity_due" timestamptz NOT NULL,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_stored_files_fixity_due" ON "stored_files" ("fixity_due");
CREATE INDEX IF NOT EXISTS "idx_stored_files_key" ON "stored_files" ("object_key");
CREATE INDEX IF NOT EXISTS "idx_stored_files_document_id" ON "stored_files" ("document_id");
CREATE INDEX IF NOT EXISTS "idx_stored_files_tenant_id" ON "stored_files" ("tenant_id");
CREATE TABLE IF NOT EXISTS "pending_uploads" (
	"id" varchar(36),
	"tenant_id" varchar(63) NOT NULL,
	"bucket" varchar(63) NOT NULL,
	"object_key" varchar(255) NOT NULL,
	"started_at" timestamptz NOT NULL,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_pending_uploads_started_at" ON "pending_uploads" ("started_at");
CREATE TABLE IF NOT EXISTS "access_log" (
	"id" varchar(36),
	"tenant_id" text NOT NULL,
	"document_id" varchar(36) NOT NULL,
	"file_id" varchar(36) NOT NULL DEFAULT '',
	"actor" varchar(255) NOT NULL,
	"actor_name" varchar(255) NOT NULL DEFAULT '',
	"action" varchar(16) NOT NULL,
	"client_ip" varchar(64) NOT NULL DEFAULT '',
	"at" timestamptz NOT NULL,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_access_log_document_id" ON "access_log" ("document_id");
CREATE INDEX IF NOT EXISTS "idx_access_log_tenant_id" ON "access_log" ("tenant_id");
CREATE TABLE IF NOT EXISTS "deliveries" (
	"id" varchar(36),
	"sender_tenant" varchar(63) NOT NULL,
	"document_id" varchar(36) NOT NULL,
	"recipient_tenant" varchar(63) NOT NULL,
	"incoming_document_id" varchar(36) NOT NULL,
	"incoming_number" bigint NOT NULL,
	"state" varchar(16) NOT NULL,
	"sent_at" timestamptz NOT NULL,
	"received_at" timestamptz NOT NULL,
	"read_at" timestamptz,
	PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "idx_deliveries_incoming_document_id" ON "deliveries" ("incoming_document_id");
CREATE INDEX IF NOT EXISTS "idx_deliveries_recipient_tenant" ON "deliveries" ("recipient_tenant");
CREATE INDEX IF NOT EXISTS "idx_deliveries_document_id" ON "deliveries" ("document_id");
CREATE INDEX IF NOT EXISTS "idx_deliveries_sender_tenant" ON "deliveries" ("sender_tenant");
CREATE TABLE IF NOT EXISTS "fixity_alerts" (
	"id" varchar(36),
	"tenant_id" text NOT NULL,
	"file_id" varchar(36) NOT NULL,
	"document_id" varchar(36) NOT NULL DEFAULT '',
	"object_key" varchar(255) NOT NULL,
	"version_id" varchar(64) NOT NULL,
	"problem" varchar(16) NOT NULL,
	"expected_sha256" varchar(64) NOT NULL,
	"actual_sha256" varchar(64) NOT NULL DEFAULT '',
	"detail" varchar(500) NOT NULL DEFAULT '',
	"detected_at" timestamptz NOT NULL,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_fixity_alerts_file_id" ON "fixity_alerts" ("file_id");
CREATE INDEX IF NOT EXISTS "idx_fixity_alerts_tenant_id" ON "fixity_alerts" ("tenant_id");

-- btree_gin lets one GIN index hold the unit with the words, so that a search intersects
-- both inside the index instead of reading every row of a word common in other units. It is a
-- trusted extension: the database's owner may create it, or an administrator once ahead of time
-- (CREATE EXTENSION btree_gin in the archives database as its owner or a superuser), after
-- which this statement only checks it is there.
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- The register's uniqueness: one number per unit, direction and year.
CREATE UNIQUE INDEX IF NOT EXISTS ux_documents_register ON documents (tenant_id, direction, year, number);
CREATE UNIQUE INDEX IF NOT EXISTS ux_record_files_code ON record_files (tenant_id, file_code);

-- The register's order within a unit (Store.Documents), so that a listing or a search with
-- many matches reads the newest rows in order and stops at the page's end. It replaces
-- ix_documents_list, a copy of ux_documents_register.
CREATE INDEX IF NOT EXISTS ix_documents_order ON documents (tenant_id, year DESC, registered_at DESC, number DESC, id DESC);
DROP INDEX IF EXISTS ix_documents_list;

-- A stored tsvector: the index's rechecks read it instead of re-parsing the text of every
-- candidate row, which dominated searches over a million documents.
ALTER TABLE documents ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED;
ALTER TABLE record_files ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED;
CREATE INDEX IF NOT EXISTS ix_documents_search ON documents USING gin (tenant_id, search_vector);
CREATE INDEX IF NOT EXISTS ix_record_files_search ON record_files USING gin (tenant_id, search_vector);

-- Replaced by the indexes above.
DROP INDEX IF EXISTS ix_documents_fts;
DROP INDEX IF EXISTS ix_record_files_fts;

-- +goose Down
DROP TABLE IF EXISTS "fixity_alerts";
DROP TABLE IF EXISTS "deliveries";
DROP TABLE IF EXISTS "access_log";
DROP TABLE IF EXISTS "pending_uploads";
DROP TABLE IF EXISTS "stored_files";
DROP TABLE IF EXISTS "record_files";
DROP TABLE IF EXISTS "register_counters";
DROP TABLE IF EXISTS "documents";
