package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/redact"
)

// ContentTypeProblem is the media type of RFC 9457 problem details.
const ContentTypeProblem = "application/problem+json"

// problemTypePrefix makes `type` a stable URI per code without promising a resolvable page.
const problemTypePrefix = "urn:egov:problem:"

// internalDetail is all a caller learns about a 500; the real error goes to the log, keyed by the
// request id the caller can quote.
const internalDetail = "an unexpected error occurred; if it persists, report it with the request id"

// Problem is an RFC 9457 problem details body. Extensions (e.g. an apperr's Details) are written
// as top-level members, as the RFC intends; they never override the standard members.
type Problem struct {
	Type       string              `json:"type"`
	Title      string              `json:"title"`
	Status     int                 `json:"status"`
	Detail     string              `json:"detail,omitempty"`
	Instance   string              `json:"instance,omitempty"`
	Code       string              `json:"code"`
	RequestID  string              `json:"request_id,omitempty"`
	Fields     []apperr.FieldError `json:"fields,omitempty"`
	Extensions map[string]any      `json:"-"`
}

// MarshalJSON flattens Extensions next to the standard members.
func (p Problem) MarshalJSON() ([]byte, error) {
	type plain Problem // no methods: avoids recursion
	std, err := json.Marshal(plain(p))
	if err != nil {
		return nil, err
	}
	if len(p.Extensions) == 0 {
		return std, nil
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(std, &members); err != nil {
		return nil, err
	}
	out := make(map[string]any, len(members)+len(p.Extensions))
	maps.Copy(out, p.Extensions)
	for k, v := range members {
		out[k] = v
	}
	return json.Marshal(out)
}

var kindStatus = map[apperr.Kind]int{
	apperr.KindNotFound:        http.StatusNotFound,
	apperr.KindConflict:        http.StatusConflict,
	apperr.KindInvalid:         http.StatusUnprocessableEntity,
	apperr.KindMalformed:       http.StatusBadRequest,
	apperr.KindForbidden:       http.StatusForbidden,
	apperr.KindUnauthenticated: http.StatusUnauthorized,
	apperr.KindUnavailable:     http.StatusServiceUnavailable,
}

// rfc6750Codes are the bearer-token error codes a 401/403 may name in WWW-Authenticate.
var rfc6750Codes = map[string]bool{"invalid_request": true, "invalid_token": true, "insufficient_scope": true}

// RespondError is the one place an error becomes an HTTP response. The rule:
//   - *http.MaxBytesError anywhere in the chain → 413 body_too_large;
//   - *apperr.Error → its kind's status (not found 404, conflict 409, invalid 422, malformed 400,
//     forbidden 403, unauthenticated 401 with WWW-Authenticate, unavailable 503) with its code,
//     message, fields and details;
//   - anything else → 500 with a generic message; the real error is only logged.
//
// Every 5xx is logged with the request's context so trace ids attach. The handler chain is aborted.
func RespondError(c *gin.Context, err error) {
	if err == nil {
		return
	}
	p := Problem{Status: http.StatusInternalServerError, Code: "internal", Detail: internalDetail}

	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		p.Status, p.Code = http.StatusRequestEntityTooLarge, "body_too_large"
		p.Detail = fmt.Sprintf("the request body is larger than the limit of %d bytes", tooLarge.Limit)
	} else if ae := apperr.As(err); ae != nil {
		if status, ok := kindStatus[ae.Kind]; ok {
			p.Status = status
			p.Code = ae.Code
			if p.Code == "" {
				p.Code = ae.Kind.String()
			}
			p.Detail = ae.Message
			p.Fields = ae.Fields
			p.Extensions = ae.Details
		}
		if ae.Kind == apperr.KindUnauthenticated {
			challenge := "Bearer"
			if rfc6750Codes[ae.Code] {
				challenge += fmt.Sprintf(" error=%q", ae.Code)
			}
			c.Header("WWW-Authenticate", challenge)
		}
	}

	if p.Status >= http.StatusInternalServerError {
		loggerFrom(c).ErrorContext(c.Request.Context(), "request failed",
			slog.Int("status", p.Status),
			slog.String("code", p.Code),
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.String("request_id", RequestID(c.Request.Context())),
			slog.String("error", redact.URLPasswords(err.Error())),
		)
	}
	WriteProblem(c, p)
}

// WriteProblem writes p as application/problem+json, filling type, title, instance and request id
// when empty, and aborts the chain. If the response has already started it only aborts: a second
// body would corrupt the first.
func WriteProblem(c *gin.Context, p Problem) {
	defer c.Abort()
	if c.Writer.Written() {
		return
	}
	if p.Status == 0 {
		p.Status = http.StatusInternalServerError
	}
	if p.Code == "" {
		p.Code = "internal"
	}
	if p.Type == "" {
		p.Type = problemTypePrefix + p.Code
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	if p.Instance == "" {
		p.Instance = c.Request.URL.Path
	}
	if p.RequestID == "" {
		p.RequestID = RequestID(c.Request.Context())
	}
	body, err := json.Marshal(p)
	if err != nil {
		// Only Extensions can fail to encode; drop them rather than fail the error response.
		p.Extensions = nil
		body, _ = json.Marshal(p)
	}
	c.Header("Cache-Control", "no-store")
	c.Data(p.Status, ContentTypeProblem, body)
}

// errorResponder answers with the last error handlers attached via c.Error(err) when they wrote
// nothing, so `c.Error(err); return` and RespondError(c, err) behave the same.
func errorResponder(c *gin.Context) {
	c.Next()
	if len(c.Errors) > 0 && !c.Writer.Written() {
		RespondError(c, c.Errors.Last().Err)
	}
}
