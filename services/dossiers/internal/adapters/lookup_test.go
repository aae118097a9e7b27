package adapters_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace/noop"
	"gorm.io/gorm"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/dossiers/internal/app"
)

// TestLookupLimitsPerAddressAndPerCode drives the citizen's lookup on both databases with a
// clock the test moves: an address gets LookupLimit lookups in any sliding window, a receipt code
// CodeLimit failures from all addresses together, and the wait the refusal names is the real
// time left (issue 18, finding 8).
func TestLookupLimitsPerAddressAndPerCode(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		st := open(t, db)
		now := time.Date(2026, 11, 23, 2, 9, 30, 0, time.UTC)
		cfg := app.DefaultConfig()
		a := app.New(app.Deps{Store: st, Tracer: noop.NewTracerProvider().Tracer("test"), Now: func() time.Time { return now }}, cfg)
		ctx := context.Background()
		retryAfter := func(err error) int64 {
			t.Helper()
			e := apperr.As(err)
			if e == nil || e.Code != app.ErrTooManyLookups.Code {
				t.Fatalf("want too_many_lookups, got %v", err)
			}
			secs, _ := e.Details["retry_after_seconds"].(int64)
			return secs
		}

		// One address: 10 lookups of different codes over 10 minutes, then refused with the
		// seconds until its first lookup leaves the window; the 10-minute boundary the fixed
		// window reset at (02:10) lets nothing more through.
		start := now
		for i := range cfg.LookupLimit {
			if _, err := a.Lookup(ctx, "203.0.113.7", fmt.Sprintf("UBX-%d", i), "1234"); apperr.As(err) == nil || apperr.As(err).Code == app.ErrTooManyLookups.Code {
				t.Fatalf("lookup %d: %v", i+1, err)
			}
			now = now.Add(20 * time.Second)
		}
		_, err := a.Lookup(ctx, "203.0.113.7", "UBX-X", "1234")
		if got, want := retryAfter(err), int64((start.Add(cfg.LookupWindow).Sub(now))/time.Second); got != want {
			t.Fatalf("Retry-After %d s, want %d s", got, want)
		}
		now = start.Add(cfg.LookupWindow) // the first lookup leaves the window: one place opens
		if _, err := a.Lookup(ctx, "203.0.113.7", "UBX-Y", "1234"); apperr.As(err).Code == app.ErrTooManyLookups.Code {
			t.Fatalf("refused once a place opened: %v", err)
		}
		if _, err := a.Lookup(ctx, "203.0.113.7", "UBX-Z", "1234"); retryAfter(err) != 20 {
			t.Fatalf("the next place opens 20 s later: %v", err)
		}

		// One receipt code guessed from many addresses: CodeLimit failures, then refused for
		// everyone (even with the right digits) until the first failure is an hour old.
		codeStart := now
		for i := range cfg.CodeLimit {
			if _, err := a.Lookup(ctx, fmt.Sprintf("198.51.100.%d", i), "UBXDT-261123-0042", fmt.Sprintf("%04d", i)); apperr.As(err).Code == app.ErrTooManyLookups.Code {
				t.Fatalf("guess %d refused: %v", i+1, err)
			}
			now = now.Add(time.Minute)
		}
		_, err = a.Lookup(ctx, "192.0.2.1", "ubxdt-261123-0042 ", "9999")
		if got, want := retryAfter(err), int64(codeStart.Add(cfg.CodeWindow).Sub(now)/time.Second); got != want {
			t.Fatalf("code limit Retry-After %d s, want %d s", got, want)
		}
		if _, err := a.Lookup(ctx, "192.0.2.1", "UBXDT-261123-0043", "9999"); apperr.As(err).Code == app.ErrTooManyLookups.Code {
			t.Fatalf("another code was refused: %v", err)
		}

		// A real dossier: its citizen's successful lookups do not use up the code's budget; a
		// guesser's failures do, and then even the right digits wait.
		d, err := intake(t, st, "xa-dong-tan", now, false)
		if err != nil {
			t.Fatal(err)
		}
		addr := 0
		lookup := func(phone4 string) error {
			addr++
			_, err := a.Lookup(ctx, fmt.Sprintf("192.0.2.%d", addr), d.ReceiptCode, phone4)
			return err
		}
		for range cfg.CodeLimit + 3 {
			if err := lookup("5678"); err != nil {
				t.Fatalf("the citizen's lookup: %v", err)
			}
		}
		for i := range cfg.CodeLimit {
			if err := lookup(fmt.Sprintf("%04d", i)); apperr.As(err).Code != "not_found" {
				t.Fatalf("guess %d: %v", i+1, err)
			}
		}
		if err := lookup("5678"); retryAfter(err) != int64(cfg.CodeWindow/time.Second) {
			t.Fatalf("right digits after %d failures: %v", cfg.CodeLimit, err)
		}
	})
}
