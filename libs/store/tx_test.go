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

// hookRecorder writes its own row in the transaction and counts commits.
type hookRecorder struct {
	fail      error
	inTx      int
	committed int
}

func (h *hookRecorder) InTx(ctx context.Context, tx *gorm.DB) error {
	h.inTx++
	if h.fail != nil {
		return h.fail
	}
	return tx.Create(&setting{Key: "hook", Value: "v"}).Error
}

func (h *hookRecorder) Committed(context.Context) { h.committed++ }

// A TxHook writes in the same transaction as the change: both commit, or a hook that fails rolls
// the change back; a nested Transact runs it once, with the outer transaction.
func TestTxHookRunsInTheTransaction(t *testing.T) {
	t.Parallel()
	db := storetest.SQLite(t)
	if err := db.AutoMigrate(&setting{}); err != nil {
		t.Fatal(err)
	}
	begin := func(fn func(tx *gorm.DB) error) error { return db.Transaction(fn) }
	count := func() int64 {
		var n int64
		if err := db.Model(&setting{}).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	h := &hookRecorder{}
	ctx := store.WithTxHook(context.Background(), h)
	err := store.Transact(ctx, begin, func(ctx context.Context) error {
		if err := store.Conn(ctx, db).Create(&setting{Key: "change", Value: "v"}).Error; err != nil {
			return err
		}
		return store.Transact(ctx, begin, func(context.Context) error { return nil })
	})
	if err != nil || count() != 2 || h.inTx != 1 || h.committed != 1 {
		t.Fatalf("err %v, %d rows, hook in tx %d, committed %d; want the change and the hook's row, once", err, count(), h.inTx, h.committed)
	}

	boom := errors.New("key taken")
	failing := &hookRecorder{fail: boom}
	ctx = store.WithTxHook(context.Background(), failing)
	err = store.Transact(ctx, begin, func(ctx context.Context) error {
		return store.Conn(ctx, db).Create(&setting{Key: "second", Value: "v"}).Error
	})
	if !errors.Is(err, boom) || count() != 2 || failing.committed != 0 {
		t.Fatalf("err %v, %d rows, committed %d; want the hook's error and the change rolled back", err, count(), failing.committed)
	}
}
