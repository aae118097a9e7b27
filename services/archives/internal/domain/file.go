package domain

import (
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"egov.vn/platform/libs/apperr"
)

// StoredFile is one version of a file kept in the unit's bucket: an attachment of a document or,
// for other services, of something they own (OwnerService + OwnerRef, e.g. dossiers + a dossier
// id). Its row exists only once the object is fully stored.
type StoredFile struct {
	ID           string
	Tenant       string
	DocumentID   string // empty for another service's attachment
	OwnerService string
	OwnerRef     string
	Name         string // the file name as uploaded
	Bucket       string
	Key          string // object key; versions of one file share it
	VersionID    string // the object's version in MinIO
	Size         int64
	SHA256       string // hex, computed while streaming
	ContentType  string // sniffed, never taken from the client
	RetainUntil  *time.Time
	LegalHold    bool
	CreatedAt    time.Time
	CreatedBy    string
	FixityAt     *time.Time // last time the stored bytes were found intact
}

// allowedContentTypes are the formats an archive keeps: PDF (the format Decree 30 prescribes for
// electronic documents), scanned images, office documents and plain text or XML. Executables,
// HTML and scripts are refused whatever the file is called.
var allowedContentTypes = []string{
	"application/pdf",
	"image/png", "image/jpeg", "image/tiff",
	"application/zip", // office documents before their parts are seen; OOXML and ODF are zips
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"application/vnd.oasis.opendocument.text",
	"application/vnd.oasis.opendocument.spreadsheet",
	"application/msword", "application/vnd.ms-excel", "application/x-ole-storage",
	"text/plain", "text/xml", "application/xml",
}

// AllowedContentTypes lists the accepted formats.
func AllowedContentTypes() []string { return slices.Clone(allowedContentTypes) }

// ContentTypeAllowed reports whether the sniffed type (parameters ignored) may be stored.
func ContentTypeAllowed(ct string) bool {
	base, _, _ := strings.Cut(ct, ";")
	return slices.Contains(allowedContentTypes, strings.TrimSpace(strings.ToLower(base)))
}

// ValidateFileName refuses names that are empty, too long, or could travel as a path.
func ValidateFileName(name string) error {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return apperr.Invalid("file", "Tệp đính kèm phải có tên")
	case utf8.RuneCountInString(name) > 255:
		return apperr.Invalid("file", "Tên tệp dài tối đa 255 ký tự")
	case strings.ContainsAny(name, "/\\\x00") || name == "." || name == "..":
		return apperr.Invalid("file", "Tên tệp không được chứa đường dẫn")
	}
	return nil
}

// FixityProblem says what a fixity check found wrong.
type FixityProblem string

const (
	FixityMismatch    FixityProblem = "mismatch"    // the stored bytes no longer have the recorded SHA-256
	FixityMissing     FixityProblem = "missing"     // the object version is gone
	FixityOverwritten FixityProblem = "overwritten" // someone put or deleted a newer version over the key behind the archive's back
)

// Name is the Vietnamese description for the admin page.
func (p FixityProblem) Name() string {
	switch p {
	case FixityMismatch:
		return "Nội dung bị thay đổi (SHA-256 không khớp)"
	case FixityMissing:
		return "Tệp không còn trong kho"
	case FixityOverwritten:
		return "Tệp bị ghi đè hoặc xóa ngoài hệ thống"
	}
	return string(p)
}

// FixityAlert is a failed check, kept until an administrator resolves it.
type FixityAlert struct {
	ID             string
	Tenant         string
	FileID         string
	DocumentID     string
	Key            string
	VersionID      string
	Problem        FixityProblem
	ExpectedSHA256 string
	ActualSHA256   string
	Detail         string
	DetectedAt     time.Time
}

// Access is one entry of the access log: who fetched which file, how, and when.
type Access struct {
	ID         string
	Tenant     string
	DocumentID string
	FileID     string
	Actor      string
	ActorName  string
	Action     string // download (streamed), presign (a URL handed out), view (metadata read)
	ClientIP   string
	At         time.Time
}

// ErrObjectMissing means a stored object or version does not exist (any more).
var ErrObjectMissing = errors.New("archives: object missing")
