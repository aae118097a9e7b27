package httpapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
)

// ErrUnreadablePart is a part net/http would drop without a word.
var ErrUnreadablePart = errors.New("a part without a readable form-data name")

// ParseMultipartForm parses r's multipart form as net/http does (files past maxMemory spooled to
// disk), but refuses the whole form when one of its parts has a Content-Disposition that cannot
// be read (a duplicate filename parameter, no name): net/http skips such a part silently, and a
// document would be registered without its file. The same bytes go, as they are read, to a
// second reader that only looks at the parts' headers. A form read before is left as it is.
func ParseMultipartForm(r *http.Request, maxMemory int64) error {
	if r.MultipartForm != nil {
		return nil // read already (a page's CSRF check reads the form first)
	}
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return fmt.Errorf("multipart form without a boundary: %w", http.ErrMissingBoundary)
	}
	pr, pw := io.Pipe()
	checked := make(chan error, 1)
	go func() {
		err := checkParts(multipart.NewReader(pr, params["boundary"]))
		_, _ = io.Copy(io.Discard, pr) // the parser's bytes must keep flowing
		checked <- err
	}()
	body := r.Body
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.TeeReader(body, pw), body}
	parseErr := r.ParseMultipartForm(maxMemory)
	_ = pw.Close()
	r.Body = body
	partErr := <-checked
	if parseErr != nil {
		return parseErr
	}
	if partErr != nil {
		_ = r.MultipartForm.RemoveAll()
		r.MultipartForm, r.Form, r.PostForm = nil, nil, nil
		return partErr
	}
	return nil
}

// checkParts reads every part's header up to the form's end.
func checkParts(mr *multipart.Reader) error {
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, _, err := mime.ParseMediaType(p.Header.Get("Content-Disposition")); err != nil {
			return fmt.Errorf("%w: %w", ErrUnreadablePart, err)
		}
		if p.FormName() == "" {
			return ErrUnreadablePart
		}
	}
}
