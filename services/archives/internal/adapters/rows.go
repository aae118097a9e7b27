package adapters

import (
	"time"

	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/archives/internal/domain"
)

// documentRow is a document of a register. (tenant_id, direction, year, number) is unique: the
// register's numbering, enforced by the database as well as by the counter.
type documentRow struct {
	ID string `gorm:"primaryKey;size:36"`
	store.TenantModel
	Direction        string    `gorm:"size:16;not null"`
	Year             int       `gorm:"not null"`
	Number           int       `gorm:"not null"`
	IssuingOrgan     string    `gorm:"size:255;not null"`
	Type             string    `gorm:"size:32;not null;index"`
	SourceNumber     int       `gorm:"not null"`
	Symbol           string    `gorm:"size:64;not null"`
	IssuedDate       time.Time `gorm:"not null;index"`
	Subject          string    `gorm:"type:text;not null"`
	Signer           string    `gorm:"size:255;not null"`
	Language         string    `gorm:"size:2;not null"`
	Pages            int       `gorm:"not null"`
	Priority         string    `gorm:"size:16;not null"`
	Security         string    `gorm:"size:16;not null"`
	DueDate          *time.Time
	ArrivalDate      *time.Time
	RecordID         *string `gorm:"size:36;index"`
	FromTenant       string  `gorm:"size:63;not null;default:''"`
	SourceDocumentID string  `gorm:"size:36;not null;default:''"`
	ReadAt           *time.Time
	RegisteredAt     time.Time `gorm:"not null"`
	RegisteredBy     string    `gorm:"size:255;not null"`
	SearchText       string    `gorm:"type:text;not null"` // domain.Fold of subject, notation, organ, type
}

func (documentRow) TableName() string { return "documents" }

func toDocumentRow(d domain.Document) documentRow {
	r := documentRow{
		ID: d.ID, TenantModel: store.TenantModel{TenantID: d.Tenant}, Direction: string(d.Direction), Year: d.Year, Number: d.Number,
		IssuingOrgan: d.IssuingOrgan, Type: d.Type, SourceNumber: d.SourceNumber, Symbol: d.Symbol, IssuedDate: d.IssuedDate,
		Subject: d.Subject, Signer: d.Signer, Language: d.Language, Pages: d.Pages, Priority: string(d.Priority),
		Security: string(d.Security), DueDate: d.DueDate, ArrivalDate: d.ArrivalDate, FromTenant: d.FromTenant,
		SourceDocumentID: d.SourceDocumentID, ReadAt: d.ReadAt, RegisteredAt: d.RegisteredAt, RegisteredBy: d.RegisteredBy,
		SearchText: d.SearchText(),
	}
	if d.RecordID != "" {
		r.RecordID = &d.RecordID
	}
	return r
}

func (r documentRow) domain() domain.Document {
	d := domain.Document{
		ID: r.ID, Tenant: r.TenantID, Direction: domain.Direction(r.Direction), Year: r.Year, Number: r.Number,
		IssuingOrgan: r.IssuingOrgan, Type: r.Type, SourceNumber: r.SourceNumber, Symbol: r.Symbol, IssuedDate: r.IssuedDate.UTC(),
		Subject: r.Subject, Signer: r.Signer, Language: r.Language, Pages: r.Pages, Priority: domain.Priority(r.Priority),
		Security: domain.Security(r.Security), DueDate: utc(r.DueDate), ArrivalDate: utc(r.ArrivalDate), FromTenant: r.FromTenant,
		SourceDocumentID: r.SourceDocumentID, ReadAt: utc(r.ReadAt), RegisteredAt: r.RegisteredAt.UTC(), RegisteredBy: r.RegisteredBy,
	}
	if r.RecordID != nil {
		d.RecordID = *r.RecordID
	}
	return d
}

// dossierLinkRow names the dossier a document is the result of. (tenant_id, dossier_id) is
// unique (ux_document_dossiers): a dossier's result is registered once, however often its
// return is delivered.
type dossierLinkRow struct {
	DocumentID string `gorm:"primaryKey;size:36"`
	store.TenantModel
	DossierID   string `gorm:"size:36;not null"`
	ReceiptCode string `gorm:"size:64;not null"`
}

func (dossierLinkRow) TableName() string { return "document_dossiers" }

// grantRow is one approval to read a classified document (domain.Grant). A revoked grant keeps
// its row with revoked_at set: the record of who could read a state secret, and when, stays.
type grantRow struct {
	ID string `gorm:"primaryKey;size:36"`
	store.TenantModel
	DocumentID  string    `gorm:"size:36;not null;index"`
	Subject     string    `gorm:"size:255;not null"`
	SubjectName string    `gorm:"size:255;not null;default:''"`
	GrantedBy   string    `gorm:"size:255;not null"`
	GrantedName string    `gorm:"size:255;not null;default:''"`
	GrantedAt   time.Time `gorm:"not null"`
	RevokedBy   string    `gorm:"size:255;not null;default:''"`
	RevokedAt   *time.Time
}

func (grantRow) TableName() string { return "document_grants" }

func (r grantRow) domain() domain.Grant {
	return domain.Grant{ID: r.ID, Tenant: r.TenantID, DocumentID: r.DocumentID, Subject: r.Subject, SubjectName: r.SubjectName,
		GrantedBy: r.GrantedBy, GrantedName: r.GrantedName, GrantedAt: r.GrantedAt.UTC(), RevokedBy: r.RevokedBy, RevokedAt: utc(r.RevokedAt)}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// counterRow is a register's last number. Its key includes the tenant, so it is scoped by hand
// in nextNumber (always the caller's own tenant) rather than through TenantModel.
type counterRow struct {
	TenantID   string `gorm:"primaryKey;size:63"`
	Direction  string `gorm:"primaryKey;size:16"`
	Year       int    `gorm:"primaryKey"`
	LastNumber int    `gorm:"not null"`
}

func (counterRow) TableName() string { return "register_counters" }

type recordRow struct {
	ID string `gorm:"primaryKey;size:36"`
	store.TenantModel
	FileCode       string    `gorm:"size:64;not null"`
	Title          string    `gorm:"type:text;not null"`
	RetentionYears int       `gorm:"not null"` // 0 = permanent
	Rights         string    `gorm:"size:16;not null"`
	Creator        string    `gorm:"size:255;not null"`
	StartDate      time.Time `gorm:"not null"`
	EndDate        *time.Time
	CreatedAt      time.Time `gorm:"not null"`
	SearchText     string    `gorm:"type:text;not null"`
}

func (recordRow) TableName() string { return "record_files" }

func toRecordRow(r domain.RecordFile) recordRow {
	years := r.Retention.Years
	if r.Retention.Permanent {
		years = 0
	}
	return recordRow{ID: r.ID, TenantModel: store.TenantModel{TenantID: r.Tenant}, FileCode: r.FileCode, Title: r.Title,
		RetentionYears: years, Rights: string(r.Rights), Creator: r.Creator, StartDate: r.StartDate, EndDate: r.EndDate,
		CreatedAt: r.CreatedAt, SearchText: r.SearchText()}
}

func (r recordRow) domain() domain.RecordFile {
	return domain.RecordFile{ID: r.ID, Tenant: r.TenantID, FileCode: r.FileCode, Title: r.Title,
		Retention: domain.RetentionClass{Permanent: r.RetentionYears == 0, Years: r.RetentionYears},
		Rights:    domain.Rights(r.Rights), Creator: r.Creator, StartDate: r.StartDate.UTC(), EndDate: utc(r.EndDate), CreatedAt: r.CreatedAt.UTC()}
}

// fileRow is one stored object version.
type fileRow struct {
	ID string `gorm:"primaryKey;size:36"`
	store.TenantModel
	DocumentID   string `gorm:"size:36;not null;default:'';index"`
	OwnerService string `gorm:"size:63;not null;default:''"`
	OwnerRef     string `gorm:"size:128;not null;default:''"`
	Name         string `gorm:"size:255;not null"`
	Bucket       string `gorm:"size:63;not null"`
	Key          string `gorm:"column:object_key;size:255;not null;index"`
	VersionID    string `gorm:"size:64;not null"`
	Size         int64  `gorm:"not null"`
	SHA256       string `gorm:"size:64;not null"`
	ContentType  string `gorm:"size:128;not null"`
	RetainUntil  *time.Time
	LegalHold    bool      `gorm:"not null;default:false"`
	CreatedAt    time.Time `gorm:"not null"`
	CreatedBy    string    `gorm:"size:255;not null"`
	FixityAt     *time.Time
	// FixityDue orders the fixity job's work and, moved ahead when claimed, is its lease: two
	// replicas never check the same file at once.
	FixityDue time.Time `gorm:"not null;index"`
}

func (fileRow) TableName() string { return "stored_files" }

func toFileRow(f domain.StoredFile) fileRow {
	return fileRow{ID: f.ID, TenantModel: store.TenantModel{TenantID: f.Tenant}, DocumentID: f.DocumentID, OwnerService: f.OwnerService,
		OwnerRef: f.OwnerRef, Name: f.Name, Bucket: f.Bucket, Key: f.Key, VersionID: f.VersionID, Size: f.Size, SHA256: f.SHA256,
		ContentType: f.ContentType, RetainUntil: f.RetainUntil, LegalHold: f.LegalHold, CreatedAt: f.CreatedAt, CreatedBy: f.CreatedBy,
		FixityAt: f.FixityAt, FixityDue: f.CreatedAt}
}

func (r fileRow) domain() domain.StoredFile {
	return domain.StoredFile{ID: r.ID, Tenant: r.TenantID, DocumentID: r.DocumentID, OwnerService: r.OwnerService, OwnerRef: r.OwnerRef,
		Name: r.Name, Bucket: r.Bucket, Key: r.Key, VersionID: r.VersionID, Size: r.Size, SHA256: r.SHA256, ContentType: r.ContentType,
		RetainUntil: utc(r.RetainUntil), LegalHold: r.LegalHold, CreatedAt: r.CreatedAt.UTC(), CreatedBy: r.CreatedBy, FixityAt: utc(r.FixityAt)}
}

// uploadRow marks an object being written: it is written before the upload starts and deleted
// in the transaction that commits the file's row. One left behind (the process died, the
// database refused the commit) names an orphan for the cleanup job.
type uploadRow struct {
	ID        string    `gorm:"primaryKey;size:36"`
	Tenant    string    `gorm:"column:tenant_id;size:63;not null"`
	Bucket    string    `gorm:"size:63;not null"`
	Key       string    `gorm:"column:object_key;size:255;not null"`
	StartedAt time.Time `gorm:"not null;index"`
}

func (uploadRow) TableName() string { return "pending_uploads" }

type accessRow struct {
	ID string `gorm:"primaryKey;size:36"`
	store.TenantModel
	DocumentID string    `gorm:"size:36;not null;index"`
	FileID     string    `gorm:"size:36;not null;default:''"`
	Actor      string    `gorm:"size:255;not null"`
	ActorName  string    `gorm:"size:255;not null;default:''"`
	Action     string    `gorm:"size:16;not null"`
	ClientIP   string    `gorm:"size:64;not null;default:''"`
	At         time.Time `gorm:"not null"`
}

func (accessRow) TableName() string { return "access_log" }

// deliveryRow belongs to two tenants, the sender and the recipient; both may read it, and the
// repository scopes it by hand on either column.
type deliveryRow struct {
	ID                 string    `gorm:"primaryKey;size:36"`
	SenderTenant       string    `gorm:"size:63;not null;index"`
	DocumentID         string    `gorm:"size:36;not null;index"`
	RecipientTenant    string    `gorm:"size:63;not null;index"`
	IncomingDocumentID string    `gorm:"size:36;not null;uniqueIndex"`
	IncomingNumber     int       `gorm:"not null"`
	State              string    `gorm:"size:16;not null"`
	SentAt             time.Time `gorm:"not null"`
	ReceivedAt         time.Time `gorm:"not null"`
	ReadAt             *time.Time
}

func (deliveryRow) TableName() string { return "deliveries" }

func (r deliveryRow) domain() domain.Delivery {
	return domain.Delivery{ID: r.ID, SenderTenant: r.SenderTenant, DocumentID: r.DocumentID, RecipientTenant: r.RecipientTenant,
		IncomingDocumentID: r.IncomingDocumentID, IncomingNumber: r.IncomingNumber, State: domain.DeliveryState(r.State),
		SentAt: r.SentAt.UTC(), ReceivedAt: r.ReceivedAt.UTC(), ReadAt: utc(r.ReadAt)}
}

type alertRow struct {
	ID string `gorm:"primaryKey;size:36"`
	store.TenantModel
	FileID         string    `gorm:"size:36;not null;index"`
	DocumentID     string    `gorm:"size:36;not null;default:''"`
	Key            string    `gorm:"column:object_key;size:255;not null"`
	VersionID      string    `gorm:"size:64;not null"`
	Problem        string    `gorm:"size:16;not null"`
	ExpectedSHA256 string    `gorm:"size:64;not null"`
	ActualSHA256   string    `gorm:"size:64;not null;default:''"`
	Detail         string    `gorm:"size:500;not null;default:''"`
	DetectedAt     time.Time `gorm:"not null"`
}

func (alertRow) TableName() string { return "fixity_alerts" }

func (r alertRow) domain() domain.FixityAlert {
	return domain.FixityAlert{ID: r.ID, Tenant: r.TenantID, FileID: r.FileID, DocumentID: r.DocumentID, Key: r.Key, VersionID: r.VersionID,
		Problem: domain.FixityProblem(r.Problem), ExpectedSHA256: r.ExpectedSHA256, ActualSHA256: r.ActualSHA256, Detail: r.Detail,
		DetectedAt: r.DetectedAt.UTC()}
}
