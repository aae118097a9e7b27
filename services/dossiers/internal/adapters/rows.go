package adapters

import (
	"encoding/json"
	"time"

	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/dossiers/internal/domain"
)

// procedureRow is one procedure of a tenant's catalogue.
type procedureRow struct {
	ID int64 `gorm:"primaryKey;autoIncrement"`
	store.TenantModel
	// Key is "<tenant>/<code>": unique, since TenantModel's column cannot join a composite index.
	Key          string `gorm:"size:130;not null;uniqueIndex"`
	Code         string `gorm:"size:64;not null"`
	Name         string `gorm:"size:500;not null"`
	Field        string `gorm:"size:200;not null"`
	Level        string `gorm:"size:16;not null"`
	LegalTime    int    `gorm:"not null"`
	TimeUnit     string `gorm:"size:8;not null"`
	Fee          int64  `gorm:"not null"`
	Documents    string `gorm:"type:text;not null"`
	HandlingUnit string `gorm:"size:200;not null"`
	Steps        string `gorm:"type:text;not null"`
	Supplement   string `gorm:"size:8;not null"`
	LegalBasis   string `gorm:"type:text;not null"`
	UpdatedAt    time.Time
}

func (procedureRow) TableName() string { return "procedures" }

// settingsRow holds a tenant's one-stop-shop settings; one per tenant.
type settingsRow struct {
	ID int64 `gorm:"primaryKey;autoIncrement"`
	store.TenantModel
	Slug           string `gorm:"size:63;not null;uniqueIndex"` // = TenantID; unique so provisioning is idempotent
	Name           string `gorm:"size:200;not null"`
	Code           string `gorm:"size:20;not null"`
	Kind           string `gorm:"size:20;not null"`
	Parent         string `gorm:"size:63;not null"`
	UnitCode       string `gorm:"size:20;not null"`
	ReceiptPattern string `gorm:"size:64;not null"`
	MorningStart   int    `gorm:"not null"`
	MorningEnd     int    `gorm:"not null"`
	AfternoonStart int    `gorm:"not null"`
	AfternoonEnd   int    `gorm:"not null"`
	UpdatedAt      time.Time
}

func (settingsRow) TableName() string { return "tenant_settings" }

// calendarDayRow is one admin override of the working-day calendar.
type calendarDayRow struct {
	ID int64 `gorm:"primaryKey;autoIncrement"`
	store.TenantModel
	Key  string `gorm:"size:80;not null;uniqueIndex"` // "<tenant>/<date>"
	Date string `gorm:"size:10;not null"`
	Kind string `gorm:"size:4;not null"`
	Note string `gorm:"size:200;not null"`
}

func (calendarDayRow) TableName() string { return "calendar_days" }

// receiptCounterRow is the last receipt number given by a unit on a day. It is incremented in
// the intake's transaction, so a rolled-back intake gives its number back: no gaps.
type receiptCounterRow struct {
	TenantID string `gorm:"primaryKey;size:63"`
	Unit     string `gorm:"primaryKey;size:20"`
	Day      string `gorm:"primaryKey;size:10"`
	Seq      int    `gorm:"not null"`
}

func (receiptCounterRow) TableName() string { return "receipt_counters" }

// dossierRow is one dossier. TenantID is the unit that received it (and keeps it in its
// ledger); HolderTenant the unit that may act on it now.
type dossierRow struct {
	// The inbox indexes (which need tenant_id, so they are made in Migrate) end in id, the
	// lists' tie-breaker, so that every inbox is an ordered index scan that stops after one
	// page, however many dossiers a unit has.
	ID string `gorm:"primaryKey;size:36;index:idx_dossiers_active_due,priority:3"`
	store.TenantModel
	HolderTenant  string `gorm:"size:63;not null;index:idx_dossiers_holder_state,priority:1;index:idx_dossiers_holder_unit,priority:1"`
	ReceiptCode   string `gorm:"size:64;not null;uniqueIndex"`
	Version       int    `gorm:"not null"`
	ProcedureCode string `gorm:"size:64;not null"`
	ProcedureName string `gorm:"size:500;not null"`
	Field         string `gorm:"size:200;not null"`
	Level         string `gorm:"size:16;not null"`
	Steps         string `gorm:"type:text;not null"`
	Supplement    string `gorm:"size:8;not null"`
	LegalMinutes  int    `gorm:"not null"`
	Fee           int64  `gorm:"not null"`

	ApplicantName     string `gorm:"size:200;not null"`
	ApplicantIDNumber string `gorm:"size:12;not null;index"`
	ApplicantPhone    string `gorm:"size:11;not null"`
	ApplicantAddress  string `gorm:"size:500;not null"`
	ApplicantOrg      string `gorm:"size:300;not null"`
	ApplicantTaxCode  string `gorm:"size:14;not null"`
	ApplicantEmail    string `gorm:"size:200;not null"`
	Channel           string `gorm:"size:8;not null"`
	Documents         string `gorm:"type:text;not null"`

	State       string     `gorm:"size:24;not null;index:idx_dossiers_holder_state,priority:2"`
	StepsDone   int        `gorm:"not null"`
	StepDueAt   *time.Time `gorm:"index:idx_dossiers_step_due,where:step_due_at IS NOT NULL"`
	Unit        string     `gorm:"size:200;not null;index:idx_dossiers_holder_unit,priority:2"`
	Handler     string     `gorm:"size:100;not null"`
	ResumeState string     `gorm:"size:24;not null"`

	ReceivedAt    time.Time `gorm:"not null;index"`
	DueAt         time.Time `gorm:"not null"`
	ExtendedDueAt *time.Time
	// CurrentDueAt is the appointment in force (extended or not): what inboxes sort by.
	CurrentDueAt time.Time `gorm:"not null;index:idx_dossiers_active_due,priority:2;index:idx_dossiers_overdue_job,where:active = true AND overdue_notified = false"`
	// Active is true while the processing clock can run, so overdue scans stay on an index.
	Active bool `gorm:"not null;index:idx_dossiers_holder_due,priority:2;index:idx_dossiers_active_due,priority:1"`
	// Open is true until the dossier reaches a final state: what the work inboxes show.
	Open          bool `gorm:"not null"`
	ClockStart    time.Time
	PausedAt      *time.Time
	PausedMinutes int `gorm:"not null"`
	ResolvedAt    *time.Time
	ReturnedAt    *time.Time
	Late          bool `gorm:"not null"`
	// OverdueNotified and StepOverdueNotified are written only by the overdue job.
	OverdueNotified     bool `gorm:"not null"`
	StepOverdueNotified int  `gorm:"not null"`

	Rating        string `gorm:"size:16;not null"`
	RatingComment string `gorm:"type:text;not null"`
	RatedAt       *time.Time
	UpdatedAt     time.Time
}

func (dossierRow) TableName() string { return "dossiers" }

// transitionRow is one entry of a dossier's history, in the receiving unit's books.
type transitionRow struct {
	ID int64 `gorm:"primaryKey;autoIncrement"`
	store.TenantModel
	DossierID    string `gorm:"size:36;not null;uniqueIndex:idx_transitions_dossier_seq,priority:1"`
	Seq          int    `gorm:"not null;uniqueIndex:idx_transitions_dossier_seq,priority:2"`
	Version      int    `gorm:"not null"` // the dossier's version after this entry: what a 409 lists
	Action       string `gorm:"size:24;not null"`
	FromState    string `gorm:"size:24;not null"`
	ToState      string `gorm:"size:24;not null"`
	Actor        string `gorm:"size:100;not null"`
	ActorName    string `gorm:"size:200;not null"`
	ActingTenant string `gorm:"size:63;not null"`
	At           time.Time
	Note         string `gorm:"type:text;not null"`
	Step         int    `gorm:"not null"`
	Unit         string `gorm:"size:200;not null"`
	Handler      string `gorm:"size:100;not null"`
	ToTenant     string `gorm:"size:63;not null"`
	DueAt        *time.Time
}

func (transitionRow) TableName() string { return "dossier_transitions" }

// resultRow is one result document attached to a dossier, in the receiving unit's books. A
// result attached again is a new row: the dossier's result is its latest, and the ones it
// replaced (and their files) stay on record.
type resultRow struct {
	ID int64 `gorm:"primaryKey;autoIncrement"`
	store.TenantModel
	DossierID   string `gorm:"size:36;not null;uniqueIndex:idx_dossier_results_dossier_seq,priority:1"`
	Seq         int    `gorm:"not null;uniqueIndex:idx_dossier_results_dossier_seq,priority:2"`
	DocType     string `gorm:"size:100;not null"`
	Summary     string `gorm:"type:text;not null"`
	Signer      string `gorm:"size:200;not null"`
	Bucket      string `gorm:"size:100;not null"`
	ObjectKey   string `gorm:"size:300;not null"`
	FileName    string `gorm:"size:300;not null"`
	ContentType string `gorm:"size:100;not null"`
	Size        int64  `gorm:"not null"`
	SHA256      string `gorm:"column:sha256;size:64;not null"`
	AttachedBy  string `gorm:"size:100;not null"`
	AttachedAt  time.Time
}

func (resultRow) TableName() string { return "dossier_results" }

func resultToRow(tenant, dossierID string, r *domain.Result) resultRow {
	return resultRow{TenantModel: store.TenantModel{TenantID: tenant}, DossierID: dossierID, Seq: r.Seq, DocType: r.Type,
		Summary: r.Summary, Signer: r.Signer, Bucket: r.Bucket, ObjectKey: r.ObjectKey, FileName: r.FileName,
		ContentType: r.ContentType, Size: r.Size, SHA256: r.SHA256, AttachedBy: r.AttachedBy, AttachedAt: r.AttachedAt.UTC()}
}

func (r resultRow) domain() *domain.Result {
	return &domain.Result{Seq: r.Seq, Type: r.DocType, Summary: r.Summary, Signer: r.Signer, Bucket: r.Bucket,
		ObjectKey: r.ObjectKey, FileName: r.FileName, ContentType: r.ContentType, Size: r.Size, SHA256: r.SHA256,
		AttachedBy: r.AttachedBy, AttachedAt: r.AttachedAt.UTC()}
}

// hitRow is one citizen lookup attempt of a subject (a client address or a receipt code), kept
// for the sliding window every replica counts against (issue 18, finding 8).
type hitRow struct {
	ID      int64     `gorm:"primaryKey;autoIncrement"`
	Subject string    `gorm:"size:100;not null;index:idx_lookup_hits_subject_at,priority:1"`
	At      time.Time `gorm:"not null;index:idx_lookup_hits_subject_at,priority:2"`
}

func (hitRow) TableName() string { return "lookup_hits" }

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain slices of structs are encoded here
	}
	return string(b)
}

func procedureToRow(p domain.Procedure) procedureRow {
	return procedureRow{Code: p.Code, Name: p.Name, Field: p.Field, Level: string(p.Level), LegalTime: p.LegalTime,
		TimeUnit: string(p.TimeUnit), Fee: p.Fee, Documents: mustJSON(p.Documents), HandlingUnit: p.HandlingUnit,
		Steps: mustJSON(p.Steps), Supplement: string(p.Supplement), LegalBasis: p.LegalBasis}
}

func (r procedureRow) domain() domain.Procedure {
	p := domain.Procedure{Code: r.Code, Name: r.Name, Field: r.Field, Level: domain.Level(r.Level), LegalTime: r.LegalTime,
		TimeUnit: domain.TimeUnit(r.TimeUnit), Fee: r.Fee, HandlingUnit: r.HandlingUnit,
		Supplement: domain.SupplementPolicy(r.Supplement), LegalBasis: r.LegalBasis}
	_ = json.Unmarshal([]byte(r.Documents), &p.Documents)
	_ = json.Unmarshal([]byte(r.Steps), &p.Steps)
	return p
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func dossierToRow(d *domain.Dossier) dossierRow {
	return dossierRow{
		ID: d.ID, TenantModel: store.TenantModel{TenantID: d.Tenant}, HolderTenant: d.Holder, ReceiptCode: d.ReceiptCode, Version: d.Version,
		ProcedureCode: d.ProcedureCode, ProcedureName: d.ProcedureName, Field: d.Field, Level: string(d.Level),
		Steps: mustJSON(d.Steps), Supplement: string(d.Supplement), LegalMinutes: d.LegalMinutes, Fee: d.Fee,
		ApplicantName: d.Applicant.Name, ApplicantIDNumber: d.Applicant.IDNumber, ApplicantPhone: d.Applicant.Phone,
		ApplicantAddress: d.Applicant.Address, ApplicantOrg: d.Applicant.Organisation, ApplicantTaxCode: d.Applicant.TaxCode,
		ApplicantEmail: d.Applicant.Email, Channel: string(d.Channel), Documents: mustJSON(d.Documents),
		State: string(d.State), StepsDone: d.StepsDone, StepDueAt: utcPtr(d.StepDueAt), Unit: d.Unit, Handler: d.Handler,
		ResumeState: string(d.ResumeState), ReceivedAt: d.ReceivedAt.UTC(), DueAt: d.DueAt.UTC(), ExtendedDueAt: utcPtr(d.ExtendedDueAt),
		CurrentDueAt: d.CurrentDue().UTC(), Active: d.State.Active(), Open: !d.State.Final(), ClockStart: d.ClockStart.UTC(), PausedAt: utcPtr(d.PausedAt),
		PausedMinutes: d.PausedMinutes, ResolvedAt: utcPtr(d.ResolvedAt), ReturnedAt: utcPtr(d.ReturnedAt), Late: d.Late,
		Rating: string(d.Rating), RatingComment: d.RatingComment, RatedAt: utcPtr(d.RatedAt),
	}
}

func (r dossierRow) domain() *domain.Dossier {
	d := &domain.Dossier{
		ID: r.ID, Tenant: r.TenantID, Holder: r.HolderTenant, ReceiptCode: r.ReceiptCode, Version: r.Version,
		ProcedureCode: r.ProcedureCode, ProcedureName: r.ProcedureName, Field: r.Field, Level: domain.Level(r.Level),
		Supplement: domain.SupplementPolicy(r.Supplement), LegalMinutes: r.LegalMinutes, Fee: r.Fee,
		Applicant: domain.Applicant{Name: r.ApplicantName, IDNumber: r.ApplicantIDNumber, Phone: r.ApplicantPhone,
			Address: r.ApplicantAddress, Organisation: r.ApplicantOrg, TaxCode: r.ApplicantTaxCode, Email: r.ApplicantEmail},
		Channel: domain.Channel(r.Channel), State: domain.State(r.State), StepsDone: r.StepsDone, StepDueAt: utcPtr(r.StepDueAt),
		Unit: r.Unit, Handler: r.Handler, ResumeState: domain.State(r.ResumeState), ReceivedAt: r.ReceivedAt.UTC(),
		DueAt: r.DueAt.UTC(), ExtendedDueAt: utcPtr(r.ExtendedDueAt), ClockStart: r.ClockStart.UTC(), PausedAt: utcPtr(r.PausedAt),
		PausedMinutes: r.PausedMinutes, ResolvedAt: utcPtr(r.ResolvedAt), ReturnedAt: utcPtr(r.ReturnedAt), Late: r.Late,
		Rating: domain.Rating(r.Rating), RatingComment: r.RatingComment, RatedAt: utcPtr(r.RatedAt),
	}
	_ = json.Unmarshal([]byte(r.Steps), &d.Steps)
	_ = json.Unmarshal([]byte(r.Documents), &d.Documents)
	return d
}

func transitionToRow(tenant, dossierID string, t domain.Transition) transitionRow {
	return transitionRow{TenantModel: store.TenantModel{TenantID: tenant}, DossierID: dossierID, Seq: t.Seq, Version: t.Version, Action: string(t.Action),
		FromState: string(t.From), ToState: string(t.To), Actor: t.Actor, ActorName: t.Name, ActingTenant: t.Tenant,
		At: t.At.UTC(), Note: t.Note, Step: t.Step, Unit: t.Unit, Handler: t.Handler, ToTenant: t.ToTenant, DueAt: utcPtr(t.DueAt)}
}

func (r transitionRow) domain() domain.Transition {
	return domain.Transition{Seq: r.Seq, Version: r.Version, Action: domain.Action(r.Action), From: domain.State(r.FromState), To: domain.State(r.ToState),
		Actor: r.Actor, Name: r.ActorName, Tenant: r.ActingTenant, At: r.At.UTC(), Note: r.Note, Step: r.Step, Unit: r.Unit,
		Handler: r.Handler, ToTenant: r.ToTenant, DueAt: utcPtr(r.DueAt)}
}
