-- idempotency_keys, owned by libs/idempotency: one row per Idempotency-Key a caller sent with a
-- change, written in the change's transaction; the answer is added once it is known.
-- +goose Up
CREATE TABLE `idempotency_keys` (
	`tenant` text NOT NULL,
	`subject` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`request` text NOT NULL,
	`fingerprint` text NOT NULL,
	`resource` text NOT NULL DEFAULT "",
	`status` integer NOT NULL DEFAULT 0,
	`headers` text NOT NULL DEFAULT "",
	`body` blob,
	`created_at` datetime NOT NULL,
	`expires_at` datetime NOT NULL,
	PRIMARY KEY (`tenant`,`subject`,`idempotency_key`)
);
CREATE INDEX `idx_idempotency_keys_expires_at` ON `idempotency_keys`(`expires_at`);

-- +goose Down
DROP TABLE IF EXISTS `idempotency_keys`;
