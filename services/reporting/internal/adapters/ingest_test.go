package adapters_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/trace/noop"
	"gorm.io/gorm"

	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/services/reporting/internal/adapters"
	"egov.vn/platform/services/reporting/internal/app"
)

const (
	district = "huyen-dong-hung"
	durable  = "reporting"
)

var communes = []string{"xa-dong-tan", "xa-dong-la", "xa-dong-phong"}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// jetStream starts a private NATS (the test makes the platform stream on egov.>, which would
// overlap other tests' streams on a shared server) with the platform stream.
func jetStream(t testing.TB) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect("nats://" + testenv.StartNATS(t).Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := events.EnsureStream(context.Background(), js, bootstrap.Stream); err != nil {
		t.Fatal(err)
	}
	return js
}

func migrated(t testing.TB, db *gorm.DB) *gorm.DB {
	t.Helper()
	if err := adapters.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return db
}

// registerTree registers the district and its communes as the provisioning call would.
func registerTree(t testing.TB, db *gorm.DB) {
	t.Helper()
	s := adapters.NewStore(db)
	ctx := context.Background()
	for _, u := range append([]app.Tenant{{Slug: district, Name: "UBND huyện Đông Hưng", Kind: "district", Code: "341"}},
		app.Tenant{Slug: communes[0], Name: "UBND xã Đông Tân", Kind: "commune", Parent: district},
		app.Tenant{Slug: communes[1], Name: "UBND xã Đông La", Kind: "commune", Parent: district},
		app.Tenant{Slug: communes[2], Name: "UBND xã Đông Phong", Kind: "commune", Parent: district}) {
		if _, err := s.RegisterTenant(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
}

// runIngest runs the consumer until stop is called.
func runIngest(t testing.TB, db *gorm.DB, js jetstream.JetStream, batch int) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	in := &adapters.Ingest{DB: db, JS: js, Stream: bootstrap.Stream, Durable: durable, Batch: batch, Log: quietLog(),
		Tracer: noop.NewTracerProvider().Tracer("test"), MaxWait: 50 * time.Millisecond,
		AckWait: 3 * time.Second} // what a consumer stopped mid-stream held comes back soon
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := in.Run(ctx); err != nil {
			t.Errorf("ingest: %v", err)
		}
	})
	return func() { cancel(); wg.Wait() }
}

// processed counts the event ids the consumer recorded.
func processed(t testing.TB, db *gorm.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Model(&events.ProcessedEvent{}).Where("consumer = ?", durable).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// waitCaughtUp waits until the durable consumer has nothing pending or unacknowledged.
func waitCaughtUp(t testing.TB, js jetstream.JetStream) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		c, err := js.Consumer(context.Background(), bootstrap.Stream, durable)
		if err == nil {
			if info, err := c.Info(context.Background()); err == nil && info.NumPending == 0 && info.NumAckPending == 0 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the consumer did not catch up within 3 minutes")
}

// viewer is a district leader's context with the read scope the app gives them.
func viewer(t testing.TB, a *app.App, tenant string) context.Context {
	t.Helper()
	who := platform.Actor{Subject: "u", Tenant: platform.Slug(tenant), Roles: []platform.Role{platform.RoleReportView}}
	ctx, err := a.Scope(context.Background(), who)
	if err != nil {
		t.Fatal(err)
	}
	return ctx
}

type periodCase struct {
	key  string
	span span
}

// periods are read at historyNow (18 November 2026): months, quarters and years over, the
// month, quarter and year still running (read at now), and a month not begun yet.
var periods = []periodCase{
	{"2025-03", monthSpan(2025, 3)}, {"2025-12", monthSpan(2025, 12)}, {"2026-07", monthSpan(2026, 7)},
	{"2026-10", monthSpan(2026, 10)}, {"2026-11", monthSpan(2026, 11)}, {"2026-12", monthSpan(2026, 12)},
	{"2025-Q2", quarterSpan(2025, 2)}, {"2026-Q4", quarterSpan(2026, 4)}, {"2025", yearSpan(2025)}, {"2026", yearSpan(2026)},
}

// checkAgainstHistory compares every figure and indicator of every unit and period with the
// test's own arithmetic over the generated facts, and the number of dossiers each stock's
// drill-down lists with the figure.
func checkAgainstHistory(t *testing.T, a *app.App, h *history) {
	t.Helper()
	ctx := viewer(t, a, district)
	units := map[string][]string{district: communes}
	for _, c := range communes {
		units[c] = []string{c}
	}
	for unit, members := range units {
		for _, p := range periods {
			r, err := a.Report(ctx, unit, p.key, "")
			if err != nil {
				t.Fatal(err)
			}
			e := expect(h, members, p.span)
			l := r.Ledger
			got := []int64{l.CarriedOver, l.Received, l.ReceivedOnline, l.Resolved, l.ResolvedOnTime, l.ResolvedLate,
				l.InProcess, l.InProcessOverdue, l.Returned, l.ReturnedArchived, l.ElapsedMinutes, l.LegalMinutes, l.Ratings,
				l.RatingsSatisfied, r.Documents.Outgoing, r.Documents.OutgoingElectronic, r.Staff.Total}
			want := []int64{e.carried, e.received, e.online, e.resolved, e.onTime, e.late, e.inProcess, e.overdue, e.returned,
				e.archived, e.elapsed, e.legal, e.ratings, e.satisfied, e.outgoing, e.electronic, e.staff}
			names := []string{"carried over", "received", "online", "resolved", "on time", "late", "in process", "overdue",
				"returned", "archived", "elapsed", "legal", "ratings", "satisfied", "outgoing", "electronic", "staff"}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s %s %s: got %d, want %d", unit, p.key, names[i], got[i], want[i])
				}
			}
			for _, k := range kinds {
				if r.Staff.Qualified[k] != e.qualified[k] {
					t.Errorf("%s %s qualified %s: got %d, want %d", unit, p.key, k, r.Staff.Qualified[k], e.qualified[k])
				}
			}
			checkRate(t, r, "on_time_rate", e.onTime, e.resolved, unit, p.key)
			checkRate(t, r, "satisfaction", e.satisfied, e.ratings, unit, p.key)
			checkRate(t, r, "electronic_docs", e.electronic, e.outgoing, unit, p.key)
			checkRate(t, r, "online_share", e.online, e.received, unit, p.key)
			checkRate(t, r, "archived_results", e.archived, e.returned, unit, p.key)
			checkRate(t, r, "elapsed_vs_legal", e.elapsed, e.legal, unit, p.key)
			checkValue(t, r, "avg_elapsed_days", e.elapsed, e.resolved*480, 1, unit, p.key)
			checkValue(t, r, "avg_legal_days", e.legal, e.resolved*480, 1, unit, p.key)
			for figure, want := range map[string]int64{app.FigureCarriedOver: e.carried, app.FigureInProcess: e.inProcess,
				app.FigureOverdue: e.overdue, app.FigureNotArchived: e.returned - e.archived} {
				pg, err := a.Dossiers(ctx, unit, p.key, figure, 1, 0)
				if err != nil {
					t.Fatal(err)
				}
				if pg.Total != want {
					t.Errorf("%s %s: the drill-down of %s lists %d dossiers, want %d", unit, p.key, figure, pg.Total, want)
				}
			}
		}
	}
}

// checkValue compares a ratio indicator (num ÷ den × scale) with the test's arithmetic.
func checkValue(t *testing.T, r app.TenantReport, code string, num, den int64, scale float64, unit, period string) {
	t.Helper()
	got, gotOK := r.Value(code)
	if den == 0 {
		if gotOK {
			t.Errorf("%s %s %s: got %v, want no value", unit, period, code, got)
		}
		return
	}
	want := scale * float64(num) / float64(den)
	if !gotOK || math.Abs(got-want) > 1e-4 {
		t.Errorf("%s %s %s: got %v (%v), want %v", unit, period, code, got, gotOK, want)
	}
}

func checkRate(t *testing.T, r app.TenantReport, code string, num, den int64, unit, period string) {
	t.Helper()
	want, ok := pct(num, den)
	got, gotOK := r.Value(code)
	if ok != gotOK || math.Abs(got-want) > 1e-4 {
		t.Errorf("%s %s %s: got %v (%v), want %v (%v)", unit, period, code, got, gotOK, want, ok)
	}
}

// TestIngestMatchesHistory feeds a shuffled generated history (results before receipts,
// duplicates under other message ids) through the consumer, stops it halfway and starts it
// again, and checks every figure against the test's own recomputation; then rebuilds by replay
// into a fresh database and checks both read models are identical.
func TestIngestMatchesHistory(t *testing.T) {
	for _, batch := range []int{1, 200} {
		t.Run(fmt.Sprintf("batch=%d", batch), func(t *testing.T) {
			storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
				migrated(t, db)
				registerTree(t, db)
				js := jetStream(t)
				n := 800
				if batch == 1 {
					n = 60 // one transaction per event (an fsync each): keep the run short
				}
				seed := historySeed(t)
				h := generate(seed, communes, n)
				evts := publish(t, js, h)

				stop := runIngest(t, db, js, batch)
				for processed(t, db) < int64(len(evts)/2) {
					time.Sleep(10 * time.Millisecond)
				}
				stop() // mid-stream: some events applied, the rest pending
				stop = runIngest(t, db, js, batch)
				waitCaughtUp(t, js)
				stop()
				checkIngested(t, db, h, len(evts))

				fresh := migrated(t, reopenFresh(t, db))
				registerTree(t, fresh)
				applied, err := adapters.Rebuild(context.Background(), fresh, js, bootstrap.Stream, durable, 300,
					noop.NewTracerProvider().Tracer("test"))
				if err != nil {
					t.Fatal(err)
				}
				if applied < len(evts) {
					t.Fatalf("rebuild applied %d events, want at least %d", applied, len(evts))
				}
				if a, b := dump(t, db), dump(t, fresh); a != b {
					t.Fatalf("rebuilt read model differs:\nlive:\n%s\nrebuilt:\n%s", a, b)
				}
			})
		})
	}
}

// historySeed is the seed of a generated history: REPORTING_HISTORY_SEED when set (to replay a
// failure), a random one otherwise, printed when the test fails.
func historySeed(t *testing.T) uint64 {
	t.Helper()
	seed := rand.Uint64()
	if v := os.Getenv("REPORTING_HISTORY_SEED"); v != "" {
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("REPORTING_HISTORY_SEED: %v", err)
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the history was generated with seed %d: REPORTING_HISTORY_SEED=%d replays it", seed, seed)
		}
	})
	return seed
}

// TestReplicasShareTheConsumer runs two replicas of the consumer on one database and one
// durable consumer, as the chart deploys them, with small batches so that the events of one
// dossier are applied by both at the same time. Each batch reads facts, merges its events into
// them and writes them back: without the consumer's lock one replica's write would overwrite the
// other's, losing events from the facts and the counters. Every figure must still match.
func TestReplicasShareTheConsumer(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		migrated(t, db)
		registerTree(t, db)
		js := jetStream(t)
		h := generate(11, communes, 300)
		evts := publish(t, js, h)
		stopA := runIngest(t, db, js, 10)
		stopB := runIngest(t, db, js, 10)
		waitCaughtUp(t, js)
		stopA()
		stopB()
		checkIngested(t, db, h, len(evts))
	})
}

// TestMalformedEventsAreSetAside slips dossier events whose data reporting cannot use (no
// dossier_id) into a history consumed in batches of 500: the batches holding them fail and are
// applied by halves, the bad events are terminated without their ids recorded, and every other
// event counts exactly once.
func TestMalformedEventsAreSetAside(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		migrated(t, db)
		registerTree(t, db)
		js := jetStream(t)
		h := generate(13, communes, 300)
		bad := map[int]bool{17: true, 400: true, 401: true, len(h.events) - 1: true}
		var mixed []pending
		for i, p := range h.events {
			if bad[i] {
				mixed = append(mixed, pending{events.Topic{Tenant: communes[0], Service: "dossiers", Entity: "dossier", Verb: "received"},
					map[string]any{"receipt_code": "UB-BAD", "version": 1}})
			}
			mixed = append(mixed, p)
		}
		h.events = mixed
		evts := publishEvents(t, js, h, false)
		stop := runIngest(t, db, js, 500)
		waitCaughtUp(t, js)
		stop()
		checkIngested(t, db, h, len(evts)-len(bad))
		for _, e := range evts {
			var n int64
			if err := db.Model(&events.ProcessedEvent{}).Where("event_id = ?", e.ID()).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			if malformed := strings.Contains(string(e.Data()), "UB-BAD"); malformed != (n == 0) {
				t.Fatalf("event %s (malformed: %v) recorded %d times", e.ID(), malformed, n)
			}
		}
	})
}

// checkIngested checks that the consumer recorded want distinct events and that every figure
// matches the history, the district's being the sum of its communes'.
func checkIngested(t *testing.T, db *gorm.DB, h *history, want int) {
	t.Helper()
	if got := processed(t, db); got != int64(want) {
		t.Fatalf("processed %d distinct events, want %d", got, want)
	}
	a := app.New(adapters.NewStore(db), nil, noop.NewTracerProvider().Tracer("test"), app.WithClock(func() time.Time { return h.now }))
	checkAgainstHistory(t, a, h)
	checkRollUp(t, a)
}

// reopenFresh opens another empty database of the same dialect.
func reopenFresh(t *testing.T, db *gorm.DB) *gorm.DB {
	t.Helper()
	if store.Dialect(db) == store.Postgres {
		return storetest.Postgres(t)
	}
	return storetest.SQLite(t)
}

// dump is the read model as sorted text: counters and dossier facts.
func dump(t *testing.T, db *gorm.DB) string {
	t.Helper()
	type row struct {
		TenantID  string
		Month     int
		Indicator string
		Value     int64
	}
	var rows []row
	if err := db.Table("report_counters").Select("tenant_id, month, indicator, value").Where("value <> 0").
		Order("tenant_id, month, indicator").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, r := range rows {
		lines = append(lines, fmt.Sprintf("%s %d %s %d", r.TenantID, r.Month, r.Indicator, r.Value))
	}
	type fact struct {
		DossierID, TenantID, State string
		Version                    int64
		ReceivedMonth, EndedMonth  int
	}
	var facts []fact
	if err := db.Table("report_dossiers").Select("dossier_id, tenant_id, state, version, received_month, ended_month").
		Order("dossier_id, tenant_id").Scan(&facts).Error; err != nil {
		t.Fatal(err)
	}
	for _, f := range facts {
		lines = append(lines, fmt.Sprintf("%+v", f))
	}
	sort.Strings(lines)
	out := ""
	for _, l := range lines {
		out += l + "\n"
	}
	return out
}

// checkRollUp: every figure of the district equals the sum over its communes.
func checkRollUp(t *testing.T, a *app.App) {
	t.Helper()
	ctx := viewer(t, a, district)
	for _, p := range []string{"2025", "2026-Q1", "2026-05"} {
		d, err := a.Dashboard(ctx, district, p, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Children) != len(communes) {
			t.Fatalf("%s: %d communes on the dashboard, want %d", p, len(d.Children), len(communes))
		}
		var sum struct{ received, resolved, inProcess, carried, ratings, staff, outgoing int64 }
		for _, c := range d.Children {
			sum.received += c.Ledger.Received
			sum.resolved += c.Ledger.Resolved
			sum.inProcess += c.Ledger.InProcess
			sum.carried += c.Ledger.CarriedOver
			sum.ratings += c.Ledger.Ratings
			sum.staff += c.Staff.Total
			sum.outgoing += c.Documents.Outgoing
		}
		u := d.Unit
		got := []int64{u.Ledger.Received, u.Ledger.Resolved, u.Ledger.InProcess, u.Ledger.CarriedOver, u.Ledger.Ratings, u.Staff.Total, u.Documents.Outgoing}
		want := []int64{sum.received, sum.resolved, sum.inProcess, sum.carried, sum.ratings, sum.staff, sum.outgoing}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: district figure %d is %d, communes sum to %d", p, i, got[i], want[i])
			}
		}
		if u.Ledger.Received == 0 && p == "2025" {
			t.Errorf("%s: the district received nothing; the history is empty", p)
		}
	}
}
