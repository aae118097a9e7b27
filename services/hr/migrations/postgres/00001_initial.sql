-- hr's schema as the service's gorm AutoMigrate and hand-written DDL made it before versioned
-- migrations. IF NOT EXISTS lets a database made that way adopt this history without error;
-- later changes go into new files.
-- +goose Up
CREATE TABLE IF NOT EXISTS "hr_units" (
	"id" varchar(36),
	"tenant_id" text NOT NULL,
	"code" varchar(20) NOT NULL,
	"name" varchar(200) NOT NULL,
	"kind" varchar(20) NOT NULL,
	"parent_id" varchar(36),
	"opened_on" timestamptz NOT NULL,
	"closed_on" timestamptz,
	"close_reason" varchar(500) NOT NULL DEFAULT '',
	"seed_key" varchar(40),
	"created_at" timestamptz,
	"updated_at" timestamptz,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_hr_units_parent_id" ON "hr_units" ("parent_id");
CREATE INDEX IF NOT EXISTS "idx_hr_units_code" ON "hr_units" ("code");
CREATE INDEX IF NOT EXISTS "idx_hr_units_tenant_id" ON "hr_units" ("tenant_id");
CREATE TABLE IF NOT EXISTS "hr_unit_versions" (
	"id" bigserial,
	"unit_id" varchar(36) NOT NULL,
	"tenant_id" text NOT NULL,
	"name" varchar(200) NOT NULL,
	"parent_id" varchar(36),
	"valid_from" timestamptz NOT NULL,
	"valid_to" timestamptz,
	"change" varchar(20) NOT NULL,
	"reason" varchar(500) NOT NULL DEFAULT '',
	"actor" varchar(100) NOT NULL DEFAULT '',
	"created_at" timestamptz,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_hr_unit_versions_tenant_id" ON "hr_unit_versions" ("tenant_id");
CREATE INDEX IF NOT EXISTS "idx_hr_unit_versions_unit_id" ON "hr_unit_versions" ("unit_id");
CREATE TABLE IF NOT EXISTS "hr_staff" (
	"id" varchar(36),
	"tenant_id" text NOT NULL,
	"full_name" varchar(100) NOT NULL,
	"birth_date" timestamptz NOT NULL,
	"gender" varchar(10) NOT NULL,
	"cccd" varchar(12) NOT NULL,
	"category" varchar(20) NOT NULL,
	"phone" varchar(20) NOT NULL DEFAULT '',
	"email" varchar(200) NOT NULL DEFAULT '',
	"address" varchar(300) NOT NULL DEFAULT '',
	"user_subject" varchar(100),
	"created_at" timestamptz,
	"updated_at" timestamptz,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_hr_staff_user_subject" ON "hr_staff" ("user_subject");
CREATE INDEX IF NOT EXISTS "idx_hr_staff_full_name" ON "hr_staff" ("full_name");
CREATE INDEX IF NOT EXISTS "idx_hr_staff_tenant_id" ON "hr_staff" ("tenant_id");
CREATE TABLE IF NOT EXISTS "hr_assignments" (
	"id" varchar(36),
	"tenant_id" text NOT NULL,
	"staff_id" varchar(36) NOT NULL,
	"unit_id" varchar(36) NOT NULL,
	"position" varchar(150) NOT NULL,
	"civil_rank" varchar(30) NOT NULL DEFAULT '',
	"step" bigint NOT NULL DEFAULT 0,
	"starts_on" timestamptz NOT NULL,
	"ends_on" timestamptz,
	"change" varchar(20) NOT NULL,
	"end_reason" varchar(500) NOT NULL DEFAULT '',
	"actor" varchar(100) NOT NULL DEFAULT '',
	"created_at" timestamptz,
	"updated_at" timestamptz,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_hr_assignments_ends_on" ON "hr_assignments" ("ends_on");
CREATE INDEX IF NOT EXISTS "idx_hr_assignments_starts_on" ON "hr_assignments" ("starts_on");
CREATE INDEX IF NOT EXISTS "idx_hr_assignments_unit_id" ON "hr_assignments" ("unit_id");
CREATE INDEX IF NOT EXISTS "idx_hr_assignments_staff_id" ON "hr_assignments" ("staff_id");
CREATE INDEX IF NOT EXISTS "idx_hr_assignments_tenant_id" ON "hr_assignments" ("tenant_id");
CREATE TABLE IF NOT EXISTS "hr_qualifications" (
	"id" varchar(36),
	"tenant_id" text NOT NULL,
	"staff_id" varchar(36) NOT NULL,
	"kind" varchar(20) NOT NULL,
	"level" varchar(40) NOT NULL DEFAULT '',
	"level_rank" bigint NOT NULL DEFAULT 0,
	"field" varchar(200) NOT NULL DEFAULT '',
	"language" varchar(200) NOT NULL DEFAULT '',
	"awarding_body" varchar(200) NOT NULL,
	"awarded_on" timestamptz NOT NULL,
	"course" varchar(200) NOT NULL DEFAULT '',
	"start_on" timestamptz,
	"end_on" timestamptz,
	"result" varchar(200) NOT NULL DEFAULT '',
	"evidence_ref" varchar(200) NOT NULL DEFAULT '',
	"evidence_key" varchar(300),
	"evidence_name" varchar(255) NOT NULL DEFAULT '',
	"evidence_type" varchar(100) NOT NULL DEFAULT '',
	"evidence_size" bigint NOT NULL DEFAULT 0,
	"evidence_sha256" varchar(64) NOT NULL DEFAULT '',
	"created_at" timestamptz,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_hr_qualifications_staff_id" ON "hr_qualifications" ("staff_id");
CREATE INDEX IF NOT EXISTS "idx_hr_qualifications_tenant_id" ON "hr_qualifications" ("tenant_id");
CREATE TABLE IF NOT EXISTS "hr_qualification_levels" (
	"tenant_id" varchar(63),
	"kind" varchar(20),
	"code" varchar(40),
	"name" varchar(100) NOT NULL,
	"level_rank" bigint NOT NULL,
	PRIMARY KEY ("tenant_id","kind","code")
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
DROP TABLE IF EXISTS "hr_qualification_levels";
DROP TABLE IF EXISTS "hr_qualifications";
DROP TABLE IF EXISTS "hr_assignments";
DROP TABLE IF EXISTS "hr_staff";
DROP TABLE IF EXISTS "hr_unit_versions";
DROP TABLE IF EXISTS "hr_units";
