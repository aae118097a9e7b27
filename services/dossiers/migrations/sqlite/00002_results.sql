-- The result document (kết quả) of a dossier: one row per attachment, the latest in force.
-- +goose Up
CREATE TABLE IF NOT EXISTS `dossier_results` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`tenant_id` text NOT NULL,
	`dossier_id` text NOT NULL,
	`seq` integer NOT NULL,
	`doc_type` text NOT NULL,
	`summary` text NOT NULL,
	`signer` text NOT NULL,
	`bucket` text NOT NULL,
	`object_key` text NOT NULL,
	`file_name` text NOT NULL,
	`content_type` text NOT NULL,
	`size` integer NOT NULL,
	`sha256` text NOT NULL,
	`attached_by` text NOT NULL,
	`attached_at` datetime
);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_dossier_results_dossier_seq` ON `dossier_results`(`dossier_id`,`seq`);
CREATE INDEX IF NOT EXISTS `idx_dossier_results_tenant_id` ON `dossier_results`(`tenant_id`);

-- +goose Down
DROP TABLE IF EXISTS `dossier_results`;
