// Package page owns keyset (cursor) pagination shared by HTTP handlers and repositories: the opaque
// cursor format, the page request and the {items, next_cursor} envelope. It imports neither gin
// nor gorm, so a repository can decode a cursor and build the next page without knowing about HTTP.
package page

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

const (
	// DefaultLimit is used when the caller sends no limit.
	DefaultLimit = 50
	// MaxLimit bounds one page so a single request cannot scan a whole table.
	MaxLimit = 200
	// maxCursorLen bounds what we are willing to decode from a query string.
	maxCursorLen = 1024
)

// Cursor is the position after which the next page starts: the last row's sort key (formatted by
// the repository, e.g. an RFC 3339 timestamp) and its id as a tie-breaker. Callers see it only as
// an opaque string.
type Cursor struct {
	SortKey string `json:"k"`
	ID      string `json:"id"`
}

// Request is a parsed page request. After is nil for the first page.
type Request struct {
	Limit int
	After *Cursor
}

// Page is the response envelope. Items is never null in JSON; NextCursor is omitted on the last
// page.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// Encode returns the opaque, URL-safe form of c.
func Encode(c Cursor) string {
	b, _ := json.Marshal(c) // two strings: cannot fail
	return base64.RawURLEncoding.EncodeToString(b)
}

// ErrMalformedCursor is returned (wrapped) by Decode for anything that is not a cursor we issued.
var ErrMalformedCursor = errors.New("malformed cursor")

// Decode parses a cursor produced by Encode.
func Decode(s string) (Cursor, error) {
	if len(s) > maxCursorLen {
		return Cursor{}, fmt.Errorf("%w: too long", ErrMalformedCursor)
	}
	// Accept padded input too: some clients re-encode query values.
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return Cursor{}, fmt.Errorf("%w: not base64url", ErrMalformedCursor)
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	var c Cursor
	if err := dec.Decode(&c); err != nil {
		return Cursor{}, fmt.Errorf("%w: not a cursor object", ErrMalformedCursor)
	}
	if dec.More() {
		return Cursor{}, fmt.Errorf("%w: trailing data", ErrMalformedCursor)
	}
	if c.ID == "" {
		return Cursor{}, fmt.Errorf("%w: missing id", ErrMalformedCursor)
	}
	return c, nil
}

// New builds a page from rows fetched with LIMIT req.Limit+1: if more than limit rows came back,
// the extra one only proves there is a next page, and the cursor points after the last kept row.
func New[T any](rows []T, limit int, cursorOf func(T) Cursor) Page[T] {
	if rows == nil {
		rows = []T{}
	}
	if limit <= 0 || len(rows) <= limit {
		return Page[T]{Items: rows}
	}
	rows = rows[:limit]
	return Page[T]{Items: rows, NextCursor: Encode(cursorOf(rows[len(rows)-1]))}
}
