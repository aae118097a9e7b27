package api

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"net/textproto"
	"path/filepath"
	"strings"
)

// formBuffer is the read-ahead of a streamed multipart body, and the most one read from the
// connection asks for. mime/multipart reads its input 4 KiB at a time through a buffer of its
// own and, for every 4 KiB, copies it once more and scans it twice (the second time byte by
// byte, backwards, to the last CR: through all of it when the content has no CR, as the
// benchmark's filler). In the upload benchmark that cost more CPU than the SHA-256 of the file
// (about 0.1 s against 0.06 s for 64 MiB). FormReader instead reads a file part's bytes from
// the connection straight into the caller's slice (MinIO's part buffer) and scans each read
// once with bytes.Index. One buffer per upload in flight, so memory stays bounded.
const formBuffer = 256 << 10

// directRead is the smallest read that goes straight from the connection into the caller's
// slice; smaller ones (the sniffing buffer, the JSON decoder) are served from formBuffer.
const directRead = 8 << 10

// maxPartHeader bounds one part's header block (a browser's is a few hundred bytes).
const maxPartHeader = 64 << 10

// FormReader streams a multipart/form-data body part by part (RFC 7578), with what
// mime/multipart.Reader accepts: a preamble before the first boundary, white space after a
// boundary, bare LF line ends (when the first boundary line has one), quoted-printable parts.
type FormReader struct {
	src        io.Reader
	buf        []byte
	start, end int   // buf[start:end] is read but not consumed
	err        error // the body's own error (io.EOF at its end), reported once the bytes before it are used

	nl               []byte // "\r\n", or "\n" once the first boundary line ends in a bare LF
	nlDashBoundary   []byte // nl + "--" + boundary: where a part's content ends
	dashBoundary     []byte // "--" + boundary
	dashBoundaryDash []byte // "--" + boundary + "--": the body's end

	part      *FormPart
	partsRead int
}

// FormPart is one part of a FormReader, read in turn.
type FormPart struct {
	Header textproto.MIMEHeader
	r      *FormReader
	body   io.Reader // the part itself, or a quoted-printable decoder over it

	total int64 // content bytes consumed so far
	avail int   // bytes at r.buf[r.start:] known to be content
	ended bool  // the content ends after avail bytes

	disposition    string
	params         map[string]string
	dispositionErr error
}

// MultipartReader streams the multipart/form-data body of r, for handlers that stream a file
// part instead of parsing the form.
func MultipartReader(r *http.Request) (*FormReader, error) {
	if r.MultipartForm != nil {
		return nil, errors.New("the multipart form was parsed already")
	}
	ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || ct != "multipart/form-data" {
		return nil, http.ErrNotMultipart
	}
	boundary := params["boundary"]
	if boundary == "" {
		return nil, http.ErrMissingBoundary
	}
	return NewFormReader(r.Body, boundary), nil
}

// NewFormReader reads the multipart body src delimited by boundary.
func NewFormReader(src io.Reader, boundary string) *FormReader {
	b := []byte("\r\n--" + boundary + "--")
	return &FormReader{
		src:              src,
		buf:              make([]byte, formBuffer),
		nl:               b[:2],
		nlDashBoundary:   b[:len(b)-2],
		dashBoundary:     b[2 : len(b)-2],
		dashBoundaryDash: b[2:],
	}
}

// NextPart returns the next part, after skipping what is left of the current one, or io.EOF
// after the last.
func (r *FormReader) NextPart() (*FormPart, error) {
	if p := r.part; p != nil {
		r.part = nil
		for {
			r.start += p.avail
			p.total += int64(p.avail)
			p.avail = 0
			if p.ended {
				break
			}
			if err := p.scan(); err != nil {
				return nil, fmt.Errorf("multipart: NextPart: %w", err)
			}
		}
	}
	if len(r.dashBoundary) == 2 {
		return nil, errors.New("multipart: boundary is empty")
	}
	expectNewPart := false
	for {
		line, err := r.readLine()
		if errors.Is(err, io.EOF) && r.isFinalBoundary(line) {
			// "--boundary--" without its line end is a valid end too.
			return nil, io.EOF
		}
		if err != nil {
			return nil, fmt.Errorf("multipart: NextPart: %w", err)
		}
		if r.isBoundaryDelimiterLine(line) {
			r.partsRead++
			return r.newPart()
		}
		if r.isFinalBoundary(line) {
			return nil, io.EOF
		}
		if expectNewPart {
			return nil, fmt.Errorf("multipart: expecting a new Part; got line %q", line)
		}
		if r.partsRead == 0 {
			continue // the preamble
		}
		// The line end between the previous part's content and the boundary line.
		if bytes.Equal(line, r.nl) {
			expectNewPart = true
			continue
		}
		return nil, fmt.Errorf("multipart: unexpected line in Next(): %q", line)
	}
}

func (r *FormReader) newPart() (*FormPart, error) {
	var block []byte
	for {
		line, err := r.readLine()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("multipart: NextPart: %w", err)
		}
		if len(block)+len(line) > maxPartHeader {
			return nil, errors.New("multipart: NextPart: part header too large")
		}
		block = append(block, line...)
		if len(line) <= 2 && bytes.Equal(bytes.TrimLeft(line, "\r"), []byte("\n")) {
			break
		}
	}
	header, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(block))).ReadMIMEHeader()
	if err != nil {
		return nil, fmt.Errorf("multipart: NextPart: %w", err)
	}
	p := &FormPart{Header: header, r: r}
	p.body = rawPart{p}
	const cte = "Content-Transfer-Encoding"
	if strings.EqualFold(p.Header.Get(cte), "quoted-printable") {
		p.Header.Del(cte)
		p.body = quotedprintable.NewReader(p.body)
	}
	r.part = p
	return p, nil
}

// readLine returns the next line with its end, consumed from the buffer (valid until the next
// read); at the body's end, what is left with the error.
func (r *FormReader) readLine() ([]byte, error) {
	for {
		if i := bytes.IndexByte(r.buf[r.start:r.end], '\n'); i >= 0 {
			line := r.buf[r.start : r.start+i+1]
			r.start += i + 1
			return line, nil
		}
		if r.err != nil {
			line := r.buf[r.start:r.end]
			r.start = r.end
			return line, r.err
		}
		if r.start == 0 && r.end == len(r.buf) {
			return nil, bufio.ErrBufferFull
		}
		r.fill()
	}
}

// fill moves the unconsumed bytes to the front and reads once after them.
func (r *FormReader) fill() {
	if r.start > 0 {
		r.end = copy(r.buf, r.buf[r.start:r.end])
		r.start = 0
	}
	n, err := r.src.Read(r.buf[r.end:])
	r.end += n
	if err != nil {
		r.err = err
	}
}

func (r *FormReader) isBoundaryDelimiterLine(line []byte) bool {
	if !bytes.HasPrefix(line, r.dashBoundary) {
		return false
	}
	rest := skipLWSPChar(line[len(r.dashBoundary):])
	// A first boundary line ending in a bare LF switches to LF line ends: against the
	// specification, but sent in practice (mime/multipart does the same).
	if r.partsRead == 0 && len(rest) == 1 && rest[0] == '\n' {
		r.nl = r.nl[1:]
		r.nlDashBoundary = r.nlDashBoundary[1:]
	}
	return bytes.Equal(rest, r.nl)
}

func (r *FormReader) isFinalBoundary(line []byte) bool {
	if !bytes.HasPrefix(line, r.dashBoundaryDash) {
		return false
	}
	rest := skipLWSPChar(line[len(r.dashBoundaryDash):])
	return len(rest) == 0 || bytes.Equal(rest, r.nl)
}

func skipLWSPChar(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// FormName is the part's form field name ("" unless its disposition is form-data).
func (p *FormPart) FormName() string {
	p.parseContentDisposition()
	if p.disposition != "form-data" {
		return ""
	}
	return p.params["name"]
}

// FileName is the part's file name without any directory (RFC 7578 §4.2), or "".
func (p *FormPart) FileName() string {
	p.parseContentDisposition()
	name := p.params["filename"]
	if name == "" {
		return ""
	}
	return filepath.Base(name)
}

func (p *FormPart) parseContentDisposition() {
	if p.params != nil {
		return
	}
	p.disposition, p.params, p.dispositionErr = mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	if p.dispositionErr != nil {
		p.params = map[string]string{}
	}
}

// DispositionErr says why the part's Content-Disposition is not what RFC 7578 §4.2 asks of every
// part (form-data with a name), or nil. mime/multipart reads such a part as nameless and forms
// skip it, so a file sent with, say, two filename parameters would vanish and its document be
// registered without it: callers refuse the whole form instead.
func (p *FormPart) DispositionErr() error {
	p.parseContentDisposition()
	switch {
	case p.dispositionErr != nil:
		return p.dispositionErr
	case p.disposition != "form-data":
		return fmt.Errorf("disposition %q, not form-data", p.disposition)
	case p.params["name"] == "":
		return errors.New("no name")
	}
	return nil
}

// Read reads the part's content (decoded when it is quoted-printable).
func (p *FormPart) Read(d []byte) (int, error) { return p.body.Read(d) }

type rawPart struct{ p *FormPart }

func (rp rawPart) Read(d []byte) (int, error) {
	p, r := rp.p, rp.p.r
	if r.part != p {
		return 0, io.EOF // NextPart moved on
	}
	if len(d) == 0 {
		return 0, nil
	}
	for p.avail == 0 && !p.ended {
		if w := r.end - r.start; w <= len(r.nlDashBoundary)+1 && len(d) >= w+directRead && r.err == nil {
			// Little or nothing is buffered: read straight into d, and give back whatever
			// follows the content known so far (a boundary's start, or the next part).
			t := copy(d, r.buf[r.start:r.end])
			r.start, r.end = 0, 0
			n, err := r.src.Read(d[t:min(len(d), len(r.buf))])
			if err != nil {
				r.err = err
			}
			got := d[:t+n]
			c, end := p.content(got)
			r.end = copy(r.buf, got[c:])
			p.total += int64(c)
			p.ended = end
			if c > 0 || end {
				return c, p.endErr()
			}
			continue
		}
		if err := p.scan(); err != nil {
			return 0, err
		}
	}
	n := copy(d, r.buf[r.start:r.start+p.avail])
	r.start += n
	p.avail -= n
	p.total += int64(n)
	return n, p.endErr()
}

// endErr is io.EOF once the whole content has been returned.
func (p *FormPart) endErr() error {
	if p.ended && p.avail == 0 {
		return io.EOF
	}
	return nil
}

// scan finds how much of the buffer is content, reading more when that cannot be told yet.
func (p *FormPart) scan() error {
	r := p.r
	for {
		p.avail, p.ended = p.content(r.buf[r.start:r.end])
		if p.avail > 0 || p.ended {
			return nil
		}
		if r.err != nil {
			if errors.Is(r.err, io.EOF) {
				return io.ErrUnexpectedEOF
			}
			return r.err
		}
		r.fill()
	}
}

// content reports how many bytes at the start of buf are the part's content, and whether the
// content ends there; (0, false) means more input is needed to tell. It is mime/multipart's
// scanUntilBoundary except at the end: only the last len(delimiter)-1 bytes can be the start of
// a delimiter, so only those are held back, instead of everything after the last CR.
func (p *FormPart) content(buf []byte) (int, bool) {
	r := p.r
	atEOF := r.err != nil
	if p.total == 0 {
		// At the start of the content a boundary without the line end before it counts.
		if bytes.HasPrefix(buf, r.dashBoundary) {
			switch matchAfterPrefix(buf, r.dashBoundary, atEOF) {
			case -1:
				return len(r.dashBoundary), false
			case 0:
				return 0, false
			default:
				return 0, true
			}
		}
		if bytes.HasPrefix(r.dashBoundary, buf) {
			return 0, false
		}
	}
	if i := bytes.Index(buf, r.nlDashBoundary); i >= 0 {
		switch matchAfterPrefix(buf[i:], r.nlDashBoundary, atEOF) {
		case -1:
			return i + len(r.nlDashBoundary), false
		case 0:
			return i, false
		default:
			return i, true
		}
	}
	for j := max(0, len(buf)-len(r.nlDashBoundary)+1); j < len(buf); j++ {
		if bytes.HasPrefix(r.nlDashBoundary, buf[j:]) {
			return j, false
		}
	}
	return len(buf), false
}

// matchAfterPrefix tells what follows a delimiter at the start of buf: +1 it ends the part
// (white space, a line end or "--"), -1 it is content ("--boundaryX"), 0 more input is needed.
func matchAfterPrefix(buf, prefix []byte, atEOF bool) int {
	if len(buf) == len(prefix) {
		if atEOF {
			return +1
		}
		return 0
	}
	c := buf[len(prefix)]
	if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
		return +1
	}
	if c == '-' {
		if len(buf) == len(prefix)+1 {
			if atEOF {
				return -1
			}
			return 0
		}
		if buf[len(prefix)+1] == '-' {
			return +1
		}
	}
	return -1
}
