package apperr_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"egov.vn/platform/libs/apperr"
)

func TestWrappedErrorMatchesByKindAndAs(t *testing.T) {
	t.Parallel()
	base := apperr.NotFound("dossier", "HS-001")
	err := fmt.Errorf("load dossier: %w", base)

	if !errors.Is(err, apperr.KindNotFound) {
		t.Fatalf("errors.Is(KindNotFound) = false for %v", err)
	}
	if errors.Is(err, apperr.KindConflict) {
		t.Fatalf("errors.Is(KindConflict) = true for a not-found error")
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != "not_found" || ae.Details["id"] != "HS-001" {
		t.Fatalf("errors.As gave %+v", ae)
	}
	if got := apperr.KindOf(err); got != apperr.KindNotFound {
		t.Fatalf("KindOf = %v", got)
	}
	if got := apperr.KindOf(io.EOF); got != apperr.KindInternal {
		t.Fatalf("KindOf(plain error) = %v, want internal", got)
	}
}

func TestRefinedSentinelStillMatchesAndSentinelIsUntouched(t *testing.T) {
	t.Parallel()
	sentinel := apperr.Conflict("dossier_version_conflict", "the dossier changed; reload it")
	cause := errors.New("rows affected = 0")
	err := fmt.Errorf("save: %w", sentinel.WithDetail("current_version", 4).WithCause(cause))

	if !errors.Is(err, sentinel) {
		t.Fatal("refined copy does not match its sentinel")
	}
	if !errors.Is(err, cause) {
		t.Fatal("cause not reachable through Unwrap")
	}
	if errors.Is(err, apperr.Conflict("other_conflict", "x")) {
		t.Fatal("matched a conflict with a different code")
	}
	if sentinel.Details != nil || sentinel.Err != nil {
		t.Fatalf("sentinel was mutated: %+v", sentinel)
	}
}

func TestFieldErrorsAggregates(t *testing.T) {
	t.Parallel()
	var errs apperr.FieldErrors
	if errs.Err() != nil {
		t.Fatal("empty FieldErrors must give a nil error (not a typed nil)")
	}
	errs.Add("applicant.name", "is required")
	errs.Add("procedure_code", "is not in the catalogue")
	ae := apperr.As(errs.Err())
	if ae == nil || ae.Kind != apperr.KindInvalid || ae.Code != "invalid" || len(ae.Fields) != 2 {
		t.Fatalf("got %+v", ae)
	}
	if ae.Fields[1] != (apperr.FieldError{Field: "procedure_code", Reason: "is not in the catalogue"}) {
		t.Fatalf("fields = %+v", ae.Fields)
	}
	want := "invalid: some fields are invalid; correct them and try again [applicant.name: is required; procedure_code: is not in the catalogue]"
	if ae.Error() != want {
		t.Fatalf("Error() = %q\nwant      %q", ae.Error(), want)
	}
}

func TestConstructorsSetKindAndCode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err  *apperr.Error
		kind apperr.Kind
		code string
	}{
		{apperr.NotFound("record", 7), apperr.KindNotFound, "not_found"},
		{apperr.Conflict("duplicate_code", "m"), apperr.KindConflict, "duplicate_code"},
		{apperr.Invalid("email", "is not an email address"), apperr.KindInvalid, "invalid"},
		{apperr.Malformed("limit", "must be a number"), apperr.KindMalformed, "bad_request"},
		{apperr.Forbidden("needs dossier.approve"), apperr.KindForbidden, "forbidden"},
		{apperr.Unauthenticated("sign in again"), apperr.KindUnauthenticated, "unauthenticated"},
		{apperr.Unavailable("document storage", io.ErrUnexpectedEOF), apperr.KindUnavailable, "unavailable"},
	}
	for _, tc := range cases {
		if tc.err.Kind != tc.kind || tc.err.Code != tc.code || tc.err.Message == "" {
			t.Errorf("%v: kind=%v code=%q message=%q", tc.err, tc.err.Kind, tc.err.Code, tc.err.Message)
		}
		if !errors.Is(tc.err, tc.kind) {
			t.Errorf("%v does not match its kind", tc.err)
		}
	}
	if !errors.Is(apperr.Unavailable("x", io.ErrUnexpectedEOF), io.ErrUnexpectedEOF) {
		t.Error("Unavailable does not wrap its cause")
	}
}
