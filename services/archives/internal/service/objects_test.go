package service_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"egov.vn/platform/libs/testenv"
)

// TestFixityReportsCorruptedAndDeletedObjects: objects changed behind the archive's back in
// MinIO — a new version put over the key, a version deleted, a delete marker — are reported
// by the fixity job as alerts (rows, events, the admin API), while intact files pass.
func TestFixityReportsCorruptedAndDeletedObjects(t *testing.T) {
	h := start(t, options{})
	ctx := context.Background()
	tan := h.clerk("xa-dong-tan")
	_, intact := h.registerWithFile("xa-dong-tan", "Tệp nguyên vẹn", "a.pdf", pdf("nguyên vẹn"))
	_, overwritten := h.registerWithFile("xa-dong-tan", "Tệp bị ghi đè", "b.pdf", pdf("sẽ bị ghi đè"))
	_, deleted := h.registerWithFile("xa-dong-tan", "Tệp bị xóa", "c.pdf", pdf("sẽ bị xóa"))
	_, marked := h.registerWithFile("xa-dong-tan", "Tệp bị đánh dấu xóa", "d.pdf", pdf("delete marker"))
	bucket := h.bucket("xa-dong-tan")
	key := func(fileID string) (k, v string) {
		h.db.Table("stored_files").Where("id = ?", fileID).Pluck("object_key", &k)
		h.db.Table("stored_files").Where("id = ?", fileID).Pluck("version_id", &v)
		return k, v
	}
	k, _ := key(overwritten["id"].(string))
	if _, err := h.minio.PutObject(ctx, bucket, k, strings.NewReader("%PDF-1.7 giả mạo"), -1, minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	k, v := key(deleted["id"].(string))
	if err := h.minio.RemoveObject(ctx, bucket, k, minio.RemoveObjectOptions{VersionID: v}); err != nil {
		t.Fatal(err)
	}
	k, _ = key(marked["id"].(string))
	if err := h.minio.RemoveObject(ctx, bucket, k, minio.RemoveObjectOptions{}); err != nil {
		t.Fatal(err)
	}

	rep, err := h.ar.App.CheckFixity(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Checked != 4 {
		t.Fatalf("checked %d files, want 4", rep.Checked)
	}
	problems := map[string]string{}
	for _, a := range rep.Alerts {
		problems[a.FileID] = string(a.Problem)
	}
	want := map[string]string{overwritten["id"].(string): "overwritten", deleted["id"].(string): "missing", marked["id"].(string): "overwritten"}
	for id, p := range want {
		if problems[id] != p {
			t.Errorf("file %s: problem %q, want %q (all: %v)", id, problems[id], p, problems)
		}
	}
	if _, ok := problems[intact["id"].(string)]; ok || len(problems) != 3 {
		t.Fatalf("alerts %v", problems)
	}
	// A second run at once finds nothing due: every file was scheduled again.
	if rep, err := h.ar.App.CheckFixity(ctx, 100); err != nil || rep.Checked != 0 {
		t.Fatalf("second run checked %d, %v", rep.Checked, err)
	}
	if ev := h.outboxEvents("fixity-failed"); len(ev) != 3 || ev[0]["tenant"] != "xa-dong-tan" || ev[0]["expected_sha256"] == "" {
		t.Fatalf("fixity events %v", ev)
	}
	alerts := h.getJSON(tan, "/api/v1/fixity/alerts").json(t)["items"].([]any)
	if len(alerts) != 3 {
		t.Fatalf("alerts API: %v", alerts)
	}
	if others := h.getJSON(h.clerk("xa-dong-la"), "/api/v1/fixity/alerts").json(t)["items"].([]any); len(others) != 0 {
		t.Fatalf("another unit sees the alerts: %v", others)
	}
	// The download of a deleted version says what happened instead of failing obscurely.
	mustStatus(t, h.getJSON(tan, "/api/v1/files/"+deleted["id"].(string)+"/content"), http.StatusConflict, "download of a lost file")
}

// TestObjectLockStopsDeletionWithinRetention: a document filed in a 20-year record gets a
// COMPLIANCE lock; MinIO refuses to delete the version, even to its root user. A legal hold on
// another document's file does the same without a date.
func TestObjectLockStopsDeletionWithinRetention(t *testing.T) {
	h := start(t, options{})
	ctx := context.Background()
	tan := h.clerk("xa-dong-tan")
	rec := h.sendJSON(tan, http.MethodPost, "/api/v1/records", map[string]any{"file_code": "05.VP.2026", "title": "Hồ sơ quy hoạch",
		"retention": map[string]any{"years": 20}, "creator": "Lê Thị Mai", "start_date": "2026-01-05"})
	mustStatus(t, rec, http.StatusCreated, "record")
	recID := rec.json(t)["id"].(string)
	doc, f := h.registerWithFile("xa-dong-tan", "Quyết định phê duyệt quy hoạch", "qh.pdf", pdf("quy hoạch"))
	mustStatus(t, h.sendJSON(tan, http.MethodPut, "/api/v1/documents/"+doc["id"].(string)+"/record", map[string]any{"record_id": recID}), http.StatusNoContent, "file")
	view := h.getJSON(tan, "/api/v1/documents/"+doc["id"].(string)).json(t)
	file := view["files"].([]any)[0].(map[string]any)
	until, _ := time.Parse(time.RFC3339, file["retain_until"].(string))
	if until.Year() != time.Now().Year()+21 {
		t.Fatalf("retain until %v, want 1 January %d", until, time.Now().Year()+21)
	}
	var k, v string
	h.db.Table("stored_files").Where("id = ?", f["id"]).Pluck("object_key", &k)
	h.db.Table("stored_files").Where("id = ?", f["id"]).Pluck("version_id", &v)
	bucket := h.bucket("xa-dong-tan")
	mode, got, err := h.minio.GetObjectRetention(ctx, bucket, k, v)
	if err != nil || mode == nil || *mode != minio.Compliance || got == nil || !got.Equal(until) {
		t.Fatalf("retention in MinIO: %v %v %v", mode, got, err)
	}
	err = h.minio.RemoveObject(ctx, bucket, k, minio.RemoveObjectOptions{VersionID: v, GovernanceBypass: true})
	if err == nil {
		t.Fatal("MinIO deleted a version under COMPLIANCE retention")
	}
	if _, err := h.minio.StatObject(ctx, bucket, k, minio.StatObjectOptions{VersionID: v}); err != nil {
		t.Fatalf("the locked version is gone: %v", err)
	}

	held, hf := h.registerWithFile("xa-dong-tan", "Văn bản đang thanh tra", "tt.pdf", pdf("thanh tra"))
	mustStatus(t, h.sendJSON(tan, http.MethodPut, "/api/v1/documents/"+held["id"].(string)+"/legal-hold", map[string]any{"on": true}), http.StatusNoContent, "hold")
	h.db.Table("stored_files").Where("id = ?", hf["id"]).Pluck("object_key", &k)
	h.db.Table("stored_files").Where("id = ?", hf["id"]).Pluck("version_id", &v)
	if err := h.minio.RemoveObject(ctx, bucket, k, minio.RemoveObjectOptions{VersionID: v}); err == nil {
		t.Fatal("MinIO deleted a version under legal hold")
	}
	mustStatus(t, h.sendJSON(tan, http.MethodPut, "/api/v1/documents/"+held["id"].(string)+"/legal-hold", map[string]any{"on": false}), http.StatusNoContent, "lift")
	if err := h.minio.RemoveObject(ctx, bucket, k, minio.RemoveObjectOptions{VersionID: v}); err != nil {
		t.Fatalf("after the hold was lifted the (unfiled) version could not be removed: %v", err)
	}
}

// minioAt runs a private MinIO on a fixed port and data folder, so the test can kill it and
// start it again with its data.
func minioAt(t *testing.T, port int, dir string, keys testenv.MinIOServer) *exec.Cmd {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(testenv.Binary(t, "minio"), "server", "--quiet", "--address", addr,
		"--console-address", fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t)), dir)
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+keys.AccessKey, "MINIO_ROOT_PASSWORD="+keys.SecretKey, "MINIO_BROWSER=off", "MINIO_UPDATE=off")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	if err := testenv.WaitTCP(addr, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// pausingReader yields n bytes of PDF-like content, calling at once when half has been read.
type pausingReader struct {
	n, read int64
	at      int64
	hook    func()
	fired   atomic.Bool
}

func (r *pausingReader) Read(p []byte) (int, error) {
	if r.read >= r.n {
		return 0, io.EOF
	}
	if r.read >= r.at && r.fired.CompareAndSwap(false, true) {
		r.hook()
	}
	n := min(int64(len(p)), r.n-r.read, int64(len(pattern)))
	if r.read == 0 {
		copy(p, "%PDF-1.7\n")
		r.read, n = int64(len("%PDF-1.7\n")), int64(len("%PDF-1.7\n"))
		return int(n), nil
	}
	off := r.read % 26
	copy(p[:n], pattern[off:off+n])
	r.read += n
	return int(n), nil
}

// pattern is the filler the readers copy from: generating bytes one by one would make the
// test, not the service, the slow part.
var pattern = []byte(strings.Repeat("abcdefghijklmnopqrstuvwxyz", 64<<10/26+2))[:64<<10+26]

// TestMinIOStoppedMidUpload: MinIO dies while a 40 MiB file streams in; the clerk gets 503 with
// a clear message, no document is registered and no number used; once MinIO is back the same
// registration succeeds with number 1.
func TestMinIOStoppedMidUpload(t *testing.T) {
	port, dir := testenv.FreePort(t), t.TempDir()
	keys := testenv.MinIOServer{Endpoint: fmt.Sprintf("127.0.0.1:%d", port), AccessKey: "egovtest", SecretKey: "egovtest-" + randomHex(8)}
	cmd := minioAt(t, port, dir, keys)
	h := start(t, options{minio: &keys})
	tan := h.clerk("xa-dong-tan")
	// The bucket exists before the outage, as it would in a running platform.
	if _, err := h.ar.Objects.EnsureBucket(context.Background(), "xa-dong-tan"); err != nil {
		t.Fatal(err)
	}
	src := &pausingReader{n: 40 << 20, at: 20 << 20, hook: func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() }}
	body, ct := multipartBody(outgoing("Văn bản khi MinIO ngừng"), "lon.pdf", src)
	r := h.do(tan, http.MethodPost, "/api/v1/documents", body, ct)
	mustStatus(t, r, http.StatusServiceUnavailable, "upload while MinIO is down")
	if m := r.json(t); !strings.Contains(m["detail"].(string), "thử lại") || m["code"] != "unavailable" {
		t.Fatalf("503 answer %v", m)
	}
	var docs, files int64
	h.db.Table("documents").Count(&docs)
	h.db.Table("stored_files").Count(&files)
	if docs != 0 || files != 0 {
		t.Fatalf("after the failed upload: %d documents, %d files", docs, files)
	}
	minioAt(t, port, dir, keys)
	body, ct = multipartBody(outgoing("Văn bản khi MinIO ngừng"), "lon.pdf", &pausingReader{n: 40 << 20, at: 1 << 62})
	r = h.do(tan, http.MethodPost, "/api/v1/documents", body, ct)
	mustStatus(t, r, http.StatusCreated, "retry after MinIO is back")
	if n := r.json(t)["number"].(float64); n != 1 {
		t.Fatalf("retry got number %v, want 1 (the failure must not use a number)", n)
	}
	// The aborted upload's pending mark is the orphan the cleanup job removes (its object, if
	// any part was completed, with it).
	var pending int64
	h.db.Table("pending_uploads").Count(&pending)
	if pending > 1 {
		t.Fatalf("%d pending uploads", pending)
	}
	h.db.Exec("UPDATE pending_uploads SET started_at = ?", time.Now().Add(-2*time.Hour).UTC())
	if _, err := h.ar.App.CleanupOrphans(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.db.Table("pending_uploads").Count(&pending)
	if pending != 0 {
		t.Fatalf("cleanup left %d pending uploads", pending)
	}
}

// TestOneGiBUploadStaysUnder64MiB streams 1 GiB, generated on the fly, through the API into
// MinIO and samples the heap meanwhile: the growth stays below 64 MiB (one 16 MiB part plus
// buffers), and the SHA-256 the service computed is the one of the bytes sent.
func TestOneGiBUploadStaysUnder64MiB(t *testing.T) {
	if testing.Short() {
		t.Skip("1 GiB upload: not in -short")
	}
	h := start(t, options{})
	tan := h.clerk("xa-dong-tan")
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
			}
		}
	}()
	const size = 1 << 30
	src := &pausingReader{n: size, at: 1 << 62}
	hash := newHashingReader(src)
	body, ct := multipartBody(outgoing("Tệp 1 GiB"), "mot-gib.pdf", hash)
	start := time.Now()
	r := h.do(tan, http.MethodPost, "/api/v1/documents", body, ct)
	elapsed := time.Since(start)
	close(done)
	mustStatus(t, r, http.StatusCreated, "1 GiB upload")
	growth := int64(peak.Load()) - int64(base.HeapInuse)
	t.Logf("1 GiB in %s (%.0f MiB/s); heap in use grew by %.1f MiB at most", elapsed, float64(size)/(1<<20)/elapsed.Seconds(), float64(growth)/(1<<20))
	if growth >= 64<<20 {
		t.Fatalf("heap grew by %d MiB during a 1 GiB upload, want < 64 MiB", growth>>20)
	}
	v := h.getJSON(tan, "/api/v1/documents/"+r.json(t)["id"].(string)).json(t)
	f := v["files"].([]any)[0].(map[string]any)
	if f["size"].(float64) != size || f["sha256"] != hash.sum() {
		t.Fatalf("stored size %v sha %v, sent %d bytes sha %s", f["size"], f["sha256"], size, hash.sum())
	}
}
