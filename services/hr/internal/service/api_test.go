package service_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store/storetest"
)

func hireBody(name, cccd, born, gender, unit, position, from, subject string) map[string]any {
	return map[string]any{"full_name": name, "birth_date": born, "gender": gender, "cccd": cccd, "category": "cong_chuc",
		"phone": "0912345678", "email": "canbo@dongtan.gov.vn", "user_subject": subject,
		"assignment": map[string]any{"unit_id": unit, "position": position, "rank": "01.003", "step": 2, "effective_on": from}}
}

// outboxData returns the data of the outbox events of a type, oldest first.
func outboxData(t *testing.T, h *harness, eventType string) []map[string]any {
	t.Helper()
	var rows []events.OutboxEvent
	if err := h.DB.Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, r := range rows {
		evt, err := events.Decode([]byte(r.Payload))
		if err != nil {
			t.Fatalf("outbox row %d: %v", r.ID, err)
		}
		if evt.Type() != eventType {
			continue
		}
		var data map[string]any
		if err := json.Unmarshal(evt.Data(), &data); err != nil {
			t.Fatal(err)
		}
		data["_subject"] = r.Subject
		out = append(out, data)
	}
	return out
}

// TestStaffLifecycleOverTheAPI: provisioning seeds the commune's units; an HR officer hires,
// moves and releases a person; "as of" queries return each day's truth; each change leaves
// exactly the event services/EVENTS.md describes in the outbox.
func TestStaffLifecycleOverTheAPI(t *testing.T) {
	h := startHR(t, storetest.SQLite(t))
	defer h.checkContract(t, 20)
	op := h.operator(t)
	prov := map[string]any{"code": "12700", "name": "UBND xã Đông Tân", "kind": "commune", "parent": "huyen-dong-hung"}
	st, body := h.call(t, op, http.MethodPut, "/api/v1/tenants/xa-dong-tan", prov)
	if st != http.StatusOK || body["created"] != true || body["seeded"].(map[string]any)["organisation_units"] != float64(5) {
		t.Fatalf("provision: %d %v", st, body)
	}
	st, body = h.call(t, op, http.MethodPut, "/api/v1/tenants/xa-dong-tan", prov)
	if st != http.StatusOK || body["created"] != false || body["seeded"].(map[string]any)["organisation_units"] != float64(0) {
		t.Fatalf("provision again: %d %v", st, body)
	}
	officer := h.person(t, "xa-dong-tan", "nhansu.dongtan", string(platform.RoleHROfficer))
	if st, body := h.call(t, officer, http.MethodPut, "/api/v1/tenants/xa-dong-tan", prov); st != http.StatusForbidden {
		t.Fatalf("an HR officer provisions: %d %v", st, body)
	}
	st, units := h.call(t, officer, http.MethodGet, "/api/v1/units", nil)
	if st != http.StatusOK || len(units["units"].([]any)) != 5 {
		t.Fatalf("units: %d %v", st, units)
	}
	vp, kt := unitID(t, units, "VP"), unitID(t, units, "KT")

	st, hired := h.call(t, officer, http.MethodPost, "/api/v1/staff", hireBody("Nguyễn Văn An", "034085001234", "1985-03-12", "male", vp, "Công chức Văn phòng – Thống kê", "2025-07-15", ""))
	if st != http.StatusCreated {
		t.Fatalf("hire: %d %v", st, hired)
	}
	id := hired["staff"].(map[string]any)["id"].(string)
	if st, body := h.call(t, officer, http.MethodPost, "/api/v1/staff/"+id+"/moves", map[string]any{"unit_id": kt, "position": "Phó trưởng phòng", "rank": "01.002", "step": 3, "effective_on": "2026-01-01"}); st != http.StatusCreated {
		t.Fatalf("move: %d %v", st, body)
	}
	if st, body := h.call(t, officer, http.MethodPost, "/api/v1/staff/"+id+"/leave", map[string]any{"effective_on": "2026-07-01"}); st != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(body["fields"]), "reason") {
		t.Fatalf("leave without a reason: %d %v", st, body)
	}
	if st, body := h.call(t, officer, http.MethodPost, "/api/v1/staff/"+id+"/leave", map[string]any{"effective_on": "2026-07-01", "reason": "Chuyển công tác"}); st != http.StatusNoContent {
		t.Fatalf("leave: %d %v", st, body)
	}
	for on, want := range map[string]string{"2025-07-14": "", "2025-12-31": vp, "2026-01-01": kt, "2026-06-30": kt, "2026-07-01": ""} {
		st, list := h.call(t, officer, http.MethodGet, "/api/v1/staff?on="+on, nil)
		if st != http.StatusOK {
			t.Fatalf("list on %s: %d %v", on, st, list)
		}
		staff := list["staff"].([]any)
		if want == "" {
			if len(staff) != 0 {
				t.Errorf("on %s: %v, want nobody", on, staff)
			}
			continue
		}
		if len(staff) != 1 || staff[0].(map[string]any)["assignment"].(map[string]any)["unit_id"] != want {
			t.Errorf("on %s: %v, want the unit %s", on, staff, want)
		}
	}
	st, prof := h.call(t, officer, http.MethodGet, "/api/v1/staff/"+id, nil)
	if st != http.StatusOK || len(prof["history"].([]any)) != 2 || prof["staff"].(map[string]any)["assignment"] != nil {
		t.Fatalf("profile after leaving: %d %v", st, prof)
	}

	hiredEv, moved, left := outboxData(t, h, "vn.egov.hr.staff.hired"), outboxData(t, h, "vn.egov.hr.staff.moved"), outboxData(t, h, "vn.egov.hr.staff.left")
	if len(hiredEv) != 1 || len(moved) != 1 || len(left) != 1 {
		t.Fatalf("events: hired %v moved %v left %v", hiredEv, moved, left)
	}
	want := map[string]any{"staff_id": id, "tenant": "xa-dong-tan", "unit_id": vp, "category": "cong_chuc", "position": "Công chức Văn phòng – Thống kê",
		"effective_at": "2025-07-15T00:00:00Z", "_subject": "egov.xa-dong-tan.hr.staff.hired"}
	if fmt.Sprint(hiredEv[0]) != fmt.Sprint(want) {
		t.Errorf("hired = %v\nwant %v", hiredEv[0], want)
	}
	if moved[0]["unit_id"] != kt || moved[0]["position"] != "Phó trưởng phòng" || moved[0]["effective_at"] != "2026-01-01T00:00:00Z" || len(moved[0]) != 6 {
		t.Errorf("moved = %v", moved[0])
	}
	if left[0]["reason"] != "Chuyển công tác" || left[0]["effective_at"] != "2026-07-01T00:00:00Z" || len(left[0]) != 5 {
		t.Errorf("left = %v", left[0])
	}

	// A qualification with its rank from the code list, and the event reporting builds on.
	st, hired = h.call(t, officer, http.MethodPost, "/api/v1/staff", hireBody("Trần Thị Bình", "034190000042", "1990-01-01", "female", kt, "Chuyên viên", "2026-01-05", ""))
	if st != http.StatusCreated {
		t.Fatalf("hire 2: %d %v", st, hired)
	}
	binh := hired["staff"].(map[string]any)["id"].(string)
	st, q := h.call(t, officer, http.MethodPost, "/api/v1/staff/"+binh+"/qualifications", map[string]any{"kind": "language", "level": "B2", "language": "Tiếng Anh", "awarding_body": "ĐH Ngoại ngữ – ĐHQG Hà Nội", "awarded_on": "2019-05-20"})
	if st != http.StatusCreated || q["rank"] != float64(40) || q["level"] != "b2" {
		t.Fatalf("qualification: %d %v", st, q)
	}
	added := outboxData(t, h, "vn.egov.hr.staff.qualification-added")
	if len(added) != 1 || added[0]["rank"] != float64(40) || added[0]["language"] != "Tiếng Anh" || added[0]["kind"] != "language" || added[0]["awarded_at"] != "2019-05-20T00:00:00Z" {
		t.Fatalf("qualification-added = %v", added)
	}
	st, stats := h.call(t, officer, http.MethodGet, "/api/v1/statistics?on=2026-02-01", nil)
	if st != http.StatusOK || stats["headcount"] != float64(2) {
		t.Fatalf("statistics: %d %v", st, stats)
	}
	lang := stats["at_or_above"].(map[string]any)["language"].([]any)
	if b2 := lang[3].(map[string]any); b2["count"] != float64(1) || b2["percent"] != float64(50) {
		t.Fatalf("share at or above B2: %v", lang)
	}
	st, ch := h.call(t, officer, http.MethodGet, "/api/v1/statistics/change?from=2026-06-01&to=2026-08-01", nil)
	if st != http.StatusOK || ch["left"] != float64(1) || ch["headcount_change"] != float64(-1) {
		t.Fatalf("change: %d %v", st, ch)
	}

	// Units: rename with history, a move into its own subtree refused, close needs it empty.
	if st, body := h.call(t, officer, http.MethodPost, "/api/v1/units/"+kt+"/changes", map[string]any{"change": "closed", "effective_on": "2026-08-01", "reason": "Sáp nhập"}); st != http.StatusConflict || body["code"] != "unit_has_staff" {
		t.Fatalf("closing a unit with staff: %d %v", st, body)
	}
	if st, body := h.call(t, officer, http.MethodPost, "/api/v1/units/"+vp+"/changes", map[string]any{"change": "renamed", "name": "Văn phòng HĐND – UBND xã", "effective_on": "2026-08-01"}); st != http.StatusOK {
		t.Fatalf("rename: %d %v", st, body)
	}
	st, old := h.call(t, officer, http.MethodGet, "/api/v1/units?on=2026-07-31", nil)
	if st != http.StatusOK || !strings.Contains(fmt.Sprint(old), "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân") {
		t.Fatalf("the tree as of before the rename: %v", old)
	}
	st, hist := h.call(t, officer, http.MethodGet, "/api/v1/units/"+vp, nil)
	if st != http.StatusOK || len(hist["history"].([]any)) != 2 {
		t.Fatalf("unit history: %d %v", st, hist)
	}
}

// TestBadInputIsAClear4xx: unreadable input is 400, a broken rule 422 naming the field, missing
// credentials 401, an unknown id 404, a duplicate 409.
func TestBadInputIsAClear4xx(t *testing.T) {
	h := startHR(t, storetest.SQLite(t))
	defer h.checkContract(t, 15)
	op := h.operator(t)
	h.call(t, op, http.MethodPut, "/api/v1/tenants/xa-dong-tan", map[string]any{"code": "12700", "name": "UBND xã Đông Tân", "kind": "commune", "parent": "huyen-dong-hung"})
	officer := h.person(t, "xa-dong-tan", "nhansu.dongtan", string(platform.RoleHROfficer))
	_, units := h.call(t, officer, http.MethodGet, "/api/v1/units", nil)
	vp := unitID(t, units, "VP")
	for _, tc := range []struct {
		name, token, method, path string
		body                      any
		status                    int
		mention                   string
	}{
		{"no token", "", http.MethodGet, "/api/v1/staff", nil, 401, "unauthenticated"},
		{"bad JSON", officer, http.MethodPost, "/api/v1/staff", []byte(`{"full_name":`), 400, "bad_request"},
		{"unknown field", officer, http.MethodPost, "/api/v1/units", map[string]any{"code": "X", "colour": "red"}, 400, "colour"},
		{"bad date parameter", officer, http.MethodGet, "/api/v1/staff?on=31/12/2024", nil, 400, "on"},
		{"the zero date as a parameter", officer, http.MethodGet, "/api/v1/staff?on=0001-01-01", nil, 400, "on"},
		{"a birth date in year 1", officer, http.MethodPost, "/api/v1/staff", hireBody("Lê Văn C", "034090001234", "0001-01-01", "male", vp, "Chuyên viên", "2025-08-01", ""), 422, "1900"},
		{"bad CCCD", officer, http.MethodPost, "/api/v1/staff", hireBody("Lê Văn C", "034085001234", "1990-02-02", "male", vp, "Chuyên viên", "2025-08-01", ""), 422, "cccd"},
		{"unknown unit", officer, http.MethodPost, "/api/v1/staff", hireBody("Lê Văn C", "034090001234", "1990-02-02", "male", "nope", "Chuyên viên", "2025-08-01", ""), 422, "unit_id"},
		{"unknown level", officer, http.MethodPost, "/api/v1/levels", map[string]any{"kind": "it", "code": "IC3", "name": "IC3", "rank": 15}, 403, string(platform.RoleTenantAdmin)},
		{"unknown staff", officer, http.MethodGet, "/api/v1/staff/00000000-0000-0000-0000-000000000000", nil, 404, "not_found"},
		{"duplicate unit code", officer, http.MethodPost, "/api/v1/units", map[string]any{"code": "VP", "name": "Văn phòng 2", "kind": "office"}, 409, "unit_code_taken"},
		{"import without a header", officer, http.MethodPost, "/api/v1/imports/staff?format=csv", []byte("a,b\n1,2\n"), 422, "ho_ten"},
		{"provisioning a commune without its parent", op, http.MethodPut, "/api/v1/tenants/xa-dong-la", map[string]any{"code": "12703", "name": "UBND xã Đông La", "kind": "commune"}, 422, "parent"},
		{"provisioning a bad slug", op, http.MethodPut, "/api/v1/tenants/Xa_Dong_La", map[string]any{"code": "12703", "name": "UBND xã Đông La", "kind": "commune", "parent": "huyen-dong-hung"}, 422, "slug"},
		{"import of an unknown dataset", officer, http.MethodPost, "/api/v1/imports/pets?format=csv", []byte("a\n"), 400, "dataset"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, raw := h.raw(t, tc.token, tc.method, tc.path, "application/json", tc.body)
			if st != tc.status || !strings.Contains(string(raw), tc.mention) {
				t.Fatalf("%d %s, want %d mentioning %q", st, raw, tc.status, tc.mention)
			}
		})
	}
}
