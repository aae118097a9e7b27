-- reporting's schema as the service's gorm AutoMigrate and hand-written DDL made it before versioned
-- migrations. IF NOT EXISTS lets a database made that way adopt this history without error;
-- later changes go into new files.
-- +goose Up
CREATE TABLE IF NOT EXISTS `report_tenants` (
	`slug` text,
	`code` text NOT NULL DEFAULT "",
	`name` text NOT NULL DEFAULT "",
	`kind` text NOT NULL DEFAULT "",
	`parent` text NOT NULL DEFAULT "",
	`created_at` datetime,
	`updated_at` datetime,
	PRIMARY KEY (`slug`)
);
CREATE INDEX IF NOT EXISTS `idx_report_tenants_parent` ON `report_tenants`(`parent`);
CREATE TABLE IF NOT EXISTS `report_counters` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`tenant_id` text NOT NULL,
	`month` integer NOT NULL,
	`indicator` text NOT NULL,
	`value` integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS `idx_report_counters_tenant_id` ON `report_counters`(`tenant_id`);
CREATE TABLE IF NOT EXISTS `report_dossiers` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`tenant_id` text NOT NULL,
	`dossier_id` text NOT NULL,
	`version` integer NOT NULL,
	`receipt_code` text NOT NULL DEFAULT "",
	`procedure_code` text NOT NULL DEFAULT "",
	`procedure_name` text NOT NULL DEFAULT "",
	`field` text NOT NULL DEFAULT "",
	`level` text NOT NULL DEFAULT "",
	`channel` text NOT NULL DEFAULT "",
	`state` text NOT NULL DEFAULT "",
	`received` numeric NOT NULL,
	`received_at` datetime,
	`due_at` datetime,
	`refused_at` datetime,
	`legal_minutes` integer NOT NULL DEFAULT 0,
	`resolved_at` datetime,
	`on_time` numeric NOT NULL DEFAULT false,
	`elapsed_minutes` integer NOT NULL DEFAULT 0,
	`returned_at` datetime,
	`closed_as` text NOT NULL DEFAULT "",
	`closed_at` datetime,
	`rating` text NOT NULL DEFAULT "",
	`rating_version` integer NOT NULL DEFAULT 0,
	`rated_at` datetime,
	`received_month` integer NOT NULL DEFAULT 0,
	`ended_month` integer NOT NULL DEFAULT 0,
	`resolved_month` integer NOT NULL DEFAULT 0,
	`due_month` integer NOT NULL DEFAULT 0,
	`returned_month` integer NOT NULL DEFAULT 0,
	`rated_month` integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS `idx_report_dossiers_tenant_id` ON `report_dossiers`(`tenant_id`);
CREATE TABLE IF NOT EXISTS `report_documents` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`tenant_id` text NOT NULL,
	`document_id` text NOT NULL,
	`register` text NOT NULL DEFAULT "",
	`registered_at` datetime,
	`sent_at` datetime,
	`received_at` datetime
);
CREATE INDEX IF NOT EXISTS `idx_report_documents_tenant_id` ON `report_documents`(`tenant_id`);
CREATE TABLE IF NOT EXISTS `report_staff` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`tenant_id` text NOT NULL,
	`staff_id` text NOT NULL,
	`category` text NOT NULL DEFAULT "",
	`hired_at` datetime,
	`left_at` datetime,
	`qualified` text NOT NULL DEFAULT "{}",
	`best_rank` text NOT NULL DEFAULT "{}"
);
CREATE INDEX IF NOT EXISTS `idx_report_staff_tenant_id` ON `report_staff`(`tenant_id`);
CREATE TABLE IF NOT EXISTS `report_targets` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`tenant_id` text NOT NULL,
	`indicator` text NOT NULL,
	`period` text NOT NULL,
	`value` real NOT NULL,
	`updated_at` datetime
);
CREATE INDEX IF NOT EXISTS `idx_report_targets_tenant_id` ON `report_targets`(`tenant_id`);

-- The natural keys the upserts conflict on.
CREATE UNIQUE INDEX IF NOT EXISTS ux_report_counters ON report_counters (tenant_id, month, indicator);
CREATE UNIQUE INDEX IF NOT EXISTS ux_report_dossiers ON report_dossiers (dossier_id, tenant_id);
CREATE UNIQUE INDEX IF NOT EXISTS ux_report_documents ON report_documents (document_id, tenant_id);
CREATE UNIQUE INDEX IF NOT EXISTS ux_report_staff ON report_staff (staff_id, tenant_id);
CREATE UNIQUE INDEX IF NOT EXISTS ux_report_targets ON report_targets (tenant_id, indicator, period);

-- Covers the stock sums (one indicator, every month up to the period's end) without the table.
CREATE INDEX IF NOT EXISTS ix_report_counters_stock ON report_counters (tenant_id, indicator, month, value);
CREATE INDEX IF NOT EXISTS ix_report_dossiers_tenant_received ON report_dossiers (tenant_id, received_month);
CREATE INDEX IF NOT EXISTS ix_report_dossiers_tenant_resolved ON report_dossiers (tenant_id, resolved_month);

-- Replaced by the tenant-leading indexes above.
DROP INDEX IF EXISTS ix_report_dossiers_received;
DROP INDEX IF EXISTS ix_report_dossiers_resolved;

-- +goose Down
DROP TABLE IF EXISTS `report_targets`;
DROP TABLE IF EXISTS `report_staff`;
DROP TABLE IF EXISTS `report_documents`;
DROP TABLE IF EXISTS `report_dossiers`;
DROP TABLE IF EXISTS `report_counters`;
DROP TABLE IF EXISTS `report_tenants`;
