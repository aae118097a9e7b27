package service_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"egov.vn/platform/libs/idempotency"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store/storetest"
)

// An HR officer's hire retried with its Idempotency-Key makes one staff record: the retry gets
// the first answer, and when that answer was lost (the process died after the commit) the profile
// of the person hired.
func TestRetriedHireMakesOneStaffRecord(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startHR(t, db)
		defer h.checkContract(t, 6)
		prov := map[string]any{"code": "12700", "name": "UBND xã Đông Tân", "kind": "commune", "parent": "huyen-dong-hung"}
		if st, body := h.call(t, h.operator(t), http.MethodPut, "/api/v1/tenants/xa-dong-tan", prov); st != http.StatusOK {
			t.Fatalf("provision: %d %v", st, body)
		}
		officer := h.person(t, "xa-dong-tan", "nhansu.dongtan", string(platform.RoleHROfficer))
		_, units := h.call(t, officer, http.MethodGet, "/api/v1/units", nil)
		body, _ := json.Marshal(hireBody("Nguyễn Văn An", "034085001234", "1985-03-12", "male", unitID(t, units, "VP"),
			"Công chức Văn phòng – Thống kê", "2025-07-15", ""))
		key := uuid.NewString()
		hire := func() (int, string, string) {
			t.Helper()
			req, _ := http.NewRequest(http.MethodPost, h.Base+"/api/v1/staff", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+officer)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(idempotency.HeaderName, key)
			resp, err := h.client.Do(req) // recorded for checkContract
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out struct {
				Staff struct {
					ID string `json:"id"`
				} `json:"staff"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&out)
			return resp.StatusCode, out.Staff.ID, resp.Header.Get(idempotency.ReplayedHeader)
		}
		st, id, _ := hire()
		if st != http.StatusCreated || id == "" {
			t.Fatalf("hire: %d %q", st, id)
		}
		if st, again, replayed := hire(); st != http.StatusCreated || again != id || replayed != "true" {
			t.Fatalf("retry: %d %q replayed %q, want %s", st, again, replayed, id)
		}
		if err := db.Exec("UPDATE idempotency_keys SET status = 0, headers = '', body = NULL").Error; err != nil {
			t.Fatal(err)
		}
		if st, lost, replayed := hire(); st != http.StatusCreated || lost != id || replayed != "true" {
			t.Fatalf("retry after a lost answer: %d %q replayed %q, want %s", st, lost, replayed, id)
		}
		_, list := h.call(t, officer, http.MethodGet, "/api/v1/staff", nil)
		if items, _ := list["staff"].([]any); len(items) != 1 {
			t.Fatalf("staff after the retries: %v, want one", list)
		}
	})
}
