package domain_test

import (
	"strings"
	"testing"
	"time"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/services/hr/internal/domain"
)

func day(s string) time.Time {
	d, err := time.Parse(domain.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return d
}

func fieldReasons(err error) map[string]string {
	out := map[string]string{}
	if e := apperr.As(err); e != nil {
		for _, f := range e.Fields {
			out[f.Field] = f.Reason
		}
	}
	return out
}

func TestCheckCCCD(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		number string
		born   string
		gender domain.Gender
		want   string // substring of the reason; "" = valid
	}{
		{"male born 1985 in Thái Bình", "034085001234", "1985-03-12", domain.Male, ""},
		{"female born 1990 in Hà Nội", "001190000042", "1990-01-01", domain.Female, ""},
		{"male born 2001", "034201000001", "2001-05-05", domain.Male, ""},
		{"female born 2003", "036303000009", "2003-12-31", domain.Female, ""},
		{"eleven digits", "03408500123", "1985-03-12", domain.Male, "12 chữ số"},
		{"a letter", "03408500123A", "1985-03-12", domain.Male, "chỉ gồm chữ số"},
		{"unknown province 003", "003085001234", "1985-03-12", domain.Male, "mã tỉnh"},
		{"gender digit says female", "034185001234", "1985-03-12", domain.Male, "chữ số thứ 4 phải là 0"},
		{"century digit says 2000s", "034285001234", "1985-03-12", domain.Male, "chữ số thứ 4 phải là 0"},
		{"year digits differ", "034086001234", "1985-03-12", domain.Male, "chữ số thứ 5–6 phải là 85"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := domain.CheckCCCD(tc.number, day(tc.born), tc.gender)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("valid number refused: %v", err)
				}
				return
			}
			if r := fieldReasons(err)["cccd"]; !strings.Contains(r, tc.want) {
				t.Fatalf("reason %q (err %v), want it to say %q", r, err, tc.want)
			}
		})
	}
}

func TestStaffValidateNamesEveryField(t *testing.T) {
	t.Parallel()
	err := domain.Staff{FullName: " ", CCCD: "123", Category: "boss", Contacts: domain.Contacts{Email: "x@", Phone: "12ab"}}.Validate()
	got := fieldReasons(err)
	for _, f := range []string{"full_name", "birth_date", "gender", "category", "cccd", "email", "phone"} {
		if got[f] == "" {
			t.Errorf("no reason for %s in %v", f, got)
		}
	}
	ok := domain.Staff{FullName: "Nguyễn Văn An", BirthDate: day("1985-03-12"), Gender: domain.Male, CCCD: "034085001234",
		Category: domain.CongChuc, Contacts: domain.Contacts{Phone: "+84 912345678", Email: "an.nv@dongtan.gov.vn"}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid staff refused: %v", err)
	}
}

func assignment(unit, pos, from string) domain.Assignment {
	return domain.Assignment{ID: unit + from, StaffID: "s1", UnitID: unit, Position: pos, Rank: "01.003", Step: 2, From: day(from)}
}

// Employment keeps exactly one active assignment, history is closed not rewritten, and a
// query "as of" a day returns that day's assignment.
func TestEmploymentLifecycle(t *testing.T) {
	t.Parallel()
	var e domain.Employment
	first, err := e.Hire(assignment("vp", "Chuyên viên", "2020-01-01"))
	if err != nil || first.Change != domain.ChangeHired {
		t.Fatalf("hire: %+v %v", first, err)
	}
	e.Assignments = append(e.Assignments, first)
	if _, err := e.Hire(assignment("kt", "Chuyên viên", "2021-01-01")); apperr.KindOf(err) != apperr.KindConflict {
		t.Fatalf("second hire while active: %v, want a conflict", err)
	}
	if _, _, err := e.Move(assignment("kt", "Chuyên viên", "2020-01-01")); fieldReasons(err)["effective_on"] == "" {
		t.Fatalf("move on the day the current one began: %v", err)
	}
	if _, _, err := e.Move(assignment("vp", "Chuyên viên", "2022-01-01")); apperr.KindOf(err) != apperr.KindConflict {
		t.Fatalf("move that changes nothing: %v", err)
	}
	closed, opened, err := e.Move(assignment("kt", "Phó trưởng phòng", "2022-07-01"))
	if err != nil || closed.To == nil || !closed.To.Equal(day("2022-07-01")) || opened.To != nil || opened.Change != domain.ChangeMoved {
		t.Fatalf("move: %+v %+v %v", closed, opened, err)
	}
	e.Assignments = []domain.Assignment{closed, opened}
	if cur, ok := e.Current(); !ok || cur.UnitID != "kt" {
		t.Fatalf("current after move: %+v", cur)
	}
	for on, unit := range map[string]string{"2019-12-31": "", "2020-01-01": "vp", "2022-06-30": "vp", "2022-07-01": "kt", "2030-01-01": "kt"} {
		got, ok := e.AsOf(day(on))
		if got.UnitID != unit || ok != (unit != "") {
			t.Errorf("as of %s: %q, want %q", on, got.UnitID, unit)
		}
	}
	if _, err := e.Leave(day("2024-01-01"), "  "); fieldReasons(err)["reason"] == "" {
		t.Fatalf("leaving without a reason: %v", err)
	}
	left, err := e.Leave(day("2024-01-01"), "Nghỉ hưu")
	if err != nil || left.EndReason != "Nghỉ hưu" || !left.To.Equal(day("2024-01-01")) {
		t.Fatalf("leave: %+v %v", left, err)
	}
	e.Assignments[1] = left
	if _, ok := e.Current(); ok {
		t.Fatal("still active after leaving")
	}
	if got, _ := e.AsOf(day("2023-12-31")); got.UnitID != "kt" {
		t.Fatalf("the day before leaving: %+v", got)
	}
	if _, err := e.Leave(day("2025-01-01"), "again"); apperr.KindOf(err) != apperr.KindConflict {
		t.Fatalf("leaving twice: %v", err)
	}
	if _, err := e.Hire(assignment("vp", "Chuyên viên", "2023-06-01")); fieldReasons(err)["effective_on"] == "" {
		t.Fatalf("rehire before the leaving day: %v", err)
	}
	if again, err := e.Hire(assignment("vp", "Chuyên viên", "2025-01-01")); err != nil || again.Change != domain.ChangeHired {
		t.Fatalf("rehire: %v", err)
	}
}

func TestUnitTreeRules(t *testing.T) {
	t.Parallel()
	closed := day("2024-01-01")
	tree := domain.NewTree([]domain.Unit{
		{ID: "root", Code: "UBND", OpenedOn: day("2020-01-01")},
		{ID: "vp", Code: "VP", ParentID: "root", OpenedOn: day("2020-01-01")},
		{ID: "team", Code: "T1", ParentID: "vp", OpenedOn: day("2020-01-01")},
		{ID: "old", Code: "OLD", ParentID: "root", OpenedOn: day("2020-01-01"), ClosedOn: &closed},
	})
	now := day("2025-01-01")
	if err := tree.CheckParent("vp", "team", now); fieldReasons(err)["parent_id"] == "" {
		t.Fatalf("moving a unit under its own child: %v", err)
	}
	if err := tree.CheckParent("vp", "vp", now); fieldReasons(err)["parent_id"] == "" {
		t.Fatalf("moving a unit under itself: %v", err)
	}
	if err := tree.CheckParent("team", "old", now); fieldReasons(err)["parent_id"] == "" {
		t.Fatalf("moving under a closed unit: %v", err)
	}
	if err := tree.CheckParent("team", "root", now); err != nil {
		t.Fatalf("a valid move: %v", err)
	}
	if err := tree.CheckClose("vp", now, "Sáp nhập", 0); apperr.KindOf(err) != apperr.KindConflict {
		t.Fatalf("closing a unit with an open child: %v", err)
	}
	if err := tree.CheckClose("team", now, "Sáp nhập", 3); apperr.KindOf(err) != apperr.KindConflict {
		t.Fatalf("closing a unit with staff: %v", err)
	}
	if err := tree.CheckClose("team", now, "", 0); fieldReasons(err)["reason"] == "" {
		t.Fatalf("closing without a reason: %v", err)
	}
	if err := tree.CheckClose("team", now, "Sáp nhập vào Văn phòng", 0); err != nil {
		t.Fatalf("a valid close: %v", err)
	}
	if got := tree.Subtree("root"); len(got) != 4 {
		t.Fatalf("subtree of root: %v", got)
	}
}

func TestCodeListRanks(t *testing.T) {
	t.Parallel()
	codes := domain.CodeList(domain.DefaultLevels())
	b1, ok := codes.Find(domain.Language, "B1")
	bac3, ok3 := codes.Find(domain.Language, "bac_3")
	if !ok || !ok3 || b1.Rank != bac3.Rank {
		t.Fatalf("CEFR B1 and bậc 3 must rank equal: %+v %+v", b1, bac3)
	}
	th := codes.Thresholds(domain.Language)
	if len(th) != 6 || !strings.Contains(th[2].Name, "B1") || !strings.Contains(th[2].Name, "Bậc 3") {
		t.Fatalf("language thresholds: %+v", th)
	}
	// A tenant's own level slots in between the defaults.
	codes = append(codes, domain.Level{Tenant: "xa-dong-tan", Kind: domain.IT, Code: "ic3", Name: "IC3", Rank: 15})
	if th := codes.Thresholds(domain.IT); len(th) != 3 || th[1].Code != "ic3" {
		t.Fatalf("IT thresholds with a tenant level: %+v", th)
	}
	// People's best ranks → "at or above" shares.
	shares := domain.AtOrAbove(codes.Thresholds(domain.IT), map[int]int{10: 2, 15: 1, 20: 1}, 8)
	if shares[0].Count != 4 || shares[1].Count != 2 || shares[2].Count != 1 || shares[0].Percent != 50 {
		t.Fatalf("shares: %+v", shares)
	}
}

func TestQualificationCheck(t *testing.T) {
	t.Parallel()
	codes := domain.CodeList(domain.DefaultLevels())
	q := domain.Qualification{Kind: domain.Professional, Level: "Dai_Hoc", AwardingBody: "Đại học Thái Bình", AwardedOn: day("2010-06-30")}
	if r := fieldReasons(q.Check(codes)); r["field"] == "" || len(r) != 1 {
		t.Fatalf("a degree without its field: %v", r)
	}
	q.Field = "Luật"
	if err := q.Check(codes); err != nil || q.Level != "dai_hoc" || q.Rank != 30 {
		t.Fatalf("valid degree: %+v %v", q, err)
	}
	lang := domain.Qualification{Kind: domain.Language, Level: "b2", AwardingBody: "ĐH Ngoại ngữ", AwardedOn: day("2015-01-01")}
	if r := fieldReasons(lang.Check(codes)); r["language"] == "" {
		t.Fatalf("a language certificate without the language: %v", r)
	}
	bad := domain.Qualification{Kind: domain.Political, Level: "tien_si", AwardingBody: "x", AwardedOn: day("2015-01-01")}
	if r := fieldReasons(bad.Check(codes)); !strings.Contains(r["level"], "không có trong danh mục") {
		t.Fatalf("a level of another kind: %v", r)
	}
	s, e := day("2024-03-01"), day("2024-02-01")
	tr := domain.Qualification{Kind: domain.Training, Course: "Bồi dưỡng kỹ năng số", StartOn: &s, EndOn: &e, AwardingBody: "Trường Chính trị tỉnh"}
	if r := fieldReasons(tr.Check(codes)); r["end_on"] == "" {
		t.Fatalf("a course ending before it starts: %v", r)
	}
	e = day("2024-03-15")
	tr.AwardedOn = time.Time{} // the failed check had defaulted it to the old end day
	if err := tr.Check(codes); err != nil || !tr.AwardedOn.Equal(e) || tr.Rank != 0 {
		t.Fatalf("valid training: %+v %v", tr, err)
	}
}

func TestPrivacy(t *testing.T) {
	t.Parallel()
	st := domain.Staff{Tenant: "xa-dong-tan", UserSubject: "user-hoa"}
	for _, tc := range []struct {
		name string
		a    platform.Actor
		want bool
	}{
		{"hr officer of the tenant", platform.Actor{Subject: "x", Tenant: "xa-dong-tan", Roles: []platform.Role{platform.RoleHROfficer}}, true},
		{"the person", platform.Actor{Subject: "user-hoa", Tenant: "xa-dong-tan"}, true},
		{"a colleague", platform.Actor{Subject: "y", Tenant: "xa-dong-tan", Roles: []platform.Role{platform.RoleDossierReceive}}, false},
		{"hr officer of the district above", platform.Actor{Subject: "z", Tenant: "huyen-dong-hung", Roles: []platform.Role{platform.RoleHROfficer}}, false},
		{"hr officer of another commune", platform.Actor{Subject: "w", Tenant: "xa-dong-la", Roles: []platform.Role{platform.RoleHROfficer}}, false},
		{"a service", platform.Actor{Subject: "dossiers", Tenant: "xa-dong-tan", Roles: []platform.Role{platform.RoleService}}, false},
	} {
		if got := domain.SeesPersonal(tc.a, st); got != tc.want {
			t.Errorf("%s: sees personal = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestDefaultUnitsOfACommune(t *testing.T) {
	t.Parallel()
	units := domain.DefaultUnits("commune", "UBND xã Đông Tân")
	codes := map[string]string{}
	for _, u := range units {
		codes[u.Code] = u.Name
		if u.Code != "UBND" && u.Parent != "UBND" {
			t.Errorf("%s hangs under %q", u.Code, u.Parent)
		}
	}
	if codes["UBND"] != "UBND xã Đông Tân" || codes["KT"] != "Phòng Kinh tế" || codes["TTPVHCC"] == "" || codes["VHXH"] == "" || codes["VP"] == "" {
		t.Fatalf("commune units: %v", codes)
	}
	if ward := domain.DefaultUnits("ward", "UBND phường X"); ward[2].Name != "Phòng Kinh tế, Hạ tầng và Đô thị" {
		t.Fatalf("ward economy office: %+v", ward[2])
	}
}

func TestTodayIsTheVietnameseDay(t *testing.T) {
	t.Parallel()
	// 23:30 UTC on 6 December is 06:30 on 7 December in Vietnam.
	if got, want := domain.Today(time.Date(2025, 12, 6, 23, 30, 0, 0, time.UTC)), time.Date(2025, 12, 7, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("Today = %s, want %s", got, want)
	}
	if got, want := domain.Today(time.Date(2025, 12, 7, 16, 59, 0, 0, time.UTC)), time.Date(2025, 12, 7, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("Today = %s, want %s", got, want)
	}
}
