-- Grants to read classified documents (issue 18, need-to-know): the recorded approval for one
-- person to read one document marked mật, tối mật or tuyệt mật. Revoking sets revoked_at; the
-- row stays as the record of who could read a state secret and when.
-- +goose Up
CREATE TABLE IF NOT EXISTS `document_grants` (
	`id` text,
	`tenant_id` text NOT NULL,
	`document_id` text NOT NULL,
	`subject` text NOT NULL,
	`subject_name` text NOT NULL DEFAULT "",
	`granted_by` text NOT NULL,
	`granted_name` text NOT NULL DEFAULT "",
	`granted_at` datetime NOT NULL,
	`revoked_by` text NOT NULL DEFAULT "",
	`revoked_at` datetime,
	PRIMARY KEY (`id`)
);
CREATE INDEX IF NOT EXISTS `idx_document_grants_tenant_id` ON `document_grants`(`tenant_id`);
CREATE INDEX IF NOT EXISTS `idx_document_grants_document_id` ON `document_grants`(`document_id`);
CREATE INDEX IF NOT EXISTS ix_document_grants_subject ON document_grants (tenant_id, subject, document_id);

-- +goose Down
DROP TABLE IF EXISTS `document_grants`;
