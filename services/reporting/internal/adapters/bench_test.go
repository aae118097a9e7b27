package adapters_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/trace/noop"
	"gorm.io/gorm"

	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/reporting/internal/adapters"
	"egov.vn/platform/services/reporting/internal/app"
	"egov.vn/platform/services/reporting/internal/domain"
)

var benchDBs = []struct {
	name string
	open func(testing.TB) *gorm.DB
}{
	{store.SQLite, func(t testing.TB) *gorm.DB { return storetest.SQLite(t) }},
	{store.Postgres, func(t testing.TB) *gorm.DB { return storetest.Postgres(t) }},
}

// BenchmarkIngest measures how fast the consumer applies events from JetStream into the read
// model, per database and events per transaction. b.N events (a dossier's receipt, result and
// rating, in that proportion, over 30 communes) are published before the timer starts; run with
// a fixed count, e.g. -benchtime=20000x.
func BenchmarkIngest(b *testing.B) {
	for _, k := range benchDBs {
		for _, batch := range []int{1, 500, 2000, 5000} {
			b.Run(fmt.Sprintf("%s/batch=%d", k.name, batch), func(b *testing.B) {
				if batch == 1 && b.N > 2000 {
					b.Skip("one event per transaction: run with -benchtime=2000x or less")
				}
				db := migrated(b, k.open(b))
				js := jetStream(b)
				h := &history{}
				start := time.Date(2026, 1, 1, 0, 0, 0, 0, ict)
				for i := 0; len(h.events) < b.N; i++ {
					tenant := fmt.Sprintf("xa-%02d", i%30)
					id := uuid.NewString()
					rec := start.Add(time.Duration(i) * time.Minute)
					base := func(v int, verb string) map[string]any {
						return map[string]any{"dossier_id": id, "receipt_code": fmt.Sprint(i), "tenant": tenant, "channel": "online",
							"state": verb, "version": v, "received_at": rec, "due_at": rec.Add(72 * time.Hour), "occurred_at": rec,
							"legal_minutes": 1440, "resolved_at": rec.Add(time.Hour), "on_time": true, "elapsed_minutes": 60, "rating": "satisfied"}
					}
					for v, verb := range []string{"received", "result-ready", "rated"} {
						if len(h.events) < b.N {
							h.events = append(h.events, pending{events.Topic{Tenant: tenant, Service: "dossiers", Entity: "dossier", Verb: verb}, base(v+1, verb)})
						}
					}
				}
				publishEvents(b, js, h, false)
				b.ResetTimer()
				stop := runIngest(b, db, js, batch)
				// Done when JetStream has every event acknowledged, which the consumer does after its
				// transaction commits. Asking the server is cheap; counting processed_events every few
				// milliseconds, as this loop did, competed with the ingest for the database and the CPU.
				for !drained(b, js) {
					time.Sleep(5 * time.Millisecond)
				}
				b.StopTimer()
				stop()
				if n := processed(b, db); n != int64(b.N) {
					b.Fatalf("processed %d events, want %d", n, b.N)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			})
		}
	}
}

// drained reports whether the durable consumer exists and has nothing pending or unacknowledged.
func drained(b *testing.B, js jetstream.JetStream) bool {
	b.Helper()
	c, err := js.Consumer(context.Background(), bootstrap.Stream, durable)
	if err != nil {
		return false // not created yet
	}
	info, err := c.Info(context.Background())
	return err == nil && info.NumPending == 0 && info.NumAckPending == 0
}

// BenchmarkDashboard measures the district's dashboard (its report, its 30 communes' reports and
// 12 months of trend) over a read model representing 10,000,000 dossiers: 30 communes × 60
// months of counters whose receipts sum to 10 million, plus REPORTING_BENCH_FACTS rows in the
// per-dossier fact table (default 100000; the dashboard never reads it, which is the point).
func BenchmarkDashboard(b *testing.B) {
	facts := 100000
	if v := os.Getenv("REPORTING_BENCH_FACTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("REPORTING_BENCH_FACTS: %v", err)
		}
		facts = n
	}
	for _, k := range benchDBs {
		b.Run(k.name, func(b *testing.B) {
			db := migrated(b, k.open(b))
			const communes, months, dossiers = 30, 60, 10_000_000
			s := adapters.NewStore(db)
			ctx := context.Background()
			if _, err := s.RegisterTenant(ctx, app.Tenant{Slug: "huyen-bench", Name: "UBND huyện", Kind: "district"}); err != nil {
				b.Fatal(err)
			}
			perCell := int64(dossiers / (communes * months))
			var values []string
			first := domain.MonthFor(2022, 1)
			var total int64
			for c := range communes {
				slug := fmt.Sprintf("xa-bench-%02d", c)
				if _, err := s.RegisterTenant(ctx, app.Tenant{Slug: slug, Name: "UBND xã " + strconv.Itoa(c), Kind: "commune", Parent: "huyen-bench"}); err != nil {
					b.Fatal(err)
				}
				for m := range months {
					month := int(first.Add(m))
					rec := perCell
					if c == 0 && m == 0 {
						rec += dossiers - perCell*communes*months // the remainder, so the total is exact
					}
					total += rec
					res := rec * 9 / 10
					for ind, v := range map[string]int64{
						domain.CReceived: rec, domain.CReceivedOnline: rec / 2, domain.CReceivedDesk: rec - rec/2,
						domain.CResolved: res, domain.CResolvedOnTime: res * 95 / 100, domain.CResolvedLate: res - res*95/100,
						domain.CElapsedMinutes: res * 1500, domain.CLegalMinutes: res * 2400, domain.COpen: rec - res,
						domain.COverdueOpen: (rec - res) / 10, domain.CReturned: res, domain.CRatings: res / 2,
						domain.CRatingsSatisfied: res * 2 / 5, domain.CDocsOutgoing: 200, domain.CDocsElectronic: 170,
						domain.CStaff: 1, domain.CQualified + "professional": 1, domain.CQualified + "it": 1,
					} {
						values = append(values, fmt.Sprintf("('%s',%d,'%s',%d)", slug, month, ind, v))
					}
				}
			}
			if total != dossiers {
				b.Fatalf("seeded %d dossiers, want %d", total, dossiers)
			}
			for i := 0; i < len(values); i += 500 {
				chunk := values[i:min(i+500, len(values))]
				if err := db.Exec("INSERT INTO report_counters (tenant_id, month, indicator, value) VALUES " + strings.Join(chunk, ",")).Error; err != nil {
					b.Fatal(err)
				}
			}
			seedFacts(b, db, facts, communes)
			a := app.New(s, nil, noop.NewTracerProvider().Tracer("bench"))
			vctx := viewer(b, a, "huyen-bench")
			d, err := a.Dashboard(vctx, "huyen-bench", "2026", "")
			if err != nil {
				b.Fatal(err)
			}
			all, err := a.Report(vctx, "huyen-bench", "2022", "")
			if err != nil {
				b.Fatal(err)
			}
			if len(d.Children) != communes || all.Ledger.Received+all.Ledger.CarriedOver == 0 {
				b.Fatalf("dashboard shows %d communes, %d received", len(d.Children), all.Ledger.Received)
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := a.Dashboard(vctx, "huyen-bench", "2026", ""); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/dashboard")
		})
	}
}

// seedFacts fills the per-dossier fact table with n rows spread over the communes.
func seedFacts(b *testing.B, db *gorm.DB, n, communes int) {
	b.Helper()
	const chunk = 1000
	rec := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i += chunk {
		var rows []string
		for j := i; j < min(i+chunk, n); j++ {
			rows = append(rows, fmt.Sprintf("('xa-bench-%02d','%s',1,'%d','online','result_ready',%s,'%s',202405,202405,202405)",
				j%communes, uuid.NewString(), j, "true", rec.Format("2006-01-02 15:04:05")))
		}
		err := db.Exec("INSERT INTO report_dossiers (tenant_id, dossier_id, version, receipt_code, channel, state, received, received_at, received_month, ended_month, resolved_month) VALUES " +
			strings.Join(rows, ",")).Error
		if err != nil {
			b.Fatal(err)
		}
	}
}
