-- Grants to read classified documents (issue 18, need-to-know): the recorded approval for one
-- person to read one document marked mật, tối mật or tuyệt mật. Revoking sets revoked_at; the
-- row stays as the record of who could read a state secret and when.
-- +goose Up
CREATE TABLE IF NOT EXISTS "document_grants" (
	"id" varchar(36),
	"tenant_id" text NOT NULL,
	"document_id" varchar(36) NOT NULL,
	"subject" varchar(255) NOT NULL,
	"subject_name" varchar(255) NOT NULL DEFAULT '',
	"granted_by" varchar(255) NOT NULL,
	"granted_name" varchar(255) NOT NULL DEFAULT '',
	"granted_at" timestamptz NOT NULL,
	"revoked_by" varchar(255) NOT NULL DEFAULT '',
	"revoked_at" timestamptz,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_document_grants_tenant_id" ON "document_grants" ("tenant_id");
CREATE INDEX IF NOT EXISTS "idx_document_grants_document_id" ON "document_grants" ("document_id");
CREATE INDEX IF NOT EXISTS ix_document_grants_subject ON document_grants (tenant_id, subject, document_id);

-- +goose Down
DROP TABLE IF EXISTS "document_grants";
