-- Pruner deletes by age: these keep its hourly DELETEs from reading the whole tables.
-- +goose Up
CREATE INDEX IF NOT EXISTS `idx_outbox_events_published_at` ON `outbox_events` (`published_at`);
CREATE INDEX IF NOT EXISTS `idx_processed_events_processed_at` ON `processed_events` (`processed_at`);

-- +goose Down
DROP INDEX IF EXISTS `idx_processed_events_processed_at`;
DROP INDEX IF EXISTS `idx_outbox_events_published_at`;
