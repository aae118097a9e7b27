-- The result document (kết quả) of a dossier: one row per attachment, the latest in force.
-- +goose Up
CREATE TABLE IF NOT EXISTS "dossier_results" (
	"id" bigserial,
	"tenant_id" text NOT NULL,
	"dossier_id" varchar(36) NOT NULL,
	"seq" bigint NOT NULL,
	"doc_type" varchar(100) NOT NULL,
	"summary" text NOT NULL,
	"signer" varchar(200) NOT NULL,
	"bucket" varchar(100) NOT NULL,
	"object_key" varchar(300) NOT NULL,
	"file_name" varchar(300) NOT NULL,
	"content_type" varchar(100) NOT NULL,
	"size" bigint NOT NULL,
	"sha256" varchar(64) NOT NULL,
	"attached_by" varchar(100) NOT NULL,
	"attached_at" timestamptz,
	PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "idx_dossier_results_dossier_seq" ON "dossier_results" ("dossier_id","seq");
CREATE INDEX IF NOT EXISTS "idx_dossier_results_tenant_id" ON "dossier_results" ("tenant_id");

-- +goose Down
DROP TABLE IF EXISTS "dossier_results";
