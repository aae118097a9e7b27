package adapters_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/dossiers/internal/adapters"
	"egov.vn/platform/services/dossiers/internal/app"
	"egov.vn/platform/services/dossiers/internal/domain"
)

var birth = domain.Procedure{
	Code: "1.001193", Name: "Đăng ký khai sinh", Field: "Hộ tịch", Level: domain.LevelDistrict, LegalTime: 3, TimeUnit: domain.UnitDays,
	Documents:  []domain.RequiredDocument{{Name: "Tờ khai", Kind: domain.Original, Count: 1}},
	Steps:      []domain.Step{{Name: "Thẩm định", Share: 100}},
	Supplement: domain.SupplementPauses,
}

func scoped(tenant string, readable ...string) context.Context {
	return store.WithScope(context.Background(), store.Scope{Tenant: tenant, Readable: readable})
}

func open(t *testing.T, db *gorm.DB, opts ...adapters.Option) *adapters.Store {
	t.Helper()
	if err := adapters.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return adapters.NewStore(db, events.NewOutbox(nil), opts...)
}

// eachIntakePath runs fn on both databases for each of Intake's two write paths: the unit of
// work (every dialect; SQLite's only one) and the two-round-trip pipeline PostgreSQL takes by
// default. The pipeline speaks pgx's protocol, which SQLite's driver has not: there it is
// skipped, and the unit-of-work path is held to the same test on PostgreSQL instead.
func eachIntakePath(t *testing.T, fn func(t *testing.T, db *gorm.DB, path adapters.Option), opts ...store.Option) {
	for _, path := range []struct {
		name      string
		pipelined bool
	}{{"unit-of-work", false}, {"pipelined", true}} {
		t.Run(path.name, func(t *testing.T) {
			storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
				if path.pipelined && store.Dialect(db) != store.Postgres {
					t.Skip("the pipelined intake is PostgreSQL's (pgx) only")
				}
				fn(t, db, adapters.PipelinedIntake(path.pipelined))
			}, opts...)
		})
	}
}

// intake records a dossier of tenant received at now through the repository, as the app does.
func intake(t testing.TB, s *adapters.Store, tenant string, now time.Time, fail bool) (*domain.Dossier, error) {
	cal := domain.NewWorkingDayCalendar(domain.DefaultOfficeHours, nil)
	actor := platform.Actor{Subject: "u-" + tenant, Tenant: platform.Slug(tenant), Roles: []platform.Role{platform.RoleDossierReceive}}
	in := domain.Intake{Procedure: birth, Applicant: domain.Applicant{Name: "Lê Thị Mai", IDNumber: "034190001234", Phone: "0912345678", Address: "Thái Bình"},
		Channel: domain.ChannelDesk, Documents: []domain.ReceivedDocument{{Name: "Tờ khai", Kind: domain.Original, Count: 1}}}
	day := domain.DateOf(now)
	return s.Intake(scoped(tenant), "UB", day, func(seq int) (*domain.Dossier, []events.Event, error) {
		if fail {
			return nil, nil, errors.New("applicant left before the receipt was printed")
		}
		d, err := domain.NewDossier(uuid.NewString(), domain.ReceiptPattern("").Render("UB"+strings.ToUpper(tenant[:4]), day, seq), in, actor, cal, cal.Hours, now)
		if err != nil {
			return nil, nil, err
		}
		e, err := events.New(events.Topic{Tenant: tenant, Service: "dossiers", Entity: "dossier", Verb: "received"}, d.ID, map[string]any{"dossier_id": d.ID})
		return d, []events.Event{e}, err
	})
}

func outboxCount(t *testing.T, db *gorm.DB, subjectLike string) int64 {
	t.Helper()
	var n int64
	if err := db.Model(&events.OutboxEvent{}).Where("subject LIKE ?", subjectLike).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestStoreContract(t *testing.T) {
	eachIntakePath(t, func(t *testing.T, db *gorm.DB, path adapters.Option) {
		s := open(t, db, path)
		tan := scoped("xa-dong-tan")

		// Catalogue: create, replace, read, list, scoped to the tenant.
		if created, err := s.SaveProcedure(tan, birth); err != nil || !created {
			t.Fatalf("create procedure: %v %v", created, err)
		}
		changed := birth
		changed.Fee = 5000
		if created, err := s.SaveProcedure(tan, changed); err != nil || created {
			t.Fatalf("replace procedure: %v %v", created, err)
		}
		if p, err := s.Procedure(tan, birth.Code); err != nil || p.Fee != 5000 || len(p.Documents) != 1 {
			t.Fatalf("read procedure: %+v %v", p, err)
		}
		if _, err := s.Procedure(scoped("xa-dong-la"), birth.Code); !errors.Is(err, apperr.KindNotFound) {
			t.Fatalf("another commune read the catalogue: %v", err)
		}

		// Settings and calendar.
		if _, found, err := s.Settings(tan); err != nil || found {
			t.Fatalf("settings before provisioning: %v %v", found, err)
		}
		st := app.Settings{Name: "UBND xã Đông Tân", Code: "12700", Kind: "commune", UnitCode: "UBXDT", ReceiptPattern: domain.DefaultReceiptPattern, Hours: domain.DefaultOfficeHours}
		if err := s.SaveSettings(tan, st); err != nil {
			t.Fatal(err)
		}
		if got, found, err := s.Settings(tan); err != nil || !found || got.Hours != domain.DefaultOfficeHours || got.UnitCode != "UBXDT" {
			t.Fatalf("settings: %+v %v %v", got, found, err)
		}
		day, _ := domain.ParseDate("2026-12-05")
		if err := s.SetCalendarDay(tan, domain.DayOverride{Date: day, Kind: domain.DayWork, Note: "làm bù"}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetCalendarDay(tan, domain.DayOverride{Date: day, Kind: domain.DayOff, Note: "đổi lại"}); err != nil {
			t.Fatal(err)
		}
		if days, err := s.CalendarDays(tan); err != nil || len(days) != 1 || days[0].Kind != domain.DayOff {
			t.Fatalf("calendar: %+v %v", days, err)
		}
		if days, _ := s.CalendarDays(scoped("xa-dong-la")); len(days) != 0 {
			t.Fatal("calendar leaked to another commune")
		}

		// Dossiers: intake, read, history, events.
		now := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
		d, err := intake(t, s, "xa-dong-tan", now, false)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Dossier(tan, d.ID)
		if err != nil || got.ReceiptCode != d.ReceiptCode || len(got.History) != 1 || !got.DueAt.Equal(d.DueAt) || got.Applicant != d.Applicant {
			t.Fatalf("read back: %+v %v", got, err)
		}
		if byCode, err := s.Dossier(tan, d.ReceiptCode); err != nil || byCode.ID != d.ID {
			t.Fatalf("by receipt code: %v", err)
		}
		if n := outboxCount(t, db, "egov.xa-dong-tan.dossiers.dossier.received"); n != 1 {
			t.Fatalf("%d received events", n)
		}

		// Cross-tenant matrix at the repository: another commune sees nothing; the district
		// (reading its communes) sees it but cannot write it.
		if _, err := s.Dossier(scoped("xa-dong-la"), d.ID); !errors.Is(err, apperr.KindNotFound) {
			t.Fatalf("another commune read a dossier: %v", err)
		}
		district := scoped("huyen-dong-hung", "huyen-dong-hung", "xa-dong-tan", "xa-dong-la")
		if _, err := s.Dossier(district, d.ID); err != nil {
			t.Fatalf("district cannot read its commune's dossier: %v", err)
		}
		// (Visible lets the caller read everything its scope reaches: the tenant scope is tested.)
		everything := domain.Visibility{Unit: "xa-dong-la", Own: true, Below: true}
		if page, err := s.Dossiers(scoped("xa-dong-la"), app.Filter{Visible: everything}); err != nil || len(page.Items) != 0 {
			t.Fatalf("another commune lists %d dossiers (%v)", len(page.Items), err)
		}
		stale := *got
		stale.State = domain.StateAssigned
		stale.Version = 2
		if err := s.Update(district, &stale, 1, nil, nil); !errors.Is(err, apperr.KindForbidden) {
			t.Fatalf("district wrote a commune's dossier: %v", err)
		}

		// Optimistic locking: the first update wins, the second gets 409 with what changed.
		cal := domain.NewWorkingDayCalendar(domain.DefaultOfficeHours, nil)
		officer := platform.Actor{Subject: "hoa", Name: "Nguyễn Thị Hoa", Tenant: "xa-dong-tan", Roles: []platform.Role{platform.RoleDossierReceive, platform.RoleDossierHandle}}
		a, _ := s.Dossier(tan, d.ID)
		b, _ := s.Dossier(tan, d.ID)
		ta, err := a.Apply(officer, domain.Command{Action: domain.ActAssign, Unit: "Tư pháp"}, cal, now.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Update(tan, a, 1, []domain.Transition{ta}, nil); err != nil {
			t.Fatal(err)
		}
		tb, err := b.Apply(officer, domain.Command{Action: domain.ActRefuse, Note: "thiếu giấy tờ"}, cal, now.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		err = s.Update(tan, b, 1, []domain.Transition{tb}, nil)
		e := apperr.As(err)
		if e == nil || e.Kind != apperr.KindConflict || e.Details["current_version"] != 2 {
			t.Fatalf("second writer: %v", err)
		}
		if changes, _ := e.Details["changes"].([]map[string]any); len(changes) != 1 || changes[0]["action"] != domain.ActAssign {
			t.Fatalf("409 does not say what changed: %v", e.Details["changes"])
		}
		final, _ := s.Dossier(tan, d.ID)
		if final.State != domain.StateAssigned || len(final.History) != 2 {
			t.Fatalf("after the conflict: %s with %d entries", final.State, len(final.History))
		}
		if st, err := domain.Replay(final.History); err != nil || st != final.State {
			t.Fatalf("stored history replays to %s (%v)", st, err)
		}

		// Listing with keyset pages.
		for i := range 5 {
			if _, err := intake(t, s, "xa-dong-tan", now.Add(time.Duration(i+1)*time.Minute), false); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[string]bool{}
		f := app.Filter{Visible: domain.Visibility{Unit: "xa-dong-tan", Own: true}}
		f.Page.Limit = 4
		for {
			p, err := s.Dossiers(tan, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range p.Items {
				if seen[it.ID] {
					t.Fatalf("%s listed twice", it.ID)
				}
				seen[it.ID] = true
			}
			if p.NextCursor == "" {
				break
			}
			c, _ := decodeCursor(p.NextCursor)
			f.Page.After = &c
		}
		if len(seen) != 6 {
			t.Fatalf("listed %d dossiers, want 6", len(seen))
		}

		// Citizen lookup crosses tenants; the rating is stored once.
		if found, err := s.ByReceiptCode(context.Background(), d.ReceiptCode); err != nil || found == nil || found.ID != d.ID {
			t.Fatalf("lookup: %v", err)
		}
		if found, err := s.ByReceiptCode(context.Background(), "NOPE"); err != nil || found != nil {
			t.Fatalf("lookup of an unknown code: %v %v", found, err)
		}
	})
}

// TestLookupWindowSlides holds the citizen lookup's limiter to a sliding window on both
// databases: never more than the limit in any window (a fixed window let twice as many through
// around its edge), refused attempts do not stretch the wait, and the time it names is exact.
func TestLookupWindowSlides(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := open(t, db)
		ctx := context.Background()
		t0 := time.Date(2026, 11, 23, 2, 9, 0, 0, time.UTC)
		const limit, window = 3, 10 * time.Minute
		take := func(subject string, at time.Time) (bool, time.Time) {
			t.Helper()
			ok, next, err := s.Take(ctx, subject, at, window, limit)
			if err != nil {
				t.Fatal(err)
			}
			return ok, next
		}
		for i := range limit {
			if ok, _ := take("addr:a", t0.Add(time.Duration(i)*time.Minute)); !ok {
				t.Fatalf("attempt %d refused under the limit", i+1)
			}
		}
		// Past the fixed window's edge (02:10) the old limiter started again; this one does not.
		for _, at := range []time.Time{t0.Add(3 * time.Minute), t0.Add(9*time.Minute + 59*time.Second)} {
			ok, next := take("addr:a", at)
			if ok || !next.Equal(t0.Add(window)) {
				t.Fatalf("at %s: ok=%v next=%s, want refused until %s", at, ok, next, t0.Add(window))
			}
		}
		if blocked, next, err := s.Blocked(ctx, "addr:a", t0.Add(5*time.Minute), window, limit); err != nil || !blocked || !next.Equal(t0.Add(window)) {
			t.Fatalf("blocked: %v %s %v", blocked, next, err)
		}
		if ok, _ := take("addr:b", t0.Add(5*time.Minute)); !ok {
			t.Fatal("another subject was refused")
		}
		// The first attempt leaves the window at t0+10m: exactly one place opens.
		if ok, _ := take("addr:a", t0.Add(window)); !ok {
			t.Fatal("refused once the oldest attempt left the window")
		}
		if ok, next := take("addr:a", t0.Add(window)); ok || !next.Equal(t0.Add(window+time.Minute)) {
			t.Fatalf("second attempt at t0+10m: ok=%v next=%s", ok, next)
		}
		// Blocked records nothing.
		for range 5 {
			if blocked, _, _ := s.Blocked(ctx, "code:x", t0, window, limit); blocked {
				t.Fatal("Blocked counted itself")
			}
		}
		if err := s.PurgeAttempts(ctx, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if ok, _ := take("addr:a", t0.Add(window+time.Minute)); !ok {
			t.Fatal("purged attempts still counted")
		}
	})
}

// TestLookupWindowHoldsUnderRacingAttempts: attempts racing for the places of a window (several
// replicas, one address) let exactly the limit through.
func TestLookupWindowHoldsUnderRacingAttempts(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := open(t, db)
		now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
		const limit, n = 5, 30
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			passed int
			errs   []error
		)
		for range n {
			wg.Go(func() {
				ok, _, err := s.Take(context.Background(), "addr:nat", now, time.Minute, limit)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
				} else if ok {
					passed++
				}
			})
		}
		wg.Wait()
		if len(errs) > 0 {
			t.Fatal(errors.Join(errs...))
		}
		if passed != limit {
			t.Fatalf("%d of %d racing attempts passed, want %d", passed, n, limit)
		}
	})
}

// TestReceiptNumbersAreGapFreeUnderConcurrentIntake runs 200 intakes of one unit and day at
// once, a tenth of which fail inside the transaction, and checks that the numbers given are
// exactly 1..n with no gap and no repeat.
func TestReceiptNumbersAreGapFreeUnderConcurrentIntake(t *testing.T) {
	// SQLite has one writer: 200 intakes queue for it, longer than the default 5 s under -race
	// on a busy machine. Waiting is what a desk would do; the test is about numbers, not speed.
	eachIntakePath(t, func(t *testing.T, db *gorm.DB, path adapters.Option) {
		s := open(t, db, path)
		now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
		const n = 200
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			codes    []string
			fails    int
			firstErr error
		)
		for i := range n {
			wg.Go(func() {
				d, err := intake(t, s, "xa-dong-tan", now, i%10 == 0)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					fails++
					if i%10 != 0 && firstErr == nil {
						firstErr = err
					}
					return
				}
				codes = append(codes, d.ReceiptCode)
			})
		}
		wg.Wait()
		if fails != n/10 {
			t.Fatalf("%d intakes failed, want %d; first unexpected error: %v", fails, n/10, firstErr)
		}
		slices.Sort(codes)
		for i, c := range codes {
			if want := fmt.Sprintf("UBXA-D-261123-%04d", i+1); c != want {
				t.Fatalf("receipt %d is %s, want %s: gap or repeat", i, c, want)
			}
		}
		if got := outboxCount(t, db, "%received"); got != int64(len(codes)) {
			t.Fatalf("%d events for %d dossiers", got, len(codes))
		}
	}, store.WithBusyTimeout(2*time.Minute))
}

// TestOverdueFlaggedOnceAcrossReplicas runs the overdue job from four "replicas" at once.
func TestOverdueFlaggedOnceAcrossReplicas(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := open(t, db)
		received := time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)
		for range 30 {
			if _, err := intake(t, s, "xa-dong-tan", received, false); err != nil {
				t.Fatal(err)
			}
		}
		fresh, err := intake(t, s, "xa-dong-tan", time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC), false)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)
		build := func(d *domain.Dossier, step int) (events.Event, error) {
			return events.New(events.Topic{Tenant: d.Holder, Service: "dossiers", Entity: "dossier", Verb: "overdue"}, d.ID,
				map[string]any{"dossier_id": d.ID, "step": step})
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for range 4 {
			wg.Go(func() {
				n, err := s.MarkOverdue(context.Background(), now, 100, build)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			})
		}
		wg.Wait()
		if again, err := s.MarkOverdue(context.Background(), now, 100, build); err != nil || again != 0 {
			t.Fatalf("a second run flagged %d (%v)", again, err)
		}
		if total != 30 || outboxCount(t, db, "%overdue") != 30 {
			t.Fatalf("flagged %d, %d events; want 30 each", total, outboxCount(t, db, "%overdue"))
		}
		d, _ := s.Dossier(scoped("xa-dong-tan"), fresh.ID)
		if d.Late {
			t.Fatal("a dossier within its time was flagged")
		}
	})
}
