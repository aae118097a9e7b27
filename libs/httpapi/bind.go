package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/httpapi/page"
)

// BindJSON decodes the request body into v (a pointer). Unknown fields are rejected so a typo in
// a field name is reported instead of silently ignored. Unreadable input becomes an
// apperr.KindMalformed error (400) naming the JSON field where possible; an oversized body
// returns the *http.MaxBytesError (413). Rule checks on the decoded values belong to the domain
// and are reported as KindInvalid (422).
func BindJSON(c *gin.Context, v any) error {
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	// A second value after the object is almost always a client bug (two bodies concatenated).
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return err
		}
		return apperr.Malformed("", "the request body must contain exactly one JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var (
		tooLarge  *http.MaxBytesError
		syntax    *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		invalidTo *json.InvalidUnmarshalError
	)
	switch {
	case errors.As(err, &tooLarge):
		return err
	case errors.As(err, &invalidTo):
		return fmt.Errorf("BindJSON: %w", err) // programming error: 500
	case errors.Is(err, io.EOF):
		return apperr.Malformed("", "the request body is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Malformed("", "the request body is cut off before the JSON ends").WithCause(err)
	case errors.As(err, &syntax):
		return apperr.Malformed("", fmt.Sprintf("the request body is not valid JSON (at byte %d)", syntax.Offset)).WithCause(err)
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return apperr.Malformed("", fmt.Sprintf("the request body must be %s", jsonKind(typeErr.Type))).WithCause(err)
		}
		return apperr.Malformed(field, fmt.Sprintf("must be %s, not %s", jsonKind(typeErr.Type), typeErr.Value)).WithCause(err)
	}
	// encoding/json has no typed error for unknown fields; its message is stable: `json: unknown field "x"`.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if f, uerr := strconv.Unquote(name); uerr == nil {
			name = f
		}
		return apperr.Malformed(name, "is not a known field").WithCause(err)
	}
	// Errors from a field's own UnmarshalJSON/UnmarshalText (dates, enums) carry no path.
	return apperr.Malformed("", "the request body has an invalid value: "+err.Error()).WithCause(err)
}

// jsonKind names a Go type the way a JSON client thinks of it.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a " + t.String()
}

// ParsePage reads the `limit` (default page.DefaultLimit, at most page.MaxLimit) and `cursor`
// query parameters. A bad value is a KindMalformed error (400) naming the parameter.
func ParsePage(c *gin.Context) (page.Request, error) {
	req := page.Request{Limit: page.DefaultLimit}
	if s, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > page.MaxLimit {
			return page.Request{}, apperr.Malformed("limit",
				fmt.Sprintf("must be a whole number from 1 to %d", page.MaxLimit))
		}
		req.Limit = n
	}
	if s := c.Query("cursor"); s != "" {
		cur, err := page.Decode(s)
		if err != nil {
			return page.Request{}, apperr.Malformed("cursor",
				"is not a cursor returned by this list; start again from the first page").WithCause(err)
		}
		req.After = &cur
	}
	return req, nil
}
