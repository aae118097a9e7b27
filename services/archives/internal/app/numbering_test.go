package app_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace/noop"
	"gorm.io/gorm"

	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/archives/internal/adapters"
	"egov.vn/platform/services/archives/internal/app"
	"egov.vn/platform/services/archives/internal/domain"
)

// clerk is the clerk (văn thư) of tenant, as the ports pass it.
func clerk(tenant string) platform.Actor {
	return platform.Actor{Subject: "clerk-" + tenant, Tenant: platform.Slug(tenant), Roles: []platform.Role{platform.RoleArchiveClerk}}
}

func clerkCtx(tenant string) context.Context {
	return store.WithScope(context.Background(), store.Scope{Tenant: tenant})
}

func newApp(t testing.TB, db *gorm.DB) *app.App {
	t.Helper()
	if err := adapters.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return app.New(app.Deps{Store: adapters.NewStore(db, events.NewOutbox(nil)), Tracer: noop.NewTracerProvider().Tracer("test")},
		app.Config{MaxUploadBytes: 1 << 20, PresignTTL: time.Minute, FixityInterval: time.Hour, FixityLease: time.Minute, OrphanAge: time.Hour})
}

func document(dir domain.Direction, subject string) domain.Document {
	return domain.Document{Direction: dir, IssuingOrgan: "UBND xã Đông Tân", Type: "cong-van", Symbol: "UBND-VP", SourceNumber: 7,
		IssuedDate: time.Now().AddDate(0, 0, -1), Subject: subject, Signer: "Trần Văn An"}
}

// TestRegisterNumbersWithoutGapsUnderConcurrency: 200 registrations at once in one register,
// while another unit registers too, get exactly the numbers 1..200, each once, and one
// "registered" event each.
func TestRegisterNumbersWithoutGapsUnderConcurrency(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		a := newApp(t, db)
		const n = 200
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			numbers []int
			errs    []error
		)
		for i := range n {
			wg.Go(func() {
				d, err := a.Register(clerkCtx("xa-dong-tan"), clerk("xa-dong-tan"), document(domain.Outgoing, "Công văn đồng thời"), nil)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
					return
				}
				numbers = append(numbers, d.Number)
			})
			if i%10 == 0 {
				wg.Go(func() {
					if _, err := a.Register(clerkCtx("xa-dong-la"), clerk("xa-dong-la"), document(domain.Outgoing, "Đơn vị khác"), nil); err != nil {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
					}
				})
			}
		}
		wg.Wait()
		if len(errs) > 0 {
			t.Fatalf("%d registrations failed, first: %v", len(errs), errs[0])
		}
		slices.Sort(numbers)
		for i, got := range numbers {
			if got != i+1 {
				t.Fatalf("numbers are not 1..%d without gaps or duplicates: position %d holds %d (%v)", n, i, got, numbers)
			}
		}
		if len(numbers) != n {
			t.Fatalf("%d numbers", len(numbers))
		}
		list, err := a.Documents(clerkCtx("xa-dong-la"), clerk("xa-dong-la"), domain.DocumentQuery{Limit: 500})
		if err != nil || len(list) != n/10 || list[0].Number != n/10 {
			t.Fatalf("the other unit's register: %d documents, %v", len(list), err)
		}
		var events int64
		db.Table("outbox_events").Where("subject = ?", "egov.xa-dong-tan.archives.document.registered").Count(&events)
		if events != n {
			t.Fatalf("%d registered events, want %d", events, n)
		}
	})
}

// TestRegisterRefusesWithoutTheClerkRole and checks every field.
func TestRegisterRefusesWithoutTheClerkRole(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	viewer := platform.Actor{Subject: "x", Tenant: "xa-dong-tan", Roles: []platform.Role{platform.RoleReportView}}
	if _, err := a.Register(clerkCtx("xa-dong-tan"), viewer, document(domain.Outgoing, "x"), nil); err == nil {
		t.Fatal("registered without archive.clerk")
	}
	if _, err := a.Register(context.Background(), platform.Actor{}, document(domain.Outgoing, "x"), nil); err == nil {
		t.Fatal("registered without a caller")
	}
}
