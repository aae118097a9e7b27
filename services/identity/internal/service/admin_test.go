package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"golang.org/x/oauth2/clientcredentials"
	"gorm.io/gorm"

	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
)

func (h *harness) adminToken(t *testing.T, id, secret string) string {
	t.Helper()
	cc := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: h.Issuer + "/oauth/token"}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tok.AccessToken
}

func (h *harness) call(t *testing.T, token, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	if body != nil {
		_ = json.NewEncoder(&buf).Encode(body)
	}
	req, _ := http.NewRequest(method, h.Issuer+"/api/v1"+path, &buf)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// The operator's onboarding call: tenant, admin with a one-time password, clients with secrets,
// returned once; the retry creates nothing and returns no secret.
func TestAdminOnboardingIsIdempotent(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		defer h.checkContract(t, 6)
		token := h.adminToken(t, h.Operator.ID, h.Operator.Secret)
		if st, _ := h.call(t, token, http.MethodPost, "/tenants", app.TenantInput{Slug: "huyen-dong-hung", Code: "342", Name: "UBND huyện Đông Hưng", Kind: platform.KindDistrict, Parent: "tinh-thai-binh"}); st != http.StatusCreated {
			t.Fatalf("create district: %d", st)
		}
		onboard := app.OnboardInput{
			Tenant: app.TenantInput{Slug: "xa-dong-tan", Code: "12700", Name: "UBND xã Đông Tân", Kind: platform.KindCommune, Parent: "huyen-dong-hung"},
			Admin:  app.UserInput{Username: "quantri.dongtan", Name: "Trần Văn Nam"},
			Clients: []app.ClientInput{{ClientID: "xa-dong-tan-portal", Name: "Cổng dịch vụ xã Đông Tân", RedirectURIs: []string{"https://dongtan.example.gov.vn/cb"},
				GrantTypes: []string{"authorization_code", "refresh_token"}}},
		}
		st, first := h.call(t, token, http.MethodPost, "/onboard", onboard)
		if st != http.StatusCreated {
			t.Fatalf("onboard: %d %v", st, first)
		}
		admin := first["admin"].(map[string]any)
		clients := first["clients"].([]any)
		if admin["one_time_password"] == "" || admin["must_change_password"] != true || clients[0].(map[string]any)["client_secret"] == "" {
			t.Fatalf("the first answer must carry the one-time password and the secret: %v", first)
		}
		st, again := h.call(t, token, http.MethodPost, "/onboard", onboard)
		if st != http.StatusOK || again["admin"].(map[string]any)["one_time_password"] != nil ||
			again["clients"].([]any)[0].(map[string]any)["client_secret"] != nil {
			t.Fatalf("retry: %d %v; want 200 and no secrets", st, again)
		}
		users, _ := h.ID.App.Users(context.Background(), "xa-dong-tan")
		if len(users) != 1 || !users[0].HasRole(platform.RoleTenantAdmin) {
			t.Fatalf("users of the commune after two onboardings: %+v", users)
		}
		// The admin's one-time password works once, and must then be replaced.
		res, err := h.ID.App.SignIn(context.Background(), app.SignInInput{Username: "quantri.dongtan", Password: admin["one_time_password"].(string)})
		if err != nil || !res.User.MustChangePassword {
			t.Fatalf("sign-in with the one-time password: %v %+v", err, res.User)
		}

		// A clash is a 409, a bad field a 422 naming it, and nothing half-made stays.
		st, body := h.call(t, token, http.MethodPost, "/tenants", app.TenantInput{Slug: "xa-dong-tan", Code: "99999", Name: "x", Kind: platform.KindCommune, Parent: "huyen-dong-hung"})
		if st != http.StatusConflict || body["code"] != "tenant_differs" {
			t.Fatalf("same slug, other code: %d %v", st, body)
		}
		bad := onboard
		bad.Tenant.Slug, bad.Tenant.Code = "xa-dong-la", "12701"
		bad.Admin = app.UserInput{Username: "quantri.dongla", Name: "Lê Thị Lan", Roles: []string{"superuser"}}
		st, body = h.call(t, token, http.MethodPost, "/onboard", bad)
		if st != http.StatusUnprocessableEntity || !bytes.Contains(mustJSON(body["fields"]), []byte("admin.roles")) {
			t.Fatalf("unknown role: %d %v", st, body)
		}
		if _, err := h.ID.App.TenantBySlug(context.Background(), "xa-dong-la"); err == nil {
			t.Fatal("a failed onboarding left its tenant behind")
		}
		st, audit := h.call(t, token, http.MethodGet, "/audit?action=tenant.create", nil)
		if st != http.StatusOK || len(audit["events"].([]any)) != 3 { // root, district, commune
			t.Fatalf("audit of tenant creations: %d %v", st, audit)
		}
	})
}

func TestAdminAPINeedsPlatformAdminExceptTheTenantTree(t *testing.T) {
	h := startIdentity(t, storetest.SQLite(t))
	defer h.checkContract(t, 10)
	if st, body := h.call(t, "", http.MethodGet, "/tenants", nil); st != http.StatusUnauthorized {
		t.Fatalf("no token: %d %v", st, body)
	}
	_, secret, _, err := h.ID.App.EnsureClient(context.Background(), "test", app.ClientInput{ClientID: "reporting", Name: "Báo cáo",
		GrantTypes: []string{domain.GrantClientCredentials}, Roles: []string{string(platform.RoleService)}, Audiences: []string{"identity"}})
	if err != nil {
		t.Fatal(err)
	}
	service := h.adminToken(t, "reporting", secret)
	// A service reads the tenant tree (to let a district read its communes) but administers nothing.
	if st, body := h.call(t, service, http.MethodGet, "/tenants", nil); st != http.StatusOK || len(body["tenants"].([]any)) != 1 {
		t.Fatalf("a service reading the tree: %d %v", st, body)
	}
	if st, body := h.call(t, service, http.MethodGet, "/tenants/tinh-thai-binh", nil); st != http.StatusOK {
		t.Fatalf("a service reading a unit: %d %v", st, body)
	}
	// ...and a unit's staff directory: active people with their roles, nothing secret.
	ctx := context.Background()
	leader, _, _, err := h.ID.App.EnsureUser(ctx, "test", app.UserInput{Tenant: "tinh-thai-binh", Username: "lanh.dao", Name: "Nguyễn Văn Lãnh",
		Email: "lanh@example.vn", Roles: []string{string(platform.RoleDossierApprove)}, Password: "Mat-khau-dai-2026"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := h.ID.App.EnsureUser(ctx, "test", app.UserInput{Tenant: "tinh-thai-binh", Username: "nghi.viec", Name: "Đã nghỉ",
		Roles: []string{string(platform.RoleDossierHandle)}, Password: "Mat-khau-dai-2026"}); err != nil {
		t.Fatal(err)
	}
	off := true
	if _, err := h.ID.App.UpdateUser(ctx, "test", "nghi.viec", app.UserPatch{Disabled: &off}); err != nil {
		t.Fatal(err)
	}
	st, body := h.call(t, service, http.MethodGet, "/tenants/tinh-thai-binh/staff", nil)
	if st != http.StatusOK {
		t.Fatalf("a service reading the staff directory: %d %v", st, body)
	}
	people := map[string]any{}
	for _, p := range body["staff"].([]any) {
		people[p.(map[string]any)["username"].(string)] = p
	}
	if _, ok := people["nghi.viec"]; ok {
		t.Fatalf("a disabled account is in the staff directory: %v", body)
	}
	want := map[string]any{"subject": leader.ID, "username": "lanh.dao", "name": "Nguyễn Văn Lãnh", "roles": []any{"dossier.approve"}}
	if got := people["lanh.dao"]; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("staff entry %v, want exactly %v (no e-mail, nothing secret)", got, want)
	}
	if st, body := h.call(t, service, http.MethodGet, "/tenants/khong-co/staff", nil); st != http.StatusNotFound {
		t.Fatalf("the staff of an unknown unit: %d %v", st, body)
	}
	for _, r := range []struct{ method, path string }{{http.MethodGet, "/tenants/tinh-thai-binh/users"}, {http.MethodGet, "/clients"},
		{http.MethodGet, "/audit"}, {http.MethodPost, "/tenants"}, {http.MethodPatch, "/tenants/tinh-thai-binh"}, {http.MethodPost, "/onboard"}} {
		if st, body := h.call(t, service, r.method, r.path, map[string]any{}); st != http.StatusForbidden {
			t.Fatalf("a service token without platform.admin, %s %s: %d %v", r.method, r.path, st, body)
		}
	}
	if st, body := h.call(t, h.adminToken(t, h.Operator.ID, h.Operator.Secret), http.MethodGet, "/tenants", nil); st != http.StatusOK || len(body["tenants"].([]any)) != 1 {
		t.Fatalf("the operator: %d %v", st, body)
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
