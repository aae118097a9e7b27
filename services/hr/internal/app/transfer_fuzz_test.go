package app_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/sheet"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/hr/internal/app"
	"egov.vn/platform/services/hr/internal/domain"
)

// FuzzImportDryRun feeds any file, as CSV or XLSX, to the staff and qualifications import's
// check (the wizard's first step): no panic; a file refused as a whole is an invalid/malformed
// apperr; a report names real lines (after the header) and columns with a reason; and a dry
// run writes nothing, neither people nor events.
func FuzzImportDryRun(f *testing.F) {
	staff := staffRows(3)
	for _, format := range []sheet.Format{sheet.CSV, sheet.XLSX} {
		f.Add(false, format == sheet.XLSX, writeSheet(f, format, app.StaffColumns, staff))
		f.Add(true, format == sheet.XLSX, writeSheet(f, format, app.QualificationColumns, qualificationRows(staff)))
	}
	broken := [][]string{append([]string(nil), staff[0]...)}
	broken[0][1], broken[0][3] = "31-12-1980", "03409900000x"
	f.Add(false, false, writeSheet(f, sheet.CSV, app.StaffColumns, broken))
	f.Add(false, false, []byte("ho_ten\n=cmd|' /C calc'!A0\n"))
	f.Add(true, false, []byte{})

	db := storetest.SQLite(f)
	a := newApp(f, db)
	ctx, actor := officer(f, a, "xa-dong-tan")
	f.Fuzz(func(t *testing.T, qualifications, xlsx bool, data []byte) {
		ds, format := app.StaffData, sheet.CSV
		if qualifications {
			ds = app.QualificationsData
		}
		if xlsx {
			format = sheet.XLSX
		}
		rep, err := a.Import(ctx, actor, ds, format, bytes.NewReader(data), false)
		if err != nil {
			var e *apperr.Error
			if !errors.As(err, &e) || (e.Kind != apperr.KindInvalid && e.Kind != apperr.KindMalformed) {
				t.Fatalf("file refused with %T %v, want an invalid or malformed apperr", err, err)
			}
		} else {
			if rep.Committed {
				t.Fatal("a dry run says it committed")
			}
			for _, e := range rep.Errors {
				if e.Line < 2 || e.Column == "" || e.Reason == "" {
					t.Fatalf("report error %+v names no cell", e)
				}
			}
		}
		var people, outbox int64
		db.Model(&events.OutboxEvent{}).Count(&outbox)
		page, err := a.ListStaff(ctx, actor, domain.StaffFilter{On: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		people = int64(page.Total)
		if people != 0 || outbox != 0 {
			t.Fatalf("a dry run wrote %d people and %d events", people, outbox)
		}
	})
}
