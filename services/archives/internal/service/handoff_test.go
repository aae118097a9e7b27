package service_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/minio/minio-go/v7"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"gorm.io/gorm"

	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/devkit/browser"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/objstore"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/services/identity/identitytest"
)

// platformStream starts a private NATS (the platform stream takes egov.>, which no other test
// may share) and makes the stream as the bootstrap does.
func platformStream(t testing.TB) (string, jetstream.JetStream) {
	t.Helper()
	url := "nats://" + testenv.StartNATS(t).Addr
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := events.EnsureStream(context.Background(), js, bootstrap.Stream); err != nil {
		t.Fatal(err)
	}
	return url, js
}

// dossiersSide stands in for dossiers until its "returned" event carries the result: a database
// of its own with the outbox, the relay publishing it to the platform stream, and the unit's
// bucket, where the result file lies as dossiers put it.
type dossiersSide struct {
	t        testing.TB
	uow      *events.UnitOfWork
	minio    *minio.Client
	prefix   string
	receipts int
}

func newDossiersSide(t testing.TB, js jetstream.JetStream, mc *minio.Client, prefix string) *dossiersSide {
	t.Helper()
	db := storetest.SQLite(t)
	if err := store.MigrateAll(context.Background(), db, events.Migrations); err != nil {
		t.Fatal(err)
	}
	relay := events.NewRelay(db, js, events.RelayConfig{PollInterval: 20 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = relay.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return &dossiersSide{t: t, uow: events.NewUnitOfWork(db, events.NewOutbox(relay)), minio: mc, prefix: prefix}
}

// result is a dossier with its result file in the unit's bucket.
type result struct {
	Tenant, DossierID, ReceiptCode string
	Key, SHA256                    string
	Size                           int
	Content                        []byte
}

// putResult stores content as the result of a new dossier of tenant, the way dossiers keeps
// files: in the unit's bucket by the storage contract, made by objstore.EnsureBucket if missing.
func (d *dossiersSide) putResult(tenant string, content []byte) result {
	d.t.Helper()
	ctx := context.Background()
	bucket := d.bucket(tenant)
	if _, err := objstore.EnsureBucket(ctx, d.minio, bucket); err != nil {
		d.t.Fatal(err)
	}
	d.receipts++
	r := result{Tenant: tenant, DossierID: uuid.NewString(), ReceiptCode: fmt.Sprintf("UBXDT-261207-%04d", d.receipts),
		Size: len(content), Content: content}
	r.Key = "dossiers/" + r.DossierID + "/ket-qua.pdf"
	sum := sha256.Sum256(content)
	r.SHA256 = hex.EncodeToString(sum[:])
	if _, err := d.minio.PutObject(ctx, bucket, r.Key, bytes.NewReader(content), int64(len(content)), minio.PutObjectOptions{ContentType: "application/pdf"}); err != nil {
		d.t.Fatal(err)
	}
	return r
}

func (d *dossiersSide) bucket(tenant string) string {
	return platform.BucketName(d.prefix, platform.Slug(tenant))
}

// returned publishes the dossier's "returned" event through the outbox, with the result fields
// of the hand-off's contract; change edits the data first (a missing file, a wrong hash).
func (d *dossiersSide) returned(r result, change func(map[string]any)) events.Event {
	d.t.Helper()
	now := time.Now().UTC()
	data := map[string]any{
		"dossier_id": r.DossierID, "receipt_code": r.ReceiptCode, "tenant": r.Tenant,
		"procedure_code": "1.001193", "procedure_name": "Đăng ký khai sinh", "field": "Hộ tịch", "level": "commune",
		"channel": "desk", "state": "returned", "version": 9, "received_at": now.Add(-72 * time.Hour), "due_at": now.Add(24 * time.Hour),
		"occurred_at": now, "actor": "tra.kq", "returned_at": now,
		"result_bucket": d.bucket(r.Tenant), "result_object_key": r.Key, "result_file_name": "ket-qua.pdf",
		"result_content_type": "application/pdf", "result_size": r.Size, "result_sha256": r.SHA256,
		"result_type": "Quyết định", "result_summary": "Giấy khai sinh của Nguyễn Văn Bình", "result_signer": "Lê Thị Hà",
	}
	if change != nil {
		change(data)
	}
	evt, err := events.New(events.Topic{Tenant: r.Tenant, Service: "dossiers", Entity: "dossier", Verb: "returned"}, r.DossierID, data)
	if err != nil {
		d.t.Fatal(err)
	}
	if err := d.uow.Transact(context.Background(), func(ctx context.Context) error { return d.uow.Publish(ctx, evt) }); err != nil {
		d.t.Fatal(err)
	}
	return evt
}

// archivedDocument waits until the archives hold the dossier's result and returns its id; the
// hand-off is asynchronous, so the test waits for the row rather than for a time.
func archivedDocument(t testing.TB, db *gorm.DB, dossierID string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var ids []string
		if err := db.Table("document_dossiers").Where("dossier_id = ?", dossierID).Pluck("document_id", &ids).Error; err != nil {
			t.Fatal(err)
		}
		if len(ids) == 1 {
			return ids[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("dossier %s: %d archived documents after 30s", dossierID, len(ids))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func count(t testing.TB, db *gorm.DB, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Table(table).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestHandoffArchivesTheResultOnce (issue 15 item 3): a returned dossier's result becomes an
// outgoing document of the unit, numbered next in its register, with Decree 30 metadata, the
// file copied into the archives' own object with its SHA-256 checked, and the dossier's receipt
// code linking back; its registered event names the dossier. A second "returned" for the same
// dossier (dossiers retrying) adds nothing; a return without a file, a file whose bytes are not
// the announced ones and a file in another unit's bucket make no record. On both databases.
func TestHandoffArchivesTheResultOnce(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		_, js := platformStream(t)
		// One worker: events are handled in the order published, so once the last one is
		// archived the earlier ones have been handled too.
		h := start(t, options{db: db, js: js, workers: 1})
		d := newDossiersSide(t, js, h.minio, h.prefix)
		tenant := "xa-dong-tan"

		// An ordinary document first: the result takes the next number after it.
		h.registerWithFile(tenant, "Quyết định thành lập tổ công tác", "qd.pdf", pdf("tổ công tác"))

		first := d.putResult(tenant, pdf("Giấy khai sinh Nguyễn Văn Bình"))
		d.returned(first, nil)
		docID := archivedDocument(t, db, first.DossierID)

		v := h.getJSON(h.clerk(tenant), "/api/v1/documents/"+docID)
		mustStatus(t, v, http.StatusOK, "the archived result")
		body := v.json(t)
		doc := body["document"].(map[string]any)
		for field, want := range map[string]any{
			"register": "outgoing", "number": float64(2), "notation": "2/QĐ-UBND", "type": "quyet-dinh",
			"issuing_organ": "UBND xã Đông Tân", "subject": "Giấy khai sinh của Nguyễn Văn Bình", "signer": "Lê Thị Hà",
			"receipt_code": first.ReceiptCode, "dossier_id": first.DossierID, "dossier_url": "/dossiers/ho-so/" + first.DossierID,
			"issued_date": time.Now().In(time.FixedZone("ICT", 7*3600)).Format("2006-01-02"),
		} {
			if doc[field] != want {
				t.Errorf("document %s = %v, want %v", field, doc[field], want)
			}
		}
		files := body["files"].([]any)
		if len(files) != 1 {
			t.Fatalf("files of the archived result: %v", files)
		}
		f := files[0].(map[string]any)
		if f["sha256"] != first.SHA256 || f["size"] != float64(first.Size) || f["name"] != "ket-qua.pdf" {
			t.Errorf("archived file %v, want the result's %d bytes with SHA-256 %s", f, first.Size, first.SHA256)
		}
		// The archives keep their own object, not a reference to dossiers' one.
		dl := h.do(h.clerk(tenant), http.MethodGet, "/api/v1/files/"+f["id"].(string)+"/content", nil, "")
		mustStatus(t, dl, http.StatusOK, "download the archived result")
		if !bytes.Equal(dl.Body, first.Content) {
			t.Errorf("downloaded %d bytes, not the result", len(dl.Body))
		}
		var key string
		if err := db.Table("stored_files").Where("id = ?", f["id"]).Pluck("object_key", &key).Error; err != nil || !strings.HasPrefix(key, "documents/"+docID+"/") {
			t.Errorf("archived object key %q (%v), want one under documents/%s/", key, err, docID)
		}

		// dossiers retries the return (a new event for the same dossier), a return without a
		// file, a result whose bytes are not the announced ones, then one more good result.
		d.returned(first, nil)
		noFile := d.putResult(tenant, pdf("kết quả giấy"))
		d.returned(noFile, func(m map[string]any) {
			for _, k := range []string{"result_bucket", "result_object_key", "result_file_name", "result_content_type", "result_size", "result_sha256"} {
				delete(m, k)
			}
		})
		tampered := d.putResult(tenant, pdf("kết quả bị sửa"))
		d.returned(tampered, func(m map[string]any) { m["result_sha256"] = strings.Repeat("0", 64) })
		// A result said to lie in another unit's bucket is not fetched from there.
		elsewhere := d.putResult("xa-dong-la", pdf("kết quả của xã khác"))
		d.returned(elsewhere, func(m map[string]any) { m["tenant"] = tenant })
		last := d.putResult(tenant, pdf("Giấy chứng nhận kết hôn"))
		d.returned(last, func(m map[string]any) { m["result_type"] = "" })
		lastID := archivedDocument(t, db, last.DossierID)

		if n := count(t, db, "document_dossiers", "dossier_id = ?", first.DossierID); n != 1 {
			t.Errorf("the retried dossier has %d archived documents, want 1", n)
		}
		for name, r := range map[string]result{"without a file": noFile, "with other bytes": tampered, "in another unit's bucket": elsewhere} {
			if n := count(t, db, "document_dossiers", "dossier_id = ?", r.DossierID); n != 0 {
				t.Errorf("a result %s made %d documents, want none", name, n)
			}
		}
		lastDoc := h.getJSON(h.clerk(tenant), "/api/v1/documents/"+lastID).json(t)["document"].(map[string]any)
		if lastDoc["number"] != float64(3) || lastDoc["type"] != "quyet-dinh" {
			t.Errorf("the next result: number %v type %v, want 3 and the default quyet-dinh", lastDoc["number"], lastDoc["type"])
		}
		if n := count(t, db, "documents", "tenant_id = ?", tenant); n != 3 {
			t.Errorf("%d documents in %s, want the ordinary one and two results", n, tenant)
		}
		// The tampered copy was removed from the archives' bucket again, not left behind.
		if n := count(t, db, "pending_uploads", "1 = 1"); n != 0 {
			t.Errorf("%d uploads left pending", n)
		}

		var linked []map[string]any
		for _, e := range h.outboxEvents("registered") {
			if e["dossier_id"] != nil {
				linked = append(linked, e)
			}
		}
		if len(linked) != 2 || linked[0]["dossier_id"] != first.DossierID || linked[0]["receipt_code"] != first.ReceiptCode ||
			linked[1]["dossier_id"] != last.DossierID {
			t.Errorf("registered events naming a dossier: %v, want the two results in order", linked)
		}
		h.answersAtLeast = 3
	})
}

// TestHandoffResultPageNamesTheDossier: the archived result's page, as the clerk sees it in
// Chromium, names the dossier's receipt code and links the dossier's page at dossiers.
func TestHandoffResultPageNamesTheDossier(t *testing.T) {
	_, js := platformStream(t)
	h := start(t, options{js: js})
	h.answersAtLeast = 0 // the page is rendered on the server and calls no JSON API
	d := newDossiersSide(t, js, h.minio, h.prefix)
	r := d.putResult("xa-dong-tan", pdf("Giấy khai sinh"))
	d.returned(r, nil)
	docID := archivedDocument(t, h.db, r.DossierID)

	h.idp.Person(t, identitytest.Person{Tenant: "xa-dong-tan", Username: "mai.lt", Name: "Lê Thị Mai", Roles: []string{"archive.clerk"}})
	ctx := browser.Chromium(t, time.Minute, chromedp.WindowSize(1280, 1000))
	if err := chromedp.Do(ctx, chromedp.Navigate(h.base+"/documents/"+docID), chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "mai.lt"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), h.idp.Password),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS("#dossier")),
	); err != nil {
		t.Fatalf("the archived result's page: %v", err)
	}
	code, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#dossier")))
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := chromedp.Run(ctx, chromedp.Attributes(chromedp.CSS("#dossier")))
	if err != nil {
		t.Fatal(err)
	}
	href := attrs["href"]
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		testenv.WriteArtifact(t, "archives-ket-qua-ho-so.png", png)
	}
	if code != r.ReceiptCode || href != "/dossiers/ho-so/"+r.DossierID {
		t.Errorf("the page names %q linking %q, want %s linking /dossiers/ho-so/%s", code, href, r.ReceiptCode, r.DossierID)
	}
}
