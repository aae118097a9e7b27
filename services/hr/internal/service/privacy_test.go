package service_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store/storetest"
)

// subjectOf reads the sub claim of an access token identity issued (the test needs the
// person's account id to link the staff record; the signature was checked by whoever issued it).
func subjectOf(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct{ Sub string }
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	return claims.Sub
}

// TestPrivacyAndTenancyMatrix: who sees a person's personal fields, who reads whose tenant, who
// may write. A person of xa-dong-tan (under the district huyen-dong-hung) is asked for by every
// kind of caller; on both databases.
func TestPrivacyAndTenancyMatrix(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startHR(t, db)
		defer h.checkContract(t, 30)
		op := h.operator(t)
		for slug, unit := range map[string]struct{ code, kind, parent string }{"xa-dong-tan": {"12700", "commune", "huyen-dong-hung"},
			"xa-dong-la": {"12703", "commune", "huyen-dong-hung"}, "huyen-dong-hung": {"341", "district", "tinh-thai-binh"}} {
			body := map[string]any{"code": unit.code, "name": "UBND " + slug, "kind": unit.kind, "parent": unit.parent}
			if st, body := h.call(t, op, http.MethodPut, "/api/v1/tenants/"+slug, body); st != http.StatusOK {
				t.Fatalf("provision %s: %d %v", slug, st, body)
			}
		}
		officerTan := h.person(t, "xa-dong-tan", "nhansu.dongtan", string(platform.RoleHROfficer))
		self := h.person(t, "xa-dong-tan", "an.nv", string(platform.RoleDossierHandle))
		colleague := h.person(t, "xa-dong-tan", "hoa.nt", string(platform.RoleDossierReceive))
		officerDistrict := h.person(t, "huyen-dong-hung", "nhansu.donghung", string(platform.RoleHROfficer))
		reportDistrict := h.person(t, "huyen-dong-hung", "lanhdao.donghung", string(platform.RoleReportView))
		officerLa := h.person(t, "xa-dong-la", "nhansu.dongla", string(platform.RoleHROfficer))
		service := h.IDP.ServiceToken(t, "dossiers", "tinh-thai-binh", []string{string(platform.RoleService)}, "hr")

		_, units := h.call(t, officerTan, http.MethodGet, "/api/v1/units", nil)
		st, body := h.call(t, officerTan, http.MethodPost, "/api/v1/staff",
			hireBody("Nguyễn Văn An", "034085001234", "1985-03-12", "male", unitID(t, units, "TTPVHCC"), "Công chức một cửa", "2025-08-01", subjectOf(t, self)))
		if st != http.StatusCreated {
			t.Fatalf("hire: %d %v", st, body)
		}
		an := body["staff"].(map[string]any)["id"].(string)

		for _, tc := range []struct {
			who      string
			token    string
			status   int
			personal bool
			history  bool
		}{
			{"hr.officer of the tenant", officerTan, 200, true, true},
			{"the person", self, 200, true, true},
			{"a colleague", colleague, 200, false, false},
			{"a service", service, 200, false, false},
			{"hr.officer of the district", officerDistrict, 200, false, true},
			{"report.view of the district", reportDistrict, 200, false, true},
			{"hr.officer of a sibling commune", officerLa, 404, false, false},
		} {
			st, p := h.call(t, tc.token, http.MethodGet, "/api/v1/staff/"+an, nil)
			if st != tc.status {
				t.Errorf("%s reads the profile: %d %v, want %d", tc.who, st, p, tc.status)
				continue
			}
			if st != 200 {
				continue
			}
			staff := p["staff"].(map[string]any)
			_, hasCCCD := staff["cccd"]
			_, hasBirth := staff["birth_date"]
			_, hasPhone := staff["phone"]
			if staff["personal"] != tc.personal || hasCCCD != tc.personal || hasBirth != tc.personal || hasPhone != tc.personal {
				t.Errorf("%s: personal fields shown = %v (%v), want %v", tc.who, hasCCCD, staff, tc.personal)
			}
			if _, hasHistory := p["history"]; hasHistory != tc.history {
				t.Errorf("%s: history shown = %v, want %v", tc.who, hasHistory, tc.history)
			}
			if staff["full_name"] != "Nguyễn Văn An" || staff["assignment"].(map[string]any)["position"] != "Công chức một cửa" {
				t.Errorf("%s: the directory entry is incomplete: %v", tc.who, staff)
			}
		}
		if st, me := h.call(t, self, http.MethodGet, "/api/v1/staff/me", nil); st != 200 || me["staff"].(map[string]any)["cccd"] != "034085001234" {
			t.Errorf("the person's own record: %d %v", st, me)
		}
		if st, _ := h.call(t, colleague, http.MethodGet, "/api/v1/staff/me", nil); st != 404 {
			t.Errorf("a colleague without a staff record: /staff/me %d, want 404", st)
		}

		// Lists: a tenant is readable by itself and by those above it whose role reads down.
		for _, tc := range []struct {
			who, token, path string
			status, count    int
		}{
			{"district hr.officer lists the commune", officerDistrict, "/api/v1/staff?tenant=xa-dong-tan", 200, 1},
			{"sibling hr.officer lists the commune", officerLa, "/api/v1/staff?tenant=xa-dong-tan", 403, 0},
			{"sibling hr.officer, own tenant", officerLa, "/api/v1/staff", 200, 0},
			{"colleague lists the district", colleague, "/api/v1/staff?tenant=huyen-dong-hung", 403, 0},
			{"colleague lists own tenant", colleague, "/api/v1/staff", 200, 1},
			{"service directory of the commune", service, "/api/v1/directory?tenant=xa-dong-tan", 200, 1},
			{"district statistics of the commune", reportDistrict, "/api/v1/statistics?tenant=xa-dong-tan", 200, -1},
			{"sibling statistics of the commune", officerLa, "/api/v1/statistics?tenant=xa-dong-tan", 403, -1},
			{"colleague statistics", colleague, "/api/v1/statistics", 403, -1},
			{"sibling reads the commune's units", officerLa, "/api/v1/units?tenant=xa-dong-tan", 403, -1},
		} {
			st, raw := h.raw(t, tc.token, http.MethodGet, tc.path, "", nil)
			if st != tc.status {
				t.Errorf("%s: %d %s, want %d", tc.who, st, raw, tc.status)
				continue
			}
			if tc.count >= 0 && st == 200 {
				var list struct{ Staff []map[string]any }
				_ = json.Unmarshal(raw, &list)
				if len(list.Staff) != tc.count {
					t.Errorf("%s: %d people, want %d", tc.who, len(list.Staff), tc.count)
				}
				for _, s := range list.Staff {
					if _, leak := s["cccd"]; leak {
						t.Errorf("%s: the list shows a CCCD to a caller who may not see it: %v", tc.who, s)
					}
				}
			}
		}

		// Writes: only an hr.officer of the person's own tenant.
		move := map[string]any{"unit_id": unitID(t, units, "VP"), "position": "Chuyên viên", "effective_on": "2025-09-01"}
		for _, tc := range []struct {
			who    string
			token  string
			status int
		}{
			{"district hr.officer", officerDistrict, 403},
			{"sibling hr.officer", officerLa, 404},
			{"colleague", colleague, 403},
			{"the person", self, 403},
			{"a service", service, 403},
		} {
			if st, body := h.call(t, tc.token, http.MethodPost, "/api/v1/staff/"+an+"/moves", move); st != tc.status {
				t.Errorf("%s moves the person: %d %v, want %d", tc.who, st, body, tc.status)
			}
		}
		if st, body := h.call(t, officerTan, http.MethodPost, "/api/v1/staff/"+an+"/moves", move); st != http.StatusCreated {
			t.Errorf("own hr.officer moves the person: %d %v", st, body)
		}
		// Code lists: a tenant.admin extends their own tenant's list only.
		admin := h.person(t, "xa-dong-la", "quantri.dongla", string(platform.RoleTenantAdmin))
		if st, body := h.call(t, admin, http.MethodPost, "/api/v1/levels", map[string]any{"kind": "it", "code": "ic3", "name": "Chứng chỉ IC3", "rank": 15}); st != http.StatusCreated {
			t.Fatalf("tenant.admin adds a level: %d %v", st, body)
		}
		_, la := h.call(t, officerLa, http.MethodGet, "/api/v1/levels", nil)
		_, tan := h.call(t, officerTan, http.MethodGet, "/api/v1/levels", nil)
		if len(la["levels"].([]any)) != len(tan["levels"].([]any))+1 {
			t.Errorf("levels: xa-dong-la %d, xa-dong-tan %d; the new one must be xa-dong-la's only", len(la["levels"].([]any)), len(tan["levels"].([]any)))
		}
	})
}
