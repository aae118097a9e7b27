package events

import (
	"context"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"
)

// TestPruneDeletesOnlyWhatIsOldAndPublished: unpublished rows stay however old (the relay still
// owes them to the stream), published rows go after PublishedRetention, processed ids after the
// processed retention, and younger rows of both stay.
func TestPruneDeletesOnlyWhatIsOldAndPublished(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		at := func(ago time.Duration) *time.Time { t := now.Add(-ago); return &t }
		week, month := PublishedRetention, ProcessedRetention(0)
		outbox := []OutboxEvent{
			{EventID: "old-unpublished", CreatedAt: *at(90 * 24 * time.Hour)},
			{EventID: "old-published", CreatedAt: *at(week + 2*time.Hour), PublishedAt: at(week + time.Hour)},
			{EventID: "young-published", CreatedAt: *at(week), PublishedAt: at(week - time.Hour)},
			{EventID: "young-unpublished", CreatedAt: *at(time.Minute)},
		}
		for i := range outbox {
			outbox[i].Subject, outbox[i].Payload, outbox[i].Headers = "egov.t.s.e.v", "{}", "{}"
		}
		if err := db.Create(&outbox).Error; err != nil {
			t.Fatal(err)
		}
		processed := []ProcessedEvent{
			{Consumer: "reporting", EventID: "old", ProcessedAt: *at(month + time.Hour)},
			{Consumer: "dossiers", EventID: "old", ProcessedAt: *at(month + time.Minute)},
			{Consumer: "reporting", EventID: "young", ProcessedAt: *at(month - time.Hour)},
		}
		if err := db.Create(&processed).Error; err != nil {
			t.Fatal(err)
		}

		p := &Pruner{DB: db, Now: func() time.Time { return now }}
		published, ids, err := p.Prune(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if published != 1 || ids != 2 {
			t.Errorf("pruned %d outbox rows and %d ids, want 1 and 2", published, ids)
		}
		var left []string
		if err := db.Model(&OutboxEvent{}).Order("id").Pluck("event_id", &left).Error; err != nil {
			t.Fatal(err)
		}
		if want := []string{"old-unpublished", "young-published", "young-unpublished"}; !slices.Equal(left, want) {
			t.Errorf("outbox rows left = %v, want %v", left, want)
		}
		var ids2 []string
		if err := db.Model(&ProcessedEvent{}).Pluck("consumer || '/' || event_id", &ids2).Error; err != nil {
			t.Fatal(err)
		}
		if len(ids2) != 1 || ids2[0] != "reporting/young" {
			t.Errorf("processed ids left = %v, want [reporting/young]", ids2)
		}
		// A second prune finds nothing: replicas prune side by side.
		if published, ids, err := p.Prune(ctx); err != nil || published+ids != 0 {
			t.Errorf("second prune = %d, %d, %v", published, ids, err)
		}
	})
}

func TestPruneBatchesABacklog(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		old := time.Now().Add(-2 * PublishedRetention)
		rows := make([]OutboxEvent, pruneBatch+3)
		for i := range rows {
			rows[i] = OutboxEvent{EventID: "e" + time.Duration(i).String(), Subject: "egov.t.s.e.v", Payload: "{}", Headers: "{}", CreatedAt: old, PublishedAt: &old}
		}
		if err := db.CreateInBatches(&rows, 500).Error; err != nil {
			t.Fatal(err)
		}
		n, err := PurgePublished(context.Background(), db, time.Now().Add(-PublishedRetention))
		if err != nil || n != int64(len(rows)) {
			t.Fatalf("PurgePublished = %d, %v; want %d", n, err, len(rows))
		}
	})
}

func TestProcessedRetentionOutlivesTheStream(t *testing.T) {
	t.Parallel()
	for _, maxAge := range []time.Duration{time.Hour, 7 * 24 * time.Hour, 365 * 24 * time.Hour} {
		if got := ProcessedRetention(maxAge); got < maxAge {
			t.Errorf("ProcessedRetention(%s) = %s, shorter than the stream keeps messages", maxAge, got)
		}
	}
	if got := ProcessedRetention(0); got != UnlimitedStreamProcessedRetention {
		t.Errorf("ProcessedRetention(unlimited) = %s", got)
	}
}
