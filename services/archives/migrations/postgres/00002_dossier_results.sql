-- The results of dossiers archived as outgoing documents (issue 15): which dossier a document
-- is the result of. One row per dossier and tenant (ux_document_dossiers), so that a redelivered,
-- replayed or retried hand-off can never register a dossier's result twice.
-- +goose Up
CREATE TABLE IF NOT EXISTS "document_dossiers" (
	"document_id" varchar(36),
	"tenant_id" text NOT NULL,
	"dossier_id" varchar(36) NOT NULL,
	"receipt_code" varchar(64) NOT NULL,
	PRIMARY KEY ("document_id")
);
CREATE INDEX IF NOT EXISTS "idx_document_dossiers_tenant_id" ON "document_dossiers" ("tenant_id");
CREATE UNIQUE INDEX IF NOT EXISTS ux_document_dossiers ON document_dossiers (tenant_id, dossier_id);

-- +goose Down
DROP TABLE IF EXISTS "document_dossiers";
