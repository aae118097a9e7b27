package api

import (
	"strconv"
	"strings"
	"time"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/services/archives/internal/app"
	"egov.vn/platform/services/archives/internal/domain"
)

// DocumentIn is the JSON of a document to register (appendix VI's fields).
type DocumentIn struct {
	Direction    string `json:"direction"`
	IssuingOrgan string `json:"issuing_organ"`
	Type         string `json:"type"`
	Number       int    `json:"number"` // incoming only: the number the sender gave
	Symbol       string `json:"symbol"`
	IssuedDate   string `json:"issued_date"`
	Subject      string `json:"subject"`
	Signer       string `json:"signer"`
	Language     string `json:"language"`
	Pages        int    `json:"pages"`
	Priority     string `json:"priority"`
	Security     string `json:"security"`
	DueDate      string `json:"due_date"`
	ArrivalDate  string `json:"arrival_date"`
	RecordID     string `json:"record_id"`
}

// DocumentInput turns form or JSON values into a document, with a field error for each date
// that cannot be read. Shared by the API and the pages.
func DocumentInput(in DocumentIn) (domain.Document, error) {
	var errs apperr.FieldErrors
	d := domain.Document{Direction: domain.Direction(in.Direction), IssuingOrgan: in.IssuingOrgan, Type: in.Type, Symbol: in.Symbol,
		Subject: in.Subject, Signer: in.Signer, Language: in.Language, Pages: in.Pages, Priority: domain.Priority(in.Priority),
		Security: domain.Security(in.Security), RecordID: in.RecordID}
	if d.Direction == domain.Incoming {
		d.SourceNumber = in.Number
	} else if in.Number != 0 {
		errs.Add("number", "Số văn bản đi do sổ đăng ký cấp tự động, không nhập")
	}
	var issued *time.Time
	domain.ParseDate(&errs, "issued_date", "Ngày ban hành", in.IssuedDate, &issued)
	if issued != nil {
		d.IssuedDate = *issued
	}
	domain.ParseDate(&errs, "due_date", "Hạn giải quyết", in.DueDate, &d.DueDate)
	domain.ParseDate(&errs, "arrival_date", "Ngày đến", in.ArrivalDate, &d.ArrivalDate)
	if err := errs.Err(); err != nil {
		// Report the date faults together with every other field's.
		verr := d.Validate(time.Now())
		if e := apperr.As(verr); e != nil {
			for _, f := range e.Fields {
				if !hasField(errs, f.Field) {
					errs = append(errs, f)
				}
			}
		}
		return domain.Document{}, errs.Err()
	}
	return d, nil
}

func hasField(errs apperr.FieldErrors, field string) bool {
	for _, f := range errs {
		if f.Field == field {
			return true
		}
	}
	return false
}

type documentOut struct {
	ID               string     `json:"id"`
	Tenant           string     `json:"tenant"`
	Register         string     `json:"register"`
	Year             int        `json:"year"`
	Number           int        `json:"number"`
	Notation         string     `json:"notation"`
	IssuingOrgan     string     `json:"issuing_organ"`
	Type             string     `json:"type"`
	TypeName         string     `json:"type_name"`
	Symbol           string     `json:"symbol"`
	IssuedDate       string     `json:"issued_date"`
	Subject          string     `json:"subject"`
	Signer           string     `json:"signer"`
	Language         string     `json:"language"`
	Pages            int        `json:"pages"`
	Priority         string     `json:"priority"`
	Security         string     `json:"security"`
	DueDate          *string    `json:"due_date"`
	ArrivalDate      *string    `json:"arrival_date"`
	RecordID         string     `json:"record_id,omitempty"`
	FromTenant       string     `json:"from_tenant,omitempty"`
	SourceDocumentID string     `json:"source_document_id,omitempty"`
	ReadAt           *time.Time `json:"read_at"`
	RegisteredAt     time.Time  `json:"registered_at"`
	// The dossier this document is the result of, and its page at dossiers.
	DossierID   string `json:"dossier_id,omitempty"`
	ReceiptCode string `json:"receipt_code,omitempty"`
	DossierURL  string `json:"dossier_url,omitempty"`
}

// DossierPage is the path of a dossier's page at dossiers, which the platform serves on the same
// origin as the archives (each service under its own prefix).
func DossierPage(id string) string { return "/dossiers/ho-so/" + id }

func date(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(domain.DateLayout)
	return &s
}

func toDocument(d domain.Document) documentOut {
	out := documentOut{ID: d.ID, Tenant: d.Tenant, Register: string(d.Direction), Year: d.Year, Number: d.Number, Notation: d.Notation(),
		IssuingOrgan: d.IssuingOrgan, Type: d.Type, TypeName: d.TypeName(), Symbol: d.Symbol, IssuedDate: d.IssuedDate.Format(domain.DateLayout),
		Subject: d.Subject, Signer: d.Signer, Language: d.Language, Pages: d.Pages, Priority: string(d.Priority), Security: string(d.Security),
		DueDate: date(d.DueDate), ArrivalDate: date(d.ArrivalDate), RecordID: d.RecordID, FromTenant: d.FromTenant,
		SourceDocumentID: d.SourceDocumentID, ReadAt: d.ReadAt, RegisteredAt: d.RegisteredAt}
	if d.DossierID != "" {
		out.DossierID, out.ReceiptCode, out.DossierURL = d.DossierID, d.ReceiptCode, DossierPage(d.DossierID)
	}
	return out
}

type fileOut struct {
	ID          string     `json:"id"`
	DocumentID  string     `json:"document_id,omitempty"`
	Ref         string     `json:"ref,omitempty"`
	Name        string     `json:"name"`
	VersionID   string     `json:"version_id"`
	Size        int64      `json:"size"`
	SHA256      string     `json:"sha256"`
	ContentType string     `json:"content_type"`
	RetainUntil *time.Time `json:"retain_until"`
	LegalHold   bool       `json:"legal_hold"`
	CreatedAt   time.Time  `json:"created_at"`
	FixityAt    *time.Time `json:"fixity_checked_at"`
}

func toFile(f domain.StoredFile) fileOut {
	return fileOut{ID: f.ID, DocumentID: f.DocumentID, Ref: f.OwnerRef, Name: f.Name, VersionID: f.VersionID, Size: f.Size, SHA256: f.SHA256,
		ContentType: f.ContentType, RetainUntil: f.RetainUntil, LegalHold: f.LegalHold, CreatedAt: f.CreatedAt, FixityAt: f.FixityAt}
}

func toFiles(fs []domain.StoredFile) []fileOut {
	out := make([]fileOut, len(fs))
	for i, f := range fs {
		out[i] = toFile(f)
	}
	return out
}

type deliveryOut struct {
	Recipient          string     `json:"recipient"`
	State              string     `json:"state"`
	IncomingDocumentID string     `json:"incoming_document_id"`
	IncomingNumber     int        `json:"incoming_number"`
	SentAt             time.Time  `json:"sent_at"`
	ReceivedAt         time.Time  `json:"received_at"`
	ReadAt             *time.Time `json:"read_at"`
}

func toDeliveries(ds []domain.Delivery) []deliveryOut {
	out := make([]deliveryOut, len(ds))
	for i, d := range ds {
		out[i] = deliveryOut{Recipient: d.RecipientTenant, State: string(d.State), IncomingDocumentID: d.IncomingDocumentID,
			IncomingNumber: d.IncomingNumber, SentAt: d.SentAt, ReceivedAt: d.ReceivedAt, ReadAt: d.ReadAt}
	}
	return out
}

type recordIn struct {
	FileCode  string `json:"file_code"`
	Title     string `json:"title"`
	Retention struct {
		Permanent bool `json:"permanent"`
		Years     int  `json:"years"`
	} `json:"retention"`
	Rights    string `json:"rights"`
	Creator   string `json:"creator"`
	StartDate string `json:"start_date"`
	EndDate   string `json:"end_date"`
}

func recordInput(in recordIn) (domain.RecordFile, error) {
	var errs apperr.FieldErrors
	r := domain.RecordFile{FileCode: in.FileCode, Title: in.Title, Retention: domain.RetentionClass{Permanent: in.Retention.Permanent, Years: in.Retention.Years},
		Rights: domain.Rights(in.Rights), Creator: in.Creator}
	var start *time.Time
	domain.ParseDate(&errs, "start_date", "Ngày bắt đầu", in.StartDate, &start)
	if start != nil {
		r.StartDate = *start
	}
	domain.ParseDate(&errs, "end_date", "Ngày kết thúc", in.EndDate, &r.EndDate)
	if err := errs.Err(); err != nil {
		return domain.RecordFile{}, err
	}
	return r, nil
}

type recordOut struct {
	ID        string `json:"id"`
	FileCode  string `json:"file_code"`
	Title     string `json:"title"`
	Retention struct {
		Permanent bool   `json:"permanent"`
		Years     int    `json:"years,omitempty"`
		Label     string `json:"label"`
	} `json:"retention"`
	Rights    string    `json:"rights"`
	Creator   string    `json:"creator"`
	StartDate string    `json:"start_date"`
	EndDate   *string   `json:"end_date"`
	CreatedAt time.Time `json:"created_at"`
}

func toRecord(r domain.RecordFile) recordOut {
	out := recordOut{ID: r.ID, FileCode: r.FileCode, Title: r.Title, Rights: string(r.Rights), Creator: r.Creator,
		StartDate: r.StartDate.Format(domain.DateLayout), EndDate: date(r.EndDate), CreatedAt: r.CreatedAt}
	out.Retention.Permanent, out.Retention.Years, out.Retention.Label = r.Retention.Permanent, r.Retention.Years, r.Retention.String()
	return out
}

type accessOut struct {
	DocumentID string    `json:"document_id"`
	FileID     string    `json:"file_id"`
	Actor      string    `json:"actor"`
	Name       string    `json:"name"`
	Action     string    `json:"action"`
	ClientIP   string    `json:"client_ip"`
	At         time.Time `json:"at"`
}

func toDocumentView(v app.DocumentView) object {
	access := make([]accessOut, len(v.Access))
	for i, a := range v.Access {
		access[i] = toAccess(a)
	}
	out := object{"document": toDocument(v.Document), "files": toFiles(v.Files), "deliveries": toDeliveries(v.Deliveries), "access_log": access,
		"grants": toGrants(v.Grants)}
	if v.Record != nil {
		out["record"] = toRecord(*v.Record)
	}
	return out
}

func toAccess(a domain.Access) accessOut {
	return accessOut{DocumentID: a.DocumentID, FileID: a.FileID, Actor: a.Actor, Name: a.ActorName, Action: a.Action, ClientIP: a.ClientIP, At: a.At}
}

type grantOut struct {
	Subject     string     `json:"subject"`
	Name        string     `json:"name"`
	GrantedBy   string     `json:"granted_by"`
	GrantedName string     `json:"granted_by_name"`
	GrantedAt   time.Time  `json:"granted_at"`
	RevokedBy   string     `json:"revoked_by,omitempty"`
	RevokedAt   *time.Time `json:"revoked_at"`
}

func toGrant(g domain.Grant) grantOut {
	return grantOut{Subject: g.Subject, Name: g.SubjectName, GrantedBy: g.GrantedBy, GrantedName: g.GrantedName, GrantedAt: g.GrantedAt,
		RevokedBy: g.RevokedBy, RevokedAt: g.RevokedAt}
}

func toGrants(gs []domain.Grant) []grantOut {
	out := make([]grantOut, len(gs))
	for i, g := range gs {
		out[i] = toGrant(g)
	}
	return out
}

type object = map[string]any

// FormDocument reads a page's form values into the API's document input (same field names).
func FormDocument(v map[string][]string) DocumentIn {
	get := func(k string) string {
		if len(v[k]) == 0 {
			return ""
		}
		return v[k][0]
	}
	num := func(k string) int {
		n, _ := strconv.Atoi(strings.TrimSpace(get(k)))
		return n
	}
	return DocumentIn{Direction: get("direction"), IssuingOrgan: get("issuing_organ"), Type: get("type"), Number: num("number"),
		Symbol: get("symbol"), IssuedDate: get("issued_date"), Subject: get("subject"), Signer: get("signer"), Language: get("language"),
		Pages: num("pages"), Priority: get("priority"), Security: get("security"), DueDate: get("due_date"), ArrivalDate: get("arrival_date"),
		RecordID: get("record_id")}
}
