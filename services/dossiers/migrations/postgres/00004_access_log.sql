-- Need-to-know (issue 18 item 1): every read of a dossier's personal data (the applicant
-- unmasked, a scan, the result, the ledger), in the log of the reader's unit.
-- +goose Up
CREATE TABLE IF NOT EXISTS "access_log" (
	"id" varchar(36),
	"tenant_id" text NOT NULL,
	"dossier_id" varchar(36) NOT NULL DEFAULT '',
	"receipt_code" varchar(64) NOT NULL DEFAULT '',
	"actor" varchar(255) NOT NULL,
	"actor_name" varchar(255) NOT NULL DEFAULT '',
	"what" varchar(16) NOT NULL,
	"at" timestamptz NOT NULL,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_access_log_tenant_id" ON "access_log" ("tenant_id");
CREATE INDEX IF NOT EXISTS "idx_access_log_dossier_id" ON "access_log" ("dossier_id");

-- +goose Down
DROP TABLE IF EXISTS "access_log";
