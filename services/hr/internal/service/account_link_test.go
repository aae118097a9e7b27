package service_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/identity/identitytest"
)

// TestProfileShowsTheAccount (issue 17 item 3): a staff record's page says whether the person has
// an identity account, read from identity's staff directory; the unit's administrator, for a person without one, is offered
// identity's new-account page filled in with the person's name, unit and record, or the unit's
// accounts to link; once an account is linked the page names it, active, with a way to it.
func TestProfileShowsTheAccount(t *testing.T) {
	h := startHR(t, storetest.SQLite(t))
	prov := map[string]any{"code": "12700", "name": "UBND xã Đông Tân", "kind": "commune", "parent": "huyen-dong-hung"}
	if st, body := h.call(t, h.operator(t), http.MethodPut, "/api/v1/tenants/xa-dong-tan", prov); st != http.StatusOK {
		t.Fatalf("provision: %d %v", st, body)
	}
	officer := h.person(t, "xa-dong-tan", "nhansu.dongtan", string(platform.RoleHROfficer))
	_, units := h.call(t, officer, http.MethodGet, "/api/v1/units", nil)
	st, hired := h.call(t, officer, http.MethodPost, "/api/v1/staff", hireBody("Nguyễn Văn An", "034085001234", "1985-03-12", "male",
		unitID(t, units, "VP"), "Công chức Văn phòng – Thống kê", "2025-07-15", ""))
	if st != http.StatusCreated {
		t.Fatalf("hire: %d %v", st, hired)
	}
	id := hired["staff"].(map[string]any)["id"].(string)
	profile := h.Base + "/staff/" + id
	// An HR officer alone is told who makes accounts, and offered no way that identity would refuse.
	officerPage := h.IDP.PageClient(t, identitytest.Person{Tenant: "xa-dong-tan", Username: "nhansu.dongtan", Name: "Phạm Thu Hà",
		Roles: []string{string(platform.RoleHROfficer)}}, profile)
	if resp, err := officerPage.Get(profile); err != nil {
		t.Fatal(err)
	} else {
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `id="account-ask-admin"`) ||
			strings.Contains(string(b), `id="account-new"`) || strings.Contains(string(b), `id="account-link"`) {
			t.Fatalf("an HR officer's view of the account: %d\n%s", resp.StatusCode, b)
		}
	}
	c := h.IDP.PageClient(t, identitytest.Person{Tenant: "xa-dong-tan", Username: "quantri.dongtan", Name: "Lê Văn Quản",
		Roles: []string{string(platform.RoleTenantAdmin), string(platform.RoleHROfficer)}}, profile)
	page := func() string {
		t.Helper()
		resp, err := c.Get(profile)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("profile: %d", resp.StatusCode)
		}
		return string(b)
	}

	body := page()
	href := func(id string) string {
		t.Helper()
		m := regexp.MustCompile(`id="` + id + `" href="([^"]*)"`).FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return html.UnescapeString(m[1])
	}
	create, err := url.Parse(href("account-new"))
	if err != nil || !strings.Contains(body, "Chưa có tài khoản") || create.String() == "" ||
		!strings.HasPrefix(create.String(), h.IDP.Issuer+"/admin/accounts/new?") ||
		create.Query().Get("name") != "Nguyễn Văn An" || create.Query().Get("staff_id") != id || create.Query().Get("unit") != "xa-dong-tan" {
		t.Fatalf("the profile of a person without an account does not offer to create one filled in (%v):\n%s", create, body)
	}
	if link := href("account-link"); !strings.HasPrefix(link, h.IDP.Issuer+"/admin?") || !strings.Contains(link, "staff_id="+id) {
		t.Fatalf("the way to link an existing account: %q", link)
	}

	h.IDP.Person(t, identitytest.Person{Tenant: "xa-dong-tan", Username: "an.nv", Name: "Nguyễn Văn An",
		Roles: []string{string(platform.RoleDossierReceive)}, StaffID: id})
	body = page()
	if !strings.Contains(body, "an.nv") || !strings.Contains(body, "đang hoạt động") || !strings.Contains(body, `id="account-open" href="`+h.IDP.Issuer+`/admin/accounts/an.nv"`) ||
		strings.Contains(body, `id="account-new"`) {
		t.Fatalf("the profile of a person with an account does not name it:\n%s", body)
	}
}
