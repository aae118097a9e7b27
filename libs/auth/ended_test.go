package auth_test

import (
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/store/storetest"
)

// TestEndedSessions is the contract of GormEndedSessions, on SQLite and on PostgreSQL.
func TestEndedSessions(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := t.Context()
		// Replicas starting together all create (or find) the table.
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Go(func() {
				_, err := auth.NewEndedSessions(ctx, db)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent NewEndedSessions: %v", err)
			}
		}
		ended, err := auth.NewEndedSessions(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if !db.Migrator().HasTable("auth_ended_sessions") {
			t.Fatal("no table auth_ended_sessions")
		}
		check := func(sid, sub string, issued time.Time, want bool) {
			t.Helper()
			got, err := ended.Ended(ctx, sid, sub, issued)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("Ended(%q, %q, %s) = %v, want %v", sid, sub, issued.Format(time.RFC3339Nano), got, want)
			}
		}

		// Fractional seconds on purpose: both dialects must compare them the same way.
		at := time.Date(2026, 3, 2, 8, 30, 15, 123456789, time.FixedZone("ICT", 7*3600))
		if err := ended.End(ctx, "sso-1", "u-hoa", at); err != nil {
			t.Fatal(err)
		}
		check("sso-1", "u-hoa", at.Add(-time.Hour), true)
		check("sso-1", "u-hoa", at.Add(time.Hour), true) // a sid stays ended
		check("sso-2", "u-hoa", at.Add(-time.Hour), false)
		check("", "u-hoa", at.Add(-time.Hour), false) // a session without sid is not that sid

		if err := ended.End(ctx, "", "u-lan", at); err != nil {
			t.Fatal(err)
		}
		check("sso-7", "u-lan", at.Add(-time.Millisecond), true)
		check("sso-7", "u-lan", at, true)
		check("", "u-lan", at.Add(-time.Hour), true)
		check("sso-7", "u-lan", at.Add(time.Millisecond), false) // begun after the logout
		check("sso-8", "u-hoa", at.Add(-time.Hour), false)       // another subject

		if err := ended.End(ctx, "", "", at); err == nil {
			t.Fatal("End with neither sid nor subject succeeded")
		}

		// Ends older than any living session are pruned by later ends.
		if err := ended.End(ctx, "sso-9", "u-minh", at.Add(auth.EndedRetention+time.Hour)); err != nil {
			t.Fatal(err)
		}
		check("sso-1", "u-hoa", at.Add(-time.Hour), false)
		check("sso-9", "u-minh", at, true)
	})
}
