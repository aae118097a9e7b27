-- hr's schema as the service's gorm AutoMigrate and hand-written DDL made it before versioned
-- migrations. IF NOT EXISTS lets a database made that way adopt this history without error;
-- later changes go into new files.
-- +goose Up
CREATE TABLE IF NOT EXISTS `hr_units` (
	`id` text,
	`tenant_id` text NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`parent_id` text,
	`opened_on` datetime NOT NULL,
	`closed_on` datetime,
	`close_reason` text NOT NULL DEFAULT "",
	`seed_key` text,
	`created_at` datetime,
	`updated_at` datetime,
	PRIMARY KEY (`id`)
);
CREATE INDEX IF NOT EXISTS `idx_hr_units_parent_id` ON `hr_units`(`parent_id`);
CREATE INDEX IF NOT EXISTS `idx_hr_units_code` ON `hr_units`(`code`);
CREATE INDEX IF NOT EXISTS `idx_hr_units_tenant_id` ON `hr_units`(`tenant_id`);
CREATE TABLE IF NOT EXISTS `hr_unit_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`unit_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`parent_id` text,
	`valid_from` datetime NOT NULL,
	`valid_to` datetime,
	`change` text NOT NULL,
	`reason` text NOT NULL DEFAULT "",
	`actor` text NOT NULL DEFAULT "",
	`created_at` datetime
);
CREATE INDEX IF NOT EXISTS `idx_hr_unit_versions_tenant_id` ON `hr_unit_versions`(`tenant_id`);
CREATE INDEX IF NOT EXISTS `idx_hr_unit_versions_unit_id` ON `hr_unit_versions`(`unit_id`);
CREATE TABLE IF NOT EXISTS `hr_staff` (
	`id` text,
	`tenant_id` text NOT NULL,
	`full_name` text NOT NULL,
	`birth_date` datetime NOT NULL,
	`gender` text NOT NULL,
	`cccd` text NOT NULL,
	`category` text NOT NULL,
	`phone` text NOT NULL DEFAULT "",
	`email` text NOT NULL DEFAULT "",
	`address` text NOT NULL DEFAULT "",
	`user_subject` text,
	`created_at` datetime,
	`updated_at` datetime,
	PRIMARY KEY (`id`)
);
CREATE INDEX IF NOT EXISTS `idx_hr_staff_user_subject` ON `hr_staff`(`user_subject`);
CREATE INDEX IF NOT EXISTS `idx_hr_staff_full_name` ON `hr_staff`(`full_name`);
CREATE INDEX IF NOT EXISTS `idx_hr_staff_tenant_id` ON `hr_staff`(`tenant_id`);
CREATE TABLE IF NOT EXISTS `hr_assignments` (
	`id` text,
	`tenant_id` text NOT NULL,
	`staff_id` text NOT NULL,
	`unit_id` text NOT NULL,
	`position` text NOT NULL,
	`civil_rank` text NOT NULL DEFAULT "",
	`step` integer NOT NULL DEFAULT 0,
	`starts_on` datetime NOT NULL,
	`ends_on` datetime,
	`change` text NOT NULL,
	`end_reason` text NOT NULL DEFAULT "",
	`actor` text NOT NULL DEFAULT "",
	`created_at` datetime,
	`updated_at` datetime,
	PRIMARY KEY (`id`)
);
CREATE INDEX IF NOT EXISTS `idx_hr_assignments_ends_on` ON `hr_assignments`(`ends_on`);
CREATE INDEX IF NOT EXISTS `idx_hr_assignments_starts_on` ON `hr_assignments`(`starts_on`);
CREATE INDEX IF NOT EXISTS `idx_hr_assignments_unit_id` ON `hr_assignments`(`unit_id`);
CREATE INDEX IF NOT EXISTS `idx_hr_assignments_staff_id` ON `hr_assignments`(`staff_id`);
CREATE INDEX IF NOT EXISTS `idx_hr_assignments_tenant_id` ON `hr_assignments`(`tenant_id`);
CREATE TABLE IF NOT EXISTS `hr_qualifications` (
	`id` text,
	`tenant_id` text NOT NULL,
	`staff_id` text NOT NULL,
	`kind` text NOT NULL,
	`level` text NOT NULL DEFAULT "",
	`level_rank` integer NOT NULL DEFAULT 0,
	`field` text NOT NULL DEFAULT "",
	`language` text NOT NULL DEFAULT "",
	`awarding_body` text NOT NULL,
	`awarded_on` datetime NOT NULL,
	`course` text NOT NULL DEFAULT "",
	`start_on` datetime,
	`end_on` datetime,
	`result` text NOT NULL DEFAULT "",
	`evidence_ref` text NOT NULL DEFAULT "",
	`evidence_key` text,
	`evidence_name` text NOT NULL DEFAULT "",
	`evidence_type` text NOT NULL DEFAULT "",
	`evidence_size` integer NOT NULL DEFAULT 0,
	`evidence_sha256` text NOT NULL DEFAULT "",
	`created_at` datetime,
	PRIMARY KEY (`id`)
);
CREATE INDEX IF NOT EXISTS `idx_hr_qualifications_staff_id` ON `hr_qualifications`(`staff_id`);
CREATE INDEX IF NOT EXISTS `idx_hr_qualifications_tenant_id` ON `hr_qualifications`(`tenant_id`);
CREATE TABLE IF NOT EXISTS `hr_qualification_levels` (
	`tenant_id` text,
	`kind` text,
	`code` text,
	`name` text NOT NULL,
	`level_rank` integer NOT NULL,
	PRIMARY KEY (`tenant_id`,`kind`,`code`)
);

-- The staff list and statistics look for the assignment active on a day.
CREATE INDEX IF NOT EXISTS idx_hr_assignments_active ON hr_assignments (tenant_id, starts_on, ends_on, staff_id);

-- Covers the "best level per person and kind" aggregate: read in group order, no table
-- lookups (it cut the statistics query on SQLite from about 80 to 55 ms of CPU).
CREATE INDEX IF NOT EXISTS idx_hr_qualifications_best ON hr_qualifications (tenant_id, staff_id, kind, awarded_on, level_rank);

-- A CCCD is on file once per tenant; another tenant may employ the same person.
CREATE UNIQUE INDEX IF NOT EXISTS idx_hr_staff_cccd ON hr_staff (tenant_id, cccd);
CREATE UNIQUE INDEX IF NOT EXISTS idx_hr_units_seed ON hr_units (tenant_id, seed_key);

-- +goose Down
DROP TABLE IF EXISTS `hr_qualification_levels`;
DROP TABLE IF EXISTS `hr_qualifications`;
DROP TABLE IF EXISTS `hr_assignments`;
DROP TABLE IF EXISTS `hr_staff`;
DROP TABLE IF EXISTS `hr_unit_versions`;
DROP TABLE IF EXISTS `hr_units`;
