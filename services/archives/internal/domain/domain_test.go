package domain

import (
	"strings"
	"testing"
	"time"

	"egov.vn/platform/libs/apperr"
)

var now = time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)

func validOutgoing() Document {
	return Document{Direction: Outgoing, IssuingOrgan: "UBND xã Đông Tân", Type: "quyet-dinh", Symbol: "QĐ-UBND",
		IssuedDate: now.AddDate(0, 0, -1), Subject: "Quyết định thành lập tổ công tác", Signer: "Trần Văn An"}
}

func fields(err error) map[string]string {
	out := map[string]string{}
	if e := apperr.As(err); e != nil {
		for _, f := range e.Fields {
			out[f.Field] = f.Reason
		}
	}
	return out
}

func TestDocumentValidateNamesEveryField(t *testing.T) {
	t.Parallel()
	d := validOutgoing()
	if err := d.Validate(now); err != nil {
		t.Fatalf("valid document refused: %v", err)
	}
	if d.Language != "vi" || d.Pages != 1 || d.Priority != PriorityNormal || d.Security != SecurityNormal {
		t.Fatalf("defaults not filled: %+v", d)
	}
	future := now.AddDate(0, 0, 2)
	before := now.AddDate(0, 0, -10)
	cases := []struct {
		field, says string
		change      func(*Document)
	}{
		{"direction", "Sổ đăng ký", func(d *Document) { d.Direction = "sideways" }},
		{"issuing_organ", "Cơ quan ban hành", func(d *Document) { d.IssuingOrgan = "  " }},
		{"issuing_organ", "tối đa 255", func(d *Document) { d.IssuingOrgan = strings.Repeat("á", 256) }},
		{"type", "Loại văn bản", func(d *Document) { d.Type = "sac-lenh" }},
		{"symbol", "Ký hiệu", func(d *Document) { d.Symbol = "" }},
		{"symbol", "Ký hiệu", func(d *Document) { d.Symbol = "QĐ/UBND" }},
		{"number", "Số văn bản", func(d *Document) { d.SourceNumber = -3 }},
		{"issued_date", "Ngày ban hành", func(d *Document) { d.IssuedDate = time.Time{} }},
		{"issued_date", "sau ngày hôm nay", func(d *Document) { d.IssuedDate = future }},
		{"subject", "Trích yếu", func(d *Document) { d.Subject = "" }},
		{"signer", "Người ký", func(d *Document) { d.Signer = "" }},
		{"language", "ISO 639-1", func(d *Document) { d.Language = "VIE" }},
		{"pages", "Số trang", func(d *Document) { d.Pages = -1 }},
		{"priority", "Mức độ khẩn", func(d *Document) { d.Priority = "gap" }},
		{"security", "Độ mật", func(d *Document) { d.Security = "bi-mat" }},
		{"due_date", "Hạn giải quyết", func(d *Document) { d.DueDate = &before }},
		{"arrival_date", "Văn bản đi", func(d *Document) { d.ArrivalDate = &before }},
	}
	for _, c := range cases {
		d := validOutgoing()
		c.change(&d)
		got := fields(d.Validate(now))
		if !strings.Contains(got[c.field], c.says) {
			t.Errorf("field %s: got errors %v, want one on %s saying %q", c.field, got, c.field, c.says)
		}
	}
}

func TestIncomingNeedsNumberOrSymbolAndSaneArrival(t *testing.T) {
	t.Parallel()
	d := validOutgoing()
	d.Direction, d.Symbol = Incoming, ""
	if got := fields(d.Validate(now)); got["symbol"] == "" {
		t.Fatalf("incoming without number or symbol: %v", got)
	}
	d.SourceNumber = 45
	early := now.AddDate(0, 0, -30)
	d.ArrivalDate = &early
	if got := fields(d.Validate(now)); !strings.Contains(got["arrival_date"], "trước ngày ban hành") {
		t.Fatalf("arrival before issue: %v", got)
	}
	d.ArrivalDate = &now
	if err := d.Validate(now); err != nil {
		t.Fatal(err)
	}
	if d.Notation() != "45" {
		t.Fatalf("notation %q", d.Notation())
	}
}

func TestRecordFileValidate(t *testing.T) {
	t.Parallel()
	start := now
	end := now.AddDate(0, 0, -1)
	r := RecordFile{FileCode: "01.TCCB.2026", Title: "Hồ sơ tuyển dụng", Retention: RetentionClass{Years: 20}, Creator: "Lê Thị Mai", StartDate: start}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := RecordFile{FileCode: "01 TCCB", Retention: RetentionClass{Permanent: true, Years: 5}, Rights: "mo", StartDate: start, EndDate: &end}
	got := fields(bad.Validate())
	for _, f := range []string{"file_code", "title", "retention", "rights", "creator", "end_date"} {
		if got[f] == "" {
			t.Errorf("no error on %s: %v", f, got)
		}
	}
	bad = RecordFile{FileCode: "1", Title: "x", Creator: "y", Retention: RetentionClass{Years: 71}}
	got = fields(bad.Validate())
	if got["retention"] == "" || got["start_date"] == "" {
		t.Errorf("71 years / no start: %v", got)
	}
}

func TestRetainUntilCountsFromTheNextYear(t *testing.T) {
	t.Parallel()
	end := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	if got, want := (RetentionClass{Years: 20}).RetainUntil(end), time.Date(2047, 1, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("20 years: %v, want %v", got, want)
	}
	if got := (RetentionClass{Permanent: true}).RetainUntil(end); got.Year() != 2127 {
		t.Fatalf("permanent: %v", got)
	}
}

func TestFoldStripsVietnameseMarks(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Quyết định":              "quyet dinh",
		"ĐỀ ÁN  Đường giao thông": "de an duong giao thong",
		"Hỏa tốc":                 "hoa toc",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckSend(t *testing.T) {
	t.Parallel()
	d := validOutgoing()
	_ = d.Validate(now)
	if err := CheckSend(d, "xa-dong-tan", []string{"xa-dong-la"}); err != nil {
		t.Fatal(err)
	}
	d.Security = SecuritySecret
	if got := fields(CheckSend(d, "xa-dong-tan", []string{"xa-dong-tan"})); got["security"] == "" || got["recipients"] == "" {
		t.Fatalf("classified to self: %v", got)
	}
	d.Direction = Incoming
	if got := fields(CheckSend(d, "a", nil)); got["document"] == "" || got["recipients"] == "" {
		t.Fatalf("incoming without recipients: %v", got)
	}
}

func TestContentTypeAllowList(t *testing.T) {
	t.Parallel()
	if !ContentTypeAllowed("application/pdf") || !ContentTypeAllowed("text/plain; charset=utf-8") {
		t.Fatal("pdf / text refused")
	}
	if ContentTypeAllowed("text/html; charset=utf-8") || ContentTypeAllowed("application/x-elf") {
		t.Fatal("html / executable allowed")
	}
}

// TestDocumentTypeFor: a type named by another service is found by its code or by its name as
// people write it, without case or diacritics; anything else is not a Decree 30 type.
func TestDocumentTypeFor(t *testing.T) {
	for in, want := range map[string]string{
		"quyet-dinh": "quyet-dinh", "Quyết định": "quyet-dinh", "quyết định cá biệt": "quyet-dinh", "QUYET DINH": "quyet-dinh",
		"Giấy mời": "giay-moi", " thong-bao ": "thong-bao", "Công văn": "cong-van",
		"Giấy khai sinh": "", "": "", "quyết": "",
	} {
		got, ok := DocumentTypeFor(in)
		if ok != (want != "") || got.Code != want {
			t.Errorf("DocumentTypeFor(%q) = %q, %v; want %q", in, got.Code, ok, want)
		}
	}
}
