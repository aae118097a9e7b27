-- Where each dossier's result is archived (issue 15 item 3): the outgoing document the archives
-- registered for it, from their "registered" events that name the dossier. One per dossier.
-- +goose Up
CREATE TABLE IF NOT EXISTS `archive_links` (
	`dossier_id` text,
	`tenant_id` text NOT NULL,
	`document_id` text NOT NULL,
	`year` integer NOT NULL,
	`number` integer NOT NULL,
	`notation` text NOT NULL,
	`registered_at` datetime NOT NULL,
	PRIMARY KEY (`dossier_id`)
);
CREATE INDEX IF NOT EXISTS `idx_archive_links_tenant_id` ON `archive_links`(`tenant_id`);

-- +goose Down
DROP TABLE IF EXISTS `archive_links`;
