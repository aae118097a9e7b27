-- identity's schema as the service's gorm AutoMigrate and hand-written DDL made it before versioned
-- migrations. IF NOT EXISTS lets a database made that way adopt this history without error;
-- later changes go into new files.
-- +goose Up
CREATE TABLE IF NOT EXISTS "tenants" (
	"id" varchar(36),
	"slug" varchar(63),
	"code" varchar(16),
	"name" varchar(200),
	"kind" varchar(16),
	"parent_id" varchar(36),
	"disabled" boolean,
	"created_at" timestamptz,
	"updated_at" timestamptz,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_tenants_parent_id" ON "tenants" ("parent_id");
CREATE UNIQUE INDEX IF NOT EXISTS "idx_tenants_code" ON "tenants" ("code");
CREATE UNIQUE INDEX IF NOT EXISTS "idx_tenants_slug" ON "tenants" ("slug");
CREATE TABLE IF NOT EXISTS "users" (
	"id" varchar(36),
	"tenant_id" varchar(36),
	"username" varchar(64),
	"name" varchar(200),
	"email" varchar(254),
	"roles" text,
	"password_hash" varchar(200),
	"must_change_password" boolean,
	"totp_secret" varchar(64),
	"totp_enabled" boolean,
	"totp_last_step" bigint,
	"staff_id" varchar(64),
	"disabled" boolean,
	"failed_attempts" bigint,
	"locked_until_ms" bigint,
	"created_at" timestamptz,
	"updated_at" timestamptz,
	PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "idx_users_username" ON "users" ("username");
CREATE INDEX IF NOT EXISTS "idx_users_tenant_id" ON "users" ("tenant_id");
CREATE TABLE IF NOT EXISTS "address_lockouts" (
	"address" varchar(64),
	"failed_attempts" bigint,
	"locked_until_ms" bigint,
	"updated_at" timestamptz,
	PRIMARY KEY ("address")
);
CREATE TABLE IF NOT EXISTS "clients" (
	"id" varchar(64),
	"tenant_id" varchar(36),
	"name" varchar(200),
	"type" varchar(16),
	"secret_hash" varchar(100),
	"redirect_uris" text,
	"post_logout_redirect_uris" text,
	"backchannel_logout_uri" varchar(500),
	"grant_types" text,
	"roles" text,
	"audiences" text,
	"disabled" boolean,
	"created_at" timestamptz,
	"updated_at" timestamptz,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_clients_tenant_id" ON "clients" ("tenant_id");
CREATE TABLE IF NOT EXISTS "sso_sessions" (
	"id" varchar(36),
	"secret_hash" varchar(64),
	"user_id" varchar(36),
	"tenant_id" varchar(36),
	"amr" text,
	"auth_time" timestamptz,
	"created_at" timestamptz,
	"last_seen_at" timestamptz,
	"expires_at" timestamptz,
	"ended_at" timestamptz,
	"user_agent" varchar(300),
	"address" varchar(64),
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_sso_sessions_user_id" ON "sso_sessions" ("user_id");
CREATE UNIQUE INDEX IF NOT EXISTS "idx_sso_sessions_secret_hash" ON "sso_sessions" ("secret_hash");
CREATE TABLE IF NOT EXISTS "sso_session_clients" (
	"session_id" varchar(36),
	"client_id" varchar(64),
	"created_at" timestamptz,
	PRIMARY KEY ("session_id","client_id")
);
CREATE TABLE IF NOT EXISTS "auth_requests" (
	"id" varchar(36),
	"client_id" varchar(64),
	"redirect_uri" varchar(500),
	"state" varchar(500),
	"nonce" varchar(500),
	"scopes" text,
	"response_type" varchar(32),
	"response_mode" varchar(32),
	"code_challenge" varchar(128),
	"code_challenge_method" varchar(8),
	"prompt" text,
	"max_age_seconds" bigint,
	"login_hint" varchar(200),
	"ui_locales" text,
	"user_id" varchar(36),
	"session_id" varchar(36),
	"auth_time" timestamptz,
	"amr" text,
	"done" boolean,
	"code_hash" varchar(64),
	"created_at" timestamptz,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_auth_requests_created_at" ON "auth_requests" ("created_at");
CREATE UNIQUE INDEX IF NOT EXISTS "idx_auth_requests_code_hash" ON "auth_requests" ("code_hash");
CREATE TABLE IF NOT EXISTS "refresh_tokens" (
	"id" varchar(36),
	"token_hash" varchar(64),
	"family_id" varchar(36),
	"client_id" varchar(64),
	"user_id" varchar(36),
	"session_id" varchar(36),
	"tenant_id" varchar(36),
	"scopes" text,
	"audience" text,
	"amr" text,
	"auth_time" timestamptz,
	"expires_at" timestamptz,
	"used_at" timestamptz,
	"revoked_at" timestamptz,
	"created_at" timestamptz,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_refresh_tokens_session_id" ON "refresh_tokens" ("session_id");
CREATE INDEX IF NOT EXISTS "idx_refresh_tokens_user_id" ON "refresh_tokens" ("user_id");
CREATE INDEX IF NOT EXISTS "idx_refresh_tokens_family_id" ON "refresh_tokens" ("family_id");
CREATE UNIQUE INDEX IF NOT EXISTS "idx_refresh_tokens_token_hash" ON "refresh_tokens" ("token_hash");
CREATE TABLE IF NOT EXISTS "revoked_access_tokens" (
	"jti" varchar(64),
	"expires_at" timestamptz,
	PRIMARY KEY ("jti")
);
CREATE INDEX IF NOT EXISTS "idx_revoked_access_tokens_expires_at" ON "revoked_access_tokens" ("expires_at");
CREATE TABLE IF NOT EXISTS "signing_keys" (
	"id" varchar(64),
	"algorithm" varchar(16),
	"private_pem" text,
	"created_at" timestamptz,
	"sign_until" timestamptz,
	"publish_until" timestamptz,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_signing_keys_publish_until" ON "signing_keys" ("publish_until");
CREATE TABLE IF NOT EXISTS "audit_events" (
	"id" varchar(36),
	"at" timestamptz,
	"tenant_id" varchar(36),
	"actor" varchar(64),
	"action" varchar(64),
	"subject" varchar(200),
	"outcome" varchar(16),
	"address" varchar(64),
	"detail" varchar(500),
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_audit_events_action" ON "audit_events" ("action");
CREATE INDEX IF NOT EXISTS "idx_audit_events_tenant_id" ON "audit_events" ("tenant_id");
CREATE INDEX IF NOT EXISTS "idx_audit_events_at" ON "audit_events" ("at");

-- +goose Down
DROP TABLE IF EXISTS "audit_events";
DROP TABLE IF EXISTS "signing_keys";
DROP TABLE IF EXISTS "revoked_access_tokens";
DROP TABLE IF EXISTS "refresh_tokens";
DROP TABLE IF EXISTS "auth_requests";
DROP TABLE IF EXISTS "sso_session_clients";
DROP TABLE IF EXISTS "sso_sessions";
DROP TABLE IF EXISTS "clients";
DROP TABLE IF EXISTS "address_lockouts";
DROP TABLE IF EXISTS "users";
DROP TABLE IF EXISTS "tenants";
