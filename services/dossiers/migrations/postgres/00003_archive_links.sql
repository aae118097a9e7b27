-- Where each dossier's result is archived (issue 15 item 3): the outgoing document the archives
-- registered for it, from their "registered" events that name the dossier. One per dossier.
-- +goose Up
CREATE TABLE IF NOT EXISTS "archive_links" (
	"dossier_id" varchar(36),
	"tenant_id" text NOT NULL,
	"document_id" varchar(36) NOT NULL,
	"year" bigint NOT NULL,
	"number" bigint NOT NULL,
	"notation" varchar(128) NOT NULL,
	"registered_at" timestamptz NOT NULL,
	PRIMARY KEY ("dossier_id")
);
CREATE INDEX IF NOT EXISTS "idx_archive_links_tenant_id" ON "archive_links" ("tenant_id");

-- +goose Down
DROP TABLE IF EXISTS "archive_links";
