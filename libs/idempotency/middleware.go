package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"sort"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/store"
)

// savedHeaders are the headers of an answer that a replay gives again: what a client reads to
// find the result. Cookies are not among them: a flash shown once is not shown twice.
var savedHeaders = []string{"Content-Type", "Location", "Content-Disposition"}

// API returns the middleware for a bearer-token API group; respond answers its errors
// (httpapi.RespondError). Mount it after the token check, so the caller is known.
func (g *Guard) API(respond func(*gin.Context, error)) gin.HandlerFunc {
	return func(c *gin.Context) { g.serve(c, respond, false) }
}

// Pages returns the middleware for a page group; respond renders its errors (the shell's Fail),
// whose messages are then in Vietnamese. Mount it after the session and CSRF checks: CSRF has
// parsed the form, whose idempotency_key field this reads.
func (g *Guard) Pages(respond func(*gin.Context, error)) gin.HandlerFunc {
	return func(c *gin.Context) { g.serve(c, respond, true) }
}

func (g *Guard) serve(c *gin.Context, respond func(*gin.Context, error), pages bool) {
	switch c.Request.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		c.Next()
		return
	}
	fail := func(err *apperr.Error) {
		if pages {
			// Staff read the message alone: the header's name in Fields means nothing on a page.
			err = &apperr.Error{Kind: err.Kind, Code: err.Code, Message: vietnamese[err.Code], Details: err.Details}
		}
		respond(c, err)
		c.Abort()
	}
	key := c.GetHeader(HeaderName)
	if key == "" && isForm(c.Request) {
		key = c.Request.PostFormValue(FieldName)
	}
	if key == "" {
		c.Next()
		return
	}
	if !validKey(key) {
		fail(errMalformed)
		return
	}
	tenant, subject := g.o.Caller(c)
	if subject == "" {
		c.Next()
		return
	}
	now := g.o.Now().UTC()
	cl := &claim{g: g, request: c.Request, row: keyRow{Tenant: tenant, Subject: subject, IdempotencyKey: key,
		Request: c.Request.Method + " " + c.FullPath(), CreatedAt: now, ExpiresAt: now.Add(g.o.TTL)}}
	if c.Request.PostForm == nil {
		httpapi.WrapBody(c, func(body io.ReadCloser) io.ReadCloser {
			cl.body = newHashingBody(body)
			return cl.body
		})
	}
	ctx := c.Request.Context()

	prior, err := g.find(ctx, cl.row)
	if err != nil {
		respond(c, err)
		c.Abort()
		return
	}
	if prior != nil {
		// Which request was answered again; never the key or a body, which with a caller's token
		// are all a replay needs.
		g.o.Logger.InfoContext(ctx, "idempotency: a retry is answered from its first request",
			"tenant", tenant, "request", cl.row.Request, "answer_saved", prior.Status != 0)
		switch {
		case prior.Request != cl.row.Request || prior.Fingerprint != cl.fingerprint():
			fail(errReused)
		case prior.Status != 0:
			replay(c, prior)
		default:
			if fn := g.rederiver(prior.Request); fn != nil && prior.Resource != "" {
				c.Header(ReplayedHeader, "true")
				fn(c, prior.Resource)
				c.Abort()
				return
			}
			fail(errLost.WithDetail("resource", prior.Resource))
		}
		return
	}

	w := &bufferedWriter{ResponseWriter: c.Writer, status: http.StatusOK}
	before := c.Writer.Header().Clone()
	c.Writer = w
	c.Request = c.Request.WithContext(context.WithValue(store.WithTxHook(ctx, cl), claimKey{}, cl))
	cl.request = c.Request // the one the handler parses
	c.Next()
	c.Writer = w.ResponseWriter

	cl.mu.Lock()
	recorded, inUse := cl.recorded, cl.inUse
	cl.mu.Unlock()
	if inUse {
		// The handler's answer was about a rolled-back transaction: it is dropped with its headers.
		resetHeader(c.Writer.Header(), before)
		c.Errors = c.Errors[:0]
		if pages {
			// A double click: the browser shows this answer, not the first, so it waits for the
			// first to be saved and shows the same page instead of an error.
			if prior := g.awaitAnswer(ctx, cl.row); prior != nil && prior.Request == cl.row.Request &&
				prior.Fingerprint == cl.fingerprint() {
				replay(c, prior)
				return
			}
		}
		fail(errInUse)
		return
	}
	if recorded || (w.status < http.StatusBadRequest && !w.passedThrough) {
		g.save(ctx, cl, w, recorded)
	}
	w.flush()
}

// find returns the live row of the key, nil when there is none; an expired one is deleted, so the
// key may be used again.
func (g *Guard) find(ctx context.Context, k keyRow) (*keyRow, error) {
	var row keyRow
	err := g.db.WithContext(ctx).Where("tenant = ? AND subject = ? AND idempotency_key = ?", k.Tenant, k.Subject, k.IdempotencyKey).
		Take(&row).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return nil, nil
	case err != nil:
		return nil, apperr.Unavailable("database", err)
	}
	if !row.ExpiresAt.After(g.o.Now()) {
		if err := g.db.WithContext(ctx).Where("tenant = ? AND subject = ? AND idempotency_key = ? AND expires_at = ?",
			k.Tenant, k.Subject, k.IdempotencyKey, row.ExpiresAt).Delete(&keyRow{}).Error; err != nil {
			return nil, apperr.Unavailable("database", err)
		}
		return nil, nil
	}
	return &row, nil
}

// pageWait bounds how long a page's second submission waits for the first one's answer.
const pageWait = 5 * time.Second

// awaitAnswer returns the key's row once its answer is saved, nil if it is not within pageWait.
func (g *Guard) awaitAnswer(ctx context.Context, k keyRow) *keyRow {
	ctx, cancel := context.WithTimeout(ctx, pageWait)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if row, err := g.find(ctx, k); err == nil && row != nil && row.Status != 0 {
			return row
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// save keeps the answer for replay. The key's row exists when the change recorded it; otherwise
// (a route that wrote outside store.Transact) it is inserted now, which guards retries of a
// successful request though not a crash before this point. A failure is logged, not answered:
// the change is made, and a retry is then answered like a lost answer.
func (g *Guard) save(ctx context.Context, cl *claim, w *bufferedWriter, recorded bool) {
	ctx = context.WithoutCancel(ctx)
	headers := map[string]string{}
	for _, h := range savedHeaders {
		if v := w.Header().Get(h); v != "" {
			headers[h] = v
		}
	}
	encoded, _ := json.Marshal(headers)
	status, body := w.status, w.buf.Bytes()
	cl.mu.Lock()
	secret := cl.secret
	cl.mu.Unlock()
	if w.passedThrough || secret {
		// Too large or streamed: derived again instead of replayed. A secret shown once is
		// never kept, and a retry is answered like a lost answer.
		status, body = 0, nil
		headers = map[string]string{}
		encoded, _ = json.Marshal(headers)
	}
	var err error
	if recorded {
		err = g.db.WithContext(ctx).Model(&keyRow{}).
			Where("tenant = ? AND subject = ? AND idempotency_key = ?", cl.row.Tenant, cl.row.Subject, cl.row.IdempotencyKey).
			Updates(map[string]any{"status": status, "headers": string(encoded), "body": body}).Error
	} else {
		row := cl.row
		row.Fingerprint, row.Resource, row.Status, row.Headers, row.Body = cl.fingerprint(), cl.resource, status, string(encoded), body
		err = g.db.WithContext(ctx).Create(&row).Error
	}
	if err != nil {
		g.o.Logger.WarnContext(ctx, "idempotency: the answer was not saved; a retry will be answered from the resource",
			"tenant", cl.row.Tenant, "request", cl.row.Request, "error", err.Error())
	}
}

// replay gives a saved answer again.
func replay(c *gin.Context, row *keyRow) {
	var headers map[string]string
	_ = json.Unmarshal([]byte(row.Headers), &headers)
	for k, v := range headers {
		c.Header(k, v)
	}
	c.Header(ReplayedHeader, "true")
	c.Status(row.Status)
	c.Writer.WriteHeaderNow()
	if len(row.Body) > 0 {
		_, _ = c.Writer.Write(row.Body)
	}
	c.Abort()
}

// validKey accepts what the draft's sf-string allows that a client would send: 1 to 255
// visible ASCII characters.
func validKey(k string) bool {
	if len(k) > maxKeyLength {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// isForm says whether the key may be read from the form: one already parsed (CSRF reads its token
// from it), or a URL-encoded one, cheap to parse here. An unparsed multipart body (an htmx upload,
// whose CSRF token came in a header) is left to its handler, which streams it under its own size
// limit; such a request is guarded only when it sends the key as a header.
func isForm(r *http.Request) bool {
	if r.PostForm != nil {
		return true
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/x-www-form-urlencoded"
}

// formFingerprint hashes a parsed form: its fields in order of name, and each uploaded file's
// field, name and content.
func formFingerprint(r *http.Request) string {
	h := sha256.New()
	_, _ = io.WriteString(h, r.PostForm.Encode())
	if r.MultipartForm != nil {
		names := make([]string, 0, len(r.MultipartForm.File))
		for name := range r.MultipartForm.File {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			for _, fh := range r.MultipartForm.File[name] {
				_, _ = io.WriteString(h, "\n"+name+"\x00"+fh.Filename+"\x00")
				if f, err := fh.Open(); err == nil {
					_, _ = io.Copy(h, f)
					_ = f.Close()
				}
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func resetHeader(h, to http.Header) {
	for k := range h {
		delete(h, k)
	}
	for k, v := range to {
		h[k] = v
	}
}

// vietnamese are the messages staff read on a page for the guard's errors.
var vietnamese = map[string]string{
	"bad_request":             "Biểu mẫu gửi lên thiếu mã chống gửi trùng hợp lệ; hãy tải lại trang rồi gửi lại.",
	"idempotency_key_in_use":  "Biểu mẫu này đang được xử lý; vui lòng chờ giây lát rồi tải lại trang để xem kết quả.",
	"idempotency_key_reused":  "Biểu mẫu này đã được gửi trước đó với nội dung khác; hãy tải lại trang để nhập một yêu cầu mới.",
	"idempotency_answer_lost": "Yêu cầu này đã được thực hiện trước đó; hãy mở danh sách để xem kết quả thay vì gửi lại.",
}

// bufferedWriter holds the handler's answer until the key's row has it, so a request whose
// transaction found the key taken can be answered 409 instead, and a fault test can end the
// process after the commit with nothing sent. An answer larger than maxSavedBody, or one the
// handler flushes (a stream), passes through and is not kept.
type bufferedWriter struct {
	gin.ResponseWriter
	status        int
	written       bool
	buf           bytes.Buffer
	passedThrough bool
}

func (w *bufferedWriter) WriteHeader(code int) {
	if w.passedThrough {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	if code > 0 && !w.written {
		w.status = code
	}
}

func (w *bufferedWriter) WriteHeaderNow() {
	if w.passedThrough {
		w.ResponseWriter.WriteHeaderNow()
		return
	}
	w.written = true
}

func (w *bufferedWriter) Write(b []byte) (int, error) {
	if w.passedThrough {
		return w.ResponseWriter.Write(b)
	}
	w.written = true
	if w.buf.Len()+len(b) > maxSavedBody {
		w.passThrough()
		return w.ResponseWriter.Write(b)
	}
	return w.buf.Write(b)
}

func (w *bufferedWriter) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

func (w *bufferedWriter) Status() int {
	if w.passedThrough {
		return w.ResponseWriter.Status()
	}
	return w.status
}

func (w *bufferedWriter) Size() int {
	if w.passedThrough {
		return w.ResponseWriter.Size()
	}
	if !w.written {
		return -1
	}
	return w.buf.Len()
}

func (w *bufferedWriter) Written() bool { return w.passedThrough || w.written }

func (w *bufferedWriter) Flush() {
	w.passThrough()
	w.ResponseWriter.Flush()
}

// passThrough sends what is held and lets the rest of the answer through.
func (w *bufferedWriter) passThrough() {
	if w.passedThrough {
		return
	}
	w.passedThrough = true
	w.ResponseWriter.WriteHeader(w.status)
	if w.buf.Len() > 0 {
		_, _ = w.ResponseWriter.Write(w.buf.Bytes())
	}
	w.buf.Reset()
}

// flush sends the held answer.
func (w *bufferedWriter) flush() {
	if w.passedThrough {
		return
	}
	w.ResponseWriter.WriteHeader(w.status)
	if w.buf.Len() > 0 {
		_, _ = w.ResponseWriter.Write(w.buf.Bytes())
	} else {
		w.ResponseWriter.WriteHeaderNow()
	}
}
