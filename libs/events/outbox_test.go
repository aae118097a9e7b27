package events

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"gorm.io/gorm"
)

// TestAddAllWritesEveryEventOrNone: a bulk write spans several INSERT batches, and one invalid
// event refuses the whole call before anything is written.
func TestAddAllWritesEveryEventOrNone(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		topic := Topic{Tenant: "xa-dong-tan", Service: "hr", Entity: "staff", Verb: "hired"}
		evts := make([]Event, 0, 2*addAllBatch+7)
		for i := range cap(evts) {
			evt, err := New(topic, fmt.Sprintf("s-%d", i), map[string]int{"n": i})
			if err != nil {
				t.Fatal(err)
			}
			evts = append(evts, evt)
		}
		o := NewOutbox(nil)
		if err := o.Transact(ctx, db, func(tx *gorm.DB) error { return o.AddAll(ctx, tx, evts) }); err != nil {
			t.Fatal(err)
		}
		var n int64
		db.Model(&OutboxEvent{}).Where("subject = ?", topic.Subject()).Count(&n)
		if n != int64(len(evts)) {
			t.Fatalf("outbox holds %d events, want %d", n, len(evts))
		}

		bad := evts[0].Clone()
		bad.SetType("not a type")
		more, _ := New(Topic{Tenant: "xa-dong-la", Service: "hr", Entity: "staff", Verb: "hired"}, "s-x", nil)
		err := o.AddAll(ctx, db, []Event{more, bad})
		if err == nil || !errors.Is(err, ErrInvalid) {
			t.Fatalf("an invalid event in the batch: err = %v, want ErrInvalid", err)
		}
		db.Model(&OutboxEvent{}).Where("event_id = ?", more.ID()).Count(&n)
		if n != 0 {
			t.Fatal("a refused batch wrote its valid events")
		}
	})
}
