package service_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store/storetest"
)

// TestPublicProceduresOnEachDB: without signing in, a citizen reads the chosen unit's catalogue
// (the unit's own, not another's), in the public layout, on both databases.
func TestPublicProceduresOnEachDB(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := start(t, db)
		h.provision("xa-dong-tan", "12700", "UBND xã Đông Tân", "commune", "huyen-dong-hung")
		h.provision("xa-dong-la", "12703", "UBND xã Đông La", "commune", "huyen-dong-hung")
		if st := h.do("DELETE", "/procedures/1.001193", h.token("xa-dong-la", "quan-tri.dla", "tenant.admin"), nil, nil); st != http.StatusNoContent {
			t.Fatalf("remove a procedure from Đông La's catalogue: %d", st)
		}
		get := func(path string) (int, string) {
			t.Helper()
			resp, err := http.Get(h.Base + path)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = resp.Body.Close() }()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		st, body := get("/thu-tuc")
		if st != http.StatusOK || !strings.Contains(body, `<option value="xa-dong-tan">UBND xã Đông Tân</option>`) || strings.Contains(body, `id="procedures"`) {
			t.Fatalf("the unit picker: %d\n%s", st, body)
		}
		st, body = get("/thu-tuc?don-vi=xa-dong-tan")
		if st != http.StatusOK || !strings.Contains(body, `id="p-1.001193"`) || !strings.Contains(body, "Giấy chứng sinh") || strings.Contains(body, "Đăng nhập") {
			t.Fatalf("Đông Tân's procedures: %d\n%s", st, body)
		}
		st, body = get("/thu-tuc?don-vi=xa-dong-la")
		if st != http.StatusOK || strings.Contains(body, `id="p-1.001193"`) || !strings.Contains(body, "UBND xã Đông La") {
			t.Fatalf("Đông La's procedures list one it removed: %d\n%s", st, body)
		}
	})
}
