package adapters_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/trace/noop"
	"gorm.io/gorm"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/services/identity/internal/adapters"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
)

// TestDepartureDisablesTheLinkedAccount (issue 17 items 3 and 6): HR's staff.left disables the
// account linked to the record, with one audit line and the person's sessions ended, however
// often the event is delivered; a departure of a record linked to no account, or of a unit
// identity does not know, changes nothing. On both databases, with a real NATS.
func TestDepartureDisablesTheLinkedAccount(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := t.Context()
		st := newStore(t, db)
		tenant, hoa := seedDongTan(t, st)
		hoa.StaffID = uuid.NewString()
		if err := st.UpdateUser(ctx, hoa); err != nil {
			t.Fatal(err)
		}
		lan := domain.User{ID: uuid.NewString(), TenantID: tenant.ID, Username: "lan.pt", Name: "Phạm Thị Lan",
			Roles: []string{string(platform.RoleDossierReceive)}, StaffID: uuid.NewString(), PasswordHash: "$argon2id$placeholder",
			CreatedAt: base, UpdatedAt: base}
		if err := st.CreateUser(ctx, lan); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		sess := newSession(t, st, hoa, now.Add(-time.Hour), now.Add(time.Hour))
		lanSess := newSession(t, st, lan, now.Add(-time.Hour), now.Add(time.Hour))
		a := app.New(app.Deps{Store: st, Hasher: adapters.NewPasswordHasher(8192, 1, 1), Secrets: adapters.Secrets{},
			Tracer: noop.NewTracerProvider().Tracer("test"), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, app.DefaultConfig())

		// A private NATS: the platform stream takes egov.>, which no other test may share.
		nc, err := nats.Connect("nats://" + testenv.StartNATS(t).Addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		js, err := jetstream.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := events.EnsureStream(ctx, js, "EGOV"); err != nil {
			t.Fatal(err)
		}
		runCtx, cancel := context.WithCancel(context.Background())
		stopped := make(chan error, 1)
		go func() {
			stopped <- (&adapters.DeparturesConsumer{DB: db, JS: js, App: a, Stream: "EGOV", Durable: "identity-departures",
				Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Run(runCtx)
		}()
		t.Cleanup(func() {
			cancel()
			if err := <-stopped; err != nil {
				t.Errorf("consumer: %v", err)
			}
		})

		left := func(tenant, staffID string) []byte {
			t.Helper()
			evt, err := events.New(events.Topic{Tenant: tenant, Service: "hr", Entity: "staff", Verb: "left"}, staffID,
				map[string]any{"staff_id": staffID, "tenant": tenant, "reason": "Nghỉ hưu", "effective_at": now.Format(time.RFC3339)})
			if err != nil {
				t.Fatal(err)
			}
			payload, err := evt.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			return payload
		}
		publish := func(tenant string, payload []byte) {
			t.Helper()
			// No message id: JetStream stores the replay as a message of its own, as a relay
			// retried after a lost acknowledgement, or a stream replayed, would deliver it.
			if _, err := js.Publish(ctx, "egov."+tenant+".hr.staff.left", payload); err != nil {
				t.Fatal(err)
			}
		}
		hoaLeft := left("xa-dong-tan", hoa.StaffID)
		publish("xa-dong-tan", hoaLeft)
		publish("xa-dong-tan", hoaLeft)                                     // the same event again
		publish("xa-dong-tan", left("xa-dong-tan", uuid.NewString()))       // a record linked to no account
		publish("xa-dong-la", left("xa-dong-la", lan.StaffID))              // lan's record id, in a unit identity does not know
		publish("xa-dong-tan", left("xa-dong-tan", hoa.StaffID+"-unknown")) // no account either

		deadline := time.Now().Add(30 * time.Second)
		for {
			c, err := js.Consumer(ctx, "EGOV", "identity-departures")
			if err == nil {
				if info, err := c.Info(ctx); err == nil && info.Delivered.Stream >= 5 && info.NumAckPending == 0 && info.NumPending == 0 {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatal("the staff.left events were not all consumed within 30s")
			}
			time.Sleep(20 * time.Millisecond)
		}

		got, err := st.UserByID(ctx, hoa.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Disabled {
			t.Error("hoa.nt, whose departure HR recorded, can still sign in")
		}
		if n := count(t, db, "audit_events", "action = ? AND subject = ? AND actor = ?", domain.AuditUserDisable, hoa.ID, app.DepartureActor); n != 1 {
			t.Errorf("disable audit lines for hoa.nt: %d, want 1 (the replay writes none)", n)
		}
		if n := count(t, db, "audit_events", "action = ? AND subject = ?", domain.AuditSignOut, hoa.ID); n != 1 {
			t.Errorf("sign-out audit lines for hoa.nt: %d, want 1 (her one session)", n)
		}
		if active, err := st.ActiveSessions(ctx, hoa.ID, time.Now()); err != nil || len(active) != 0 {
			t.Errorf("hoa.nt's sessions after her departure: %v (%v), want none (session %s ended)", active, err, sess.ID)
		}
		other, err := st.UserByID(ctx, lan.ID)
		if err != nil {
			t.Fatal(err)
		}
		if other.Disabled {
			t.Error("lan.pt was disabled by a departure of another unit's record")
		}
		if active, err := st.ActiveSessions(ctx, lan.ID, time.Now()); err != nil || len(active) != 1 || active[0].ID != lanSess.ID {
			t.Errorf("lan.pt's sessions: %v (%v), want hers untouched", active, err)
		}
		if n := count(t, db, "audit_events", "action = ?", domain.AuditUserDisable); n != 1 {
			t.Errorf("disable audit lines in all: %d, want only hoa.nt's", n)
		}
		if n := count(t, db, "processed_events", "consumer = ?", "identity-departures"); n != 4 {
			t.Errorf("processed events: %d, want the 4 distinct events", n)
		}

		// Applied again by hand (as a replay that bypassed processed_events would be), the event
		// still changes nothing: the account is already disabled.
		if disabled, err := a.RecordDeparture(ctx, app.Departure{EventID: "again", Tenant: "xa-dong-tan", StaffID: hoa.StaffID}); err != nil || disabled {
			t.Errorf("a second departure of hoa.nt: disabled %v, %v; want nothing done", disabled, err)
		}
		if n := count(t, db, "audit_events", "action = ? AND subject = ?", domain.AuditUserDisable, hoa.ID); n != 1 {
			t.Errorf("disable audit lines for hoa.nt after a second departure: %d, want 1", n)
		}
	})
}

// TestStaffRecordLinksOneAccount (issue 17 item 3): an HR record is linked to at most one
// account of its unit; linking it to a second account is a conflict on the staff_id field and
// changes nothing. Unlinking frees it. On both databases.
func TestStaffRecordLinksOneAccount(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := t.Context()
		st := newStore(t, db)
		// A unit at the top of its tree: the administrator's reach walks the parents.
		tenant := domain.Tenant{ID: uuid.NewString(), Slug: "xa-dong-tan", Code: "12700", Name: "UBND xã Đông Tân",
			Kind: platform.KindCommune, CreatedAt: base, UpdatedAt: base}
		if err := st.CreateTenant(ctx, tenant); err != nil {
			t.Fatal(err)
		}
		hoa := domain.User{ID: uuid.NewString(), TenantID: tenant.ID, Username: "hoa.nt", Name: "Nguyễn Thị Hoa",
			Roles: []string{string(platform.RoleDossierReceive)}, PasswordHash: "$argon2id$placeholder", CreatedAt: base, UpdatedAt: base}
		if err := st.CreateUser(ctx, hoa); err != nil {
			t.Fatal(err)
		}
		admin := domain.User{ID: uuid.NewString(), TenantID: tenant.ID, Username: "admin.dongtan", Name: "Trần Văn Quản",
			Roles: []string{string(platform.RoleTenantAdmin)}, PasswordHash: "$argon2id$placeholder", CreatedAt: base, UpdatedAt: base}
		if err := st.CreateUser(ctx, admin); err != nil {
			t.Fatal(err)
		}
		a := app.New(app.Deps{Store: st, Hasher: adapters.NewPasswordHasher(8192, 1, 1), Secrets: adapters.Secrets{},
			Tracer: noop.NewTracerProvider().Tracer("test"), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, app.DefaultConfig())
		record := uuid.NewString()
		if _, err := a.LinkAccountStaff(ctx, admin, hoa.Username, record); err != nil {
			t.Fatal(err)
		}
		_, _, err := a.CreateAccount(ctx, admin, app.NewAccount{Tenant: tenant.Slug, Username: "hoa.nt2", Name: "Nguyễn Thị Hoa",
			Roles: []string{string(platform.RoleDossierReceive)}, StaffID: record})
		e := apperr.As(err)
		if e == nil || e.Kind != apperr.KindConflict || e.Code != "staff_linked" || len(e.Fields) != 1 || e.Fields[0].Field != "staff_id" {
			t.Fatalf("a second account for a linked record: %v; want a staff_linked conflict on staff_id", err)
		}
		if _, err := st.UserByUsername(ctx, "hoa.nt2"); apperr.KindOf(err) != apperr.KindNotFound {
			t.Errorf("the refused account was stored: %v", err)
		}
		if _, err := a.LinkAccountStaff(ctx, admin, admin.Username, record); apperr.As(err) == nil || apperr.As(err).Code != "staff_linked" {
			t.Errorf("linking a linked record to another account: %v; want staff_linked", err)
		}
		if got, _ := st.UserByID(ctx, admin.ID); got.StaffID != "" {
			t.Errorf("the refused link was stored: %q", got.StaffID)
		}
		if n := count(t, db, "audit_events", "action = ?", domain.AuditUserStaffLink); n != 1 {
			t.Errorf("link audit lines: %d, want hoa.nt's one", n)
		}
		if _, err := a.LinkAccountStaff(ctx, admin, hoa.Username, ""); err != nil {
			t.Fatal(err)
		}
		u, _, err := a.CreateAccount(ctx, admin, app.NewAccount{Tenant: tenant.Slug, Username: "hoa.nt2", Name: "Nguyễn Thị Hoa",
			Roles: []string{string(platform.RoleDossierReceive)}, StaffID: record})
		if err != nil || u.StaffID != record {
			t.Fatalf("an account for the unlinked record: %+v, %v", u, err)
		}
	})
}
