package service_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
)

// TestStaffRecordLinkPages (issue 17 item 3): opened from an HR record, the new-account form is
// filled in with the person's name, unit and record; the account made from it carries the record
// and its page (and the person's own account page) links to it; a second account for the same
// record is refused on the staff_id field, as is linking it to another account from that
// account's page; the unit's staff directory tells the services which record each account,
// disabled ones included, is linked to. On both databases.
func TestStaffRecordLinkPages(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		tr := h.seedTree(t)
		b := h.signInPages(t, tr.admins["xa-dong-tan"].Username, h.Password)
		const record = "3f6c2a1e-7b7d-4d4e-9a52-0c1f2b3d4e5f"

		prefilled := "/auth/admin/accounts/new?" + url.Values{"unit": {"xa-dong-tan"}, "name": {"Vũ Thị Thu"}, "staff_id": {record}}.Encode()
		st, page := b.get(prefilled)
		if st != http.StatusOK || !strings.Contains(page, `value="`+record+`"`) || !strings.Contains(page, `value="Vũ Thị Thu"`) ||
			!strings.Contains(page, `<option value="xa-dong-tan" selected>`) {
			t.Fatalf("the new-account form opened from HR: %d, not filled in with the name and record", st)
		}
		st, slip := b.submit(prefilled, "/admin/accounts", url.Values{"unit": {"xa-dong-tan"}, "username": {"thu.vt"}, "roles": {string(platform.RoleDossierReceive)}})
		otp := byID(t, slip, "one-time-password")
		if st != http.StatusCreated || otp == "" {
			t.Fatalf("create from the HR record: %d:\n%s", st, slip)
		}
		_, account := b.get("/auth/admin/accounts/thu.vt")
		if got := byID(t, account, "account-staff"); got != "Hồ sơ nhân sự của Vũ Thị Thu" || !strings.Contains(account, `href="/hr/staff/`+record+`"`) {
			t.Fatalf("the account page's HR record: %q", got)
		}

		// The same record again: a field error on staff_id, and no account.
		st, body := b.submit(prefilled, "/admin/accounts", url.Values{"unit": {"xa-dong-tan"}, "username": {"thu.vt2"}, "roles": {string(platform.RoleDossierReceive)}})
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, "đã liên kết với một tài khoản khác") || !strings.Contains(body, `id="f-staff_id-error"`) {
			t.Fatalf("a second account for a linked record: %d, want the field error on staff_id", st)
		}
		if st, _ := b.get("/auth/admin/accounts/thu.vt2"); st != http.StatusForbidden {
			t.Fatalf("the refused account exists: %d", st)
		}

		// Linking it from another account's page is refused the same way; unlinking is not.
		officer := tr.staff["xa-dong-tan"].Username
		st, body = b.submit("/auth/admin/accounts/"+officer+"?staff_id="+record, "/staff", nil)
		if st != http.StatusConflict || !strings.Contains(body, "đã liên kết với một tài khoản khác") {
			t.Fatalf("linking a linked record to %s: %d", officer, st)
		}
		if st, page := b.submit("/auth/admin/accounts/thu.vt", "/staff", url.Values{"staff_id": {""}}); st != http.StatusOK ||
			byID(t, page, "account-staff") != "Chưa liên kết với hồ sơ nhân sự" {
			t.Fatalf("unlink: %d, %q", st, byID(t, page, "account-staff"))
		}
		if st, page := b.submit("/auth/admin/accounts/"+officer+"?staff_id="+record, "/staff", nil); st != http.StatusOK ||
			!strings.Contains(page, `href="/hr/staff/`+record+`"`) {
			t.Fatalf("linking the freed record to %s: %d", officer, st)
		}

		// The officer's own account page shows the record too.
		own := h.signInPages(t, officer, h.Password)
		if _, page := own.get("/auth/account"); !strings.Contains(page, `href="/hr/staff/`+record+`"`) {
			t.Fatal("the person's own account page does not link their HR record")
		}

		// HR reads the link and the state through the staff directory, disabled accounts on request.
		if st, _ := b.submit("/auth/admin/accounts/"+officer, "/disable", nil); st != http.StatusOK {
			t.Fatalf("disable: %d", st)
		}
		_, secret, _, err := h.ID.App.EnsureClient(context.Background(), "test", app.ClientInput{ClientID: "hr", Name: "Nhân sự",
			GrantTypes: []string{domain.GrantClientCredentials}, Roles: []string{string(platform.RoleService)}, Audiences: []string{"identity"}})
		if err != nil {
			t.Fatal(err)
		}
		service := h.adminToken(t, "hr", secret)
		entry := func(query string) map[string]any {
			t.Helper()
			st, body := h.call(t, service, http.MethodGet, "/tenants/xa-dong-tan/staff"+query, nil)
			if st != http.StatusOK {
				t.Fatalf("the staff directory%s: %d %v", query, st, body)
			}
			for _, p := range body["staff"].([]any) {
				if p := p.(map[string]any); p["username"] == officer {
					return p
				}
			}
			return nil
		}
		if p := entry("?accounts=all"); p == nil || p["staff_id"] != record || p["disabled"] != true {
			t.Fatalf("the directory with accounts=all: %v; want %s linked to %s and disabled", p, officer, record)
		}
		if p := entry(""); p != nil {
			t.Fatalf("the directory of active accounts lists a disabled account: %v", p)
		}
		if st, _ := h.call(t, service, http.MethodGet, "/tenants/xa-dong-tan/staff?accounts=some", nil); st != http.StatusUnprocessableEntity {
			t.Fatalf("accounts=some: %d, want 422", st)
		}
	})
}
