-- identity's schema as the service's gorm AutoMigrate and hand-written DDL made it before versioned
-- migrations. IF NOT EXISTS lets a database made that way adopt this history without error;
-- later changes go into new files.
-- +goose Up
CREATE TABLE IF NOT EXISTS `tenants` (
	`id` text,
	`slug` text,
	`code` text,
	`name` text,
	`kind` text,
	`parent_id` text,
	`disabled` numeric,
	`created_at` datetime,
	`updated_at` datetime,
	PRIMARY KEY (`id`)
);
CREATE INDEX IF NOT EXISTS `idx_tenants_parent_id` ON `tenants`(`parent_id`);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_tenants_code` ON `tenants`(`code`);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_tenants_slug` ON `tenants`(`slug`);
CREATE TABLE IF NOT EXISTS `users` (
	`id` text,
	`tenant_id` text,
	`username` text,
	`name` text,
	`email` text,
	`roles` text,
	`password_hash` text,
	`must_change_password` numeric,
	`totp_secret` text,
	`totp_enabled` numeric,
	`totp_last_step` integer,
	`staff_id` text,
	`disabled` numeric,
	`failed_attempts` integer,
	`locked_until_ms` integer,
	`created_at` datetime,
	`updated_at` datetime,
	PRIMARY KEY (`id`)
);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_users_username` ON `users`(`username`);
CREATE INDEX IF NOT EXISTS `idx_users_tenant_id` ON `users`(`tenant_id`);
CREATE TABLE IF NOT EXISTS `address_lockouts` (
	`address` text,
	`failed_attempts` integer,
	`locked_until_ms` integer,
	`updated_at` datetime,
	PRIMARY KEY (`address`)
);
CREATE TABLE IF NOT EXISTS `clients` (
	`id` text,
	`tenant_id` text,
	`name` text,
	`type` text,
	`secret_hash` text,
	`redirect_uris` text,
	`post_logout_redirect_uris` text,
	`backchannel_logout_uri` text,
	`grant_types` text,
	`roles` text,
	`audiences` text,
	`disabled` numeric,
	`created_at` datetime,
	`updated_at` datetime,
	PRIMARY KEY (`id`)
);
CREATE INDEX IF NOT EXISTS `idx_clients_tenant_id` ON `clients`(`tenant_id`);
CREATE TABLE IF NOT EXISTS `sso_sessions` (
	`id` text,
	`secret_hash` text,
	`user_id` text,
	`tenant_id` text,
	`amr` text,
	`auth_time` datetime,
	`created_at` datetime,
	`last_seen_at` datetime,
	`expires_at` datetime,
	`ended_at` datetime,
	`user_agent` text,
	`address` text,
	PRIMARY KEY (`id`)
);
CREATE INDEX IF NOT EXISTS `idx_sso_sessions_user_id` ON `sso_sessions`(`user_id`);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_sso_sessions_secret_hash` ON `sso_sessions`(`secret_hash`);
CREATE TABLE IF NOT EXISTS `sso_session_clients` (
	`session_id` text,
	`client_id` text,
	`created_at` datetime,
	PRIMARY KEY (`session_id`,`client_id`)
);
CREATE TABLE IF NOT EXISTS `auth_requests` (
	`id` text,
	`client_id` text,
	`redirect_uri` text,
	`state` text,
	`nonce` text,
	`scopes` text,
	`response_type` text,
	`response_mode` text,
	`code_challenge` text,
	`code_challenge_method` text,
	`prompt` text,
	`max_age_seconds` integer,
	`login_hint` text,
	`ui_locales` text,
	`user_id` text,
	`session_id` text,
	`auth_time` datetime,
	`amr` text,
	`done` numeric,
	`code_hash` text,
	`created_at` datetime,
	PRIMARY KEY (`id`)
);
CREATE INDEX IF NOT EXISTS `idx_auth_requests_created_at` ON `auth_requests`(`created_at`);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_auth_requests_code_hash` ON `auth_requests`(`code_hash`);
CREATE TABLE IF NOT EXISTS `refresh_tokens` (
	`id` text,
	`token_hash` text,
	`family_id` text,
	`client_id` text,
	`user_id` text,
	`session_id` text,
	`tenant_id` text,
	`scopes` text,
	`audience` text,
	`amr` text,
	`auth_time` datetime,
	`expires_at` datetime,
	`used_at` datetime,
	`revoked_at` datetime,
	`created_at` datetime,
	PRIMARY KEY (`id`)
);
CREATE INDEX IF NOT EXISTS `idx_refresh_tokens_session_id` ON `refresh_tokens`(`session_id`);
CREATE INDEX IF NOT EXISTS `idx_refresh_tokens_user_id` ON `refresh_tokens`(`user_id`);
CREATE INDEX IF NOT EXISTS `idx_refresh_tokens_family_id` ON `refresh_tokens`(`family_id`);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_refresh_tokens_token_hash` ON `refresh_tokens`(`token_hash`);
CREATE TABLE IF NOT EXISTS `revoked_access_tokens` (
	`jti` text,
	`expires_at` datetime,
	PRIMARY KEY (`jti`)
);
CREATE INDEX IF NOT EXISTS `idx_revoked_access_tokens_expires_at` ON `revoked_access_tokens`(`expires_at`);
CREATE TABLE IF NOT EXISTS `signing_keys` (
	`id` text,
	`algorithm` text,
	`private_pem` text,
	`created_at` datetime,
	`sign_until` datetime,
	`publish_until` datetime,
	PRIMARY KEY (`id`)
);
CREATE INDEX IF NOT EXISTS `idx_signing_keys_publish_until` ON `signing_keys`(`publish_until`);
CREATE TABLE IF NOT EXISTS `audit_events` (
	`id` text,
	`at` datetime,
	`tenant_id` text,
	`actor` text,
	`action` text,
	`subject` text,
	`outcome` text,
	`address` text,
	`detail` text,
	PRIMARY KEY (`id`)
);
CREATE INDEX IF NOT EXISTS `idx_audit_events_action` ON `audit_events`(`action`);
CREATE INDEX IF NOT EXISTS `idx_audit_events_tenant_id` ON `audit_events`(`tenant_id`);
CREATE INDEX IF NOT EXISTS `idx_audit_events_at` ON `audit_events`(`at`);

-- +goose Down
DROP TABLE IF EXISTS `audit_events`;
DROP TABLE IF EXISTS `signing_keys`;
DROP TABLE IF EXISTS `revoked_access_tokens`;
DROP TABLE IF EXISTS `refresh_tokens`;
DROP TABLE IF EXISTS `auth_requests`;
DROP TABLE IF EXISTS `sso_session_clients`;
DROP TABLE IF EXISTS `sso_sessions`;
DROP TABLE IF EXISTS `clients`;
DROP TABLE IF EXISTS `address_lockouts`;
DROP TABLE IF EXISTS `users`;
DROP TABLE IF EXISTS `tenants`;
