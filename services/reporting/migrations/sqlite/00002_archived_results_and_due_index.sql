-- The share of results archived: when a dossier's result was registered in the unit's archives
-- (archives' "registered" event carrying the dossier_id). And the index the stocks read at now
-- use: a period not over yet reads its stocks at now, less the flows dated later in the month,
-- which are the dossiers due later (see Store.flowsFrom).
-- +goose Up
ALTER TABLE report_dossiers ADD COLUMN archived_at datetime;
CREATE INDEX IF NOT EXISTS ix_report_dossiers_tenant_due ON report_dossiers (tenant_id, due_at);

-- +goose Down
DROP INDEX IF EXISTS ix_report_dossiers_tenant_due;
ALTER TABLE report_dossiers DROP COLUMN archived_at;
