package service_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store/storetest"
)

// TestCatalogueImportExport moves a unit's procedure catalogue out and back in through the API,
// as an admin editing it in a spreadsheet would: the CSV export reads back to the same
// catalogue; a file with mistakes is refused whole, every mistake named by line and field; the
// corrected file is taken; JSON works the same way.
func TestCatalogueImportExport(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := start(t, db)
		h.provision("xa-dong-tan", "12700", "UBND xã Đông Tân", "commune", "huyen-dong-hung")
		admin := h.token("xa-dong-tan", "lan.pt", "tenant.admin")
		receiver := h.token("xa-dong-tan", "hoa.nt", "dossier.receive")

		send := func(method, path, token, contentType string, body []byte) (int, []byte) {
			t.Helper()
			req, _ := http.NewRequest(method, h.Base+"/api/v1"+path, bytes.NewReader(body))
			if body != nil {
				req.Header.Set("Content-Type", contentType)
			}
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := h.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = resp.Body.Close() }()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, b
		}
		exportCSV := func() [][]string {
			t.Helper()
			st, b := send("GET", "/procedures/export?format=csv", admin, "", nil)
			if st != 200 {
				t.Fatalf("CSV export: %d %s", st, b)
			}
			// The byte-order mark makes Excel read the Vietnamese as UTF-8.
			body, bom := bytes.CutPrefix(b, []byte("\uFEFF"))
			if !bom {
				t.Fatalf("the CSV export has no byte-order mark: Excel would garble its Vietnamese")
			}
			rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
			if err != nil {
				t.Fatalf("the export is not CSV: %v", err)
			}
			return rows
		}

		seeded := exportCSV()
		if len(seeded) < 6 || seeded[0][0] != "code" || seeded[0][9] != "documents" {
			t.Fatalf("export header and rows: %v", seeded[:min(2, len(seeded))])
		}
		// Exported, re-imported unchanged: the same catalogue.
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		_ = w.WriteAll(seeded)
		if st, b := send("POST", "/procedures/import", admin, "text/csv", buf.Bytes()); st != 200 {
			t.Fatalf("re-import of the export: %d %s", st, b)
		}
		if again := exportCSV(); !slices.EqualFunc(again, seeded, slices.Equal) {
			t.Fatalf("export → import → export changed the catalogue:\n%v\n%v", seeded, again)
		}

		// A new procedure plus three mistakes on lines 3 and 4: nothing is written, and every
		// mistake is named by its line (the header is line 1) and field.
		good := []string{"2.000900", "Chứng thực chữ ký", "Chứng thực", "commune", "1", "days", "10000", "Bộ phận một cửa", "pause",
			"Giấy tờ cần chứng thực chữ ký|original|1", "Tiếp nhận|20;Ký chứng thực|80", "Nghị định 23/2015/NĐ-CP"}
		badFee := slices.Clone(good)
		badFee[0], badFee[6] = "2.000901", "mười nghìn"
		badLevel := slices.Clone(good)
		badLevel[0], badLevel[3], badLevel[9] = "2.000902", "village", "thiếu số lượng|copy"
		buf.Reset()
		w = csv.NewWriter(&buf)
		_ = w.WriteAll([][]string{seeded[0], good, badFee, badLevel})
		st, b := send("POST", "/procedures/import", admin, "text/csv", buf.Bytes())
		var p problem
		_ = json.Unmarshal(b, &p)
		if st != 422 && st != 400 {
			t.Fatalf("a file with mistakes: %d %s", st, b)
		}
		named := map[string]bool{}
		for _, e := range p.Errors {
			named[e["field"].(string)] = true
		}
		for _, want := range []string{"line 3: fee", "line 4: level", "line 4: documents[0]"} {
			if !named[want] {
				t.Errorf("the refusal does not name %q: %s", want, b)
			}
		}
		if rows := exportCSV(); len(rows) != len(seeded) {
			t.Fatalf("a refused import wrote %d procedures", len(rows)-len(seeded))
		}

		// The corrected file is taken; the new procedure is in the catalogue as sent.
		buf.Reset()
		w = csv.NewWriter(&buf)
		_ = w.WriteAll([][]string{seeded[0], good})
		if st, b := send("POST", "/procedures/import", admin, "text/csv", buf.Bytes()); st != 200 || !strings.Contains(string(b), `"imported":1`) {
			t.Fatalf("the corrected file: %d %s", st, b)
		}
		if rows := exportCSV(); !slices.ContainsFunc(rows, func(r []string) bool { return slices.Equal(r, good) }) {
			t.Fatalf("the imported procedure does not export as it was sent: %v", rows)
		}

		// A cell a spreadsheet would run as a formula is exported escaped (OWASP's rule), and the
		// escaped file imports back to the text as typed.
		formula := slices.Clone(good)
		formula[0], formula[1] = "2.000903", `=HYPERLINK("http://evil.example","Xem")`
		buf.Reset()
		w = csv.NewWriter(&buf)
		_ = w.WriteAll([][]string{seeded[0], formula})
		if st, b := send("POST", "/procedures/import", admin, "text/csv", buf.Bytes()); st != 200 {
			t.Fatalf("a procedure named like a formula: %d %s", st, b)
		}
		escaped := slices.Clone(formula)
		escaped[1] = "'" + formula[1]
		exported := exportCSV()
		if !slices.ContainsFunc(exported, func(r []string) bool { return slices.Equal(r, escaped) }) {
			t.Fatalf("the formula-like name is not escaped in the export: %v", exported)
		}
		buf.Reset()
		w = csv.NewWriter(&buf)
		_ = w.WriteAll(exported)
		if st, b := send("POST", "/procedures/import", admin, "text/csv", buf.Bytes()); st != 200 {
			t.Fatalf("the export imported back: %d %s", st, b)
		}
		if st, b := send("GET", "/procedures/export", admin, "", nil); st != 200 || !strings.Contains(string(b), `"name":"=HYPERLINK(`) {
			t.Fatalf("the re-imported name is not the text as typed: %d %s", st, b)
		}

		// JSON: the export imports back, and a bad row is named by its position.
		inCSV := len(exportCSV()) - 1 // less the header
		st, b = send("GET", "/procedures/export", admin, "", nil)
		var procs []map[string]any
		if err := json.Unmarshal(b, &procs); st != 200 || err != nil || len(procs) != inCSV {
			t.Fatalf("JSON export: %d %v (%d procedures, the CSV has %d)", st, err, len(procs), inCSV)
		}
		if st, b := send("POST", "/procedures/import", admin, "application/json", b); st != 200 {
			t.Fatalf("JSON re-import: %d %s", st, b)
		}
		procs[1]["legal_time"] = -3
		broken, _ := json.Marshal(procs)
		if st, b := send("POST", "/procedures/import", admin, "application/json", broken); st != 422 || !strings.Contains(string(b), "line 2: legal_time") {
			t.Fatalf("a JSON row with a negative time: %d %s", st, b)
		}

		// Past the documented 1 MiB the file is refused as too large (413), not as a bad line, and
		// nothing is imported.
		before := len(exportCSV())
		big := bytes.Clone(buf.Bytes())
		for len(big) <= 1<<20 {
			big = append(big, buf.Bytes()[bytes.IndexByte(buf.Bytes(), '\n')+1:]...)
		}
		if st, b := send("POST", "/procedures/import", admin, "text/csv", big); st != 413 {
			t.Fatalf("a %d-byte catalogue: %d %s", len(big), st, b)
		}
		if after := len(exportCSV()); after != before {
			t.Fatalf("a refused oversized import changed the catalogue: %d rows, then %d", before, after)
		}

		// Only the unit's admin imports.
		if st, _ := send("POST", "/procedures/import", receiver, "text/csv", buf.Bytes()); st != 403 {
			t.Fatalf("a reception officer imported the catalogue: %d", st)
		}
	})
}
