package events

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"
)

// TestUnitOfWork: an event exists if and only if its change commits, a nested Transact joins the
// outer transaction, and Publish outside a transaction is refused, on both databases.
func TestUnitOfWork(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if err := db.Exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`).Error; err != nil {
			t.Fatal(err)
		}
		u := NewUnitOfWork(db, nil)
		event := func() Event {
			e, err := New(Topic{Tenant: "xa-dong-tan", Service: "hr", Entity: "note", Verb: "written"}, "n-1", map[string]string{"body": "x"})
			if err != nil {
				t.Fatal(err)
			}
			return e
		}
		write := func(ctx context.Context, id int, events ...Event) error {
			if err := u.DB(ctx).Exec(`INSERT INTO notes (id, body) VALUES (?, 'x')`, id).Error; err != nil {
				return err
			}
			return u.Publish(ctx, events...)
		}
		count := func(table string) (n int64) {
			if err := db.Table(table).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}

		if err := u.Transact(ctx, func(ctx context.Context) error {
			if err := write(ctx, 1, event()); err != nil {
				return err
			}
			// A use case calling another joins its transaction.
			return u.Transact(ctx, func(ctx context.Context) error { return write(ctx, 2, event(), event()) })
		}); err != nil {
			t.Fatal(err)
		}
		if n, e := count("notes"), count("outbox_events"); n != 2 || e != 3 {
			t.Fatalf("after commit: %d notes and %d events, want 2 and 3", n, e)
		}

		boom := errors.New("the domain said no")
		if err := u.Transact(ctx, func(ctx context.Context) error {
			if err := write(ctx, 3, event()); err != nil {
				return err
			}
			return boom
		}); !errors.Is(err, boom) {
			t.Fatalf("err %v, want the use case's", err)
		}
		if n, e := count("notes"), count("outbox_events"); n != 2 || e != 3 {
			t.Fatalf("after rollback: %d notes and %d events, want 2 and 3 still", n, e)
		}

		if err := u.Publish(ctx, event()); !errors.Is(err, ErrNoTransaction) {
			t.Fatalf("Publish outside a transaction: %v, want ErrNoTransaction", err)
		}
	})
}
