package service_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"egov.vn/platform/libs/web/webtest"
	"egov.vn/platform/services/identity/identitytest"
	"egov.vn/platform/services/reporting/internal/ports/pages/i18n"
)

// TestEveryPageInEnglish walks the reports with ?lang=en once and then on the remembered choice:
// each page is in English (indicators, periods, figures included), with no message missing from
// the catalogue and no Vietnamese word of the shell left in the header; ?lang=vi brings
// Vietnamese back.
func TestEveryPageInEnglish(t *testing.T) {
	h := start(t)
	h.answersAtLeast = 0
	h.seed()
	c := h.idp.PageClient(t, identitytest.Person{Tenant: "huyen-dong-hung", Username: "lanh.dao.huyen", Name: "Trần Văn Bình",
		Roles: []string{"report.view"}}, h.base+"/units/huyen-dong-hung?period=2026")
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
	body := get("/units/huyen-dong-hung?period=2026&lang=en")
	webtest.EnglishPage(t, "the dashboard", body)
	webtest.NoVietnameseLeft(t, "the dashboard", body, i18n.Catalogue())
	for _, want := range []string{"<h1>Administrative reform indicators</h1>", "Dossiers resolved on time", "Year 2026", "Units below"} {
		if !strings.Contains(body, want) {
			t.Errorf("the dashboard in English does not say %q", want)
		}
	}
	pages := map[string]string{ // page → an English text it must show
		"/units/huyen-dong-hung/ranking?period=2026":                      "Ranking of the units below",
		"/units/xa-dong-tan?period=2026":                                  "Indicators against targets",
		"/units/xa-dong-tan/dossiers?period=2026&figure=resolved_on_time": "Dossiers: Resolved on time",
	}
	for path, want := range pages {
		body := get(path)
		webtest.EnglishPage(t, path, body)
		webtest.NoVietnameseLeft(t, path, body, i18n.Catalogue())
		if !strings.Contains(body, want) {
			t.Errorf("%s in English does not say %q", path, want)
		}
	}
	body = get("/units/huyen-dong-hung?period=2026&lang=vi")
	if !strings.Contains(body, `<html lang="vi">`) || !strings.Contains(body, "Báo cáo chỉ tiêu cải cách hành chính") || !strings.Contains(body, "Năm 2026") {
		t.Errorf("the dashboard back in Vietnamese:\n%s", body)
	}
}
