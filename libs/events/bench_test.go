package events

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkRelay measures how fast a relay drains an outbox into JetStream (file storage, PubAck
// awaited for every event), per database and batch size. b.N events are written before the timer
// starts; run with a fixed count, e.g. -benchtime=20000x, to bound the setup.
func BenchmarkRelay(b *testing.B) {
	url := natsServer(b)
	for _, k := range dbKinds {
		for _, batch := range []int{100, 500} {
			b.Run(fmt.Sprintf("%s/batch=%d", k.name, batch), func(b *testing.B) {
				ctx := context.Background()
				db := k.open(b)
				if err := AutoMigrate(db); err != nil {
					b.Fatal(err)
				}
				s := newScope(b, url)
				writeEvents(b, ctx, db, NewOutbox(nil), s.topic(), b.N, 500)
				r := NewRelay(db, s.js, RelayConfig{BatchSize: batch, Logger: testLogger()})

				b.ResetTimer()
				published := 0
				for published < b.N {
					n, err := r.PublishBatch(ctx)
					if err != nil {
						b.Fatal(err)
					}
					if n == 0 {
						b.Fatalf("outbox empty after %d of %d events", published, b.N)
					}
					published += n
				}
				b.StopTimer()
				b.ReportMetric(float64(published)/b.Elapsed().Seconds(), "events/s")
				if left := countUnpublished(b, db); left != 0 {
					b.Fatalf("%d events left unpublished", left)
				}
			})
		}
	}
}
