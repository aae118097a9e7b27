package service_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/web/webtest"
	"egov.vn/platform/services/hr/internal/ports/pages/i18n"
	"egov.vn/platform/services/identity/identitytest"
)

// TestEveryPageInEnglish walks the HR pages, the officer's forms included, with ?lang=en once and
// then on the remembered choice: each is in English, with no message missing from the catalogue
// and no Vietnamese word of the shell left in the header; ?lang=vi brings Vietnamese back.
func TestEveryPageInEnglish(t *testing.T) {
	h := startHR(t, storetest.SQLite(t))
	if st, body := h.call(t, h.operator(t), http.MethodPut, "/api/v1/tenants/xa-dong-tan", map[string]any{"code": "12700", "name": "UBND xã Đông Tân", "kind": "commune", "parent": "huyen-dong-hung"}); st != 200 {
		t.Fatalf("provision: %d %v", st, body)
	}
	officer := h.person(t, "xa-dong-tan", "nhansu.dongtan", string(platform.RoleHROfficer))
	_, units := h.call(t, officer, http.MethodGet, "/api/v1/units", nil)
	unit := unitID(t, units, "TTPVHCC")
	st, body := h.call(t, officer, http.MethodPost, "/api/v1/staff",
		hireBody("Nguyễn Văn An", "034085001234", "1985-03-12", "male", unit, "Công chức một cửa", "2025-08-01", ""))
	if st != http.StatusCreated {
		t.Fatalf("hire: %d %v", st, body)
	}
	an := body["staff"].(map[string]any)["id"].(string)
	c := h.IDP.PageClient(t, identitytest.Person{Tenant: "xa-dong-tan", Username: "nhansu.dongtan", Name: "Phạm Thu Hà",
		Roles: []string{string(platform.RoleHROfficer)}}, h.Base+"/staff")
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
	page := get("/staff?lang=en")
	webtest.EnglishPage(t, "/staff?lang=en", page)
	webtest.NoVietnameseLeft(t, "/staff?lang=en", page, i18n.Catalogue(), "Văn phòng", "Trung tâm", "Công chức", "Thôi việc", "Bồi dưỡng")
	for _, want := range []string{"<h1>Staff list</h1>", ">Human resources</a>", "Civil servant", "Import from a file"} {
		if !strings.Contains(page, want) {
			t.Errorf("the staff list in English does not say %q", want)
		}
	}
	pages := map[string]string{ // page → an English text it must show
		"/staff/new":                           "Record a newly hired person",
		"/staff/" + an:                         "Transfer, appointment",
		"/staff/" + an + "/edit":               "Correct personal data",
		"/staff/" + an + "/move":               "Record the transfer",
		"/staff/" + an + "/leave":              "Record the departure",
		"/staff/" + an + "/qualifications/new": "Kind and level",
		"/staff/" + an + "/trainings/new":      "Training institution",
		"/units":                               "Add a unit",
		"/units/" + unit:                       "Change the unit",
		"/statistics":                          "Headcount by category",
		"/import":                              "Columns and allowed values",
	}
	for path, want := range pages {
		body := get(path)
		webtest.EnglishPage(t, path, body)
		if path != "/import" { // its allowed values are the Vietnamese words the file holds
			// The seeded units ("Văn phòng…", "Trung tâm…") and the person's position ("Công
			// chức một cửa") are data; the hints' examples are values typed in Vietnamese.
			webtest.NoVietnameseLeft(t, path, body, i18n.Catalogue(), "Văn phòng", "Trung tâm", "Công chức", "Thôi việc", "Bồi dưỡng")
		}
		if !strings.Contains(body, want) {
			t.Errorf("%s in English does not say %q", path, want)
		}
	}
	page = get("/staff?lang=vi")
	if !strings.Contains(page, `<html lang="vi">`) || !strings.Contains(page, "Danh sách nhân sự") || !strings.Contains(page, "Đăng xuất") {
		t.Errorf("the staff list back in Vietnamese:\n%s", page)
	}
}
