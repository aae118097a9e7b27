-- dossiers's schema as the service's gorm AutoMigrate and hand-written DDL made it before versioned
-- migrations. IF NOT EXISTS lets a database made that way adopt this history without error;
-- later changes go into new files.
-- +goose Up
CREATE TABLE IF NOT EXISTS "procedures" (
	"id" bigserial,
	"tenant_id" text NOT NULL,
	"key" varchar(130) NOT NULL,
	"code" varchar(64) NOT NULL,
	"name" varchar(500) NOT NULL,
	"field" varchar(200) NOT NULL,
	"level" varchar(16) NOT NULL,
	"legal_time" bigint NOT NULL,
	"time_unit" varchar(8) NOT NULL,
	"fee" bigint NOT NULL,
	"documents" text NOT NULL,
	"handling_unit" varchar(200) NOT NULL,
	"steps" text NOT NULL,
	"supplement" varchar(8) NOT NULL,
	"legal_basis" text NOT NULL,
	"updated_at" timestamptz,
	PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "idx_procedures_key" ON "procedures" ("key");
CREATE INDEX IF NOT EXISTS "idx_procedures_tenant_id" ON "procedures" ("tenant_id");
CREATE TABLE IF NOT EXISTS "tenant_settings" (
	"id" bigserial,
	"tenant_id" text NOT NULL,
	"slug" varchar(63) NOT NULL,
	"name" varchar(200) NOT NULL,
	"code" varchar(20) NOT NULL,
	"kind" varchar(20) NOT NULL,
	"parent" varchar(63) NOT NULL,
	"unit_code" varchar(20) NOT NULL,
	"receipt_pattern" varchar(64) NOT NULL,
	"morning_start" bigint NOT NULL,
	"morning_end" bigint NOT NULL,
	"afternoon_start" bigint NOT NULL,
	"afternoon_end" bigint NOT NULL,
	"updated_at" timestamptz,
	PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "idx_tenant_settings_slug" ON "tenant_settings" ("slug");
CREATE INDEX IF NOT EXISTS "idx_tenant_settings_tenant_id" ON "tenant_settings" ("tenant_id");
CREATE TABLE IF NOT EXISTS "calendar_days" (
	"id" bigserial,
	"tenant_id" text NOT NULL,
	"key" varchar(80) NOT NULL,
	"date" varchar(10) NOT NULL,
	"kind" varchar(4) NOT NULL,
	"note" varchar(200) NOT NULL,
	PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "idx_calendar_days_key" ON "calendar_days" ("key");
CREATE INDEX IF NOT EXISTS "idx_calendar_days_tenant_id" ON "calendar_days" ("tenant_id");
CREATE TABLE IF NOT EXISTS "receipt_counters" (
	"tenant_id" varchar(63),
	"unit" varchar(20),
	"day" varchar(10),
	"seq" bigint NOT NULL,
	PRIMARY KEY ("tenant_id","unit","day")
);
CREATE TABLE IF NOT EXISTS "dossiers" (
	"id" varchar(36),
	"tenant_id" text NOT NULL,
	"holder_tenant" varchar(63) NOT NULL,
	"receipt_code" varchar(64) NOT NULL,
	"version" bigint NOT NULL,
	"procedure_code" varchar(64) NOT NULL,
	"procedure_name" varchar(500) NOT NULL,
	"field" varchar(200) NOT NULL,
	"level" varchar(16) NOT NULL,
	"steps" text NOT NULL,
	"supplement" varchar(8) NOT NULL,
	"legal_minutes" bigint NOT NULL,
	"fee" bigint NOT NULL,
	"applicant_name" varchar(200) NOT NULL,
	"applicant_id_number" varchar(12) NOT NULL,
	"applicant_phone" varchar(11) NOT NULL,
	"applicant_address" varchar(500) NOT NULL,
	"applicant_org" varchar(300) NOT NULL,
	"applicant_tax_code" varchar(14) NOT NULL,
	"applicant_email" varchar(200) NOT NULL,
	"channel" varchar(8) NOT NULL,
	"documents" text NOT NULL,
	"state" varchar(24) NOT NULL,
	"steps_done" bigint NOT NULL,
	"step_due_at" timestamptz,
	"unit" varchar(200) NOT NULL,
	"handler" varchar(100) NOT NULL,
	"resume_state" varchar(24) NOT NULL,
	"received_at" timestamptz NOT NULL,
	"due_at" timestamptz NOT NULL,
	"extended_due_at" timestamptz,
	"current_due_at" timestamptz NOT NULL,
	"active" boolean NOT NULL,
	"open" boolean NOT NULL,
	"clock_start" timestamptz,
	"paused_at" timestamptz,
	"paused_minutes" bigint NOT NULL,
	"resolved_at" timestamptz,
	"returned_at" timestamptz,
	"late" boolean NOT NULL,
	"overdue_notified" boolean NOT NULL,
	"step_overdue_notified" bigint NOT NULL,
	"rating" varchar(16) NOT NULL,
	"rating_comment" text NOT NULL,
	"rated_at" timestamptz,
	"updated_at" timestamptz,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_dossiers_holder_due" ON "dossiers" ("active");
CREATE INDEX IF NOT EXISTS "idx_dossiers_overdue_job" ON "dossiers" ("current_due_at") WHERE active = true AND overdue_notified = false;
CREATE INDEX IF NOT EXISTS "idx_dossiers_received_at" ON "dossiers" ("received_at");
CREATE INDEX IF NOT EXISTS "idx_dossiers_step_due" ON "dossiers" ("step_due_at") WHERE step_due_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS "idx_dossiers_applicant_id_number" ON "dossiers" ("applicant_id_number");
CREATE UNIQUE INDEX IF NOT EXISTS "idx_dossiers_receipt_code" ON "dossiers" ("receipt_code");
CREATE INDEX IF NOT EXISTS "idx_dossiers_holder_unit" ON "dossiers" ("holder_tenant","unit");
CREATE INDEX IF NOT EXISTS "idx_dossiers_holder_state" ON "dossiers" ("holder_tenant","state");
CREATE INDEX IF NOT EXISTS "idx_dossiers_tenant_id" ON "dossiers" ("tenant_id");
CREATE INDEX IF NOT EXISTS "idx_dossiers_active_due" ON "dossiers" ("active","current_due_at","id");
CREATE TABLE IF NOT EXISTS "dossier_transitions" (
	"id" bigserial,
	"tenant_id" text NOT NULL,
	"dossier_id" varchar(36) NOT NULL,
	"seq" bigint NOT NULL,
	"version" bigint NOT NULL,
	"action" varchar(24) NOT NULL,
	"from_state" varchar(24) NOT NULL,
	"to_state" varchar(24) NOT NULL,
	"actor" varchar(100) NOT NULL,
	"actor_name" varchar(200) NOT NULL,
	"acting_tenant" varchar(63) NOT NULL,
	"at" timestamptz,
	"note" text NOT NULL,
	"step" bigint NOT NULL,
	"unit" varchar(200) NOT NULL,
	"handler" varchar(100) NOT NULL,
	"to_tenant" varchar(63) NOT NULL,
	"due_at" timestamptz,
	PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "idx_transitions_dossier_seq" ON "dossier_transitions" ("dossier_id","seq");
CREATE INDEX IF NOT EXISTS "idx_dossier_transitions_tenant_id" ON "dossier_transitions" ("tenant_id");
CREATE TABLE IF NOT EXISTS "lookup_attempts" (
	"client_key" varchar(100),
	"window_start" timestamptz,
	"attempts" bigint NOT NULL,
	PRIMARY KEY ("client_key","window_start")
);

-- Composite indexes with tenant_id, which TenantModel's field cannot tag. Each inbox
-- filters by equality on its leading columns (the scope's tenant_id is one value for a
-- commune) and reads in the order of the last ones, so a page is one short index scan.
CREATE INDEX IF NOT EXISTS idx_dossiers_tenant_received ON dossiers (tenant_id, received_at, id);
CREATE INDEX IF NOT EXISTS idx_dossiers_unit_inbox ON dossiers (holder_tenant, tenant_id, open, received_at, id);
CREATE INDEX IF NOT EXISTS idx_dossiers_mine ON dossiers (holder_tenant, handler, tenant_id, open, received_at, id);
CREATE INDEX IF NOT EXISTS idx_dossiers_holder_due ON dossiers (holder_tenant, tenant_id, active, current_due_at, id);

-- Nearly always tenant_id = holder_tenant: without this the planner multiplies their
-- selectivities and picks bitmap scans over every row of a unit.
CREATE STATISTICS IF NOT EXISTS dossiers_tenant_holder (dependencies) ON tenant_id, holder_tenant FROM dossiers;

-- +goose Down
DROP TABLE IF EXISTS "lookup_attempts";
DROP TABLE IF EXISTS "dossier_transitions";
DROP TABLE IF EXISTS "dossiers";
DROP TABLE IF EXISTS "receipt_counters";
DROP TABLE IF EXISTS "calendar_days";
DROP TABLE IF EXISTS "tenant_settings";
DROP TABLE IF EXISTS "procedures";
