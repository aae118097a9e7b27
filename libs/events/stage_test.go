package events

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
)

type stagedKey struct{}

// TestConsumerStagesBeforeTheTransaction: WithStage runs before each event's transaction, its
// context reaches the handler, and its errors are handled as the handler's: a transient one is
// retried (the event applied once in the end), a Permanent one drops the event without calling
// the handler or recording it as processed.
func TestConsumerStagesBeforeTheTransaction(t *testing.T) {
	url := natsServer(t)
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		s := newScope(t, url)
		createCounterTable(t, db)
		flaky, _ := New(s.topic(), "flaky", nil)
		doomed, _ := New(s.topic(), "doomed", nil)
		fine, _ := New(s.topic(), "fine", nil)
		for _, e := range []Event{flaky, doomed, fine} {
			raw, _ := json.Marshal(e)
			if _, err := s.js.Publish(ctx, s.topic().Subject(), raw); err != nil {
				t.Fatal(err)
			}
		}
		var staged, handled calls
		var wg sync.WaitGroup
		wg.Go(func() {
			_ = Consume(ctx, s.js, db, s.stream, "staged", nil, func(ctx context.Context, e Event, tx *gorm.DB) error {
				handled.add(e.ID())
				if ctx.Value(stagedKey{}) != e.ID() {
					return Permanent(errors.New("the handler did not get the staged context"))
				}
				return applyCount(tx, e)
			}, WithLogger(testLogger()), WithRetryDelay(10*time.Millisecond, 50*time.Millisecond),
				WithStage(func(ctx context.Context, e Event) (context.Context, error) {
					call := staged.add(e.ID())
					switch {
					case e.ID() == flaky.ID() && call < 3:
						return nil, errors.New("object store unavailable")
					case e.ID() == doomed.ID():
						return nil, Permanent(errors.New("the file is not the announced one"))
					}
					return context.WithValue(ctx, stagedKey{}, e.ID()), nil
				}))
		})
		waitFor(t, "every message settled", func() bool { return allAcked(t, s.js, s.stream, "staged", 3) })
		cancel()
		wg.Wait()

		if got := staged.get(flaky.ID()); got != 3 {
			t.Errorf("flaky event staged %d times, want 3", got)
		}
		if got := handled.get(doomed.ID()); got != 0 {
			t.Errorf("the handler ran %d times for an event its stage rejected", got)
		}
		assertAppliedOnce(t, db, []string{flaky.ID(), fine.ID()})
		var processed int64
		db.Model(&ProcessedEvent{}).Where("consumer = ?", "staged").Count(&processed)
		if processed != 2 {
			t.Errorf("processed_events rows = %d, want 2", processed)
		}
	})
}
