package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/archives/internal/domain"
)

// BenchmarkUpload compares, in one run against the same MinIO, a 64 MiB file registered through
// the service's API (multipart HTTP in, sniffing, SHA-256, streamed multipart to MinIO, the
// database commit) with a raw PutObject of the same bytes with the options the service uses
// (part size, parts in flight, unsigned payload with CRC32C checksums). Goal: service ≥ 0.9×.
func BenchmarkUpload(b *testing.B) {
	h := start(b, options{})
	tan := h.clerk("xa-dong-tan")
	const size = 64 << 20
	if _, err := h.ar.Objects.EnsureBucket(context.Background(), "xa-dong-tan"); err != nil {
		b.Fatal(err)
	}
	b.Run("service", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if r := h.postForm(tan, "/api/v1/documents", outgoing("Tệp đo tốc độ"), "do.pdf", &pausingReader{n: size, at: 1 << 62}, size); r.Status != http.StatusCreated {
				b.Fatalf("%d %s", r.Status, r.Body)
			}
		}
	})
	b.Run("raw-putobject", func(b *testing.B) {
		b.SetBytes(size)
		i := 0
		for b.Loop() {
			i++
			_, err := h.minio.PutObject(context.Background(), h.bucket("xa-dong-tan"), fmt.Sprintf("raw/%d", i), &pausingReader{n: size, at: 1 << 62}, -1,
				h.ar.Objects.PutOptions("application/pdf"))
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPresign measures issuing a presigned download URL (with its access-log row).
func BenchmarkPresign(b *testing.B) {
	h := start(b, options{})
	_, f := h.registerWithFile("xa-dong-tan", "Tệp", "a.pdf", pdf("a"))
	who := platform.Actor{Subject: "u", Tenant: "xa-dong-tan", Roles: []platform.Role{platform.RoleArchiveClerk}}
	ctx := store.WithScope(context.Background(),
		store.Scope{Tenant: "xa-dong-tan"})
	for b.Loop() {
		if _, _, err := h.ar.App.PresignedURL(ctx, who, f["id"].(string), "127.0.0.1"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearch searches the full text of a register of ARCHIVES_BENCH_DOCS documents
// (default 1,000,000) on PostgreSQL, spread over 10 units; goal ≤ 100 ms a search.
func BenchmarkSearch(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("ARCHIVES_BENCH_DOCS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	db := storetest.Postgres(b)
	h := start(b, options{db: db})
	h.answersAtLeast = 0 // it searches through the app, not the API
	started := time.Now()
	// Generated in the database: subjects from a few Vietnamese phrases, folded copies alike.
	err := db.Exec(`INSERT INTO documents (id, tenant_id, direction, year, number, issuing_organ, type, source_number, symbol, issued_date,
		subject, signer, language, pages, priority, security, registered_at, registered_by, search_text)
		SELECT md5(g::text)::uuid::text, 'xa-' || (g % 10), 'outgoing', 2026, g / 10 + 1, 'UBND', 'cong-van', g / 10 + 1, 'UBND-VP', '2026-01-01',
		  (ARRAY['Công văn về việc đường giao thông nông thôn','Kế hoạch phòng chống lụt bão','Quyết định khen thưởng','Báo cáo tình hình kinh tế xã hội'])[g % 4 + 1] || ' ' || g,
		  'Trần Văn An', 'vi', 1, 'thuong', 'thuong', now(), 'bench',
		  (ARRAY['cong van ve viec duong giao thong nong thon','ke hoach phong chong lut bao','quyet dinh khen thuong','bao cao tinh hinh kinh te xa hoi'])[g % 4 + 1] || ' ' || g
		FROM generate_series(1, ?) g`, n).Error
	if err != nil {
		b.Fatal(err)
	}
	db.Exec("ANALYZE documents")
	b.Logf("%d documents loaded in %s", n, time.Since(started).Round(time.Second))
	who := platform.Actor{Subject: "u", Tenant: "xa-3", Roles: []platform.Role{platform.RoleArchiveClerk}}
	ctx := store.WithScope(context.Background(),
		store.Scope{Tenant: "xa-3"})
	queries := []string{"lut bao", "Quyết định khen thưởng", "đường giao thông 123"}
	i := 0
	for b.Loop() {
		q := queries[i%len(queries)]
		i++
		if _, err := h.ar.App.Documents(ctx, who, domain.DocumentQuery{Text: q, Limit: 50}); err != nil {
			b.Fatal(err)
		}
	}
}

// postForm posts metadata and a file of size bytes as multipart/form-data the way a browser or
// curl -F does: the file streamed from its source inside a body whose Content-Length is
// declared. (multipartBody, which the other tests use, streams through a pipe from a
// goroutine as chunked transfer encoding, flushed every 32 KiB: a cost of that helper, paid
// only by the service side of the benchmark, that clients uploading a file do not have.)
func (h *harness) postForm(token, path string, meta map[string]any, name string, content io.Reader, size int64) response {
	h.t.Helper()
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	w, err := mw.CreateFormField("metadata")
	if err == nil {
		err = json.NewEncoder(w).Encode(meta)
	}
	if err == nil {
		_, err = mw.CreateFormFile("file", name)
	}
	if err != nil {
		h.t.Fatal(err)
	}
	tail := "\r\n--" + mw.Boundary() + "--\r\n" // what mw.Close writes
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, h.base+path,
		io.MultiReader(&head, io.LimitReader(content, size), strings.NewReader(tail)))
	if err != nil {
		h.t.Fatal(err)
	}
	req.ContentLength = int64(head.Len()) + size + int64(len(tail))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("POST %s: %v", path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}
