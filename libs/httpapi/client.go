package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"egov.vn/platform/libs/apperr"
)

// maxAnswer bounds what a JSON call reads of an answer.
const maxAnswer = 4 << 20

// DoJSON is the one way a platform service (or the operator) calls another's JSON API: in is sent
// as JSON (nil for no body), a 2xx answer is decoded into out (nil to drop it), and a problem+json
// answer comes back as the typed apperr error it stands for, keeping the callee's code, message
// and fields. client carries the caller's credentials (a client-credentials transport). dependency
// names the callee in errors ("dossiers"). It returns the HTTP status for callers that tell 200
// from 201; a transport failure is apperr.Unavailable.
func DoJSON(ctx context.Context, client *http.Client, dependency, method, url string, in, out any) (int, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		if e := apperr.As(err); e != nil { // from a token source that already said what is wrong
			return 0, e
		}
		return 0, apperr.Unavailable(dependency, err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return resp.StatusCode, apperr.Unavailable(dependency, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out != nil {
			if err := json.Unmarshal(data, out); err != nil {
				return resp.StatusCode, fmt.Errorf("%s %s %s: decode answer: %w", dependency, method, url, err)
			}
		}
		return resp.StatusCode, nil
	}
	return resp.StatusCode, ProblemError(dependency, method, url, resp.StatusCode, data)
}

// ProblemError turns an error answer (RFC 9457 problem+json, or anything else) into the apperr
// kind its status stands for, keeping the callee's code, message and field reasons so the caller
// can show them (an operator's condition, a page).
func ProblemError(dependency, method, url string, status int, data []byte) error {
	var p struct {
		Title  string              `json:"title"`
		Detail string              `json:"detail"`
		Code   string              `json:"code"`
		Fields []apperr.FieldError `json:"fields"`
	}
	_ = json.Unmarshal(data, &p)
	msg := p.Detail
	if msg == "" {
		msg = p.Title
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	msg = fmt.Sprintf("%s answered %d to %s %s: %s", dependency, status, method, url, msg)
	var e *apperr.Error
	switch status {
	case http.StatusNotFound:
		e = &apperr.Error{Kind: apperr.KindNotFound, Code: "not_found", Message: msg}
	case http.StatusConflict:
		e = apperr.Conflict(p.Code, msg)
	case http.StatusUnprocessableEntity:
		e = apperr.InvalidFields(p.Fields...).WithMessage(msg)
	case http.StatusBadRequest:
		e = apperr.Malformed("", msg)
	case http.StatusUnauthorized:
		e = apperr.Unauthenticated(msg)
	case http.StatusForbidden:
		e = apperr.Forbidden(msg)
	default:
		e = apperr.Unavailable(dependency, errors.New(msg))
	}
	if p.Code != "" {
		e.Code = p.Code
	}
	return e
}
