package forms

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"egov.vn/platform/libs/platform"
	"egov.vn/platform/services/dossiers/internal/app"
	"egov.vn/platform/services/dossiers/internal/domain"
)

func sample(t *testing.T) (*domain.Dossier, app.Settings) {
	t.Helper()
	cal := domain.NewWorkingDayCalendar(domain.DefaultOfficeHours, nil)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, domain.Vietnam)
	p := app.ShippedCatalogue()[1]
	in := domain.Intake{Procedure: p, Applicant: domain.Applicant{Name: "Nguyễn Thị Ánh Tuyết", IDNumber: "034190001234", Phone: "0912345678", Address: "Thôn Đồng Nhân, xã Đông Tân"}}
	for _, d := range p.Documents {
		in.Documents = append(in.Documents, domain.ReceivedDocument{Name: d.Name, Kind: d.Kind, Count: d.Count})
	}
	if err := in.Validate(now); err != nil {
		t.Fatal(err)
	}
	a := platform.Actor{Subject: "u1", Name: "Phạm Văn Đức", Tenant: "xa-dong-tan", Roles: []platform.Role{platform.RoleDossierReceive, platform.RoleDossierHandle, platform.RoleDossierApprove}}
	d, err := domain.NewDossier("id-1", "UBXDT-261123-0001", in, a, cal, cal.Hours, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []domain.Command{{Action: domain.ActAssign, Unit: "Tư pháp – Hộ tịch"},
		{Action: domain.ActRequestSupplement, Note: "Bổ sung bản sao giấy khai sinh của hai bên"}, {Action: domain.ActSupplement}} {
		if _, err := d.Apply(a, c, cal, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	newDue := d.DueAt.Add(72 * time.Hour)
	if _, err := d.Apply(a, domain.Command{Action: domain.ActExtend, Note: "Cần xác minh tình trạng hôn nhân ở nơi cư trú trước", NewDueAt: &newDue}, cal, d.DueAt.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Apply(a, domain.Command{Action: domain.ActStop, Note: "Người yêu cầu không đủ điều kiện kết hôn"}, cal, d.DueAt.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	return d, app.Settings{Name: "UBND xã Đông Tân", UnitCode: "UBXDT"}
}

func TestFormsSayTheSameInHTMLAndPDF(t *testing.T) {
	t.Parallel()
	d, unit := sample(t)
	r := New(Options{LookupURL: "https://mot-cua.dongtan.gov.vn/dossiers/tra-cuu", Stylesheet: "/dossiers/static/print.css", Script: "/dossiers/static/print.js"})
	for _, n := range []int{1, 2, 4, 5, 6} {
		var html, pdf bytes.Buffer
		if _, err := r.Write(&html, n, false, d, unit); err != nil {
			t.Fatalf("form %d html: %v", n, err)
		}
		for _, want := range []string{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", strings.ToUpper(FormNames[n]), "UBXDT-261123-0001"} {
			if !strings.Contains(html.String(), want) {
				t.Errorf("form %d does not say %q", n, want)
			}
		}
		if _, err := r.Write(&pdf, n, true, d, unit); err != nil {
			t.Fatalf("form %d pdf: %v", n, err)
		}
		b := pdf.Bytes()
		// A PDF that embeds its TrueType font subset (FontFile2) shows the diacritics on any
		// reader, with no font of the reader's machine involved.
		if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("FontFile2")) || !bytes.Contains(b, []byte("utf8dejavu")) {
			t.Errorf("form %d: not a PDF with an embedded font (%d bytes)", n, len(b))
		}
		testArtifact(t, n, b)
	}
	// Form 03 needs a refusal, which this dossier does not have.
	var buf bytes.Buffer
	if _, err := r.Write(&buf, 3, false, d, unit); err == nil {
		t.Fatal("form 03 rendered for a dossier that was not refused")
	}
	var ledger bytes.Buffer
	if err := WritePDF(&ledger, Ledger([]*domain.Dossier{d, d}, unit, "2026-11-01", "2026-11-30")); err != nil {
		t.Fatal(err)
	}
	testArtifact(t, 7, ledger.Bytes())
	if sub := Ledger(nil, unit, "2026-11-01", "2026-11-30").Subtitle; sub != "Từ ngày 01/11/2026 đến ngày 30/11/2026" {
		t.Errorf("the ledger's period reads %q", sub)
	}
}

// TestFontHasVietnameseGlyphs checks that the embedded font maps every letter Vietnamese uses,
// so no diacritic can fall back to a missing-glyph box.
func TestFontHasVietnameseGlyphs(t *testing.T) {
	t.Parallel()
	letters := "aăâbcdđeêghiklmnoôơpqrstuưvxy" + "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
	for _, font := range [][]byte{fontRegular, fontBold} {
		cmap, err := unicodeCoverage(font)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range letters + strings.ToUpper(letters) + "–" {
			if !cmap[r] {
				t.Errorf("the font has no glyph for %q", r)
			}
		}
	}
}

// TestResultDocIsAPDFSayingWhatWasTyped: the generated result document is a PDF with the type as
// title, the summary, the applicant and the signer.
func TestResultDocIsAPDFSayingWhatWasTyped(t *testing.T) {
	t.Parallel()
	d := &domain.Dossier{ReceiptCode: "UBXDT-261127-0001", ProcedureCode: "1.001193", ProcedureName: "Đăng ký khai sinh",
		Applicant:  domain.Applicant{Name: "Trần Văn Nam", IDNumber: "034090001234", Address: "Đông Tân"},
		ReceivedAt: time.Date(2026, 11, 27, 8, 0, 0, 0, domain.Vietnam)}
	doc := ResultDoc(d, app.Settings{Name: "UBND xã Đông Tân"}, "Trích lục", "Trích lục khai sinh của Trần Thị Mai", "Phạm Văn Lãnh",
		time.Date(2026, 11, 28, 9, 0, 0, 0, domain.Vietnam))
	if doc.Title != "TRÍCH LỤC" || doc.SignName != "Phạm Văn Lãnh" || doc.Lines[0] != "Trích lục khai sinh của Trần Thị Mai" ||
		!strings.Contains(strings.Join(doc.Lines, " "), "Trần Văn Nam") || doc.Place != "Đông Tân, ngày 28 tháng 11 năm 2026" {
		t.Fatalf("result doc %+v", doc)
	}
	var buf bytes.Buffer
	if err := WritePDF(&buf, doc); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", buf.Bytes()[:min(20, buf.Len())])
	}
}

// TestPrintablePageHasNoInlineScriptOrStyle: the pages' CSP blocks inline scripts, handlers and
// styles, so the page links the shell's print.css and print.js and wires its button by attribute.
func TestPrintablePageHasNoInlineScriptOrStyle(t *testing.T) {
	t.Parallel()
	d, unit := sample(t)
	r := New(Options{Stylesheet: "/dossiers/static/print.css?v=1", Script: "/dossiers/static/print.js?v=1"})
	var buf bytes.Buffer
	if _, err := r.Write(&buf, 6, false, d, unit); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, banned := range []string{"<style", " style=", "onclick", "<script>"} {
		if strings.Contains(html, banned) {
			t.Errorf("the page has %q, which the CSP blocks", banned)
		}
	}
	for _, want := range []string{`<link rel="stylesheet" href="/dossiers/static/print.css?v=1">`, `<script src="/dossiers/static/print.js?v=1" defer>`, `data-print`} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// TestForm01PrintsTheLookupAddressAndQRCode: the slip tells the citizen where to look the dossier
// up, and its QR code opens the lookup with the receipt code filled in.
func TestForm01PrintsTheLookupAddressAndQRCode(t *testing.T) {
	t.Parallel()
	d, unit := sample(t)
	const lookup = "https://mot-cua.dongtan.gov.vn/dossiers/tra-cuu"
	doc, err := Build(1, d, unit, Refs{LookupURL: lookup})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Lookup == nil || doc.Lookup.URL != lookup+"?ma=UBXDT-261123-0001" || !strings.Contains(doc.Lookup.Text, lookup) {
		t.Fatalf("lookup on form 01: %+v", doc.Lookup)
	}
	if !bytes.HasPrefix(doc.Lookup.QR, []byte("\x89PNG")) {
		t.Fatalf("the QR code is not a PNG")
	}
	r := New(Options{LookupURL: lookup})
	var html, pdf bytes.Buffer
	if _, err := r.Write(&html, 1, false, d, unit); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), `src="data:image/png;base64,`) || !strings.Contains(html.String(), lookup) {
		t.Error("the page shows no QR code or no lookup address")
	}
	if _, err := r.Write(&pdf, 1, true, d, unit); err != nil {
		t.Fatal(err)
	}
	// The PDF holds the QR image and a link on it to the filled-in lookup.
	if !bytes.Contains(pdf.Bytes(), []byte("/Subtype /Image")) || !bytes.Contains(pdf.Bytes(), []byte("ma=UBXDT-261123-0001")) {
		t.Error("the PDF has no QR image or no link to the lookup")
	}
}

// TestForm06NamesUnits: form 06 names the units that handled the dossier, not their slugs.
func TestForm06NamesUnits(t *testing.T) {
	t.Parallel()
	d, unit := sample(t)
	doc, err := Build(6, d, unit, Refs{UnitNames: map[string]string{"xa-dong-tan": "UBND xã Đông Tân"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range doc.Table.Rows {
		if !strings.HasPrefix(row[1], "UBND xã Đông Tân – ") {
			t.Errorf("row %q does not name the unit", row)
		}
	}
}
