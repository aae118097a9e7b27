package pages

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// evidenceForm is a qualification form with its evidence scan, as the page sends it.
func evidenceForm(t testing.TB, name string, content []byte) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("awarding_body", "Trường Đại học Luật Hà Nội")
	w, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write(content)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), buf.Bytes()
}

// FuzzEvidenceFile feeds any upload to the evidence check of the qualification pages: no panic;
// a file it takes without a field error is a non-empty PDF, JPEG or PNG by its content (whatever
// its name says) of at most 20 MB, and the reader it hands on yields exactly the file's bytes
// (the type sniffing loses none).
func FuzzEvidenceFile(f *testing.F) {
	for _, c := range []struct {
		name    string
		content []byte
	}{
		{"bang.pdf", []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")},
		{"anh.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")},
		{"anh.jpg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF")},
		{"bang.pdf", []byte("MZ\x90\x00 not a pdf")},
		{"rỗng.pdf", nil},
	} {
		ct, body := evidenceForm(f, c.name, c.content)
		f.Add(ct, body)
	}
	f.Add("multipart/form-data; boundary=b", []byte("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"; filename=\"b\"\r\n\r\n%PDF-\r\n--b--\r\n"))
	f.Add("text/plain", []byte("x"))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest(http.MethodPost, "/hr/staff/1/qualifications", bytes.NewReader(body))
		c.Request.Header.Set("Content-Type", contentType)
		if err := c.Request.ParseMultipartForm(1 << 20); err != nil {
			return // the page answers a form it cannot read with shell.Fail
		}
		defer func() { _ = c.Request.MultipartForm.RemoveAll() }()
		var fl fields
		up, err := fl.evidenceFile(c)
		if err != nil || up.reader == nil {
			return
		}
		defer func() { _ = up.file.Close() }()
		got, err := io.ReadAll(up.reader)
		if err != nil || int64(len(got)) != up.header.Size {
			t.Fatalf("evidence %q: read %d bytes (%v), its size is %d", up.header.Filename, len(got), err, up.header.Size)
		}
		if _, bad := fl.errs["file"]; bad {
			return
		}
		sniffed, _, _ := strings.Cut(http.DetectContentType(got), ";")
		if !evidenceTypes[up.contentType] || sniffed != up.contentType {
			t.Fatalf("evidence of type %q (its content is %q) taken", up.contentType, sniffed)
		}
		if len(got) == 0 || len(got) > 20<<20 {
			t.Fatalf("evidence of %d bytes taken", len(got))
		}
	})
}
