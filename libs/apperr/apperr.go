// Package apperr owns the platform's typed application errors: the small set of kinds a use case
// can fail with (not found, conflict, invalid, malformed, forbidden, unauthenticated, unavailable),
// each with a stable machine code, a message a person can act on, the fields at fault and optional
// details. Domain and app code return these (wrapped with %w as they travel up); exactly one place
// at the HTTP edge (libs/httpapi) turns them into responses. The package imports neither gin nor
// gorm so that domain packages can depend on it.
package apperr

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Kind says what went wrong in terms a caller can react to. It also implements error so that
// errors.Is(err, apperr.KindNotFound) matches any *Error of that kind anywhere in a chain.
type Kind uint8

const (
	// KindInternal is the zero value: an *Error whose kind was never set is treated as a bug.
	KindInternal Kind = iota
	// KindNotFound: the thing asked for does not exist (or the caller may not know it exists).
	KindNotFound
	// KindConflict: the request is valid but clashes with the current state (stale version,
	// duplicate code, a transition not allowed from this state).
	KindConflict
	// KindInvalid: the request was understood but its values break a rule (field validation).
	KindInvalid
	// KindMalformed: the request could not be read at all (bad JSON, wrong JSON type, unknown
	// field, bad query parameter). Kept apart from KindInvalid so the edge can answer 400 vs 422
	// by one rule instead of by inspecting codes.
	KindMalformed
	// KindForbidden: the caller is known but not allowed to do this.
	KindForbidden
	// KindUnauthenticated: the caller is not known (no, expired or bad credentials).
	KindUnauthenticated
	// KindUnavailable: a dependency (database, MinIO, NATS, another service) cannot serve now;
	// retrying later may succeed.
	KindUnavailable
)

var kindNames = [...]string{
	KindInternal:        "internal",
	KindNotFound:        "not_found",
	KindConflict:        "conflict",
	KindInvalid:         "invalid",
	KindMalformed:       "bad_request",
	KindForbidden:       "forbidden",
	KindUnauthenticated: "unauthenticated",
	KindUnavailable:     "unavailable",
}

// String returns the kind's default code, e.g. "not_found".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Error makes Kind usable as an errors.Is target.
func (k Kind) Error() string { return k.String() }

// FieldError names one input field at fault and why, in words the person who filled it can use.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error is the platform's application error. Build it with the constructors (NotFound, Conflict,
// Invalid, ...); the With* methods return modified copies, so a package-level sentinel such as
// `var ErrVersionConflict = apperr.Conflict(...)` can be refined per call without data races.
type Error struct {
	Kind Kind
	// Code is stable and machine-readable ("not_found", "dossier_version_conflict"); clients and
	// tests switch on it, so never change a published code.
	Code string
	// Message is safe to show to the caller and says what they can do about it.
	Message string
	// Fields lists the input fields at fault (invalid and malformed errors).
	Fields []FieldError
	// Details carries structured extras for the caller, e.g. what changed on a 409 or the allowed
	// next actions on a 422. Values must be JSON-encodable and safe to disclose.
	Details map[string]any
	// Err is the underlying cause, for logs and errors.Is/As; it is never shown to the caller.
	Err error
}

// Error renders the error for logs: code, message, fields and cause.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.code())
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(" [")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.Field)
		b.WriteString(": ")
		b.WriteString(f.Reason)
		if i == len(e.Fields)-1 {
			b.WriteString("]")
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) code() string {
	if e.Code != "" {
		return e.Code
	}
	return e.Kind.String()
}

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// Is matches a Kind target by kind, and an *Error target by kind and code, so a refined copy of a
// sentinel (WithDetail, WithCause) still matches the sentinel.
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case Kind:
		return e.Kind == t
	case *Error:
		return t != nil && e.Kind == t.Kind && e.code() == t.code()
	}
	return false
}

func (e *Error) clone() *Error {
	c := *e
	c.Fields = slices.Clone(e.Fields)
	c.Details = maps.Clone(e.Details)
	return &c
}

// WithMessage returns a copy with a different caller-facing message (e.g. a Vietnamese one for
// pages).
func (e *Error) WithMessage(msg string) *Error {
	c := e.clone()
	c.Message = msg
	return c
}

// WithCause returns a copy that wraps cause, kept for logs and errors.Is/As.
func (e *Error) WithCause(cause error) *Error {
	c := e.clone()
	c.Err = cause
	return c
}

// WithDetail returns a copy with one more detail entry.
func (e *Error) WithDetail(key string, value any) *Error {
	c := e.clone()
	if c.Details == nil {
		c.Details = make(map[string]any, 1)
	}
	c.Details[key] = value
	return c
}

// NotFound reports that the resource of the given type and id does not exist.
func NotFound(resource string, id any) *Error {
	return &Error{
		Kind:    KindNotFound,
		Code:    "not_found",
		Message: fmt.Sprintf("%s %q was not found", resource, fmt.Sprint(id)),
		Details: map[string]any{"resource": resource, "id": fmt.Sprint(id)},
	}
}

// Conflict reports a clash with current state under a specific code, e.g.
// Conflict("dossier_version_conflict", "the dossier was changed by someone else; reload it").
func Conflict(code, message string) *Error {
	return &Error{Kind: KindConflict, Code: code, Message: message}
}

// Invalid reports one field that breaks a rule. For several at once use FieldErrors.
func Invalid(field, reason string) *Error {
	return InvalidFields(FieldError{Field: field, Reason: reason})
}

// InvalidFields reports several fields that break rules.
func InvalidFields(fields ...FieldError) *Error {
	return &Error{
		Kind:    KindInvalid,
		Code:    "invalid",
		Message: "some fields are invalid; correct them and try again",
		Fields:  fields,
	}
}

// Malformed reports a request that could not be read; field names the part at fault (a JSON
// path, a query parameter) and may be empty when the whole body is unreadable.
func Malformed(field, reason string) *Error {
	e := &Error{Kind: KindMalformed, Code: "bad_request", Message: reason}
	if field != "" {
		e.Fields = []FieldError{{Field: field, Reason: reason}}
		e.Message = fmt.Sprintf("%s: %s", field, reason)
	}
	return e
}

// Forbidden reports that the caller may not do this; message should say which permission or
// role is missing when that is safe to disclose.
func Forbidden(message string) *Error {
	return &Error{Kind: KindForbidden, Code: "forbidden", Message: message}
}

// Unauthenticated reports missing, expired or bad credentials.
func Unauthenticated(message string) *Error {
	return &Error{Kind: KindUnauthenticated, Code: "unauthenticated", Message: message}
}

// Unavailable reports that dependency (e.g. "document storage") cannot serve now. cause is kept
// for logs only.
func Unavailable(dependency string, cause error) *Error {
	return &Error{
		Kind:    KindUnavailable,
		Code:    "unavailable",
		Message: fmt.Sprintf("%s is temporarily unavailable; try again later", dependency),
		Err:     cause,
	}
}

// FieldErrors collects field problems so a validator can report all of them at once:
//
//	var errs apperr.FieldErrors
//	if d.Name == "" { errs.Add("name", "is required") }
//	return errs.Err()
type FieldErrors []FieldError

// Add records one field problem.
func (f *FieldErrors) Add(field, reason string) {
	*f = append(*f, FieldError{Field: field, Reason: reason})
}

// Err returns nil when nothing was added, else an invalid *Error listing every field.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return InvalidFields(slices.Clone(f)...)
}

// As returns the first *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// KindOf returns the kind of the first *Error in err's chain, KindInternal if there is none.
func KindOf(err error) Kind {
	if e := As(err); e != nil {
		return e.Kind
	}
	return KindInternal
}
