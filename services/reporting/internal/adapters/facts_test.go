package adapters_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/reporting/internal/adapters"
	"egov.vn/platform/services/reporting/internal/app"
	"egov.vn/platform/services/reporting/internal/domain"
)

// TestFactsRoundTrip saves facts with every field set, more of them than one statement holds,
// and reads them back unchanged: the hand-written column lists and the statement chunking must
// agree with the tables on both databases. Saving the same counter deltas twice doubles them.
func TestFactsRoundTrip(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		migrated(t, db)
		ctx := context.Background()
		at := func(day int) time.Time { return time.Date(2026, 3, day, 8, 30, 15, 123456000, time.UTC) }
		var (
			dossiers  []domain.DossierFact
			documents []domain.DocumentFact
			staff     []domain.StaffFact
			dKeys     []domain.DossierKey
			docKeys   []domain.DocumentKey
			sKeys     []domain.StaffKey
		)
		for i := range 25 {
			tenant := communes[i%len(communes)]
			d := domain.DossierFact{DossierKey: domain.DossierKey{DossierID: fmt.Sprintf("d-%02d", i), Tenant: tenant},
				Version: int64(i + 3), ReceiptCode: fmt.Sprint("R", i), ProcedureCode: "P1", ProcedureName: "Cấp giấy phép",
				Field: "Xây dựng", Level: "commune", Channel: "online", State: "returned", Received: i%2 == 0,
				ReceivedAt: at(1), DueAt: at(5), RefusedAt: at(2), LegalMinutes: 2400, ResolvedAt: at(4), OnTime: i%3 == 0,
				ElapsedMinutes: 1500 + int64(i), ReturnedAt: at(6), ClosedAs: "withdrawn", ClosedAt: at(7),
				Rating: domain.RatingSatisfied, RatingVersion: int64(i + 4), RatedAt: at(8)}
			if i == 0 {
				d.RefusedAt, d.ClosedAt, d.ClosedAs = time.Time{}, time.Time{}, "" // NULL times too
			}
			dossiers, dKeys = append(dossiers, d), append(dKeys, d.DossierKey)
			doc := domain.DocumentFact{DocumentKey: domain.DocumentKey{DocumentID: fmt.Sprintf("doc-%02d", i), Tenant: tenant},
				Register: "outgoing", RegisteredAt: at(1), SentAt: at(2), ReceivedAt: at(3)}
			documents, docKeys = append(documents, doc), append(docKeys, doc.DocumentKey)
			s := domain.StaffFact{StaffKey: domain.StaffKey{StaffID: fmt.Sprintf("s-%02d", i), Tenant: tenant},
				Category: "cong_chuc", HiredAt: at(1), LeftAt: at(9),
				Qualified: map[string]time.Time{"it": at(2)}, BestRank: map[string]int64{"it": 3}}
			staff, sKeys = append(staff, s), append(sKeys, s.StaffKey)
		}
		deltas := domain.Deltas{}
		for i := range 200 { // more counters than one SQLite statement holds
			deltas.Add(communes[i%len(communes)], domain.MonthFor(2026, 1+i%12), fmt.Sprint("c", i%20), int64(i+1))
		}
		save := func() {
			t.Helper()
			err := db.Transaction(func(tx *gorm.DB) error {
				return adapters.NewTxFacts(tx).Save(ctx, app.Changes{Dossiers: dossiers, Documents: documents, Staff: staff,
					Counters: deltas, Tenants: communes})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		save()
		save() // upserts: the facts stay, the counters add up

		f := adapters.NewTxFacts(db)
		gotD, err := f.Dossiers(ctx, dKeys)
		if err != nil {
			t.Fatal(err)
		}
		gotDoc, err := f.Documents(ctx, docKeys)
		if err != nil {
			t.Fatal(err)
		}
		gotS, err := f.Staff(ctx, sKeys)
		if err != nil {
			t.Fatal(err)
		}
		if len(gotD) != len(dossiers) || len(gotDoc) != len(documents) || len(gotS) != len(staff) {
			t.Fatalf("loaded %d dossiers, %d documents, %d staff; want %d each", len(gotD), len(gotDoc), len(gotS), len(dossiers))
		}
		for i := range dossiers {
			if got := gotD[dKeys[i]]; !reflect.DeepEqual(got, dossiers[i]) {
				t.Errorf("dossier %d:\n got %+v\nwant %+v", i, got, dossiers[i])
			}
			if got := gotDoc[docKeys[i]]; !reflect.DeepEqual(got, documents[i]) {
				t.Errorf("document %d:\n got %+v\nwant %+v", i, got, documents[i])
			}
			if got := gotS[sKeys[i]]; !reflect.DeepEqual(got, staff[i]) {
				t.Errorf("staff %d:\n got %+v\nwant %+v", i, got, staff[i])
			}
		}
		var rows []struct {
			TenantID  string
			Month     int
			Indicator string
			Value     int64
		}
		if err := db.Table("report_counters").Select("tenant_id, month, indicator, value").Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(deltas) {
			t.Fatalf("%d counters, want %d", len(rows), len(deltas))
		}
		for _, r := range rows {
			if want := 2 * deltas[domain.DeltaKey{Tenant: r.TenantID, Month: domain.Month(r.Month), Indicator: r.Indicator}]; r.Value != want {
				t.Errorf("counter %s %d %s = %d, want %d", r.TenantID, r.Month, r.Indicator, r.Value, want)
			}
		}
		var tenants int64
		if err := db.Table("report_tenants").Count(&tenants).Error; err != nil {
			t.Fatal(err)
		}
		if tenants != int64(len(communes)) {
			t.Errorf("%d tenants registered, want %d", tenants, len(communes))
		}
	})
}
