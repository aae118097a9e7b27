package domain

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"egov.vn/platform/libs/apperr"
)

// Document is an official document (văn bản) in a unit's outgoing or incoming register, with the
// metadata of Decree 30/2020/NĐ-CP appendix VI.
type Document struct {
	ID        string
	Tenant    string
	Direction Direction
	Year      int // the register's year
	// Number is the register number: for an outgoing document the number it was issued under
	// (the "số" of "số và ký hiệu"); for an incoming one its arrival number (số đến).
	Number int

	IssuingOrgan string // cơ quan, tổ chức ban hành
	Type         string // DocumentType.Code
	// SourceNumber and Symbol make the notation (số và ký hiệu) "12/QĐ-UBND". For an outgoing
	// document SourceNumber is Number; for an incoming one it is what the sender printed.
	SourceNumber int
	Symbol       string
	IssuedDate   time.Time // ngày tháng năm văn bản
	Subject      string    // trích yếu nội dung
	Signer       string    // người ký
	Language     string    // ISO 639-1
	Pages        int
	Priority     Priority
	Security     Security
	DueDate      *time.Time // hạn giải quyết
	ArrivalDate  *time.Time // ngày đến (incoming)

	RecordID string // the record file (hồ sơ) it is filed in, if any

	// Electronic exchange: set on an incoming document that arrived from another unit.
	FromTenant       string
	SourceDocumentID string
	ReadAt           *time.Time

	// The dossier (one-stop shop) this document is the result of, when it was archived on the
	// dossier's return: at most one document per dossier and unit.
	DossierID   string
	ReceiptCode string

	RegisteredAt time.Time
	RegisteredBy string
}

// Notation is "số và ký hiệu": "12/QĐ-UBND", or the symbol alone when the sender gave no number.
func (d Document) Notation() string {
	if d.SourceNumber <= 0 {
		return d.Symbol
	}
	if d.Symbol == "" {
		return fmt.Sprint(d.SourceNumber)
	}
	return fmt.Sprintf("%d/%s", d.SourceNumber, d.Symbol)
}

// TypeName is the Vietnamese name of the document's kind.
func (d Document) TypeName() string {
	t, _ := LookupDocumentType(d.Type)
	return t.Name
}

// SearchText is what full-text search matches: the subject (trích yếu), the notation and the issuing organ,
// lowercased and without diacritics, so "quyet dinh" finds "Quyết định".
func (d Document) SearchText() string {
	return SearchWords(strings.Join([]string{d.Subject, d.Notation(), d.IssuingOrgan}, " "))
}

// symbolRE: the notation's symbol is letters (Vietnamese ones included), digits and hyphens,
// such as "QĐ-UBND" or "UBND-VP"; the slash belongs to the notation, not the symbol.
var symbolRE = regexp.MustCompile(`^[\p{L}\p{N}]+(-[\p{L}\p{N}]+)*$`)

var languageRE = regexp.MustCompile(`^[a-z]{2}$`)

// Limits of the free-text fields, in characters.
const (
	maxName    = 255
	maxSubject = 1000
	maxSymbol  = 50
	maxPages   = 100000
)

// Validate checks every field and reports each fault with the field's API name and a reason in
// Vietnamese that names it too, so a page can show it beside the input.
func (d *Document) Validate(now time.Time) error {
	var errs apperr.FieldErrors
	d.normalise()
	if !d.Direction.Valid() {
		errs.Add("direction", "Sổ đăng ký phải là outgoing (văn bản đi) hoặc incoming (văn bản đến)")
	}
	text(&errs, "issuing_organ", "Cơ quan ban hành", d.IssuingOrgan, maxName, true)
	if _, ok := LookupDocumentType(d.Type); !ok {
		errs.Add("type", "Loại văn bản không có trong danh mục của Nghị định 30/2020/NĐ-CP")
	}
	switch {
	case d.Symbol == "" && d.Direction == Outgoing:
		errs.Add("symbol", "Ký hiệu văn bản không được để trống (ví dụ QĐ-UBND)")
	case d.Symbol != "" && (utf8.RuneCountInString(d.Symbol) > maxSymbol || !symbolRE.MatchString(d.Symbol)):
		errs.Add("symbol", "Ký hiệu văn bản chỉ gồm chữ, số và dấu gạch nối, tối đa 50 ký tự (ví dụ QĐ-UBND)")
	}
	if d.SourceNumber < 0 {
		errs.Add("number", "Số văn bản phải là số dương")
	}
	if d.Direction == Incoming && d.SourceNumber == 0 && d.Symbol == "" {
		errs.Add("symbol", "Văn bản đến phải có số hoặc ký hiệu như trên văn bản")
	}
	today := CivilDay(now)
	switch {
	case d.IssuedDate.IsZero():
		errs.Add("issued_date", "Ngày ban hành không được để trống")
	case CivilDay(d.IssuedDate).After(today):
		errs.Add("issued_date", "Ngày ban hành không được sau ngày hôm nay")
	}
	text(&errs, "subject", "Trích yếu nội dung", d.Subject, maxSubject, true)
	text(&errs, "signer", "Người ký", d.Signer, maxName, true)
	if !languageRE.MatchString(d.Language) {
		errs.Add("language", "Ngôn ngữ phải là mã ISO 639-1 gồm hai chữ thường, ví dụ vi")
	}
	if d.Pages < 1 || d.Pages > maxPages {
		errs.Add("pages", "Số trang phải từ 1 đến 100000")
	}
	if !d.Priority.Valid() {
		errs.Add("priority", "Mức độ khẩn phải là thuong, khan, thuong-khan hoặc hoa-toc")
	}
	if !d.Security.Valid() {
		errs.Add("security", "Độ mật phải là thuong, mat, toi-mat hoặc tuyet-mat")
	}
	if d.DueDate != nil && !d.IssuedDate.IsZero() && CivilDay(*d.DueDate).Before(CivilDay(d.IssuedDate)) {
		errs.Add("due_date", "Hạn giải quyết không được trước ngày ban hành")
	}
	if d.Direction == Outgoing && d.ArrivalDate != nil {
		errs.Add("arrival_date", "Văn bản đi không có ngày đến")
	}
	if d.Direction == Incoming && d.ArrivalDate != nil {
		switch {
		case CivilDay(*d.ArrivalDate).After(today):
			errs.Add("arrival_date", "Ngày đến không được sau ngày hôm nay")
		case !d.IssuedDate.IsZero() && CivilDay(*d.ArrivalDate).Before(CivilDay(d.IssuedDate)):
			errs.Add("arrival_date", "Ngày đến không được trước ngày ban hành")
		}
	}
	return errs.Err()
}

// normalise trims the text and fills the defaults appendix VI allows to be implied.
func (d *Document) normalise() {
	for _, p := range []*string{&d.IssuingOrgan, &d.Type, &d.Symbol, &d.Subject, &d.Signer, &d.Language} {
		*p = strings.TrimSpace(*p)
	}
	if d.Language == "" {
		d.Language = "vi"
	}
	if d.Pages == 0 {
		d.Pages = 1
	}
	if d.Priority == "" {
		d.Priority = PriorityNormal
	}
	if d.Security == "" {
		d.Security = SecurityNormal
	}
}

// text checks a free-text field: present when required, and no longer than max characters.
func text(errs *apperr.FieldErrors, field, label, v string, max int, required bool) {
	switch n := utf8.RuneCountInString(v); {
	case n == 0 && required:
		errs.Add(field, label+" không được để trống")
	case n > max:
		errs.Add(field, fmt.Sprintf("%s dài tối đa %d ký tự (đang có %d)", label, max, n))
	case !utf8.ValidString(v) || strings.ContainsAny(v, "\x00"):
		errs.Add(field, label+" chứa ký tự không hợp lệ")
	}
}

// CivilDay is the calendar day of t in Vietnam, where every date on a document is written.
func CivilDay(t time.Time) time.Time {
	y, m, d := t.In(Vietnam).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Vietnam is UTC+7 without daylight saving: fixed, so no time-zone database is needed.
var Vietnam = time.FixedZone("ICT", 7*60*60)

// DateLayout is how dates travel in the API and forms.
const DateLayout = "2006-01-02"

// ParseDate reads a YYYY-MM-DD date into *dst; an empty value leaves dst nil, a bad one adds a
// field error naming field and label.
func ParseDate(errs *apperr.FieldErrors, field, label, v string, dst **time.Time) {
	v = strings.TrimSpace(v)
	if v == "" {
		return
	}
	t, err := time.Parse(DateLayout, v)
	if err != nil {
		errs.Add(field, label+" phải có dạng năm-tháng-ngày, ví dụ 2026-11-27")
		return
	}
	*dst = &t
}
