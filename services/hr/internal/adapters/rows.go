package adapters

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/idempotency"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/hr/internal/domain"
	"egov.vn/platform/services/hr/migrations"
)

// Tables are prefixed hr_ so that a shared PostgreSQL database (one per platform in small
// installs) keeps every service's tables apart.

type unitRow struct {
	ID string `gorm:"primaryKey;size:36"`
	store.TenantModel
	Code        string    `gorm:"size:20;not null;index:idx_hr_units_code"`
	Name        string    `gorm:"size:200;not null"`
	Kind        string    `gorm:"size:20;not null"`
	ParentID    *string   `gorm:"size:36;index"`
	OpenedOn    time.Time `gorm:"not null"`
	ClosedOn    *time.Time
	CloseReason string `gorm:"size:500;not null;default:''"`
	// SeedKey marks units made by provisioning, so that a second provisioning finds them.
	SeedKey   *string `gorm:"size:40"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (unitRow) TableName() string { return "hr_units" }

type unitVersionRow struct {
	ID     int64  `gorm:"primaryKey;autoIncrement"`
	UnitID string `gorm:"size:36;not null;index"`
	store.TenantModel
	Name      string    `gorm:"size:200;not null"`
	ParentID  *string   `gorm:"size:36"`
	ValidFrom time.Time `gorm:"not null"`
	ValidTo   *time.Time
	Change    string `gorm:"size:20;not null"`
	Reason    string `gorm:"size:500;not null;default:''"`
	Actor     string `gorm:"size:100;not null;default:''"`
	CreatedAt time.Time
}

func (unitVersionRow) TableName() string { return "hr_unit_versions" }

type staffRow struct {
	ID string `gorm:"primaryKey;size:36"`
	store.TenantModel
	FullName    string    `gorm:"size:100;not null;index"`
	BirthDate   time.Time `gorm:"not null"`
	Gender      string    `gorm:"size:10;not null"`
	CCCD        string    `gorm:"column:cccd;size:12;not null"`
	Category    string    `gorm:"size:20;not null"`
	Phone       string    `gorm:"size:20;not null;default:''"`
	Email       string    `gorm:"size:200;not null;default:''"`
	Address     string    `gorm:"size:300;not null;default:''"`
	UserSubject *string   `gorm:"size:100;index"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (staffRow) TableName() string { return "hr_staff" }

type assignmentRow struct {
	ID string `gorm:"primaryKey;size:36"`
	store.TenantModel
	StaffID   string     `gorm:"size:36;not null;index"`
	UnitID    string     `gorm:"size:36;not null;index"`
	Position  string     `gorm:"size:150;not null"`
	Rank      string     `gorm:"column:civil_rank;size:30;not null;default:''"`
	Step      int        `gorm:"not null;default:0"`
	StartsOn  time.Time  `gorm:"not null;index"`
	EndsOn    *time.Time `gorm:"index"`
	Change    string     `gorm:"size:20;not null"`
	EndReason string     `gorm:"size:500;not null;default:''"`
	Actor     string     `gorm:"size:100;not null;default:''"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (assignmentRow) TableName() string { return "hr_assignments" }

type qualificationRow struct {
	ID string `gorm:"primaryKey;size:36"`
	store.TenantModel
	StaffID      string    `gorm:"size:36;not null;index"`
	Kind         string    `gorm:"size:20;not null"`
	Level        string    `gorm:"size:40;not null;default:''"`
	Rank         int       `gorm:"column:level_rank;not null;default:0"`
	Field        string    `gorm:"size:200;not null;default:''"`
	Language     string    `gorm:"size:200;not null;default:''"`
	AwardingBody string    `gorm:"size:200;not null"`
	AwardedOn    time.Time `gorm:"not null"`
	Course       string    `gorm:"size:200;not null;default:''"`
	StartOn      *time.Time
	EndOn        *time.Time
	Result       string  `gorm:"size:200;not null;default:''"`
	EvidenceRef  string  `gorm:"size:200;not null;default:''"`
	EvidenceKey  *string `gorm:"size:300"`
	EvidenceName string  `gorm:"size:255;not null;default:''"`
	EvidenceType string  `gorm:"size:100;not null;default:''"`
	EvidenceSize int64   `gorm:"not null;default:0"`
	EvidenceSHA  string  `gorm:"column:evidence_sha256;size:64;not null;default:''"`
	CreatedAt    time.Time
}

func (qualificationRow) TableName() string { return "hr_qualifications" }

// levelRow is one code-list entry. It is not a TenantModel: the platform's defaults have the
// empty tenant and every tenant reads them, so the repository adds the tenant condition itself.
type levelRow struct {
	TenantID string `gorm:"primaryKey;size:63"`
	Kind     string `gorm:"primaryKey;size:20"`
	Code     string `gorm:"primaryKey;size:40"`
	Name     string `gorm:"size:100;not null"`
	Rank     int    `gorm:"column:level_rank;not null"`
}

func (levelRow) TableName() string { return "hr_qualification_levels" }

// Migrations are HR's schema in the order the sets apply: the outbox's, the idempotency keys',
// sign-in's and its own. The bootstrap applies them at start (Needs); tests use Migrate.
var Migrations = []store.MigrationSet{events.Migrations, idempotency.Migrations, auth.Migrations, migrations.Set}

// Migrate brings HR's database to its newest schema (store.MigrateAll under the platform's
// migration lock) and seeds the platform's default code list, as a start does.
func Migrate(ctx context.Context, db *gorm.DB) error {
	if err := store.MigrateAll(ctx, db, Migrations...); err != nil {
		return fmt.Errorf("hr: migrate: %w", err)
	}
	return SeedDefaults(ctx, db)
}

// SeedDefaults inserts the platform's default qualification levels where missing. They are
// data: never overwritten, so an operator's correction of a name in the database survives a
// restart, and DO NOTHING on the primary key lets replicas starting together seed side by side.
func SeedDefaults(ctx context.Context, db *gorm.DB) error {
	levels := domain.DefaultLevels()
	rows := make([]levelRow, 0, len(levels))
	for _, l := range levels {
		rows = append(rows, levelRow{TenantID: "", Kind: string(l.Kind), Code: l.Code, Name: l.Name, Rank: l.Rank})
	}
	if err := db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error; err != nil {
		return fmt.Errorf("hr: seed default levels: %w", err)
	}
	return nil
}
