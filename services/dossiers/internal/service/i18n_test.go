package service_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/web/webtest"
	"egov.vn/platform/services/dossiers/internal/ports/pages/i18n"
	"egov.vn/platform/services/identity/identitytest"
)

// TestEveryPageInEnglish walks the one-stop shop's pages, the staff's and the citizens', with
// ?lang=en once and then on the remembered choice: each is in English, with no message missing
// from the catalogue and no Vietnamese word of the shell left in the header. Without the choice
// the same pages are Vietnamese.
func TestEveryPageInEnglish(t *testing.T) {
	h := start(t, storetest.SQLite(t))
	h.provision("xa-dong-tan", "12700", "UBND xã Đông Tân", "commune", "huyen-dong-hung")
	var d struct {
		ID          string `json:"id"`
		ReceiptCode string `json:"receipt_code"`
	}
	if st := h.do("POST", "/dossiers", h.token("xa-dong-tan", "hoa.nt", "dossier.receive"), birthIntake(), &d); st != 201 {
		t.Fatalf("intake: %d", st)
	}
	c := h.IDP.PageClient(t, identitytest.Person{Tenant: "xa-dong-tan", Username: "lan.pt", Name: "Phạm Thị Lan",
		Roles: []string{"dossier.receive", "dossier.handle", "dossier.approve", "tenant.admin"}}, h.Base+"/lich-lam-viec")
	get := func(path string) string {
		t.Helper()
		resp, err := c.Get(h.Base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d\n%s", path, resp.StatusCode, b)
		}
		return string(b)
	}
	body := get("/?lang=en")
	webtest.EnglishPage(t, "/?lang=en", body)
	webtest.NoVietnameseLeft(t, "/?lang=en", body, i18n.Catalogue(), "bản chính", "bản sao", "ngày làm việc")
	if !strings.Contains(body, "<h1>Dossiers</h1>") || !strings.Contains(body, "Assigned to me") || !strings.Contains(body, `>One-stop shop</a>`) {
		t.Errorf("the inbox in English:\n%s", body)
	}
	pages := map[string]string{ // page → an English text it must show
		"/tiep-nhan":                         "Receive and print the appointment",
		"/tiep-nhan?procedure_code=1.001193": "Documents required",
		"/ho-so/" + d.ID:                     "Result document",
		"/so-theo-doi":                       "Dossier ledger",
		"/nhat-ky-truy-cap":                  "Personal data access log",
		"/lich-lam-viec":                     "Days off and make-up working days",
		"/tra-cuu":                           "Look up a dossier",
		"/thu-tuc":                           "Administrative procedures",
		"/thu-tuc?don-vi=xa-dong-tan":        "Documents to submit",
	}
	for path, want := range pages {
		body := get(path)
		webtest.EnglishPage(t, path, body)
		// The seeded procedures are Vietnamese data: their names and documents ("Cấp bản sao…",
		// "… (bản chính)") and their legal basis ("… ngày làm việc").
		webtest.NoVietnameseLeft(t, path, body, i18n.Catalogue(), "bản chính", "bản sao", "ngày làm việc")
		if !strings.Contains(body, want) {
			t.Errorf("%s in English does not say %q", path, want)
		}
	}
	// The citizen's lookup, answered in English, with its state named in English.
	token := csrfToken.FindStringSubmatch(get("/tra-cuu"))
	if token == nil {
		t.Fatal("no CSRF token on the lookup page")
	}
	req, _ := http.NewRequest(http.MethodPost, h.Base+"/tra-cuu", strings.NewReader(url.Values{"receipt_code": {d.ReceiptCode},
		"phone_last4": {"5678"}, "csrf_token": {html.UnescapeString(token[1])}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", strings.TrimSuffix(h.Base, "/dossiers"))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	webtest.EnglishPage(t, "POST /tra-cuu", string(b))
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `<strong id="lookup-state">Received</strong>`) {
		t.Errorf("the lookup in English: %d\n%s", resp.StatusCode, b)
	}

	// Back to Vietnamese: the choice is remembered the other way too.
	body = get("/?lang=vi")
	if !strings.Contains(body, `<html lang="vi">`) || !strings.Contains(body, "<h1>Hồ sơ</h1>") || !strings.Contains(body, "Đăng xuất") {
		t.Errorf("the inbox back in Vietnamese:\n%s", body)
	}
	if body := get("/so-theo-doi"); !strings.Contains(body, "<h1>Sổ theo dõi hồ sơ</h1>") {
		t.Errorf("the ledger after switching back is not Vietnamese:\n%s", body)
	}
}

var csrfToken = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
