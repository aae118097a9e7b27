package service_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// TestPlainFormUpload: the register form posted by a browser without JavaScript (the CSRF token
// in a form field, so the form is read before the handler) takes a file above the engine's
// 1 MiB cap; a file part whose Content-Disposition cannot be read (two filename parameters),
// which Go's form parser would skip, is a 400 page saying what to do, with no document, no file
// and no register number used (issue 18, findings 11 and 12).
func TestPlainFormUpload(t *testing.T) {
	h := start(t, options{maxBytes: 8 << 20})
	h.clerk("xa-dong-tan")
	s := h.pagesSession("vanthu.xa-dong-tan")

	post := func(disposition string, content []byte) (int, string) {
		t.Helper()
		r, err := s.c.Get(h.base + "/documents/new?direction=outgoing")
		if err != nil {
			t.Fatal(err)
		}
		action, vals, err := formOf(r.Body, func(n *html.Node) bool { return attr(n, "id") == "document-form" })
		_ = r.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		vals.Set("direction", "outgoing")
		vals.Set("issuing_organ", "UBND xã Đông Tân")
		vals.Set("type", "quyet-dinh")
		vals.Set("symbol", "QĐ-UBND")
		vals.Set("issued_date", time.Now().Add(-48*time.Hour).Format("2006-01-02"))
		vals.Set("subject", "Quyết định gửi bằng biểu mẫu thường")
		vals.Set("signer", "Trần Văn An")
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		for k, vs := range vals {
			for _, v := range vs {
				_ = w.WriteField(k, v)
			}
		}
		hdr := textproto.MIMEHeader{}
		hdr.Set("Content-Disposition", disposition)
		hdr.Set("Content-Type", "application/pdf")
		part, _ := w.CreatePart(hdr)
		_, _ = part.Write(content)
		_ = w.Close()
		target, _ := r.Request.URL.Parse(action)
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, target.String(), &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Origin", target.Scheme+"://"+target.Host)
		resp, err := s.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	big := append(pdf("quyết định"), bytes.Repeat([]byte("0 0 m 1 1 l S\n"), 3<<20/14)...) // about 3 MiB

	st, page := post(`form-data; name="file"; filename="a.pdf"; filename="b.pdf"`, pdf("hai tên"))
	if st != http.StatusBadRequest || !strings.Contains(page, "Biểu mẫu không đọc được") || !strings.Contains(page, "chưa có gì được lưu") {
		t.Fatalf("a malformed file part: %d, want the 400 page\n%s", st, page)
	}
	var docs, stored int64
	h.db.Table("documents").Count(&docs)
	h.db.Table("stored_files").Count(&stored)
	if docs != 0 || stored != 0 {
		t.Fatalf("the refused form left %d documents and %d files", docs, stored)
	}

	// Then the same form, well formed: registered with its 3 MiB file, as number 1.
	if st, page := post(`form-data; name="file"; filename="quyet-dinh.pdf"`, big); st != http.StatusOK {
		t.Fatalf("a plain form with a 3 MiB file: %d\n%s", st, page)
	}
	var doc struct {
		ID     string
		Number int
	}
	h.db.Table("documents").Select("id, number").Take(&doc)
	got := h.getJSON(h.clerk("xa-dong-tan"), "/api/v1/documents/"+doc.ID).json(t)
	files := got["files"].([]any)
	if doc.Number != 1 || fmt.Sprint(got["document"].(map[string]any)["number"]) != "1" || len(files) != 1 ||
		files[0].(map[string]any)["size"].(float64) != float64(len(big)) {
		t.Fatalf("the registered document: number %d, %v", doc.Number, got)
	}
}
