package adapters_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/hr/internal/adapters"
	"egov.vn/platform/services/hr/internal/domain"
)

func day(s string) time.Time {
	d, err := time.Parse(domain.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return d
}

func newStore(t *testing.T, db *gorm.DB) *adapters.Store {
	t.Helper()
	if err := adapters.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	if err := adapters.Migrate(context.Background(), db); err != nil { // a restart
		t.Fatalf("second migrate: %v", err)
	}
	return adapters.NewStore(db, events.NewOutbox(nil))
}

func scoped(tenant string, readable ...string) context.Context {
	return store.WithScope(context.Background(), store.Scope{Tenant: tenant, Readable: readable})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func person(id, name, cccd string) domain.Staff {
	return domain.Staff{ID: id, FullName: name, BirthDate: day("1985-03-12"), Gender: domain.Male, CCCD: cccd, Category: domain.CongChuc}
}

// TestStoreContract runs the repository's contract on SQLite and PostgreSQL.
func TestStoreContract(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		tan, la := scoped("xa-dong-tan"), scoped("xa-dong-la")
		district := scoped("huyen-dong-hung", "xa-dong-tan", "xa-dong-la")

		// Units with history.
		root := domain.Unit{ID: "u-root", Code: "UBND", Name: "UBND xã Đông Tân", Kind: domain.UnitAuthority, OpenedOn: day("2020-01-01")}
		vp := domain.Unit{ID: "u-vp", Code: "VP", Name: "Văn phòng", Kind: domain.UnitOffice, ParentID: "u-root", OpenedOn: day("2020-01-01")}
		kt := domain.Unit{ID: "u-kt", Code: "KT", Name: "Phòng Kinh tế", Kind: domain.UnitDepartment, ParentID: "u-root", OpenedOn: day("2020-01-01")}
		for _, u := range []domain.Unit{root, vp, kt} {
			must(t, s.CreateUnit(tan, u, "", "tester"))
		}
		if err := s.CreateUnit(tan, domain.Unit{ID: "u-dup", Code: "VP", Name: "x", Kind: domain.UnitOffice, OpenedOn: day("2020-01-01")}, "", ""); apperr.KindOf(err) != apperr.KindConflict {
			t.Fatalf("a second open unit with code VP: %v", err)
		}
		// Another tenant may use the same code.
		must(t, s.CreateUnit(la, domain.Unit{ID: "u-la-vp", Code: "VP", Name: "Văn phòng xã Đông La", Kind: domain.UnitOffice, OpenedOn: day("2020-01-01")}, "", ""))
		vp.Name = "Văn phòng HĐND và UBND"
		must(t, s.ChangeUnit(tan, vp, domain.ChangeRenamed, day("2025-07-01"), "", "tester"))
		vs, err := s.UnitVersions(tan, "", "u-vp")
		must(t, err)
		if len(vs) != 2 || vs[0].Name != "Văn phòng" || vs[0].ValidTo == nil || !vs[0].ValidTo.Equal(day("2025-07-01")) || vs[1].ValidTo != nil {
			t.Fatalf("versions after a rename: %+v", vs)
		}
		if err := s.ChangeUnit(tan, vp, domain.ChangeRenamed, day("2024-01-01"), "", ""); apperr.KindOf(err) != apperr.KindInvalid {
			t.Fatalf("a change dated before the last one: %v", err)
		}
		units, err := s.Units(tan, "")
		must(t, err)
		if len(units) != 3 {
			t.Fatalf("own units: %d", len(units))
		}
		if _, err := s.Unit(la, "u-vp"); apperr.KindOf(err) != apperr.KindNotFound {
			t.Fatalf("another commune reads a unit of xa-dong-tan: %v", err)
		}
		if _, err := s.Units(la, "xa-dong-tan"); apperr.KindOf(err) != apperr.KindForbidden {
			t.Fatalf("another commune lists xa-dong-tan's units: %v", err)
		}
		if got, err := s.Units(district, "xa-dong-tan"); err != nil || len(got) != 3 {
			t.Fatalf("the district reads its commune's units: %d %v", len(got), err)
		}

		// Staff and effective-dated employment, with an event in the same transaction.
		an := person("s-an", "Nguyễn Văn An", "034085001234")
		must(t, s.Transact(tan, func(ctx context.Context) error {
			if err := s.CreateStaff(ctx, an); err != nil {
				return err
			}
			if err := s.AddAssignment(ctx, domain.Assignment{ID: "a1", StaffID: an.ID, UnitID: "u-vp", Position: "Chuyên viên", Rank: "01.003", Step: 1,
				From: day("2020-03-01"), Change: domain.ChangeHired}, "tester"); err != nil {
				return err
			}
			evt, err := events.New(events.Topic{Tenant: "xa-dong-tan", Service: "hr", Entity: "staff", Verb: "hired"}, an.ID, map[string]string{"staff_id": an.ID})
			if err != nil {
				return err
			}
			return s.Publish(ctx, evt)
		}))
		// A failed transaction leaves neither the row nor its event.
		boom := errors.New("boom")
		err = s.Transact(tan, func(ctx context.Context) error {
			if err := s.CreateStaff(ctx, person("s-ghost", "Ma", "034085009999")); err != nil {
				return err
			}
			evt, _ := events.New(events.Topic{Tenant: "xa-dong-tan", Service: "hr", Entity: "staff", Verb: "hired"}, "s-ghost", map[string]string{})
			if err := s.Publish(ctx, evt); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("rolled-back transaction: %v", err)
		}
		var outbox int64
		must(t, db.Model(&events.OutboxEvent{}).Count(&outbox).Error)
		if outbox != 1 {
			t.Fatalf("outbox rows = %d, want only the committed event", outbox)
		}
		if _, err := s.Staff(tan, "s-ghost"); apperr.KindOf(err) != apperr.KindNotFound {
			t.Fatalf("rolled-back staff: %v", err)
		}
		if err := s.CreateStaff(tan, person("s-an2", "Trùng", "034085001234")); apperr.KindOf(err) != apperr.KindConflict {
			t.Fatalf("the same CCCD twice in a tenant: %v", err)
		}
		must(t, s.CreateStaff(la, person("s-an-la", "Nguyễn Văn An", "034085001234"))) // another tenant: allowed

		// Move on 2023-01-01: as of 2022 he was in VP, as of 2023 in KT.
		emp, err := s.Employment(tan, an.ID)
		must(t, err)
		closed, opened, err := emp.Move(domain.Assignment{ID: "a2", UnitID: "u-kt", Position: "Phó trưởng phòng", Rank: "01.002", Step: 3, From: day("2023-01-01")})
		must(t, err)
		must(t, s.CloseAssignment(tan, closed))
		must(t, s.AddAssignment(tan, opened, "tester"))
		if err := s.CloseAssignment(tan, closed); apperr.KindOf(err) != apperr.KindConflict {
			t.Fatalf("closing an assignment twice: %v", err)
		}
		for on, want := range map[string]string{"2019-12-31": "", "2022-12-31": "u-vp", "2023-01-01": "u-kt"} {
			got, total, err := s.ListStaff(tan, domain.StaffFilter{On: day(on)})
			must(t, err)
			if want == "" {
				if total != 0 {
					t.Errorf("as of %s: %d people, want none", on, total)
				}
				continue
			}
			if total != 1 || got[0].Assignment.UnitID != want || got[0].Staff.CCCD != an.CCCD {
				t.Errorf("as of %s: %+v, want unit %s", on, got, want)
			}
		}
		if got, _, err := s.ListStaff(tan, domain.StaffFilter{On: day("2024-01-01"), UnitIDs: []string{"u-vp"}}); err != nil || len(got) != 0 {
			t.Fatalf("filter by a unit he left: %+v %v", got, err)
		}
		if got, _, err := s.ListStaff(tan, domain.StaffFilter{On: day("2024-01-01"), Query: "văn an"}); err != nil || len(got) != 1 {
			t.Fatalf("search by name: %+v %v", got, err)
		}
		if got, _, err := s.ListStaff(la, domain.StaffFilter{On: day("2024-01-01")}); err != nil || len(got) != 0 {
			t.Fatalf("xa-dong-la sees %d of its own active staff (none hired), err %v", len(got), err)
		}
		if _, _, err := s.ListStaff(la, domain.StaffFilter{Tenant: "xa-dong-tan", On: day("2024-01-01")}); apperr.KindOf(err) != apperr.KindForbidden {
			t.Fatalf("xa-dong-la lists xa-dong-tan: %v", err)
		}
		if n, err := s.ActiveInUnit(tan, "u-kt", day("2024-01-01")); err != nil || n != 1 {
			t.Fatalf("active in KT: %d %v", n, err)
		}

		// Code lists: defaults for all, a tenant's own level for that tenant only.
		codes, err := s.Levels(tan)
		must(t, err)
		if len(codes) != len(domain.DefaultLevels()) {
			t.Fatalf("default levels: %d", len(codes))
		}
		ic3 := domain.Level{Kind: domain.IT, Code: "ic3", Name: "IC3", Rank: 15}
		must(t, s.AddLevel(tan, ic3))
		if err := s.AddLevel(tan, ic3); apperr.KindOf(err) != apperr.KindConflict {
			t.Fatalf("the same level twice: %v", err)
		}
		if err := s.AddLevel(tan, domain.Level{Kind: domain.IT, Code: "co_ban", Name: "x", Rank: 5}); apperr.KindOf(err) != apperr.KindConflict {
			t.Fatalf("shadowing a default level: %v", err)
		}
		if c, _ := s.Levels(tan); len(c) != len(codes)+1 {
			t.Fatalf("xa-dong-tan's levels after adding one: %d", len(c))
		}
		if c, _ := s.Levels(la); len(c) != len(codes) {
			t.Fatalf("xa-dong-la sees xa-dong-tan's level: %d", len(c))
		}

		// Qualifications and statistics as of a day.
		must(t, s.AddQualification(tan, domain.Qualification{ID: "q1", StaffID: an.ID, Kind: domain.Professional, Level: "dai_hoc", Rank: 30,
			Field: "Kinh tế", AwardingBody: "ĐH Kinh tế Quốc dân", AwardedOn: day("2008-06-30")}))
		must(t, s.AddQualification(tan, domain.Qualification{ID: "q2", StaffID: an.ID, Kind: domain.Professional, Level: "thac_si", Rank: 40,
			Field: "Kinh tế", AwardingBody: "ĐH Kinh tế Quốc dân", AwardedOn: day("2024-06-30")}))
		must(t, s.SetEvidence(tan, "q2", domain.Evidence{Key: "k", FileName: "bang.pdf", ContentType: "application/pdf", Size: 3, SHA256: "abc"}))
		if q, err := s.Qualification(tan, "q2"); err != nil || q.Evidence == nil || q.Evidence.FileName != "bang.pdf" {
			t.Fatalf("evidence: %+v %v", q, err)
		}
		if _, err := s.Qualification(la, "q2"); apperr.KindOf(err) != apperr.KindNotFound {
			t.Fatalf("another tenant reads a qualification: %v", err)
		}
		raw, err := s.Statistics(tan, "", nil, day("2023-06-01"))
		must(t, err)
		if raw.ByCategory[domain.CongChuc] != 1 || raw.BestRanks[domain.Professional][30] != 1 {
			t.Fatalf("statistics in 2023 (bachelor only): %+v", raw)
		}
		raw, err = s.Statistics(tan, "", []string{"u-kt"}, day("2025-01-01"))
		must(t, err)
		if raw.BestRanks[domain.Professional][40] != 1 || raw.BestRanks[domain.Professional][30] != 0 {
			t.Fatalf("statistics in 2025 (best is the master's): %+v", raw)
		}
		if raw, _ := s.Statistics(tan, "", []string{"u-vp"}, day("2025-01-01")); raw.ByCategory[domain.CongChuc] != 0 {
			t.Fatalf("VP's headcount after he moved: %+v", raw)
		}
		if _, err := s.Statistics(la, "xa-dong-tan", nil, day("2025-01-01")); apperr.KindOf(err) != apperr.KindForbidden {
			t.Fatalf("a sibling commune's statistics: %v", err)
		}
		if raw, err := s.Statistics(district, "xa-dong-tan", nil, day("2025-01-01")); err != nil || raw.ByCategory[domain.CongChuc] != 1 {
			t.Fatalf("the district reads its commune's statistics: %+v %v", raw, err)
		}
		m, err := s.Movements(tan, "", nil, day("2020-01-01"), day("2025-01-01"))
		must(t, err)
		if m.Hired != 1 || m.Moved != 1 || m.Left != 0 {
			t.Fatalf("movements: %+v", m)
		}

		// Bulk import in one transaction, all or nothing.
		hires := []domain.Hire{
			{Staff: person("s-b", "Trần Thị Bình", "034185001111"), Assignment: domain.Assignment{ID: "ab", StaffID: "s-b", UnitID: "u-vp", Position: "Văn thư", From: day("2024-01-01"), Change: domain.ChangeHired}},
			{Staff: person("s-c", "Lê Văn Cường", "034085001234"), Assignment: domain.Assignment{ID: "ac", StaffID: "s-c", UnitID: "u-vp", Position: "Kế toán", From: day("2024-01-01"), Change: domain.ChangeHired}},
		}
		err = s.Transact(tan, func(ctx context.Context) error { return s.ImportStaff(ctx, hires, "tester") })
		if apperr.KindOf(err) != apperr.KindConflict {
			t.Fatalf("an import with a CCCD on file: %v", err)
		}
		if _, err := s.Staff(tan, "s-b"); apperr.KindOf(err) != apperr.KindNotFound {
			t.Fatalf("a failed import left a row: %v", err)
		}
		ids, err := s.StaffIDsByCCCD(tan, []string{"034085001234", "000000000000"})
		if err != nil || len(ids) != 1 || ids["034085001234"] != an.ID {
			t.Fatalf("by CCCD: %v %v", ids, err)
		}

		// Without a scope nothing is read.
		if _, err := s.Units(context.Background(), ""); !errors.Is(err, store.ErrNoScope) {
			t.Fatalf("no scope: %v", err)
		}
	})
}
