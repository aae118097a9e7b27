package events

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// TestClaimBatch checks both ways of recording processed ids on both databases: assuming every
// id is new, an id recorded before is reported as ErrSeenBefore (and nothing of the statement
// stays); otherwise only the ids not recorded before come back as fresh. Rows are the ones
// Consume writes (read back through the model), and another consumer's ids are its own.
func TestClaimBatch(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		a, b, c := uuid.NewString(), uuid.NewString(), uuid.NewString()
		claimTx := func(consumer string, ids []string, assumeNew bool) (fresh map[string]bool, err error) {
			err = db.Transaction(func(tx *gorm.DB) error {
				fresh, err = ClaimBatch(ctx, tx, consumer, ids, assumeNew)
				return err
			})
			return fresh, err
		}
		fresh, err := claimTx("test", []string{b, a, a}, true)
		if err != nil || len(fresh) != 2 || !fresh[a] || !fresh[b] {
			t.Fatalf("first claim: %v, %v; want a and b fresh", fresh, err)
		}
		if _, err := claimTx("test", []string{c, a}, true); !errors.Is(err, ErrSeenBefore) {
			t.Fatalf("claiming a again as new: %v, want ErrSeenBefore", err)
		}
		fresh, err = claimTx("test", []string{c, a}, false)
		if err != nil || len(fresh) != 1 || !fresh[c] {
			t.Fatalf("claiming a and c: %v, %v; want only c fresh", fresh, err)
		}
		if fresh, err := claimTx("test", []string{a}, false); err != nil || len(fresh) != 0 {
			t.Fatalf("claiming a once more: %v, %v; want nothing fresh", fresh, err)
		}
		if fresh, err := claimTx("other", []string{a}, true); err != nil || !fresh[a] {
			t.Fatalf("another consumer claiming a: %v, %v; want a fresh", fresh, err)
		}
		if fresh, err := claimTx("test", nil, true); err != nil || len(fresh) != 0 {
			t.Fatalf("claiming nothing: %v, %v", fresh, err)
		}
		var rows []ProcessedEvent
		if err := db.Where("consumer = ?", "test").Order("event_id").Find(&rows).Error; err != nil || len(rows) != 3 {
			t.Fatalf("%d ids recorded (%v), want 3", len(rows), err)
		}
		for _, r := range rows {
			if time.Since(r.ProcessedAt) > time.Minute || time.Since(r.ProcessedAt) < -time.Minute {
				t.Errorf("processed_at of %s: %v", r.EventID, r.ProcessedAt)
			}
		}
		if err := db.Transaction(func(tx *gorm.DB) error { return ForgetProcessed(ctx, tx, "test") }); err != nil {
			t.Fatal(err)
		}
		if fresh, err := claimTx("test", []string{a, b, c}, true); err != nil || len(fresh) != 3 {
			t.Fatalf("claiming after ForgetProcessed: %v, %v; want all fresh", fresh, err)
		}
		if fresh, err := claimTx("other", []string{a}, false); err != nil || len(fresh) != 0 {
			t.Fatalf("ForgetProcessed of test forgot other's ids: %v, %v", fresh, err)
		}
	})
}

// TestClaimBatchLarge: a batch as large as reporting's (5,000 ids), half of them seen before,
// goes in and comes back right.
func TestClaimBatchLarge(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		ids := make([]string, 5000)
		for i := range ids {
			ids[i] = fmt.Sprintf("%08d-0000-7000-8000-000000000000", i)
		}
		if err := db.Transaction(func(tx *gorm.DB) error {
			_, err := ClaimBatch(ctx, tx, "big", ids[:2500], true)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var fresh map[string]bool
		if err := db.Transaction(func(tx *gorm.DB) (err error) {
			fresh, err = ClaimBatch(ctx, tx, "big", ids, false)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(fresh) != 2500 || fresh[ids[0]] || !fresh[ids[4999]] {
			t.Fatalf("%d fresh, want the 2,500 not claimed before", len(fresh))
		}
	})
}
