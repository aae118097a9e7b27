package service_test

import (
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store/storetest"
)

// TestEveryAdminOperationAnswersAsDocumented walks every operation of the administration API
// once, with its success and its usual refusals, so that checkContract holds each documented
// answer body (tenants, users, clients, roles, secrets, problems) to api/openapi.yaml; on both
// databases.
func TestEveryAdminOperationAnswersAsDocumented(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		defer h.checkContract(t, 40)
		op := h.adminToken(t, h.Operator.ID, h.Operator.Secret)
		expect := func(want int, method, path string, body any) map[string]any {
			t.Helper()
			st, out := h.call(t, op, method, path, body)
			if st != want {
				t.Fatalf("%s %s: %d %v, want %d", method, path, st, out, want)
			}
			return out
		}

		expect(http.StatusOK, http.MethodGet, "/roles", nil)
		district := map[string]any{"slug": "huyen-dong-hung", "code": "342", "name": "UBND huyện Đông Hưng", "kind": "district", "parent": "tinh-thai-binh"}
		expect(http.StatusCreated, http.MethodPost, "/tenants", district)
		expect(http.StatusOK, http.MethodPost, "/tenants", district)
		expect(http.StatusUnprocessableEntity, http.MethodPost, "/tenants", map[string]any{"slug": "Xa_Dong_La", "code": "12703", "name": "x", "kind": "commune", "parent": "huyen-dong-hung"})
		expect(http.StatusOK, http.MethodGet, "/tenants/huyen-dong-hung", nil)
		expect(http.StatusNotFound, http.MethodGet, "/tenants/xa-khong-co", nil)
		expect(http.StatusOK, http.MethodPatch, "/tenants/huyen-dong-hung", map[string]any{"name": "UBND huyện Đông Hưng (mới)"})
		expect(http.StatusNotFound, http.MethodPatch, "/tenants/xa-khong-co", map[string]any{"disabled": true})
		expect(http.StatusOK, http.MethodGet, "/tenants/huyen-dong-hung/users", nil)
		expect(http.StatusNotFound, http.MethodGet, "/tenants/xa-khong-co/users", nil)

		hoa := map[string]any{"tenant": "huyen-dong-hung", "username": "hoa.nt", "name": "Nguyễn Thị Hoa", "email": "hoa.nt@donghung.gov.vn",
			"roles": []string{"dossier.receive"}}
		if created := expect(http.StatusCreated, http.MethodPost, "/users", hoa); created["one_time_password"] == nil {
			t.Fatalf("a new account without a password gets a one-time password: %v", created)
		}
		expect(http.StatusOK, http.MethodPost, "/users", hoa)
		expect(http.StatusConflict, http.MethodPost, "/users", map[string]any{"tenant": "tinh-thai-binh", "username": "hoa.nt", "name": "Nguyễn Thị Hoa"})
		expect(http.StatusUnprocessableEntity, http.MethodPost, "/users", map[string]any{"tenant": "huyen-dong-hung", "username": "x", "name": "X", "roles": []string{"superuser"}})
		expect(http.StatusOK, http.MethodGet, "/users/hoa.nt", nil)
		expect(http.StatusNotFound, http.MethodGet, "/users/khong.co", nil)
		expect(http.StatusOK, http.MethodPatch, "/users/hoa.nt", map[string]any{"roles": []string{"dossier.receive", "dossier.handle"}, "staff_id": "CB-342-0001"})
		expect(http.StatusUnprocessableEntity, http.MethodPatch, "/users/hoa.nt", map[string]any{"roles": []string{"superuser"}})
		expect(http.StatusOK, http.MethodPost, "/users/hoa.nt/reset-password", nil)
		expect(http.StatusNotFound, http.MethodPost, "/users/khong.co/reset-password", nil)
		expect(http.StatusOK, http.MethodGet, "/tenants/huyen-dong-hung/users", nil)

		portal := map[string]any{"client_id": "motcua-dong-hung", "tenant": "huyen-dong-hung", "name": "Một cửa Đông Hưng", "type": "confidential",
			"redirect_uris": []string{"https://donghung.example.gov.vn/cb"}, "grant_types": []string{"authorization_code", "refresh_token"}}
		if created := expect(http.StatusCreated, http.MethodPost, "/clients", portal); created["client_secret"] == nil {
			t.Fatalf("a new confidential client gets its secret once: %v", created)
		}
		expect(http.StatusOK, http.MethodPost, "/clients", portal)
		expect(http.StatusConflict, http.MethodPost, "/clients", map[string]any{"client_id": "motcua-dong-hung", "tenant": "tinh-thai-binh", "name": "x",
			"type": "confidential", "grant_types": []string{"client_credentials"}})
		expect(http.StatusUnprocessableEntity, http.MethodPost, "/clients", map[string]any{"client_id": "spa", "name": "SPA", "type": "public",
			"grant_types": []string{"client_credentials"}})
		public := map[string]any{"client_id": "app-dong-hung", "tenant": "huyen-dong-hung", "name": "Ứng dụng Đông Hưng", "type": "public",
			"redirect_uris": []string{"https://donghung.example.gov.vn/app"}, "grant_types": []string{"authorization_code"}}
		expect(http.StatusCreated, http.MethodPost, "/clients", public)
		expect(http.StatusOK, http.MethodGet, "/clients", nil)
		expect(http.StatusOK, http.MethodGet, "/clients?tenant=huyen-dong-hung", nil)
		expect(http.StatusNotFound, http.MethodGet, "/clients?tenant=xa-khong-co", nil)
		expect(http.StatusOK, http.MethodGet, "/clients/motcua-dong-hung", nil)
		expect(http.StatusNotFound, http.MethodGet, "/clients/khong-co", nil)
		expect(http.StatusOK, http.MethodPatch, "/clients/motcua-dong-hung", map[string]any{"disabled": true})
		expect(http.StatusUnprocessableEntity, http.MethodPatch, "/clients/motcua-dong-hung", map[string]any{})
		expect(http.StatusOK, http.MethodPost, "/clients/motcua-dong-hung/rotate-secret", nil)
		expect(http.StatusConflict, http.MethodPost, "/clients/app-dong-hung/rotate-secret", nil)
		expect(http.StatusNotFound, http.MethodPost, "/clients/khong-co/rotate-secret", nil)
		expect(http.StatusOK, http.MethodGet, "/audit", nil)

		// Unreadable and oversized bodies, and callers without a usable token.
		expect(http.StatusBadRequest, http.MethodPost, "/users", "not an object")
		expect(http.StatusBadRequest, http.MethodPost, "/tenants", map[string]any{"slug": "xa-dong-la", "colour": "red"})
		expect(http.StatusRequestEntityTooLarge, http.MethodPost, "/clients", map[string]any{"client_id": "big", "name": strings.Repeat("a", 3<<20)})
		if st, body := h.call(t, "not-a-token", http.MethodGet, "/roles", nil); st != http.StatusUnauthorized {
			t.Fatalf("a forged token: %d %v", st, body)
		}
	})
}
