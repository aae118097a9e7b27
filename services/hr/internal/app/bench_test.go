package app_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"egov.vn/platform/libs/sheet"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/hr/internal/app"
)

func benchDBs(b *testing.B, fn func(b *testing.B, db *gorm.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, storetest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, storetest.Postgres(b)) })
}

// qualificationRows gives each person a degree, most a political-theory level, an IT and a
// language certificate, and some a training: about 4 rows per person.
func qualificationRows(staff [][]string) [][]string {
	prof := []string{"trung_cap", "cao_dang", "dai_hoc", "dai_hoc", "thac_si", "tien_si"}
	pol := []string{"so_cap", "trung_cap", "cao_cap", "cu_nhan"}
	lang := []string{"a2", "b1", "bac_3", "b2", "c1"}
	var out [][]string
	for i, s := range staff {
		cccd := s[3]
		out = append(out, []string{cccd, "professional", prof[i%len(prof)], "Hành chính công", "", "Học viện Hành chính", "2010-06-30", "", "", "", "", ""})
		if i%4 != 0 {
			out = append(out, []string{cccd, "political", pol[i%len(pol)], "", "", "Trường Chính trị tỉnh", "2015-12-01", "", "", "", "", ""})
		}
		out = append(out, []string{cccd, "it", []string{"co_ban", "nang_cao"}[i%2], "", "", "Trung tâm Tin học", "2018-03-01", "", "", "", "", ""})
		if i%3 == 0 {
			out = append(out, []string{cccd, "language", lang[i%len(lang)], "", "Tiếng Anh", "ĐH Ngoại ngữ", "2019-05-20", "", "", "", "", ""})
		}
		if i%5 == 0 {
			out = append(out, []string{cccd, "training", "", "", "", "Sở Nội vụ", "", "Bồi dưỡng chuyên viên", "2025-02-01", "2025-02-20", "Khá", ""})
		}
	}
	return out
}

// BenchmarkStatistics5000Staff: headcount by category and the at-or-above shares of every
// qualification kind for a tenant of 5,000 staff (about 18,000 qualifications). Goal ≤ 50 ms.
func BenchmarkStatistics5000Staff(b *testing.B) {
	benchDBs(b, func(b *testing.B, db *gorm.DB) {
		a := newApp(b, db)
		ctx, actor := officer(b, a, "xa-dong-tan")
		staff := staffRows(5000)
		if _, err := a.Import(ctx, actor, app.StaffData, sheet.CSV, bytes.NewReader(writeSheet(b, sheet.CSV, app.StaffColumns, staff)), true); err != nil {
			b.Fatal(err)
		}
		if _, err := a.Import(ctx, actor, app.QualificationsData, sheet.CSV, bytes.NewReader(writeSheet(b, sheet.CSV, app.QualificationColumns, qualificationRows(staff))), true); err != nil {
			b.Fatal(err)
		}
		on := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		st, err := a.Statistics(ctx, actor, "", "", on)
		if err != nil || st.Headcount != 5000 {
			b.Fatalf("statistics: %d %v", st.Headcount, err)
		}
		b.ResetTimer()
		for b.Loop() {
			if _, err := a.Statistics(ctx, actor, "", "", on); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkImport10000Rows: a 10,000-row XLSX staff file checked and written in one
// transaction with its 10,000 outbox events, into a fresh tenant each time. Goal ≤ 5 s.
func BenchmarkImport10000Rows(b *testing.B) {
	benchDBs(b, func(b *testing.B, db *gorm.DB) {
		a := newApp(b, db)
		file := writeSheet(b, sheet.XLSX, app.StaffColumns, staffRows(10000))
		b.SetBytes(int64(len(file)))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			ctx, actor := officer(b, a, fmt.Sprintf("xa-bench-%d", i))
			b.StartTimer()
			rep, err := a.Import(ctx, actor, app.StaffData, sheet.XLSX, bytes.NewReader(file), true)
			if err != nil || !rep.Committed {
				b.Fatalf("import: %v %+v", err, rep.Errors)
			}
		}
	})
}
