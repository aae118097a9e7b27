package web_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/web"
	"egov.vn/platform/libs/web/webtest"
)

// uploadApp is the demo shell on httpapi's engine (its 1 MiB cap on every body, as in the
// services) with one upload route of 20 MB + 64 KiB, registered with PostUpload; the handler
// answers the size of the file it got, from the parsed form or streamed.
func uploadApp(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	shell, _ := webtest.App(t, webtest.Options{Insecure: true})
	e := httpapi.NewEngine(httpapi.Options{})
	shell.Mount(e)
	g := e.Group("/hr", shell.CSRF())
	g.GET("/form", func(c *gin.Context) {
		shell.Render(c, http.StatusOK, web.Page{Title: "Tải tệp", Content: "demo", Data: webtest.SampleData(), Form: web.NewForm(nil)})
	})
	var calls atomic.Int32
	shell.PostUpload(g, "/staff/:id/evidence", 20<<20+64<<10, func(c *gin.Context) {
		calls.Add(1)
		var n int64
		if mf := c.Request.MultipartForm; mf != nil {
			if fh := mf.File["file"]; len(fh) == 1 {
				n = fh[0].Size
			}
		} else {
			mr, err := c.Request.MultipartReader()
			if err != nil {
				shell.Fail(c, err)
				return
			}
			for {
				p, err := mr.NextPart()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					shell.Fail(c, err)
					return
				}
				if p.FormName() == "file" {
					if n, err = io.Copy(io.Discard, p); err != nil {
						shell.Fail(c, err)
						return
					}
				}
			}
		}
		c.String(http.StatusOK, "%d %s", n, c.Param("id"))
	})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv, &calls
}

// multipartForm writes a form with the CSRF token, a text field and a file of size bytes; the
// file part's Content-Disposition is disposition when not empty.
func multipartForm(t *testing.T, token string, size int, disposition string) (io.Reader, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if token != "" {
		_ = w.WriteField(web.CSRFFieldName, token)
	}
	_ = w.WriteField("title", "Bằng cử nhân")
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="bang.pdf"`)
	if disposition != "" {
		h.Set("Content-Disposition", disposition)
	}
	h.Set("Content-Type", "application/pdf")
	part, err := w.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write([]byte("%PDF-1.4\n"))
	_, _ = part.Write(bytes.Repeat([]byte{'x'}, size-9))
	_ = w.Close()
	return &b, w.FormDataContentType()
}

// TestUploadLimitIsAppliedBeforeTheCSRFCheck: a plain form post (token in the form, as without
// JavaScript) of a 5 MB file reaches the handler although the engine caps bodies at 1 MiB; one
// over the route's 20 MB is the 413 page, not the CSRF page; a part net/http would skip (two
// filename parameters) is a 400 that never reaches the handler; a token in the header leaves the
// body for the handler to stream, still under the route's limit (issue 18, findings 11 and 12).
func TestUploadLimitIsAppliedBeforeTheCSRFCheck(t *testing.T) {
	t.Parallel()
	srv, calls := uploadApp(t)
	c := newClient(t, srv)
	_, page := c.get("/hr/form")
	token := csrfTokenIn(t, page)
	post := func(t *testing.T, body io.Reader, contentType string, header map[string]string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/hr/staff/42/evidence", body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Origin", srv.URL)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp, readBody(t, resp)
	}

	t.Run("5 MB through the plain form", func(t *testing.T) {
		body, ct := multipartForm(t, token, 5<<20, "")
		resp, got := post(t, body, ct, nil)
		if resp.StatusCode != http.StatusOK || got != fmt.Sprintf("%d 42", 5<<20) {
			t.Fatalf("%d %q, want 200 and the whole file", resp.StatusCode, got)
		}
	})
	t.Run("25 MB through the plain form", func(t *testing.T) {
		before := calls.Load()
		body, ct := multipartForm(t, token, 25<<20, "")
		resp, got := post(t, body, ct, nil)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413\n%s", resp.StatusCode, got)
		}
		mustContain(t, got, "<h1>Tệp quá lớn</h1>", "vượt quá giới hạn 20 MB")
		if calls.Load() != before {
			t.Fatal("the handler ran for a body over the limit")
		}
	})
	t.Run("25 MB sent chunked, without a length", func(t *testing.T) {
		before := calls.Load()
		body, ct := multipartForm(t, token, 25<<20, "")
		resp, got := post(t, io.MultiReader(body), ct, nil) // no Content-Length: the limit holds while reading
		if resp.StatusCode != http.StatusRequestEntityTooLarge || calls.Load() != before {
			t.Fatalf("status %d (handler ran: %v), want 413 without the handler\n%s", resp.StatusCode, calls.Load() != before, got)
		}
	})
	t.Run("a part whose Content-Disposition cannot be read", func(t *testing.T) {
		before := calls.Load()
		body, ct := multipartForm(t, token, 10<<10, `form-data; name="file"; filename="a.pdf"; filename="b.pdf"`)
		resp, got := post(t, body, ct, nil)
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d, want 400\n%s", resp.StatusCode, got)
		}
		mustContain(t, got, "<h1>Biểu mẫu không đọc được</h1>", "chưa có gì được lưu")
		if calls.Load() != before {
			t.Fatal("the handler ran for a form with an unreadable part")
		}
	})
	t.Run("the token in the header: streamed", func(t *testing.T) {
		body, ct := multipartForm(t, "", 5<<20, "")
		resp, got := post(t, body, ct, map[string]string{web.CSRFHeaderName: token, "Sec-Fetch-Site": "same-origin"})
		if resp.StatusCode != http.StatusOK || got != fmt.Sprintf("%d 42", 5<<20) {
			t.Fatalf("%d %q, want 200 and the whole file streamed", resp.StatusCode, got)
		}
	})
	t.Run("no token is still refused", func(t *testing.T) {
		body, ct := multipartForm(t, "", 10<<10, "")
		resp, got := post(t, body, ct, nil)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(got, "Biểu mẫu đã hết hạn") {
			t.Fatalf("status %d, want the CSRF page\n%s", resp.StatusCode, got)
		}
	})
}
