package adapters_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/trace/noop"
	"gorm.io/gorm"

	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/services/dossiers/internal/adapters"
	"egov.vn/platform/services/dossiers/internal/app"
)

// TestArchiveLinksFromRegisteredEvents (issue 15 item 3): the archives' "registered" events that
// name a dossier link it to the document its result became, once, however often the event is
// delivered; a registered document that names no dossier links nothing. The dossier's readers see
// the link (the district above the commune too), other communes do not. On both databases.
func TestArchiveLinksFromRegisteredEvents(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := t.Context()
		if err := adapters.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		// A private NATS: the platform stream takes egov.>, which no other test may share.
		nc, err := nats.Connect("nats://" + testenv.StartNATS(t).Addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		js, err := jetstream.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := events.EnsureStream(ctx, js, "EGOV"); err != nil {
			t.Fatal(err)
		}
		st := adapters.NewStore(db, nil)
		a := app.New(app.Deps{Store: st, Tracer: noop.NewTracerProvider().Tracer("test")}, app.DefaultConfig())
		runCtx, cancel := context.WithCancel(context.Background())
		stopped := make(chan error, 1)
		go func() {
			stopped <- (&adapters.ArchiveLinksConsumer{DB: db, JS: js, App: a, Stream: "EGOV", Durable: "dossiers-archive-links",
				Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Run(runCtx)
		}()
		t.Cleanup(func() {
			cancel()
			if err := <-stopped; err != nil {
				t.Errorf("consumer: %v", err)
			}
		})

		publish := func(data map[string]any) {
			t.Helper()
			evt, err := events.New(events.Topic{Tenant: data["tenant"].(string), Service: "archives", Entity: "document", Verb: "registered"},
				data["document_id"].(string), data)
			if err != nil {
				t.Fatal(err)
			}
			payload, err := evt.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			topic, _ := events.TopicOf(evt)
			if _, err := js.Publish(ctx, topic.Subject(), payload); err != nil {
				t.Fatal(err)
			}
		}
		dossierID, docID := uuid.NewString(), uuid.NewString()
		registered := map[string]any{"document_id": docID, "tenant": "xa-dong-tan", "register": "outgoing", "year": 2026, "number": 7,
			"notation": "7/QĐ-UBND", "type": "quyet-dinh", "registered_at": time.Now().UTC(), "dossier_id": dossierID, "receipt_code": "UBXDT-261207-0001"}
		publish(registered)
		publish(registered) // a replay under a new event id
		other := uuid.NewString()
		publish(map[string]any{"document_id": other, "tenant": "xa-dong-tan", "register": "outgoing", "year": 2026, "number": 8,
			"notation": "8/QĐ-UBND", "type": "quyet-dinh", "registered_at": time.Now().UTC()})

		// Three events delivered and acked: the consumer is done with them.
		deadline := time.Now().Add(30 * time.Second)
		for {
			c, err := js.Consumer(ctx, "EGOV", "dossiers-archive-links")
			if err == nil {
				if info, err := c.Info(ctx); err == nil && info.Delivered.Stream >= 3 && info.NumAckPending == 0 && info.NumPending == 0 {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatal("the registered events were not all consumed within 30s")
			}
			time.Sleep(20 * time.Millisecond)
		}

		var n int64
		if err := db.Table("archive_links").Count(&n).Error; err != nil || n != 1 {
			t.Fatalf("archive links: %d (%v), want the one dossier's", n, err)
		}
		read := func(sc store.Scope) *app.ArchiveLink {
			t.Helper()
			l, err := a.ArchivedResult(store.WithScope(ctx, sc), dossierID)
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
		l := read(store.Scope{Tenant: "xa-dong-tan"})
		if l == nil || l.DocumentID != docID || l.Notation != "7/QĐ-UBND" || l.Number != 7 || l.Year != 2026 || l.URL() != "/archives/documents/"+docID {
			t.Fatalf("the commune's link: %+v", l)
		}
		if l := read(store.Scope{Tenant: "huyen-dong-hung", Readable: []string{"xa-dong-tan", "xa-dong-la"}}); l == nil {
			t.Error("the district, which reads its communes' dossiers, does not see the link")
		}
		if l := read(store.Scope{Tenant: "xa-dong-la"}); l != nil {
			t.Errorf("another commune sees the link: %+v", l)
		}
	})
}
