package pages_test

import (
	"context"
	"net/http"
	"testing"

	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/web/webtest"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/ports/pages/i18n"
)

// TestEveryPageInEnglish walks identity's pages, the unit administrator's included, on an English
// choice made once at sign-in: each is in English, with no message missing from the catalogue and
// no Vietnamese word of the shell left in the header.
func TestEveryPageInEnglish(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storetest.SQLite(t), worldOpts{})
	w.user("hoa.nt", password)
	if _, _, _, err := w.app.EnsureUser(context.Background(), "test", app.UserInput{Tenant: tenantSlug, Username: "quan.tri",
		Name: "Lê Văn Quản", Roles: []string{string(platform.RoleTenantAdmin)}, Password: password}); err != nil {
		t.Fatal(err)
	}
	b := w.browser()
	r := b.get("/auth/login?lang=en")
	webtest.EnglishPage(t, "/auth/login?lang=en", r.body)
	b.signIn("quan.tri", password)
	for path, want := range map[string]string{ // page → an English text it must show
		"/auth/account":               "<h1>My account</h1>",
		"/auth/admin":                 "<h1>Account administration</h1>",
		"/auth/admin/accounts/new":    "Create the account and print the slip",
		"/auth/admin/accounts/hoa.nt": "Issue a one-time password",
		"/auth/admin/audit":           "Sign-in and change log",
		"/auth/logout":                "Sign out of every service",
	} {
		r := b.get(path)
		wantStatus(t, r, http.StatusOK)
		webtest.EnglishPage(t, path, r.body)
		webtest.NoVietnameseLeft(t, path, r.body, i18n.Catalogue())
		mustContain(t, r.body, want)
	}
}
