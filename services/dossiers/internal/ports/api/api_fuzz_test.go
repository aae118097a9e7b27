package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/sheet"
	"egov.vn/platform/services/dossiers/internal/domain"
)

// catalogueCSV is the catalogue as exportProcedures writes it.
func catalogueCSV(t testing.TB, ps ...domain.Procedure) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := sheet.NewWriter(sheet.CSV, &buf, sheet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Header(csvHeader...); err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		docs := make([]string, len(p.Documents))
		for i, d := range p.Documents {
			docs[i] = fmt.Sprintf("%s|%s|%d", d.Name, d.Kind, d.Count)
		}
		steps := make([]string, len(p.Steps))
		for i, s := range p.Steps {
			steps[i] = fmt.Sprintf("%s|%d", s.Name, s.Share)
		}
		if err := w.Strings([]string{p.Code, p.Name, p.Field, string(p.Level), strconv.Itoa(p.LegalTime), string(p.TimeUnit),
			strconv.FormatInt(p.Fee, 10), p.HandlingUnit, string(p.Supplement), strings.Join(docs, ";"), strings.Join(steps, ";"), p.LegalBasis}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var birthRegistration = domain.Procedure{Code: "1.001193", Name: "Đăng ký khai sinh", Field: "Hộ tịch", Level: "commune", LegalTime: 1,
	TimeUnit: "working_day", Fee: 0, HandlingUnit: "Tư pháp - Hộ tịch", Supplement: "pause",
	Documents:  []domain.RequiredDocument{{Name: "Tờ khai đăng ký khai sinh", Kind: "original", Count: 1}, {Name: "Giấy chứng sinh", Kind: "copy", Count: 1}},
	Steps:      []domain.Step{{Name: "Tiếp nhận", Share: 10}, {Name: "Xử lý", Share: 80}, {Name: "Trả kết quả", Share: 10}},
	LegalBasis: "- Luật Hộ tịch 2014"}

// FuzzParseCatalogueCSV feeds any file to the catalogue import: no panic; a file refused as a
// whole is a malformed/invalid apperr; otherwise one procedure per line, lines increasing, and
// every cell error names one of those lines and a field.
func FuzzParseCatalogueCSV(f *testing.F) {
	f.Add(catalogueCSV(f, birthRegistration))
	f.Add(catalogueCSV(f))
	f.Add([]byte(strings.Join(csvHeader, ",") + "\nX,Tên,,commune,abc,working_day,1e3,,pause,a|b;c|original|x,bước|,\n"))
	f.Add([]byte(strings.Join(csvHeader, ",") + "\nshort,row\n"))
	f.Add([]byte("code,name\n"))
	f.Add([]byte("\"unterminated\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, lines, rowErrs, perr := parseCSV(bytes.NewReader(data))
		if perr != nil {
			var e *apperr.Error
			if !errors.As(perr, &e) || e.Kind != apperr.KindMalformed && e.Kind != apperr.KindInvalid || e.Message == "" {
				t.Fatalf("file refused with %v", perr)
			}
			return
		}
		if len(ps) != len(lines) || !slices.IsSorted(lines) {
			t.Fatalf("%d procedures on lines %v", len(ps), lines)
		}
		for _, e := range rowErrs {
			if !slices.Contains(lines, e.Line) || e.Field == "" || e.Reason == "" {
				t.Fatalf("row error %+v names no row read (lines %v)", e, lines)
			}
		}
	})
}

// FuzzCatalogueRoundTrip: a procedure exported as CSV imports as the same procedure, whatever
// its texts hold (formula-like text, quotes, line breaks), as long as they do not hold the list
// separators ";" and "|" themselves.
func FuzzCatalogueRoundTrip(f *testing.F) {
	f.Add("Đăng ký khai sinh", "- Luật Hộ tịch 2014", "Tờ khai", "Tiếp nhận", int64(0), 1)
	f.Add(`=HYPERLINK("http://evil.example","Xem")`, "+84 \"x\"\nline", "@doc", "-bước", int64(-5), -1)
	f.Fuzz(func(t *testing.T, name, basis, doc, step string, fee int64, n int) {
		for _, s := range []string{name, basis, doc, step} {
			if !utf8.ValidString(s) || strings.ContainsAny(s, ";|\r") || strings.TrimSpace(s) == "" {
				return
			}
		}
		p := birthRegistration
		p.Name, p.LegalBasis, p.Fee, p.LegalTime = name, basis, fee, n
		p.Documents = []domain.RequiredDocument{{Name: doc, Kind: "copy", Count: n}}
		p.Steps = []domain.Step{{Name: step, Share: n}}
		ps, _, rowErrs, perr := parseCSV(bytes.NewReader(catalogueCSV(t, p)))
		if perr != nil || len(rowErrs) != 0 {
			t.Fatalf("exported procedure refused: %v %+v", perr, rowErrs)
		}
		if len(ps) != 1 || !reflect.DeepEqual(ps[0], p) {
			t.Fatalf("procedure\n%+v\nimported as\n%+v", p, ps)
		}
	})
}

// FuzzParseFilter: any query either gives a filter of known states and a from/to range, or a
// malformed apperr naming the parameter.
func FuzzParseFilter(f *testing.F) {
	f.Add("state=received,in_process&from=2026-01-01&to=2026-01-31&q=Nguy%E1%BB%85n")
	f.Add("state=nope")
	f.Add("from=2026-02-30")
	f.Add("state=,,&to=99999-01-01")
	f.Fuzz(func(t *testing.T, query string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		fl, err := ParseFilter(q)
		if err != nil {
			var e *apperr.Error
			if !errors.As(err, &e) || e.Kind != apperr.KindMalformed || len(e.Fields) == 0 {
				t.Fatalf("%q: %T %v, want a malformed apperr naming the parameter", query, err, err)
			}
			return
		}
		for _, s := range fl.States {
			if !slices.Contains(domain.States, s) {
				t.Fatalf("%q: unknown state %q accepted", query, s)
			}
		}
		if (fl.From != nil) != (strings.TrimSpace(q.Get("from")) != "") || (fl.To != nil) != (strings.TrimSpace(q.Get("to")) != "") {
			t.Fatalf("%q: from/to %v %v", query, fl.From, fl.To)
		}
	})
}

// FuzzParseFormName: only "n" or "n.pdf" with 1 ≤ n ≤ last names a form, and the number read is
// the one written.
func FuzzParseFormName(f *testing.F) {
	for _, s := range []string{"3", "3.pdf", "0", "7", "03", "+3", "3.pdf.pdf", ".pdf", "-1", "3 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		n, pdf, ok := ParseFormName(name, 6)
		if !ok {
			return
		}
		if n < 1 || n > 6 || pdf != strings.HasSuffix(name, ".pdf") {
			t.Fatalf("%q: form %d pdf %v", name, n, pdf)
		}
		if i, err := strconv.Atoi(strings.TrimSuffix(name, ".pdf")); err != nil || i != n {
			t.Fatalf("%q: read as form %d", name, n)
		}
	})
}

// resultForm builds a result upload as the dossier page sends it.
func resultForm(t testing.TB, version, typ, file string) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range map[string]string{"version": version, "result_type": typ, "result_summary": "Cấp giấy khai sinh", "result_signer": "Chủ tịch UBND"} {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if file != "" {
		w, err := mw.CreateFormFile("file", "ket-qua.pdf")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(file))
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), buf.Bytes()
}

// FuzzReadResultUpload feeds any body and content type to the result upload form of the API
// and the dossier page: a body it cannot read is a malformed or invalid apperr (400/422, never a
// 500 or a panic); a file it takes reads back as exactly the bytes of its declared size.
func FuzzReadResultUpload(f *testing.F) {
	ct, body := resultForm(f, "3", "giay_khai_sinh", "%PDF-1.7\n")
	f.Add(ct, body)
	ct, body = resultForm(f, "x", "", "")
	f.Add(ct, body)
	f.Add("multipart/form-data; boundary=b", []byte("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"; filename=\"b\"\r\n\r\nx\r\n--b--\r\n"))
	f.Add("multipart/form-data", []byte("--b--"))
	f.Add("application/json", []byte(`{"version":1}`))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest(http.MethodPut, "/dossiers/d1/result", bytes.NewReader(body))
		c.Request.Header.Set("Content-Type", contentType)
		up, _, err := ReadResultUpload(c)
		if c.Request.MultipartForm != nil {
			defer func() { _ = c.Request.MultipartForm.RemoveAll() }()
		}
		if err != nil {
			var e *apperr.Error
			if !errors.As(err, &e) || (e.Kind != apperr.KindMalformed && e.Kind != apperr.KindInvalid) {
				t.Fatalf("refused with %T %v, want a malformed or invalid apperr", err, err)
			}
			return
		}
		if up.Body == nil {
			return
		}
		got, err := io.ReadAll(up.Body)
		if err != nil || int64(len(got)) != up.Size {
			t.Fatalf("file %q: read %d bytes (%v), declared %d", up.FileName, len(got), err, up.Size)
		}
	})
}
