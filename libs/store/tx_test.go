package store_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/store/storetest"
)

// Calls made with the context Transact gives join its transaction, a nested Transact joins
// too, and a failure rolls back everything they wrote.
func TestTransactCarriesTheTransaction(t *testing.T) {
	t.Parallel()
	db := storetest.SQLite(t)
	if err := db.AutoMigrate(&setting{}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, ok := store.TxFrom(ctx); ok {
		t.Fatal("a bare context carries a transaction")
	}
	begin := func(fn func(tx *gorm.DB) error) error { return db.WithContext(ctx).Transaction(fn) }
	write := func(ctx context.Context, key string) error {
		return store.Conn(ctx, db).Create(&setting{Key: key, Value: "v"}).Error
	}
	boom := errors.New("boom")
	err := store.Transact(ctx, begin, func(ctx context.Context) error {
		outer, _ := store.TxFrom(ctx)
		if err := write(ctx, "a"); err != nil {
			return err
		}
		return store.Transact(ctx, begin, func(ctx context.Context) error {
			if inner, _ := store.TxFrom(ctx); inner != outer {
				t.Error("a nested Transact opened a second transaction")
			}
			if err := write(ctx, "b"); err != nil {
				return err
			}
			return boom
		})
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Transact returned %v", err)
	}
	var n int64
	if err := db.Model(&setting{}).Count(&n).Error; err != nil || n != 0 {
		t.Fatalf("%d rows after the rollback (%v)", n, err)
	}
	if err := store.Transact(ctx, begin, func(ctx context.Context) error { return write(ctx, "c") }); err != nil {
		t.Fatal(err)
	}
	if err := db.Model(&setting{}).Count(&n).Error; err != nil || n != 1 {
		t.Fatalf("%d rows after a commit (%v)", n, err)
	}
}
