package service_test

import (
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store/storetest"
)

// TestEvidenceWithoutObjectStorage: a service started without object storage answers evidence
// an attachment 503, as documented.
func TestEvidenceWithoutObjectStorage(t *testing.T) {
	h := startHR(t, storetest.SQLite(t))
	defer h.checkContract(t, 6)
	op := h.operator(t)
	h.call(t, op, http.MethodPut, "/api/v1/tenants/xa-dong-tan", map[string]any{"code": "12700", "name": "UBND xã Đông Tân", "kind": "commune", "parent": "huyen-dong-hung"})
	officer := h.person(t, "xa-dong-tan", "nhansu.dongtan", string(platform.RoleHROfficer))
	_, units := h.call(t, officer, http.MethodGet, "/api/v1/units", nil)
	_, hired := h.call(t, officer, http.MethodPost, "/api/v1/staff", hireBody("Nguyễn Văn An", "034085001234", "1985-03-12", "male", unitID(t, units, "VP"), "Công chức Văn phòng", "2025-07-15", ""))
	an := hired["staff"].(map[string]any)["id"].(string)
	_, q := h.call(t, officer, http.MethodPost, "/api/v1/staff/"+an+"/qualifications", map[string]any{"kind": "professional", "level": "dai_hoc", "field": "Luật", "awarding_body": "ĐH Luật Hà Nội", "awarded_on": "2008-06-30"})
	evidence := "/api/v1/qualifications/" + q["id"].(string) + "/evidence"
	if st, raw := h.raw(t, officer, http.MethodPut, evidence, "application/pdf", []byte("%PDF-1.4\n%%EOF\n")); st != http.StatusServiceUnavailable {
		t.Fatalf("attach evidence without object storage: %d %s", st, raw)
	}
	if st, raw := h.raw(t, officer, http.MethodGet, evidence, "", nil); st != http.StatusNotFound { // nothing could be attached
		t.Fatalf("download evidence that was never attached: %d %s", st, raw)
	}
}

// TestEveryOperationAnswersAsDocumented walks the operations the other API tests leave out
// (a new unit, a correction, a rehire, evidence of a qualification, imports that write or are
// refused, exports), so that checkContract holds each documented answer to api/openapi.yaml; on
// both databases, with object storage for the evidence.
func TestEveryOperationAnswersAsDocumented(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startHR(t, db, func(o *options) { o.minio = true })
		defer h.checkContract(t, 17)
		op := h.operator(t)
		if st, body := h.call(t, op, http.MethodPut, "/api/v1/tenants/xa-dong-tan", map[string]any{"code": "12700", "name": "UBND xã Đông Tân", "kind": "commune", "parent": "huyen-dong-hung"}); st != http.StatusOK {
			t.Fatalf("provision: %d %v", st, body)
		}
		officer := h.person(t, "xa-dong-tan", "nhansu.dongtan", string(platform.RoleHROfficer))
		expect := func(want int, method, path string, body any) map[string]any {
			t.Helper()
			st, out := h.call(t, officer, method, path, body)
			if st != want {
				t.Fatalf("%s %s: %d %v, want %d", method, path, st, out, want)
			}
			return out
		}

		_, units := h.call(t, officer, http.MethodGet, "/api/v1/units", nil)
		vp := unitID(t, units, "VP")
		unit := expect(http.StatusCreated, http.MethodPost, "/api/v1/units", map[string]any{"code": "TTHTCD", "name": "Trung tâm Học tập cộng đồng", "kind": "office", "opened_on": "2025-01-01"})
		expect(http.StatusOK, http.MethodGet, "/api/v1/units/"+unit["id"].(string), nil)
		expect(http.StatusNotFound, http.MethodGet, "/api/v1/units/00000000-0000-0000-0000-000000000000", nil)

		hired := expect(http.StatusCreated, http.MethodPost, "/api/v1/staff", hireBody("Nguyễn Văn An", "034085001234", "1985-03-12", "male", vp, "Công chức Văn phòng", "2025-07-15", ""))
		an := hired["staff"].(map[string]any)["id"].(string)
		correction := map[string]any{"full_name": "Nguyễn Văn Ân", "birth_date": "1985-03-12", "gender": "male", "cccd": "034085001234", "category": "cong_chuc", "address": "Thôn Đông, xã Đông Tân"}
		expect(http.StatusOK, http.MethodPut, "/api/v1/staff/"+an, correction)
		correction["cccd"] = "034185001234" // a woman's century digit for a man
		expect(http.StatusUnprocessableEntity, http.MethodPut, "/api/v1/staff/"+an, correction)
		correction["cccd"] = "034085001234"
		expect(http.StatusNotFound, http.MethodPut, "/api/v1/staff/00000000-0000-0000-0000-000000000000", correction)
		expect(http.StatusNoContent, http.MethodPost, "/api/v1/staff/"+an+"/leave", map[string]any{"effective_on": "2026-01-01", "reason": "Nghỉ việc"})
		expect(http.StatusCreated, http.MethodPost, "/api/v1/staff/"+an+"/rehire", map[string]any{"unit_id": unit["id"], "position": "Giám đốc Trung tâm", "effective_on": "2026-03-01"})

		q := expect(http.StatusCreated, http.MethodPost, "/api/v1/staff/"+an+"/qualifications", map[string]any{"kind": "professional", "level": "dai_hoc", "field": "Luật", "awarding_body": "ĐH Luật Hà Nội", "awarded_on": "2008-06-30"})
		evidence := "/api/v1/qualifications/" + q["id"].(string) + "/evidence"
		if st, raw := h.raw(t, officer, http.MethodPut, evidence+"?name=bang-dai-hoc.pdf", "application/pdf", []byte("%PDF-1.4\n% bằng đại học\n%%EOF\n")); st != http.StatusOK {
			t.Fatalf("attach evidence: %d %s", st, raw)
		}
		if st, raw := h.raw(t, officer, http.MethodGet, evidence, "", nil); st != http.StatusOK {
			t.Fatalf("download evidence: %d %s", st, raw)
		}

		header := "ho_ten,ngay_sinh,gioi_tinh,cccd,phan_loai,dien_thoai,email,dia_chi,ma_don_vi,chuc_vu,ngach,bac,ngay_hieu_luc\n"
		good := header + "Trần Thị Bình,1990-01-01,Nữ,034190000042,Công chức,,,,VP,Chuyên viên,01.003,2,2025-08-01\n"
		bad := header + "Lê Văn Cường,1988-02-02,Nam,034099000043,Công chức,,,,VP,Chuyên viên,01.003,1,2025-08-01\n"
		for _, c := range []struct {
			query, file string
			want        int
		}{{"format=csv", bad, http.StatusOK}, {"format=csv&commit=true", bad, http.StatusConflict}, {"format=csv&commit=true", good, http.StatusCreated}} {
			if st, raw := h.raw(t, officer, http.MethodPost, "/api/v1/imports/staff?"+c.query, "text/csv", []byte(c.file)); st != c.want {
				t.Fatalf("import ?%s: %d %s, want %d", c.query, st, raw, c.want)
			}
		}
		for _, path := range []string{"/api/v1/exports/staff?format=csv", "/api/v1/exports/qualifications?format=xlsx"} {
			if st, raw := h.raw(t, officer, http.MethodGet, path, "", nil); st != http.StatusOK {
				t.Fatalf("export %s: %d %s", path, st, raw)
			}
		}
		expect(http.StatusOK, http.MethodGet, "/api/v1/levels", nil)
		expect(http.StatusRequestEntityTooLarge, http.MethodPost, "/api/v1/units", map[string]any{"code": "X", "name": strings.Repeat("a", 3<<20), "kind": "office"})
	})
}
