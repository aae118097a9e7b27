-- auth_ended_sessions, owned by libs/auth (GormEndedSessions). IF NOT EXISTS adopts the table an
-- earlier AutoMigrate made.
-- +goose Up
CREATE TABLE IF NOT EXISTS "auth_ended_sessions" (
	"id" bigserial,
	"sid" varchar(255) NOT NULL DEFAULT '',
	"subject" varchar(255) NOT NULL,
	"ended_at" timestamptz NOT NULL,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_auth_ended_sessions_ended_at" ON "auth_ended_sessions" ("ended_at");
CREATE INDEX IF NOT EXISTS "idx_auth_ended_sessions_subject" ON "auth_ended_sessions" ("subject");
CREATE INDEX IF NOT EXISTS "idx_auth_ended_sessions_sid" ON "auth_ended_sessions" ("sid");

-- +goose Down
DROP TABLE IF EXISTS "auth_ended_sessions";
