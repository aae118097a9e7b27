package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
)

// Fail is the one way a page answers a failed use case: the error's kind picks the status and a
// Vietnamese title, and the person reads the error's own message where the use case wrote one for
// them (a rule that was broken, a conflict, a missing role), or a plain explanation of the kind.
// Failures of ours (no kind) are logged and shown as a 500 without details.
func (s *Shell) Fail(c *gin.Context, err error) {
	tr := s.Translator(c)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		s.RenderError(c, http.StatusRequestEntityTooLarge, tr.T("web.too_large.title"),
			tr.T("web.too_large", FormatInt(tooLarge.Limit>>20)))
		return
	}
	e := apperr.As(err)
	if e == nil {
		s.logger.ErrorContext(c.Request.Context(), "web: page failed", "error", err.Error(), "path", c.Request.URL.Path)
		s.RenderError(c, http.StatusInternalServerError, tr.T("web.internal.title"), tr.T("web.internal"))
		return
	}
	switch e.Kind {
	case apperr.KindNotFound:
		s.RenderError(c, http.StatusNotFound, tr.T("web.not_found.title"), tr.T("web.not_found"))
	case apperr.KindForbidden:
		// The service's home may be refused just the same: the way on is the person's own page.
		s.renderError(c, http.StatusForbidden, tr.T("web.forbidden.title"), tr.ErrorMessage(e, "web.forbidden"),
			&NavItem{Label: tr.T("web.back_account"), Href: AccountPage})
	case apperr.KindUnauthenticated:
		s.RenderError(c, http.StatusUnauthorized, tr.T("web.unauth.title"), tr.T("web.unauth"))
	case apperr.KindConflict:
		s.RenderError(c, http.StatusConflict, tr.T("web.conflict.title"), tr.ErrorMessage(e, "web.conflict"))
	case apperr.KindInvalid, apperr.KindMalformed:
		s.RenderError(c, http.StatusUnprocessableEntity, tr.T("web.invalid.title"), tr.Reasons(e, "web.invalid"))
	case apperr.KindUnavailable:
		s.RenderError(c, http.StatusServiceUnavailable, tr.T("web.unavailable.title"), tr.T("web.unavailable"))
	default:
		s.logger.ErrorContext(c.Request.Context(), "web: page failed", "error", err.Error(), "path", c.Request.URL.Path)
		s.RenderError(c, http.StatusInternalServerError, tr.T("web.internal.title"), tr.T("web.internal"))
	}
}

// A use case writes its errors' messages and field reasons for the API and the log, some in
// Vietnamese, some not. A page reads them from the service's catalogue by the error's stable
// code and field instead, never by matching the text:
//
//	"error.<code>"          the message of an error with that code
//	"error.<code>.<field>"  the reason for one field of an error with that code
//	"error.field.<field>"   the reason for a field, whatever the code
//
// Where the catalogue has none, a Vietnamese page shows the use case's own text and a page in
// another language a generic sentence of the shell.

// ErrorMessage is e's message in the translator's language; fallback is the id of the text used
// when neither the catalogue nor (on a Vietnamese page) e itself has one.
func (t Translator) ErrorMessage(e *apperr.Error, fallback string) string {
	if e.Code != "" && t.Has("error."+e.Code) {
		return t.T("error." + e.Code)
	}
	if t.lang == LangVI {
		return orDefault(e.Message, t.T(fallback))
	}
	return t.T(fallback)
}

// FieldReason is the reason given for one field of e, in the translator's language.
func (t Translator) FieldReason(e *apperr.Error, f apperr.FieldError) string {
	for _, id := range []string{"error." + e.Code + "." + f.Field, "error.field." + f.Field} {
		if t.Has(id) {
			return t.T(id)
		}
	}
	if t.lang == LangVI && strings.TrimSpace(f.Reason) != "" {
		return f.Reason
	}
	return t.T("web.invalid_field")
}

// Reasons joins the reasons of e's fields, or gives its message when it names no field.
func (t Translator) Reasons(e *apperr.Error, fallback string) string {
	if len(e.Fields) == 0 {
		return t.ErrorMessage(e, fallback)
	}
	out := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		if r := t.FieldReason(e, f); !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return strings.Join(out, "; ")
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
