package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
)

// formResult is what a parser saw in a body: each part's names and content, then how it ended.
type formResult struct {
	parts []string
	err   bool
}

// formPart is what both parsers' parts offer the comparison.
type formPart interface {
	io.Reader
	FormName() string
	FileName() string
}

func readWithMime(body []byte, boundary string, chunk int) formResult {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	return readParts(func() (formPart, error) { return mr.NextPart() }, chunk)
}

func readWithForm(src io.Reader, boundary string, chunk int) formResult {
	fr := NewFormReader(src, boundary)
	return readParts(func() (formPart, error) { return fr.NextPart() }, chunk)
}

// readParts reads every part next yields, each in reads of chunk bytes, until the body's end or
// the first error.
func readParts(next func() (formPart, error), chunk int) formResult {
	var res formResult
	for {
		p, err := next()
		if errors.Is(err, io.EOF) {
			return res
		}
		if err != nil {
			res.err = true
			return res
		}
		b, err := readAllIn(p, chunk)
		res.parts = append(res.parts, fmt.Sprintf("%q %q %q", p.FormName(), p.FileName(), b))
		if err != nil {
			res.err = true
			return res
		}
	}
}

// readAllIn reads r to its end in reads of chunk bytes (as io.ReadAll, with a fixed size).
func readAllIn(r io.Reader, chunk int) ([]byte, error) {
	var out []byte
	buf := make([]byte, chunk)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// TestFormReaderAgreesWithMime: on well-formed, odd and broken bodies, read in any size and
// delivered by the connection in any size, FormReader yields what mime/multipart yields.
func TestFormReaderAgreesWithMime(t *testing.T) {
	t.Parallel()
	const boundary = "b0und4ry"
	bodies := map[string][]byte{
		"preamble, padding, LF at the end":   []byte("preamble\r\nmore\r\n--b0und4ry \t\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--b0und4ry--\n"),
		"bare LF line ends":                  []byte("--b0und4ry\nContent-Disposition: form-data; name=\"a\"\n\nline1\nline2\n--b0und4ry\nContent-Disposition: form-data; name=\"file\"; filename=\"C:\\\\dir/f.pdf\"\n\n%PDF\n--b0und4ry--\n"),
		"final boundary without line end":    []byte("--b0und4ry\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--b0und4ry--"),
		"boundary-like content":              []byte("--b0und4ry\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\r\n--b0und4ryX\r\n--b0und4r\r\n-\r\n--b0und4ry-x\r\r\n\r\n--b0und4ry\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\n\r\n--b0und4ry--\r\n"),
		"empty part without line end":        []byte("--b0und4ry\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n--b0und4ry\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nz\r\n--b0und4ry--\r\n"),
		"quoted-printable":                   []byte("--b0und4ry\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nT=E1=BB=87p =\r\nx\r\n--b0und4ry--\r\n"),
		"not form-data":                      []byte("--b0und4ry\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--b0und4ry--\r\n"),
		"cut inside the content":             []byte("--b0und4ry\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nxyz\r\n--b0und"),
		"cut inside the headers":             []byte("--b0und4ry\r\nContent-Disposition: form-da"),
		"cut after the last part":            []byte("--b0und4ry\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--b0und4ry\r\n"),
		"garbage between parts":              []byte("--b0und4ry\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--b0und4ry\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\ny\r\n--b0und4ry--junk\r\n"),
		"no boundary at all":                 []byte("just text\r\n"),
		"empty body":                         nil,
		"boundary split after the dashes":    []byte("--b0und4ry\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--b0und4ry-"),
		"malformed header":                   []byte("--b0und4ry\r\nno colon here\r\n\r\nx\r\n--b0und4ry--\r\n"),
		"content ending in CR, then the end": []byte("--b0und4ry\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\r\n--b0und4ry--\r\n"),
	}
	// Large parts, so that reads straight into the caller's slice meet the boundary anywhere.
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{0, 1, 8<<10 - 1, 8 << 10, 300<<10 + 17} {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.SetBoundary(boundary)
		w, _ := mw.CreateFormField("metadata")
		_, _ = w.Write([]byte(`{"subject":"Tệp"}`))
		fw, _ := mw.CreateFormFile("file", "do.pdf")
		content := make([]byte, size)
		for i := range content {
			content[i] = "ab\r\n-b0und4ry"[rng.IntN(13)]
		}
		_, _ = fw.Write(content)
		_ = mw.Close()
		bodies[fmt.Sprintf("generated %d bytes", size)] = b.Bytes()
	}
	for name, body := range bodies {
		for _, chunk := range []int{1, 7, 512, 8 << 10, 70 << 10, 1 << 20} {
			want := readWithMime(body, boundary, chunk)
			if strings.HasPrefix(name, "cut inside the headers") || strings.HasPrefix(name, "cut after the last part") {
				// mime/multipart takes a body cut in a part's header for its end (io.EOF):
				// FormReader reports it cut, so a truncated upload is never taken as complete.
				want.err = true
			}
			sources := map[string]io.Reader{
				"whole":    bytes.NewReader(body),
				"one byte": iotest.OneByteReader(bytes.NewReader(body)),
				"half":     iotest.HalfReader(bytes.NewReader(body)),
				"data+EOF": iotest.DataErrReader(bytes.NewReader(body)),
				"random":   &randomReader{r: bytes.NewReader(body), rng: rand.New(rand.NewPCG(uint64(chunk), 3))},
			}
			if len(body) > 64<<10 {
				delete(sources, "one byte") // the small bodies cover it; here it only takes time
			}
			for sname, src := range sources {
				if got := readWithForm(src, boundary, chunk); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s, reads of %d, source %s:\n got %.400v\nwant %.400v", name, chunk, sname, got, want)
				}
			}
		}
	}
}

// randomReader delivers its input in reads of random sizes, as a connection does.
type randomReader struct {
	r   io.Reader
	rng *rand.Rand
}

func (r *randomReader) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1+r.rng.IntN(min(len(p), 100<<10))]
	}
	return r.r.Read(p)
}

// TestFormReaderPassesTheBodyError: the body's own failure (over the size limit, the client
// gone) reaches the reader of the part as it is, for the service to tell it from MinIO's.
func TestFormReaderPassesTheBodyError(t *testing.T) {
	t.Parallel()
	body := "--b0und4ry\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n" + strings.Repeat("x", 1<<20)
	req, _ := http.NewRequest(http.MethodPost, "/", nil)
	req.Header.Set("Content-Type", "multipart/form-data; boundary=b0und4ry")
	req.Body = http.MaxBytesReader(nil, io.NopCloser(strings.NewReader(body)), 512<<10)
	fr, err := MultipartReader(req)
	if err != nil {
		t.Fatal(err)
	}
	p, err := fr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.Copy(io.Discard, p)
	var tooLarge *http.MaxBytesError
	if !errors.As(err, &tooLarge) {
		t.Fatalf("got %v, want the body's MaxBytesError", err)
	}
}

// FuzzFormReaderAgreesWithMime: on any body, read in any size, FormReader yields the parts and
// bytes mime/multipart yields. It may only be stricter at the end: a body mime/multipart takes
// as complete while FormReader reports it cut (a truncated upload is never taken as whole).
// `go test` runs the seeds; `go test -fuzz FuzzFormReader ./services/archives/internal/ports/api`
// searches further.
func FuzzFormReaderAgreesWithMime(f *testing.F) {
	const boundary = "b0und4ry"
	for _, seed := range []string{
		"--b0und4ry\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--b0und4ry--\r\n",
		"--b0und4ry\nContent-Disposition: form-data; name=\"a\"\n\nline1\nline2\n--b0und4ry--\n",
		"--b0und4ry\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\r\n--b0und4ryX\r\n--b0und4r\r\n-\r\n--b0und4ry-x\r\r\n\r\n--b0und4ry--\r\n",
		"--b0und4ry\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nT=E1=BB=87p =\r\nx\r\n--b0und4ry--\r\n",
		"preamble\r\n--b0und4ry \t\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.pdf\"\r\n\r\n%PDF\r\r\n--b0und4ry--",
	} {
		f.Add([]byte(seed), uint16(7))
		f.Add([]byte(seed), uint16(1))
	}
	f.Fuzz(func(t *testing.T, body []byte, chunk uint16) {
		size := int(chunk%(16<<10)) + 1
		want := readWithMime(body, boundary, size)
		got := readWithForm(&randomReader{r: bytes.NewReader(body), rng: rand.New(rand.NewPCG(uint64(chunk), 5))}, boundary, size)
		if fmt.Sprint(got.parts) != fmt.Sprint(want.parts) || (want.err && !got.err) {
			t.Fatalf("reads of %d:\n got %.400v\nwant %.400v", size, got, want)
		}
	})
}
