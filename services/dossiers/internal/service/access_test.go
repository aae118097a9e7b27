package service_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/identity/identitytest"
)

// The applicant of birthIntake, as only need-to-know readers may see them.
var personalData = []string{"034090001234", "0912345678", "Thôn 1, Đông Tân"}

// TestNeedToKnowMatrix: on both databases, role × action → status, and personal data shown or
// masked, for a dossier received by xa-dong-tan (issue 18 item 1). The rule is domain.CanRead
// and domain.SeesPersonalData: a one-stop-shop role in the unit keeping the dossier, or being
// its handler, reads it whole; the leaders of the district above read it masked; nobody else
// reads it, and lists omit it.
func TestNeedToKnowMatrix(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := start(t, db)
		defer h.checkContract(t)
		h.provision("xa-dong-tan", "12700", "UBND xã Đông Tân", "commune", "huyen-dong-hung")
		h.provision("xa-dong-la", "12703", "UBND xã Đông La", "commune", "huyen-dong-hung")
		h.provision("huyen-dong-hung", "341", "UBND huyện Đông Hưng", "district", "tinh-thai-binh")

		receiver := h.token("xa-dong-tan", "hoa.nt", "dossier.receive")
		var d dossierJSON
		if st := h.do("POST", "/dossiers", receiver, birthIntake(), &d); st != 201 {
			t.Fatalf("intake: %d", st)
		}
		if st := h.putScan(d.ID, 0, receiver, []byte("%PDF-1.4 bản quét tờ khai")); st != 200 {
			t.Fatalf("scan upload: %d", st)
		}
		// The dossier is assigned to tuan.lv, who then loses his roles: as its handler he still
		// reads it.
		handlerWithRole := h.token("xa-dong-tan", "tuan.lv", "dossier.handle")
		if st := h.do("POST", "/dossiers/"+d.ID+"/actions", receiver, map[string]any{"action": "assign", "version": 2, "handler": subjectOf(t, handlerWithRole)}, nil); st != 200 {
			t.Fatalf("assign: %d", st)
		}

		type who struct {
			name, tenant string
			roles        []string
			status       int  // reading the dossier: 200, 403 or 404
			masked       bool // when 200: the applicant masked, scans refused
		}
		people := []who{
			{"receive", "xa-dong-tan", []string{"dossier.receive"}, 200, false},
			{"handle", "xa-dong-tan", []string{"dossier.handle"}, 200, false},
			{"approve", "xa-dong-tan", []string{"dossier.approve"}, 200, false},
			{"no-roles", "xa-dong-tan", nil, 403, false},
			{"tenant-admin", "xa-dong-tan", []string{"tenant.admin"}, 403, false},
			{"commune-report-view", "xa-dong-tan", []string{"report.view"}, 403, false},
			{"archive-clerk", "xa-dong-tan", []string{"archive.clerk"}, 403, false},
			{"district-approve", "huyen-dong-hung", []string{"dossier.approve"}, 200, true},
			{"district-report-view", "huyen-dong-hung", []string{"report.view"}, 200, true},
			{"district-handle", "huyen-dong-hung", []string{"dossier.handle"}, 403, false},
			{"other-commune-receive", "xa-dong-la", []string{"dossier.receive"}, 404, false},
		}
		handlerNow := h.token("xa-dong-tan", "tuan.lv") // the same person, without roles now
		formStatus := map[string]int{}                  // what the desk gets for each form
		for n := 1; n <= 6; n++ {                       // 07 is the ledger, checked with the pages
			for _, ext := range []string{"", ".pdf"} {
				f := fmt.Sprint(n) + ext
				formStatus[f], _, _ = h.get("/dossiers/"+d.ID+"/forms/"+f, receiver)
			}
		}

		check := func(t *testing.T, p who, tok string) {
			// The dossier's JSON, by id and by receipt code.
			for _, id := range []string{d.ID, d.ReceiptCode} {
				st, _, body := h.get("/dossiers/"+id, tok)
				if st != p.status {
					t.Fatalf("GET /dossiers/%s: %d, want %d: %s", id, st, p.status, body)
				}
				if st == 200 {
					checkPersonalData(t, "the dossier's JSON", body, p.masked)
					if want := fmt.Sprintf(`"personal_data_masked":%v`, p.masked); !bytes.Contains(body, []byte(want)) {
						t.Errorf("the dossier's JSON does not say %s", want)
					}
				}
			}
			// The list and the search: what may not be read is simply left out.
			for _, q := range []string{"", "?q=" + d.ReceiptCode, "?q=034090001234", "?q=Nam", "?inbox=unit"} {
				var list struct {
					Items []json.RawMessage `json:"items"`
				}
				if st := h.do("GET", "/dossiers"+q, tok, nil, &list); st != 200 {
					t.Fatalf("list %s: %d", q, st)
				}
				want := p.status == 200
				switch {
				case q == "?q=034090001234" && p.masked:
					want = false // finding a dossier by ID number would tell that person applied
				case q == "?inbox=unit" && p.tenant != "xa-dong-tan":
					want = false // the district does not hold it
				}
				if got := len(list.Items) == 1; got != want {
					t.Fatalf("list %s: %d items, want the dossier listed = %v", q, len(list.Items), want)
				}
				if len(list.Items) == 1 {
					checkPersonalData(t, "list "+q, list.Items[0], p.masked)
				}
			}
			// The scan: personal data whole, so never for a masked reader.
			scanWant := p.status
			if p.masked {
				scanWant = 403
			}
			st, _, body := h.get("/dossiers/"+d.ID+"/documents/0/file", tok)
			if st != scanWant {
				t.Fatalf("scan: %d, want %d", st, scanWant)
			}
			if st == 200 && !bytes.Contains(body, []byte("bản quét")) {
				t.Errorf("scan body %q", body)
			}
			// Forms 01–06, HTML and PDF: the desk's answer when the dossier may be read; a
			// masked reader's forms show none of the personal data, the desk's some of it.
			formsShowID := false
			for f, desk := range formStatus {
				want := desk
				if p.status != 200 {
					want = p.status
				}
				st, _, body := h.get("/dossiers/"+d.ID+"/forms/"+f, tok)
				if st != want {
					t.Fatalf("form %s: %d, want %d", f, st, want)
				}
				if st == 200 && !strings.HasSuffix(f, ".pdf") {
					noPersonalDataIfMasked(t, "form "+f, body, p.masked)
					formsShowID = formsShowID || bytes.Contains(body, []byte(personalData[0]))
				}
			}
			if p.status == 200 && !p.masked && !formsShowID {
				t.Error("no form shows the applicant's ID number to the desk")
			}
		}

		for _, p := range people {
			t.Run(p.name, func(t *testing.T) {
				check(t, p, h.token(p.tenant, "u-"+p.name, p.roles...))
			})
		}
		t.Run("assigned-handler-without-roles", func(t *testing.T) {
			check(t, who{"handler", "xa-dong-tan", nil, 200, false}, handlerNow)
		})

		// The pages and the ledger's exports, through a signed-in session.
		pagePeople := []who{people[0], people[3], people[4], people[7], people[10]}
		for _, p := range pagePeople {
			t.Run("pages/"+p.name, func(t *testing.T) {
				c := h.IDP.PageClient(t, identitytest.Person{Tenant: p.tenant, Username: "w-" + p.name, Name: "Cán bộ " + p.name, Roles: p.roles}, h.Base+"/lich-lam-viec")
				st, body := pageGet(t, c, h.Base+"/ho-so/"+d.ID)
				if st != p.status {
					t.Fatalf("dossier page: %d, want %d", st, p.status)
				}
				if st == 200 {
					checkPersonalData(t, "the dossier page", body, p.masked)
					if bytes.Contains(body, []byte(`id="masked"`)) != p.masked {
						t.Errorf("the dossier page says the applicant is masked = %v, want %v", !p.masked, p.masked)
					}
				}
				st, body = pageGet(t, c, h.Base+"/ho-so/"+d.ID+"/phieu/1")
				if st != p.status {
					t.Fatalf("form 01 page: %d, want %d", st, p.status)
				}
				if st == 200 {
					noPersonalDataIfMasked(t, "form 01 page", body, p.masked)
				}
				// The ledger is the unit's own book: the dossier is in it for the desk only.
				for _, format := range []string{"csv", "xlsx", "pdf"} {
					st, body = pageGet(t, c, h.Base+"/so-theo-doi?format="+format)
					if st != 200 {
						t.Fatalf("ledger %s: %d", format, st)
					}
					if format == "csv" && bytes.Contains(body, []byte(d.ReceiptCode)) != (p.status == 200 && !p.masked) {
						t.Fatalf("ledger CSV lists the dossier = %v for %s", bytes.Contains(body, []byte(d.ReceiptCode)), p.name)
					}
					if format == "csv" && p.status != 200 && bytes.Contains(body, []byte("034090001234")) {
						t.Fatal("the ledger CSV shows an ID number")
					}
				}
				// The working calendar stays the admin's start page, and leads the admin to the log.
				st, body = pageGet(t, c, h.Base+"/lich-lam-viec")
				if st != 200 {
					t.Fatalf("calendar page: %d", st)
				}
				if bytes.Contains(body, []byte(`id="access-log-link"`)) != (p.name == "tenant-admin") {
					t.Errorf("the calendar links the access log = %v for %s", p.name != "tenant-admin", p.name)
				}
				st, body = pageGet(t, c, h.Base+"/nhat-ky-truy-cap")
				if want := map[bool]int{true: 200, false: 403}[p.name == "tenant-admin"]; st != want {
					t.Fatalf("access log page: %d, want %d", st, want)
				}
				if st == 200 && !bytes.Contains(body, []byte(d.ReceiptCode)) {
					t.Error("the access log page does not name the dossier read")
				}
			})
		}

		// The access log: the desk's reads, its scan download and its ledger export are in
		// xa-dong-tan's log, read by its tenant.admin only; a masked read is not logged.
		var log struct {
			Items []struct {
				Actor       string `json:"actor"`
				What        string `json:"what"`
				ReceiptCode string `json:"receipt_code"`
			} `json:"items"`
		}
		admin := h.token("xa-dong-tan", "tuan.pv", "tenant.admin")
		if st := h.do("GET", "/access-log?limit=500", admin, nil, &log); st != 200 {
			t.Fatalf("access log: %d", st)
		}
		seen := map[string]bool{}
		for _, e := range log.Items {
			seen[e.What] = true
			if e.What != "ledger" && e.ReceiptCode != d.ReceiptCode {
				t.Errorf("access log entry %+v names another dossier", e)
			}
		}
		for _, what := range []string{"dossier", "scan", "ledger"} {
			if !seen[what] {
				t.Errorf("the access log has no %q entry: %+v", what, log.Items)
			}
		}
		if st := h.do("GET", "/access-log", receiver, nil, nil); st != 403 {
			t.Fatalf("a receiver read the access log: %d", st)
		}
		if st := h.do("GET", "/access-log?limit=0", admin, nil, nil); st != 422 && st != 400 {
			t.Fatalf("limit=0: %d", st)
		}
		districtLog := struct {
			Items []json.RawMessage `json:"items"`
		}{}
		if st := h.do("GET", "/access-log", h.token("huyen-dong-hung", "thang.nd", "tenant.admin"), nil, &districtLog); st != 200 || len(districtLog.Items) != 0 {
			t.Fatalf("the district's log after masked reads only: %d, %d entries", st, len(districtLog.Items))
		}

		// Liên thông: a dossier passed on to the district stays in the commune's books; the
		// district's one-stop-shop staff hold it and read it (and its result document) whole, its
		// report.view leader reads it masked and cannot open the result, the district's
		// administrator reads nothing.
		var fm dossierJSON
		if st := h.do("POST", "/dossiers", receiver, foreignMarriageIntake(), &fm); st != 201 {
			t.Fatalf("intake district-level: %d", st)
		}
		if st := h.do("POST", "/dossiers/"+fm.ID+"/actions", receiver, map[string]any{"action": "transfer", "version": 1}, &fm); st != 200 || fm.Holder != "huyen-dong-hung" {
			t.Fatalf("transfer: %d %+v", st, fm)
		}
		// The district handles it to its result document, which carries the applicant too.
		dLeader := h.token("huyen-dong-hung", "chu.tich", "dossier.approve", "dossier.receive", "dossier.handle")
		for _, a := range []map[string]any{{"action": "assign", "unit": "Phòng Tư pháp"}, {"action": "complete_step"}, {"action": "complete_step"}, {"action": "complete_step"}, {"action": "approve"}} {
			a["version"] = fm.Version
			if st := h.do("POST", "/dossiers/"+fm.ID+"/actions", dLeader, a, &fm); st != 200 {
				t.Fatalf("district %v: %d", a["action"], st)
			}
		}
		if st := h.attachResult(fm.ID, dLeader, fm.Version, resultPDF, nil); st != 200 {
			t.Fatalf("attach the result: %d", st)
		}
		for _, p := range []who{
			{"commune-receive", "xa-dong-tan", []string{"dossier.receive"}, 200, false},
			{"district-handle", "huyen-dong-hung", []string{"dossier.handle"}, 200, false},
			{"district-receive", "huyen-dong-hung", []string{"dossier.receive"}, 200, false},
			{"district-report-view", "huyen-dong-hung", []string{"report.view"}, 200, true},
			{"district-tenant-admin", "huyen-dong-hung", []string{"tenant.admin"}, 403, false},
			{"commune-no-roles", "xa-dong-tan", nil, 403, false},
			{"other-commune-receive", "xa-dong-la", []string{"dossier.receive"}, 404, false},
		} {
			t.Run("lien-thong/"+p.name, func(t *testing.T) {
				tok := h.token(p.tenant, "lt-"+p.name, p.roles...)
				st, _, body := h.get("/dossiers/"+fm.ID, tok)
				if st != p.status {
					t.Fatalf("GET: %d, want %d", st, p.status)
				}
				if shown := bytes.Contains(body, []byte("034190005678")); st == 200 && shown == p.masked {
					t.Errorf("the applicant's ID number shown = %v, want %v", shown, !p.masked)
				}
				var list struct {
					Items []dossierJSON `json:"items"`
				}
				if st := h.do("GET", "/dossiers?q="+fm.ReceiptCode, tok, nil, &list); st != 200 || (len(list.Items) == 1) != (p.status == 200) {
					t.Fatalf("search by receipt code: %d, %d items", st, len(list.Items))
				}
				resultWant := p.status
				if p.masked {
					resultWant = 403
				}
				if st, _, _ := h.get("/dossiers/"+fm.ID+"/result/file", tok); st != resultWant {
					t.Fatalf("result file: %d, want %d", st, resultWant)
				}
			})
		}
		// The district's staff's whole reads are in the district's own log.
		var dLog struct {
			Items []struct {
				What        string `json:"what"`
				ReceiptCode string `json:"receipt_code"`
			} `json:"items"`
		}
		if st := h.do("GET", "/access-log", h.token("huyen-dong-hung", "thang.nd", "tenant.admin"), nil, &dLog); st != 200 {
			t.Fatalf("the district's log: %d", st)
		}
		whats := map[string]bool{}
		for _, e := range dLog.Items {
			if e.ReceiptCode == fm.ReceiptCode {
				whats[e.What] = true
			}
		}
		if !whats["dossier"] || !whats["result"] {
			t.Errorf("the district's log of the passed-on dossier: %+v", dLog.Items)
		}
	})
}

// checkPersonalData fails unless body shows the applicant's personal data whole (masked false)
// or none of it (masked true).
func checkPersonalData(t *testing.T, what string, body []byte, masked bool) {
	t.Helper()
	for _, pii := range personalData {
		if shown := bytes.Contains(body, []byte(pii)); shown == masked {
			t.Errorf("%s: %q shown = %v, want %v", what, pii, shown, !masked)
		}
	}
	if masked && !bytes.Contains(body, []byte("Trần Văn Nam")) {
		t.Errorf("%s: the masked applicant lost their name", what)
	}
}

// noPersonalDataIfMasked fails if a masked reader's body shows any of the personal data.
func noPersonalDataIfMasked(t *testing.T, what string, body []byte, masked bool) {
	t.Helper()
	for _, pii := range personalData {
		if masked && bytes.Contains(body, []byte(pii)) {
			t.Errorf("%s shows %q to a masked reader", what, pii)
		}
	}
}

// putScan uploads the scan of the index-th received document.
func (h *harness) putScan(id string, index int, token string, b []byte) int {
	h.t.Helper()
	req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/api/v1/dossiers/%s/documents/%d/file", h.Base, id, index), bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// subjectOf reads the subject of an access token (the test's own, already verified by the service).
func subjectOf(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		Sub string `json:"sub"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil || claims.Sub == "" {
		t.Fatalf("token claims %s: %v", payload, err)
	}
	return claims.Sub
}

func pageGet(t *testing.T, c *http.Client, url string) (int, []byte) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
