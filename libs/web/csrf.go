package web

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/justinas/nosurf"

	"egov.vn/platform/libs/idempotency"
)

// CSRF protection wraps github.com/justinas/nosurf (v1.2+), chosen over gorilla/csrf (two 2025
// advisories against its origin check, CVE-2025-24358 and CVE-2025-47909, the second with no fixed
// release) and over net/http's CrossOriginProtection alone (which relies on the browser sending
// Sec-Fetch-Site or Origin, and offers no token for older or unusual clients). nosurf does
// both layers: it first checks that the request comes from our origin (Sec-Fetch-Site, then Origin,
// then Referer), then checks a double-submit token (cookie + form field or X-CSRF-Token header),
// masked per page so it cannot be read back through compression (BREACH).
//
// The token cookie has path "/" and one name across the platform, because the layout's sign-out
// form posts to the identity service (/auth/logout) with the token the current service rendered:
// every service on the host must accept every other's token. That is safe: they share the origin.
const (
	csrfCookie = "egov_csrf"
	// CSRFFieldName is the form field the token travels in; htmx requests send it in the
	// X-CSRF-Token header instead (the layout sets hx-headers on <body>).
	CSRFFieldName = nosurf.FormFieldName
	// CSRFHeaderName is the request header that may carry the token instead of the form field.
	CSRFHeaderName = nosurf.HeaderName
)

type ginContextKey struct{}

// CSRF returns the middleware that rejects unsafe requests (POST, PUT, PATCH, DELETE) which come
// from another site or lack a valid token, with 403 and a page saying in Vietnamese what to do.
// Mount it on the router group that serves pages, before the handlers; safe requests pass and get a
// token for csrfField. Routes registered with PostUpload get their body limit here, first. Do not mount it on bearer-token APIs: they are not exposed to CSRF.
func (s *Shell) CSRF() gin.HandlerFunc {
	h := nosurf.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := r.Context().Value(ginContextKey{}).(*gin.Context)
		c.Request = r // carries nosurf's token for Render
		c.Next()
	}))
	h.SetBaseCookie(http.Cookie{
		Name:     csrfCookie,
		Path:     "/",
		HttpOnly: true,
		Secure:   !s.cfg.InsecureHTTP,
		SameSite: http.SameSiteLaxMode,
		MaxAge:   0, // ends with the browser session, like the sign-in it protects
	})
	h.SetIsTLSFunc(s.isTLS)
	h.SetFailureHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := r.Context().Value(ginContextKey{}).(*gin.Context)
		c.Request = r
		s.logger.WarnContext(r.Context(), "web: request refused by CSRF protection",
			"method", r.Method, "path", r.URL.Path, "reason", nosurf.Reason(r).Error())
		tr := s.Translator(c)
		s.RenderError(c, http.StatusForbidden, tr.T("web.csrf.title"), tr.T("web.csrf"))
		c.Abort()
	}))
	return func(c *gin.Context) {
		// An upload route's own body limit, and its form read strictly, before nosurf reads
		// the form for the token (uploads.go).
		ok, done := s.applyUploadLimit(c)
		defer done()
		if !ok {
			c.Abort()
			return
		}
		ctx := context.WithValue(c.Request.Context(), ginContextKey{}, c)
		h.ServeHTTP(c.Writer, c.Request.WithContext(ctx))
	}
}

// isTLS tells nosurf which scheme the browser used, for the same-origin check. In production
// (InsecureHTTP false) pages are only ever reached over HTTPS, usually through an ingress that
// terminates TLS, so the answer is always yes. For local development over plain HTTP we believe
// X-Forwarded-Proto: a cross-site attacker can make a browser send a form, not set that header.
func (s *Shell) isTLS(r *http.Request) bool {
	if !s.cfg.InsecureHTTP {
		return true
	}
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

// idempotencyField is a hidden input with a fresh Idempotency-Key, rendered by csrfField into
// every form: the browser sends the same key again when the same form is submitted again (a
// double click, a resend after a timeout), and libs/idempotency answers that with the first
// answer. Each render is a new key, so a form shown again after an error is a new request.
func idempotencyField() string {
	return `<input type="hidden" name="` + idempotency.FieldName + `" value="` + uuid.NewString() + `">`
}

// csrfToken is the masked token for this request, or "" when the CSRF middleware is not mounted.
func csrfToken(r *http.Request) string { return nosurf.Token(r) }

// hxHeaders is the JSON for <body hx-headers>, so htmx requests triggered outside a form (a
// button with hx-delete) still carry the token.
func hxHeaders(token string) string {
	b, _ := json.Marshal(map[string]string{CSRFHeaderName: token})
	return string(b)
}
