// Package adapters keeps reporting's read model in gorm (SQLite or PostgreSQL): the registered
// tenant tree, one fact row per dossier, document and staff member, the monthly counters the
// indicators are computed from, and the targets; and it feeds that model from JetStream, one
// event per transaction through libs/events.Consume or many per transaction in batches.
package adapters

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/idempotency"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/reporting/internal/domain"
	"egov.vn/platform/services/reporting/migrations"
)

// tenantRow is one unit of the tree the roll-ups follow, registered by the provisioning call or
// learnt from identity's directory. It is the tree itself, so it is not tenant-scoped.
type tenantRow struct {
	Slug      string `gorm:"primaryKey;size:63"`
	Code      string `gorm:"size:20;not null;default:''"`
	Name      string `gorm:"size:200;not null;default:''"`
	Kind      string `gorm:"size:20;not null;default:''"`
	Parent    string `gorm:"size:63;not null;default:'';index"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (tenantRow) TableName() string { return "report_tenants" }

// counterRow is one monthly counter of one tenant: unique on (tenant_id, month, indicator), an
// index created by migrate since TenantModel's column tag cannot join a composite key.
type counterRow struct {
	ID int64 `gorm:"primaryKey;autoIncrement"`
	store.TenantModel
	Month     int    `gorm:"not null"`
	Indicator string `gorm:"size:60;not null"`
	Value     int64  `gorm:"not null;default:0"`
}

func (counterRow) TableName() string { return "report_counters" }

// dossierRow is domain.DossierFact with the months drill-downs filter on.
type dossierRow struct {
	ID int64 `gorm:"primaryKey;autoIncrement"`
	store.TenantModel
	DossierID      string `gorm:"size:36;not null"`
	Version        int64  `gorm:"not null"`
	ReceiptCode    string `gorm:"size:60;not null;default:''"`
	ProcedureCode  string `gorm:"size:60;not null;default:''"`
	ProcedureName  string `gorm:"size:500;not null;default:''"`
	Field          string `gorm:"size:200;not null;default:''"`
	Level          string `gorm:"size:20;not null;default:''"`
	Channel        string `gorm:"size:20;not null;default:''"`
	State          string `gorm:"size:30;not null;default:''"`
	Received       bool   `gorm:"not null"`
	ReceivedAt     *time.Time
	DueAt          *time.Time
	RefusedAt      *time.Time
	LegalMinutes   int64 `gorm:"not null;default:0"`
	ResolvedAt     *time.Time
	OnTime         bool  `gorm:"not null;default:false"`
	ElapsedMinutes int64 `gorm:"not null;default:0"`
	ReturnedAt     *time.Time
	ClosedAs       string `gorm:"size:20;not null;default:''"`
	ClosedAt       *time.Time
	Rating         string `gorm:"size:20;not null;default:''"`
	RatingVersion  int64  `gorm:"not null;default:0"`
	RatedAt        *time.Time
	ArchivedAt     *time.Time
	ReceivedMonth  int `gorm:"not null;default:0"`
	EndedMonth     int `gorm:"not null;default:0"`
	ResolvedMonth  int `gorm:"not null;default:0"`
	DueMonth       int `gorm:"not null;default:0"`
	ReturnedMonth  int `gorm:"not null;default:0"`
	RatedMonth     int `gorm:"not null;default:0"`
}

func (dossierRow) TableName() string { return "report_dossiers" }

// dossierColumns are the columns the consumer writes and reads, in the order of appendValues and
// fields (every column but the surrogate id).
var dossierColumns = []string{"tenant_id", "dossier_id", "version", "receipt_code", "procedure_code", "procedure_name",
	"field", "level", "channel", "state", "received", "received_at", "due_at", "refused_at", "legal_minutes",
	"resolved_at", "on_time", "elapsed_minutes", "returned_at", "closed_as", "closed_at", "rating", "rating_version",
	"rated_at", "archived_at", "received_month", "ended_month", "resolved_month", "due_month", "returned_month", "rated_month"}

func (r *dossierRow) appendValues(args []any) []any {
	return append(args, r.TenantID, r.DossierID, r.Version, r.ReceiptCode, r.ProcedureCode, r.ProcedureName,
		r.Field, r.Level, r.Channel, r.State, r.Received, r.ReceivedAt, r.DueAt, r.RefusedAt, r.LegalMinutes,
		r.ResolvedAt, r.OnTime, r.ElapsedMinutes, r.ReturnedAt, r.ClosedAs, r.ClosedAt, r.Rating, r.RatingVersion,
		r.RatedAt, r.ArchivedAt, r.ReceivedMonth, r.EndedMonth, r.ResolvedMonth, r.DueMonth, r.ReturnedMonth, r.RatedMonth)
}

func (r *dossierRow) key() (id, tenant string) { return r.DossierID, r.TenantID }

func (r *dossierRow) fields() []any {
	return []any{&r.TenantID, &r.DossierID, &r.Version, &r.ReceiptCode, &r.ProcedureCode, &r.ProcedureName,
		&r.Field, &r.Level, &r.Channel, &r.State, &r.Received, &r.ReceivedAt, &r.DueAt, &r.RefusedAt, &r.LegalMinutes,
		&r.ResolvedAt, &r.OnTime, &r.ElapsedMinutes, &r.ReturnedAt, &r.ClosedAs, &r.ClosedAt, &r.Rating, &r.RatingVersion,
		&r.RatedAt, &r.ArchivedAt, &r.ReceivedMonth, &r.EndedMonth, &r.ResolvedMonth, &r.DueMonth, &r.ReturnedMonth, &r.RatedMonth}
}

type documentRow struct {
	ID int64 `gorm:"primaryKey;autoIncrement"`
	store.TenantModel
	DocumentID   string `gorm:"size:36;not null"`
	Register     string `gorm:"size:20;not null;default:''"`
	RegisteredAt *time.Time
	SentAt       *time.Time
	ReceivedAt   *time.Time
}

func (documentRow) TableName() string { return "report_documents" }

var documentColumns = []string{"tenant_id", "document_id", "register", "registered_at", "sent_at", "received_at"}

func (r *documentRow) appendValues(args []any) []any {
	return append(args, r.TenantID, r.DocumentID, r.Register, r.RegisteredAt, r.SentAt, r.ReceivedAt)
}

func (r *documentRow) key() (id, tenant string) { return r.DocumentID, r.TenantID }

func (r *documentRow) fields() []any {
	return []any{&r.TenantID, &r.DocumentID, &r.Register, &r.RegisteredAt, &r.SentAt, &r.ReceivedAt}
}

type staffRow struct {
	ID int64 `gorm:"primaryKey;autoIncrement"`
	store.TenantModel
	StaffID   string `gorm:"size:36;not null"`
	Category  string `gorm:"size:20;not null;default:''"`
	HiredAt   *time.Time
	LeftAt    *time.Time
	Qualified string `gorm:"type:text;not null;default:'{}'"` // JSON kind → earliest award
	BestRank  string `gorm:"type:text;not null;default:'{}'"` // JSON kind → best rank
}

func (staffRow) TableName() string { return "report_staff" }

var staffColumns = []string{"tenant_id", "staff_id", "category", "hired_at", "left_at", "qualified", "best_rank"}

func (r *staffRow) appendValues(args []any) []any {
	return append(args, r.TenantID, r.StaffID, r.Category, r.HiredAt, r.LeftAt, r.Qualified, r.BestRank)
}

func (r *staffRow) key() (id, tenant string) { return r.StaffID, r.TenantID }

func (r *staffRow) fields() []any {
	return []any{&r.TenantID, &r.StaffID, &r.Category, &r.HiredAt, &r.LeftAt, &r.Qualified, &r.BestRank}
}

// targetRow is a target a unit set for itself for one indicator and period ("*": every period).
type targetRow struct {
	ID int64 `gorm:"primaryKey;autoIncrement"`
	store.TenantModel
	Indicator string  `gorm:"size:60;not null"`
	Period    string  `gorm:"size:10;not null"`
	Value     float64 `gorm:"not null"`
	UpdatedAt time.Time
}

func (targetRow) TableName() string { return "report_targets" }

// Migrations are the schema's sets in the order they apply: the outbox's, the idempotency keys',
// sign-in's and the service's own. The bootstrap applies them at start (Needs); tests apply
// them with Migrate.
var Migrations = []store.MigrationSet{events.Migrations, idempotency.Migrations, auth.Migrations, migrations.Set}

// Migrate brings reporting's database to its newest schema: the events tables its consumer
// needs, sign-in's and its own versioned SQL (migrations/), applied once under the platform's
// migration lock by store.MigrateAll.
func Migrate(ctx context.Context, db *gorm.DB) error {
	if err := store.MigrateAll(ctx, db, Migrations...); err != nil {
		return fmt.Errorf("reporting: migrate: %w", err)
	}
	return nil
}

func tp(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func tv(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func monthOf(t time.Time) int {
	if t.IsZero() {
		return 0
	}
	return int(domain.MonthOf(t))
}

func dossierToRow(f domain.DossierFact) dossierRow {
	r := dossierRow{
		DossierID: f.DossierID, Version: f.Version, ReceiptCode: f.ReceiptCode, ProcedureCode: f.ProcedureCode,
		ProcedureName: f.ProcedureName, Field: f.Field, Level: f.Level, Channel: f.Channel, State: f.State,
		Received: f.Received, ReceivedAt: tp(f.ReceivedAt), DueAt: tp(f.DueAt), RefusedAt: tp(f.RefusedAt),
		LegalMinutes: f.LegalMinutes, ResolvedAt: tp(f.ResolvedAt), OnTime: f.OnTime, ElapsedMinutes: f.ElapsedMinutes,
		ReturnedAt: tp(f.ReturnedAt), ClosedAs: f.ClosedAs, ClosedAt: tp(f.ClosedAt), Rating: f.Rating,
		RatingVersion: f.RatingVersion, RatedAt: tp(f.RatedAt), ArchivedAt: tp(f.ArchivedAt),
		ReceivedMonth: monthOf(f.ReceivedAt), EndedMonth: monthOf(f.EndedAt()), ResolvedMonth: monthOf(f.ResolvedAt),
		DueMonth: monthOf(f.DueAt), ReturnedMonth: monthOf(f.ReturnedAt), RatedMonth: monthOf(f.RatedAt),
	}
	if !f.Received {
		r.ReceivedMonth = 0
	}
	r.TenantID = f.Tenant
	return r
}

func dossierFromRow(r dossierRow) domain.DossierFact {
	return domain.DossierFact{
		DossierKey: domain.DossierKey{DossierID: r.DossierID, Tenant: r.TenantID}, Version: r.Version,
		ReceiptCode: r.ReceiptCode, ProcedureCode: r.ProcedureCode, ProcedureName: r.ProcedureName, Field: r.Field,
		Level: r.Level, Channel: r.Channel, State: r.State, Received: r.Received, ReceivedAt: tv(r.ReceivedAt),
		DueAt: tv(r.DueAt), RefusedAt: tv(r.RefusedAt), LegalMinutes: r.LegalMinutes, ResolvedAt: tv(r.ResolvedAt),
		OnTime: r.OnTime, ElapsedMinutes: r.ElapsedMinutes, ReturnedAt: tv(r.ReturnedAt), ClosedAs: r.ClosedAs,
		ClosedAt: tv(r.ClosedAt), Rating: r.Rating, RatingVersion: r.RatingVersion, RatedAt: tv(r.RatedAt),
		ArchivedAt: tv(r.ArchivedAt),
	}
}

func documentToRow(f domain.DocumentFact) documentRow {
	r := documentRow{DocumentID: f.DocumentID, Register: f.Register, RegisteredAt: tp(f.RegisteredAt),
		SentAt: tp(f.SentAt), ReceivedAt: tp(f.ReceivedAt)}
	r.TenantID = f.Tenant
	return r
}

func documentFromRow(r documentRow) domain.DocumentFact {
	return domain.DocumentFact{DocumentKey: domain.DocumentKey{DocumentID: r.DocumentID, Tenant: r.TenantID},
		Register: r.Register, RegisteredAt: tv(r.RegisteredAt), SentAt: tv(r.SentAt), ReceivedAt: tv(r.ReceivedAt)}
}

func staffToRow(f domain.StaffFact) (staffRow, error) {
	q, err := json.Marshal(f.Qualified)
	if err != nil {
		return staffRow{}, err
	}
	b, err := json.Marshal(f.BestRank)
	if err != nil {
		return staffRow{}, err
	}
	r := staffRow{StaffID: f.StaffID, Category: f.Category, HiredAt: tp(f.HiredAt), LeftAt: tp(f.LeftAt),
		Qualified: string(q), BestRank: string(b)}
	r.TenantID = f.Tenant
	return r, nil
}

func staffFromRow(r staffRow) (domain.StaffFact, error) {
	f := domain.StaffFact{StaffKey: domain.StaffKey{StaffID: r.StaffID, Tenant: r.TenantID}, Category: r.Category,
		HiredAt: tv(r.HiredAt), LeftAt: tv(r.LeftAt), Qualified: map[string]time.Time{}, BestRank: map[string]int64{}}
	if err := json.Unmarshal([]byte(r.Qualified), &f.Qualified); err != nil {
		return f, fmt.Errorf("staff %s qualifications: %w", r.StaffID, err)
	}
	if err := json.Unmarshal([]byte(r.BestRank), &f.BestRank); err != nil {
		return f, fmt.Errorf("staff %s ranks: %w", r.StaffID, err)
	}
	return f, nil
}
