-- dossiers's schema as the service's gorm AutoMigrate and hand-written DDL made it before versioned
-- migrations. IF NOT EXISTS lets a database made that way adopt this history without error;
-- later changes go into new files.
-- +goose Up
CREATE TABLE IF NOT EXISTS `procedures` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`tenant_id` text NOT NULL,
	`key` text NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`field` text NOT NULL,
	`level` text NOT NULL,
	`legal_time` integer NOT NULL,
	`time_unit` text NOT NULL,
	`fee` integer NOT NULL,
	`documents` text NOT NULL,
	`handling_unit` text NOT NULL,
	`steps` text NOT NULL,
	`supplement` text NOT NULL,
	`legal_basis` text NOT NULL,
	`updated_at` datetime
);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_procedures_key` ON `procedures`(`key`);
CREATE INDEX IF NOT EXISTS `idx_procedures_tenant_id` ON `procedures`(`tenant_id`);
CREATE TABLE IF NOT EXISTS `tenant_settings` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`tenant_id` text NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`code` text NOT NULL,
	`kind` text NOT NULL,
	`parent` text NOT NULL,
	`unit_code` text NOT NULL,
	`receipt_pattern` text NOT NULL,
	`morning_start` integer NOT NULL,
	`morning_end` integer NOT NULL,
	`afternoon_start` integer NOT NULL,
	`afternoon_end` integer NOT NULL,
	`updated_at` datetime
);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_tenant_settings_slug` ON `tenant_settings`(`slug`);
CREATE INDEX IF NOT EXISTS `idx_tenant_settings_tenant_id` ON `tenant_settings`(`tenant_id`);
CREATE TABLE IF NOT EXISTS `calendar_days` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`tenant_id` text NOT NULL,
	`key` text NOT NULL,
	`date` text NOT NULL,
	`kind` text NOT NULL,
	`note` text NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_calendar_days_key` ON `calendar_days`(`key`);
CREATE INDEX IF NOT EXISTS `idx_calendar_days_tenant_id` ON `calendar_days`(`tenant_id`);
CREATE TABLE IF NOT EXISTS `receipt_counters` (
	`tenant_id` text,
	`unit` text,
	`day` text,
	`seq` integer NOT NULL,
	PRIMARY KEY (`tenant_id`,`unit`,`day`)
);
CREATE TABLE IF NOT EXISTS `dossiers` (
	`id` text,
	`tenant_id` text NOT NULL,
	`holder_tenant` text NOT NULL,
	`receipt_code` text NOT NULL,
	`version` integer NOT NULL,
	`procedure_code` text NOT NULL,
	`procedure_name` text NOT NULL,
	`field` text NOT NULL,
	`level` text NOT NULL,
	`steps` text NOT NULL,
	`supplement` text NOT NULL,
	`legal_minutes` integer NOT NULL,
	`fee` integer NOT NULL,
	`applicant_name` text NOT NULL,
	`applicant_id_number` text NOT NULL,
	`applicant_phone` text NOT NULL,
	`applicant_address` text NOT NULL,
	`applicant_org` text NOT NULL,
	`applicant_tax_code` text NOT NULL,
	`applicant_email` text NOT NULL,
	`channel` text NOT NULL,
	`documents` text NOT NULL,
	`state` text NOT NULL,
	`steps_done` integer NOT NULL,
	`step_due_at` datetime,
	`unit` text NOT NULL,
	`handler` text NOT NULL,
	`resume_state` text NOT NULL,
	`received_at` datetime NOT NULL,
	`due_at` datetime NOT NULL,
	`extended_due_at` datetime,
	`current_due_at` datetime NOT NULL,
	`active` numeric NOT NULL,
	`open` numeric NOT NULL,
	`clock_start` datetime,
	`paused_at` datetime,
	`paused_minutes` integer NOT NULL,
	`resolved_at` datetime,
	`returned_at` datetime,
	`late` numeric NOT NULL,
	`overdue_notified` numeric NOT NULL,
	`step_overdue_notified` integer NOT NULL,
	`rating` text NOT NULL,
	`rating_comment` text NOT NULL,
	`rated_at` datetime,
	`updated_at` datetime,
	PRIMARY KEY (`id`)
);
CREATE INDEX IF NOT EXISTS `idx_dossiers_holder_due` ON `dossiers`(`active`);
CREATE INDEX IF NOT EXISTS `idx_dossiers_overdue_job` ON `dossiers`(`current_due_at`) WHERE active = true AND overdue_notified = false;
CREATE INDEX IF NOT EXISTS `idx_dossiers_received_at` ON `dossiers`(`received_at`);
CREATE INDEX IF NOT EXISTS `idx_dossiers_step_due` ON `dossiers`(`step_due_at`) WHERE step_due_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS `idx_dossiers_applicant_id_number` ON `dossiers`(`applicant_id_number`);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_dossiers_receipt_code` ON `dossiers`(`receipt_code`);
CREATE INDEX IF NOT EXISTS `idx_dossiers_holder_unit` ON `dossiers`(`holder_tenant`,`unit`);
CREATE INDEX IF NOT EXISTS `idx_dossiers_holder_state` ON `dossiers`(`holder_tenant`,`state`);
CREATE INDEX IF NOT EXISTS `idx_dossiers_tenant_id` ON `dossiers`(`tenant_id`);
CREATE INDEX IF NOT EXISTS `idx_dossiers_active_due` ON `dossiers`(`active`,`current_due_at`,`id`);
CREATE TABLE IF NOT EXISTS `dossier_transitions` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`tenant_id` text NOT NULL,
	`dossier_id` text NOT NULL,
	`seq` integer NOT NULL,
	`version` integer NOT NULL,
	`action` text NOT NULL,
	`from_state` text NOT NULL,
	`to_state` text NOT NULL,
	`actor` text NOT NULL,
	`actor_name` text NOT NULL,
	`acting_tenant` text NOT NULL,
	`at` datetime,
	`note` text NOT NULL,
	`step` integer NOT NULL,
	`unit` text NOT NULL,
	`handler` text NOT NULL,
	`to_tenant` text NOT NULL,
	`due_at` datetime
);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_transitions_dossier_seq` ON `dossier_transitions`(`dossier_id`,`seq`);
CREATE INDEX IF NOT EXISTS `idx_dossier_transitions_tenant_id` ON `dossier_transitions`(`tenant_id`);
CREATE TABLE IF NOT EXISTS `lookup_attempts` (
	`client_key` text,
	`window_start` datetime,
	`attempts` integer NOT NULL,
	PRIMARY KEY (`client_key`,`window_start`)
);

-- Composite indexes with tenant_id, which TenantModel's field cannot tag. Each inbox
-- filters by equality on its leading columns (the scope's tenant_id is one value for a
-- commune) and reads in the order of the last ones, so a page is one short index scan.
CREATE INDEX IF NOT EXISTS idx_dossiers_tenant_received ON dossiers (tenant_id, received_at, id);
CREATE INDEX IF NOT EXISTS idx_dossiers_unit_inbox ON dossiers (holder_tenant, tenant_id, open, received_at, id);
CREATE INDEX IF NOT EXISTS idx_dossiers_mine ON dossiers (holder_tenant, handler, tenant_id, open, received_at, id);
CREATE INDEX IF NOT EXISTS idx_dossiers_holder_due ON dossiers (holder_tenant, tenant_id, active, current_due_at, id);

-- +goose Down
DROP TABLE IF EXISTS `lookup_attempts`;
DROP TABLE IF EXISTS `dossier_transitions`;
DROP TABLE IF EXISTS `dossiers`;
DROP TABLE IF EXISTS `receipt_counters`;
DROP TABLE IF EXISTS `calendar_days`;
DROP TABLE IF EXISTS `tenant_settings`;
DROP TABLE IF EXISTS `procedures`;
