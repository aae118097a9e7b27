package app_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace/noop"
	"gorm.io/gorm"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/sheet"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/hr/internal/adapters"
	"egov.vn/platform/services/hr/internal/app"
	"egov.vn/platform/services/hr/internal/domain"
)

// TestImportIsAllOrNothing: a dry run names every broken row by line and column and writes
// nothing; a commit of the same file is refused whole; the fixed file is written whole, with
// one event per person.
func TestImportIsAllOrNothing(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		a := newApp(t, db)
		ctx, actor := officer(t, a, "xa-dong-tan")
		rows := staffRows(5)
		broken := slices.Clone(rows)
		broken[1] = slices.Clone(rows[1])
		broken[1][3] = "034099000001" // CCCD whose year digits do not match the birth date
		broken[3] = slices.Clone(rows[3])
		broken[3][8] = "KHONGCO"         // no such unit
		broken[3][1] = "31-12-1980"      // unreadable date
		broken = append(broken, rows[0]) // the same person twice
		file := writeSheet(t, sheet.CSV, app.StaffColumns, broken)

		rep, err := a.Import(ctx, actor, app.StaffData, sheet.CSV, bytes.NewReader(file), false)
		if err != nil {
			t.Fatal(err)
		}
		want := []app.RowError{
			{Line: 3, Column: "cccd"}, {Line: 5, Column: "ngay_sinh"}, {Line: 5, Column: "ma_don_vi"}, {Line: 7, Column: "cccd"},
		}
		if rep.Rows != 6 || len(rep.Errors) != len(want) {
			t.Fatalf("dry run: %d rows, errors %+v; want %v", rep.Rows, rep.Errors, want)
		}
		for i, w := range want {
			if rep.Errors[i].Line != w.Line || rep.Errors[i].Column != w.Column || rep.Errors[i].Reason == "" {
				t.Errorf("error %d = %+v, want line %d column %s with a reason", i, rep.Errors[i], w.Line, w.Column)
			}
		}
		if !strings.Contains(rep.Errors[3].Reason, "dòng 2") {
			t.Errorf("the duplicate should name the first line: %q", rep.Errors[3].Reason)
		}
		_, err = a.Import(ctx, actor, app.StaffData, sheet.CSV, bytes.NewReader(file), true)
		if e := apperr.As(err); e == nil || e.Code != "import_rejected" || len(e.Details["report"].(app.ImportReport).Errors) != 4 {
			t.Fatalf("commit of a broken file: %v", err)
		}
		page, _ := a.ListStaff(ctx, actor, domain.StaffFilter{On: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		var outbox int64
		db.Model(&events.OutboxEvent{}).Count(&outbox)
		if page.Total != 0 || outbox != 0 {
			t.Fatalf("a refused import wrote %d people and %d events", page.Total, outbox)
		}

		good := writeSheet(t, sheet.CSV, app.StaffColumns, rows)
		rep, err = a.Import(ctx, actor, app.StaffData, sheet.CSV, bytes.NewReader(good), true)
		if err != nil || !rep.Committed || rep.Rows != 5 {
			t.Fatalf("commit: %+v %v", rep, err)
		}
		db.Model(&events.OutboxEvent{}).Count(&outbox)
		if page, _ = a.ListStaff(ctx, actor, domain.StaffFilter{On: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); page.Total != 5 || outbox != 5 {
			t.Fatalf("after the commit: %d people, %d events", page.Total, outbox)
		}
		// The same file again: every row's CCCD is on file now.
		if rep, _ = a.Import(ctx, actor, app.StaffData, sheet.CSV, bytes.NewReader(good), false); len(rep.Errors) != 5 || rep.Errors[0].Column != "cccd" {
			t.Fatalf("re-import dry run: %+v", rep.Errors)
		}

		// Qualifications of those people, linked by CCCD; a level not in the code list is named.
		q := [][]string{
			{rows[0][3], "professional", "dai_hoc", "Luật", "", "ĐH Luật Hà Nội", "2008-06-30", "", "", "", "", "BC-001"},
			{rows[1][3], "language", "b1", "", "Tiếng Anh", "ĐH Ngoại ngữ", "2015-01-10", "", "", "", "", ""},
			{rows[2][3], "training", "", "", "", "Trường Chính trị tỉnh", "", "Bồi dưỡng kỹ năng số", "2025-03-01", "2025-03-15", "Giỏi", ""},
			{rows[3][3], "it", "sieu_cap", "", "", "Trung tâm Tin học", "2020-01-01", "", "", "", "", ""},
		}
		qfile := writeSheet(t, sheet.XLSX, app.QualificationColumns, q)
		if rep, _ = a.Import(ctx, actor, app.QualificationsData, sheet.XLSX, bytes.NewReader(qfile), false); len(rep.Errors) != 1 || rep.Errors[0].Line != 5 || rep.Errors[0].Column != "trinh_do" {
			t.Fatalf("qualifications dry run: %+v", rep.Errors)
		}
		qfile = writeSheet(t, sheet.XLSX, app.QualificationColumns, q[:3])
		if rep, err = a.Import(ctx, actor, app.QualificationsData, sheet.XLSX, bytes.NewReader(qfile), true); err != nil || !rep.Committed {
			t.Fatalf("qualifications commit: %+v %v", rep, err)
		}
		var exported bytes.Buffer
		if err := a.Export(ctx, actor, app.QualificationsData, sheet.XLSX, time.Time{}, &exported); err != nil {
			t.Fatal(err)
		}
		_, back := readSheet(t, sheet.XLSX, exported.Bytes())
		if len(back) != 3 {
			t.Fatalf("exported qualifications: %v", back)
		}
	})
}

// TestXLSXRoundTripOf10000Rows: 10,000 staff written to XLSX, imported, exported to XLSX again,
// come back cell for cell.
func TestXLSXRoundTripOf10000Rows(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("10,000 rows: skipped in -short mode")
	}
	db := storetest.SQLite(t)
	a := newApp(t, db)
	ctx, actor := officer(t, a, "xa-dong-tan")
	rows := staffRows(10000)
	file := writeSheet(t, sheet.XLSX, app.StaffColumns, rows)
	rep, err := a.Import(ctx, actor, app.StaffData, sheet.XLSX, bytes.NewReader(file), true)
	if err != nil || !rep.Committed || rep.Rows != 10000 {
		t.Fatalf("import: %+v %v", rep.Errors, err)
	}
	var out bytes.Buffer
	if err := a.Export(ctx, actor, app.StaffData, sheet.XLSX, time.Time{}, &out); err != nil {
		t.Fatal(err)
	}
	header, back := readSheet(t, sheet.XLSX, out.Bytes())
	if !slices.Equal(header, app.StaffColumns) {
		t.Fatalf("header %v", header)
	}
	byCCCD := func(x, y []string) int { return strings.Compare(x[3], y[3]) }
	slices.SortFunc(rows, byCCCD)
	slices.SortFunc(back, byCCCD)
	if len(back) != len(rows) {
		t.Fatalf("exported %d rows, imported %d", len(back), len(rows))
	}
	for i := range rows {
		// Trailing empty cells are not stored in XLSX; compare the padded rows.
		got := append(back[i], make([]string, len(rows[i])-len(back[i]))...)
		if !slices.Equal(got, rows[i]) {
			t.Fatalf("row %d differs:\n got %q\nwant %q", i, got, rows[i])
		}
	}
}

// TestImportStopsAtItsLimits: a file with more rows than the import's limit is refused while it
// is read, as a dry run and as a commit, naming the limit, and writes nothing (issue 18,
// finding 10: a 1 MB XLSX of 200,000 rows cost 32 s of CPU for one dry run).
func TestImportStopsAtItsLimits(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		if err := adapters.Migrate(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		a := app.New(app.Deps{Repo: adapters.NewStore(db, events.NewOutbox(nil)), Tracer: noop.NewTracerProvider().Tracer("hr-test"),
			ImportLimits: sheet.Limits{Rows: 3}})
		ctx, actor := officer(t, a, "xa-dong-tan")
		for _, f := range []sheet.Format{sheet.CSV, sheet.XLSX} {
			file := writeSheet(t, f, app.StaffColumns, staffRows(5))
			for _, commit := range []bool{false, true} {
				_, err := a.Import(ctx, actor, app.StaffData, f, bytes.NewReader(file), commit)
				if e := apperr.As(err); e == nil || e.Kind != apperr.KindInvalid || !strings.Contains(e.Error(), "quá 3 dòng") {
					t.Fatalf("%s commit=%v: a file over the row limit: %v", f, commit, err)
				}
			}
			if rep, err := a.Import(ctx, actor, app.StaffData, f, bytes.NewReader(writeSheet(t, f, app.StaffColumns, staffRows(3))), false); err != nil || rep.Rows != 3 {
				t.Fatalf("%s: a file at the limit: %+v %v", f, rep, err)
			}
		}
		page, _ := a.ListStaff(ctx, actor, domain.StaffFilter{On: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		var outbox int64
		db.Model(&events.OutboxEvent{}).Count(&outbox)
		if page.Total != 0 || outbox != 0 {
			t.Fatalf("refused imports wrote %d people and %d events", page.Total, outbox)
		}
	})
}
