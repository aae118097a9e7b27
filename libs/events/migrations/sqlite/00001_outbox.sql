-- outbox_events and processed_events, owned by libs/events. IF NOT EXISTS adopts the tables an
-- earlier events.AutoMigrate made.
-- +goose Up
CREATE TABLE IF NOT EXISTS `outbox_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`event_id` text NOT NULL,
	`subject` text NOT NULL,
	`payload` text NOT NULL,
	`headers` text NOT NULL,
	`created_at` datetime NOT NULL,
	`published_at` datetime,
	`attempts` integer NOT NULL DEFAULT 0,
	`last_error` text NOT NULL DEFAULT ""
);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_outbox_events_event_id` ON `outbox_events`(`event_id`);
CREATE INDEX IF NOT EXISTS `idx_outbox_events_unpublished` ON `outbox_events`(`id`) WHERE published_at IS NULL;
CREATE TABLE IF NOT EXISTS `processed_events` (
	`consumer` text,
	`event_id` text,
	`processed_at` datetime NOT NULL,
	PRIMARY KEY (`consumer`,`event_id`)
);

-- +goose Down
DROP TABLE IF EXISTS `processed_events`;
DROP TABLE IF EXISTS `outbox_events`;
