package adapters

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"egov.vn/platform/libs/store/storetest"
)

// TestClaim checks both ways of recording processed ids on both databases: assuming every id is
// new, an id recorded before is reported as errSeenBefore (and nothing of the statement stays);
// otherwise only the ids not recorded before come back as fresh.
func TestClaim(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		if err := Migrate(db); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		a, b, c := uuid.NewString(), uuid.NewString(), uuid.NewString()
		claimTx := func(ids []string, allNew bool) (fresh map[string]bool, err error) {
			err = db.Transaction(func(tx *gorm.DB) error {
				fresh, err = claim(ctx, tx, "test", ids, allNew)
				return err
			})
			return fresh, err
		}
		fresh, err := claimTx([]string{b, a, a}, true)
		if err != nil || len(fresh) != 2 || !fresh[a] || !fresh[b] {
			t.Fatalf("first claim: %v, %v; want a and b fresh", fresh, err)
		}
		if _, err := claimTx([]string{c, a}, true); !errors.Is(err, errSeenBefore) {
			t.Fatalf("claiming a again as new: %v, want errSeenBefore", err)
		}
		fresh, err = claimTx([]string{c, a}, false)
		if err != nil || len(fresh) != 1 || !fresh[c] {
			t.Fatalf("claiming a and c: %v, %v; want only c fresh", fresh, err)
		}
		var n int64
		if err := db.Table("processed_events").Where("consumer = ?", "test").Count(&n).Error; err != nil || n != 3 {
			t.Fatalf("%d ids recorded (%v), want 3", n, err)
		}
		if _, err := claimTx([]string{a}, false); err != nil {
			t.Fatal(err)
		}
	})
}
