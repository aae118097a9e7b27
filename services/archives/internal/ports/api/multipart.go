package api

import (
	"bufio"
	"errors"
	"mime"
	"mime/multipart"
	"net/http"
)

// uploadReadBuffer is the read-ahead under a streamed multipart body. mime/multipart reads its
// input 4 KiB at a time; straight from the connection that is one system call per 4 KiB (16,384
// for a 64 MiB file), which measured as the largest cost of receiving an upload after hashing.
// One buffer per upload in flight, so memory stays bounded.
const uploadReadBuffer = 256 << 10

// MultipartReader is http.Request.MultipartReader (multipart/form-data only) reading the body
// through uploadReadBuffer, for handlers that stream a file part instead of parsing the form.
func MultipartReader(r *http.Request) (*multipart.Reader, error) {
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
	return multipart.NewReader(bufio.NewReaderSize(r.Body, uploadReadBuffer), boundary), nil
}
