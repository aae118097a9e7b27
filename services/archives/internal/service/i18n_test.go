package service_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"egov.vn/platform/libs/web/webtest"
	"egov.vn/platform/services/archives/internal/ports/pages/i18n"
	"egov.vn/platform/services/identity/identitytest"
)

// TestEveryPageInEnglish walks the clerk's pages with ?lang=en once and then on the remembered
// choice: each is in English, with no message missing from the catalogue and no Vietnamese word
// of the shell left in the header; ?lang=vi brings Vietnamese back.
func TestEveryPageInEnglish(t *testing.T) {
	h := start(t, options{})
	h.answersAtLeast = 0
	doc, _ := h.registerWithFile("xa-dong-tan", "Quyết định khen thưởng", "qd.pdf", pdf("Quyết định"))
	c := h.idp.PageClient(t, identitytest.Person{Tenant: "xa-dong-tan", Username: "mai.lt", Name: "Lê Thị Mai",
		Roles: []string{"archive.clerk", "tenant.admin"}}, h.base+"/records")
	get := func(path string) string {
		t.Helper()
		resp, err := c.Get(h.base + path)
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
	webtest.NoVietnameseLeft(t, "/?lang=en", body, i18n.Catalogue(), "Báo cáo", "Thông báo")
	if !strings.Contains(body, "Register an outgoing document") || !strings.Contains(body, `>Records and archives</a>`) {
		t.Errorf("the registers in English:\n%s", body)
	}
	pages := map[string]string{ // page → an English text it must show
		"/?direction=incoming":              "Incoming register",
		"/documents/new?direction=outgoing": "Issuing organ",
		"/documents/new?direction=incoming": "Leave empty for today",
		"/documents/" + doc["id"].(string):  "Files and versions",
		"/records":                          "Open a record file",
		"/fixity":                           "No alerts: every file checked is intact.",
		"/access-log":                       "Document access log",
	}
	for path, want := range pages {
		body := get(path)
		webtest.EnglishPage(t, path, body)
		// The kinds of document (Báo cáo, Thông báo…) are Decree 30's names and stay Vietnamese.
		webtest.NoVietnameseLeft(t, path, body, i18n.Catalogue(), "Báo cáo", "Thông báo")
		if !strings.Contains(body, want) {
			t.Errorf("%s in English does not say %q", path, want)
		}
	}
	body = get("/records?lang=vi")
	if !strings.Contains(body, `<html lang="vi">`) || !strings.Contains(body, "Lập hồ sơ mới") || !strings.Contains(body, "Đăng xuất") {
		t.Errorf("the record files back in Vietnamese:\n%s", body)
	}
}
