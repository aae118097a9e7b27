package app

import (
	"time"

	"egov.vn/platform/libs/events"
	"egov.vn/platform/services/archives/internal/domain"
)

// The event payloads of services/EVENTS.md (entity "document"); fields are never renamed.
type registeredData struct {
	DocumentID   string    `json:"document_id"`
	Tenant       string    `json:"tenant"`
	Register     string    `json:"register"`
	Year         int       `json:"year"`
	Number       int       `json:"number"`
	Notation     string    `json:"notation"`
	Type         string    `json:"type"`
	RegisteredAt time.Time `json:"registered_at"`
	// The dossier the document is the result of (optional): dossiers links it back from these.
	DossierID   string `json:"dossier_id,omitempty"`
	ReceiptCode string `json:"receipt_code,omitempty"`
}

type sentData struct {
	DocumentID string    `json:"document_id"`
	Tenant     string    `json:"tenant"`
	Recipients []string  `json:"recipients"`
	SentAt     time.Time `json:"sent_at"`
}

// receivedData: document_id is the sent (sender's) document, so that reporting can join a
// receipt to its send; incoming_document_id (an added, optional field) is the recipient's copy.
type receivedData struct {
	DocumentID         string    `json:"document_id"`
	Tenant             string    `json:"tenant"`
	FromTenant         string    `json:"from_tenant"`
	ReceivedAt         time.Time `json:"received_at"`
	IncomingDocumentID string    `json:"incoming_document_id"`
}

type readData struct {
	DocumentID         string    `json:"document_id"`
	Tenant             string    `json:"tenant"`
	FromTenant         string    `json:"from_tenant"`
	ReadAt             time.Time `json:"read_at"`
	IncomingDocumentID string    `json:"incoming_document_id"`
}

// fixityFailedData is the alert event ("fixity-failed", not yet in EVENTS.md).
type fixityFailedData struct {
	DocumentID     string    `json:"document_id"`
	Tenant         string    `json:"tenant"`
	FileID         string    `json:"file_id"`
	ObjectKey      string    `json:"object_key"`
	VersionID      string    `json:"version_id"`
	Problem        string    `json:"problem"`
	ExpectedSHA256 string    `json:"expected_sha256"`
	ActualSHA256   string    `json:"actual_sha256,omitempty"`
	DetectedAt     time.Time `json:"detected_at"`
}

func documentEvent(tenant, verb, subject string, data any) (events.Event, error) {
	return events.New(events.Topic{Tenant: tenant, Service: "archives", Entity: "document", Verb: verb}, subject, data)
}

func registeredEvent(d domain.Document) (events.Event, error) {
	return documentEvent(d.Tenant, "registered", d.ID, registeredData{
		DocumentID: d.ID, Tenant: d.Tenant, Register: string(d.Direction), Year: d.Year, Number: d.Number,
		Notation: d.Notation(), Type: d.Type, RegisteredAt: d.RegisteredAt, DossierID: d.DossierID, ReceiptCode: d.ReceiptCode,
	})
}
