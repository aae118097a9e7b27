-- reporting's schema as the service's gorm AutoMigrate and hand-written DDL made it before versioned
-- migrations. IF NOT EXISTS lets a database made that way adopt this history without error;
-- later changes go into new files.
-- +goose Up
CREATE TABLE IF NOT EXISTS "report_tenants" (
	"slug" varchar(63),
	"code" varchar(20) NOT NULL DEFAULT '',
	"name" varchar(200) NOT NULL DEFAULT '',
	"kind" varchar(20) NOT NULL DEFAULT '',
	"parent" varchar(63) NOT NULL DEFAULT '',
	"created_at" timestamptz,
	"updated_at" timestamptz,
	PRIMARY KEY ("slug")
);
CREATE INDEX IF NOT EXISTS "idx_report_tenants_parent" ON "report_tenants" ("parent");
CREATE TABLE IF NOT EXISTS "report_counters" (
	"id" bigserial,
	"tenant_id" text NOT NULL,
	"month" bigint NOT NULL,
	"indicator" varchar(60) NOT NULL,
	"value" bigint NOT NULL DEFAULT 0,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_report_counters_tenant_id" ON "report_counters" ("tenant_id");
CREATE TABLE IF NOT EXISTS "report_dossiers" (
	"id" bigserial,
	"tenant_id" text NOT NULL,
	"dossier_id" varchar(36) NOT NULL,
	"version" bigint NOT NULL,
	"receipt_code" varchar(60) NOT NULL DEFAULT '',
	"procedure_code" varchar(60) NOT NULL DEFAULT '',
	"procedure_name" varchar(500) NOT NULL DEFAULT '',
	"field" varchar(200) NOT NULL DEFAULT '',
	"level" varchar(20) NOT NULL DEFAULT '',
	"channel" varchar(20) NOT NULL DEFAULT '',
	"state" varchar(30) NOT NULL DEFAULT '',
	"received" boolean NOT NULL,
	"received_at" timestamptz,
	"due_at" timestamptz,
	"refused_at" timestamptz,
	"legal_minutes" bigint NOT NULL DEFAULT 0,
	"resolved_at" timestamptz,
	"on_time" boolean NOT NULL DEFAULT false,
	"elapsed_minutes" bigint NOT NULL DEFAULT 0,
	"returned_at" timestamptz,
	"closed_as" varchar(20) NOT NULL DEFAULT '',
	"closed_at" timestamptz,
	"rating" varchar(20) NOT NULL DEFAULT '',
	"rating_version" bigint NOT NULL DEFAULT 0,
	"rated_at" timestamptz,
	"received_month" bigint NOT NULL DEFAULT 0,
	"ended_month" bigint NOT NULL DEFAULT 0,
	"resolved_month" bigint NOT NULL DEFAULT 0,
	"due_month" bigint NOT NULL DEFAULT 0,
	"returned_month" bigint NOT NULL DEFAULT 0,
	"rated_month" bigint NOT NULL DEFAULT 0,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_report_dossiers_tenant_id" ON "report_dossiers" ("tenant_id");
CREATE TABLE IF NOT EXISTS "report_documents" (
	"id" bigserial,
	"tenant_id" text NOT NULL,
	"document_id" varchar(36) NOT NULL,
	"register" varchar(20) NOT NULL DEFAULT '',
	"registered_at" timestamptz,
	"sent_at" timestamptz,
	"received_at" timestamptz,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_report_documents_tenant_id" ON "report_documents" ("tenant_id");
CREATE TABLE IF NOT EXISTS "report_staff" (
	"id" bigserial,
	"tenant_id" text NOT NULL,
	"staff_id" varchar(36) NOT NULL,
	"category" varchar(20) NOT NULL DEFAULT '',
	"hired_at" timestamptz,
	"left_at" timestamptz,
	"qualified" text NOT NULL DEFAULT '{}',
	"best_rank" text NOT NULL DEFAULT '{}',
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_report_staff_tenant_id" ON "report_staff" ("tenant_id");
CREATE TABLE IF NOT EXISTS "report_targets" (
	"id" bigserial,
	"tenant_id" text NOT NULL,
	"indicator" varchar(60) NOT NULL,
	"period" varchar(10) NOT NULL,
	"value" decimal NOT NULL,
	"updated_at" timestamptz,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_report_targets_tenant_id" ON "report_targets" ("tenant_id");

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
DROP TABLE IF EXISTS "report_targets";
DROP TABLE IF EXISTS "report_staff";
DROP TABLE IF EXISTS "report_documents";
DROP TABLE IF EXISTS "report_dossiers";
DROP TABLE IF EXISTS "report_counters";
DROP TABLE IF EXISTS "report_tenants";
