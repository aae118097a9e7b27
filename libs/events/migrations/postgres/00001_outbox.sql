-- outbox_events and processed_events, owned by libs/events. IF NOT EXISTS adopts the tables an
-- earlier events.AutoMigrate made.
-- +goose Up
CREATE TABLE IF NOT EXISTS "outbox_events" (
	"id" bigserial,
	"event_id" varchar(36) NOT NULL,
	"subject" varchar(255) NOT NULL,
	"payload" text NOT NULL,
	"headers" text NOT NULL,
	"created_at" timestamptz NOT NULL,
	"published_at" timestamptz,
	"attempts" bigint NOT NULL DEFAULT 0,
	"last_error" varchar(500) NOT NULL DEFAULT '',
	PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "idx_outbox_events_event_id" ON "outbox_events" ("event_id");
CREATE INDEX IF NOT EXISTS "idx_outbox_events_unpublished" ON "outbox_events" ("id") WHERE published_at IS NULL;
CREATE TABLE IF NOT EXISTS "processed_events" (
	"consumer" varchar(200),
	"event_id" varchar(36),
	"processed_at" timestamptz NOT NULL,
	PRIMARY KEY ("consumer","event_id")
);

-- +goose Down
DROP TABLE IF EXISTS "processed_events";
DROP TABLE IF EXISTS "outbox_events";
