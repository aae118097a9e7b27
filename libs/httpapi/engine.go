// Package httpapi owns the HTTP edge every service shares: the gin engine with its baseline
// middleware (panic recovery, request ids, security headers, body-size limit), liveness and
// readiness probes, graceful serving, RFC 9457 problem responses with the single error-to-status
// mapping, JSON binding and page parsing. Services add routes and their own middleware (tracing,
// auth) on top; they never re-implement any of this.
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"egov.vn/platform/libs/apperr"
)

const (
	// HeaderRequestID carries the request id in both directions.
	HeaderRequestID = "X-Request-ID"
	// DefaultMaxBodyBytes fits any JSON command; upload routes raise it with MaxBody.
	DefaultMaxBodyBytes int64 = 1 << 20
	// DefaultContentSecurityPolicy allows only same-origin resources and no framing. Pages that
	// need more (e.g. a nonce for inline scripts) set their own header in the handler, which
	// overrides this one.
	DefaultContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)

// Options configures NewEngine. The zero value is usable.
type Options struct {
	// Logger receives panics, 5xx causes and failing readiness checks, logged with the request
	// context so a context-aware handler adds trace ids. Default slog.Default().
	Logger *slog.Logger
	// ContextLogger, when set, picks the logger from the request context instead (pass
	// telemetry.Logger), so request-scoped fields set by earlier middleware are kept.
	ContextLogger func(context.Context) *slog.Logger
	// MaxBodyBytes caps every request body; default DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// ContentSecurityPolicy replaces DefaultContentSecurityPolicy when set.
	ContentSecurityPolicy string
	// TrustedProxies are the CIDRs/IPs whose X-Forwarded-For gin believes for ClientIP. Empty
	// trusts none, so a client cannot spoof its address.
	TrustedProxies []string
	// Checks are run by /readyz.
	Checks []Check
	// ReadyTimeout bounds each readiness check; default 2s.
	ReadyTimeout time.Duration
}

type ctxKey int

const requestIDKey ctxKey = iota

const (
	ginLoggerKey   = "httpapi.logger"
	ginRawBodyKey  = "httpapi.rawBody"
	ginBodyCapKey  = "httpapi.bodyCap"
	maxRequestIDLn = 128
)

// NewEngine returns a gin engine in release mode with, in order: panic recovery (500 problem),
// request id, security headers, body-size limit, the c.Error responder, /livez and /readyz, then
// the given middleware (e.g. telemetry.GinMiddleware(service), auth). The probes are registered
// before that middleware so they are neither traced nor authenticated.
func NewEngine(opts Options, middleware ...gin.HandlerFunc) *gin.Engine {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.ContentSecurityPolicy == "" {
		opts.ContentSecurityPolicy = DefaultContentSecurityPolicy
	}
	if opts.ReadyTimeout <= 0 {
		opts.ReadyTimeout = 2 * time.Second
	}

	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	// Handlers often pass *gin.Context as a context.Context; make it carry the request's
	// deadline, cancellation and values (request id, trace) instead of none. Database and other
	// calls that watch their context from a goroutine must get c.Request.Context() instead: that
	// goroutine can outlive the middleware, which rewrites c.Request on its way out (a data race).
	e.ContextWithFallback = true
	e.HandleMethodNotAllowed = true
	if err := e.SetTrustedProxies(opts.TrustedProxies); err != nil {
		// A typo must not silently trust every proxy (gin's default): trust none and say so.
		_ = e.SetTrustedProxies(nil)
		opts.Logger.Warn("ignoring invalid trusted proxies; trusting none", slog.String("error", err.Error()))
	}

	logger := func(ctx context.Context) *slog.Logger { return opts.Logger }
	if opts.ContextLogger != nil {
		logger = opts.ContextLogger
	}
	e.Use(
		func(c *gin.Context) { c.Set(ginLoggerKey, logger); c.Next() },
		recovery,
		requestID,
		securityHeaders(opts.ContentSecurityPolicy),
		bodyLimit(opts.MaxBodyBytes),
		errorResponder,
	)
	e.NoRoute(NotFound)
	e.NoMethod(func(c *gin.Context) {
		WriteProblem(c, Problem{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
			Detail: fmt.Sprintf("%s is not allowed on %s", c.Request.Method, c.Request.URL.Path)})
	})

	e.GET("/livez", func(c *gin.Context) {
		c.Header("Cache-Control", "no-store")
		c.JSON(http.StatusOK, gin.H{"status": "ok"})
	})
	e.GET("/readyz", readyHandler(opts.Checks, opts.ReadyTimeout))

	e.Use(middleware...)
	return e
}

// NotFound is the engine's answer to a request no route matched: a 404 problem with the code
// route_not_found. A service with pages replaces it with web.Shell's NotFound, which still gives
// this answer to everything but a browser asking for a page.
func NotFound(c *gin.Context) {
	RespondError(c, &apperr.Error{Kind: apperr.KindNotFound, Code: "route_not_found",
		Message: fmt.Sprintf("there is no endpoint %s %s", c.Request.Method, c.Request.URL.Path)})
}

// RequestID returns the request id NewEngine put in ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// MaxBody replaces the engine-wide body limit for a route or group, e.g. an upload endpoint that
// streams to MinIO: r.POST("/records", httpapi.MaxBody(512<<20), h). n <= 0 removes the limit.
func MaxBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := LimitBody(c, n); err != nil {
			RespondError(c, err)
			return
		}
		c.Next()
	}
}

// LimitBody is MaxBody inside a handler, for a body reader shared by routes registered in
// different places (an upload form read by both the API and a page): it sets the limit to n
// whatever limit came before. A declared Content-Length over n is refused at once with the
// *http.MaxBytesError that RespondError answers 413; the handler decides how to show it.
func LimitBody(c *gin.Context, n int64) error {
	body := c.Request.Body
	if raw, ok := c.Value(ginRawBodyKey).(io.ReadCloser); ok {
		body = raw // undo the engine-wide cap, or the smaller of the two would win
	}
	if n > 0 && c.Request.ContentLength > n {
		return &http.MaxBytesError{Limit: n}
	}
	if n > 0 {
		body = http.MaxBytesReader(c.Writer, body, n)
	}
	c.Set(ginBodyCapKey, n)
	c.Request.Body = body
	return nil
}

// WrapBody puts wrap around the body a handler reads, under the size limit in force, and also
// around the raw body a later MaxBody reaches for: whatever limit the route ends with, the bytes
// pass through wrap (libs/idempotency hashes the body as the handler reads it).
func WrapBody(c *gin.Context, wrap func(io.ReadCloser) io.ReadCloser) {
	raw, ok := c.Value(ginRawBodyKey).(io.ReadCloser)
	if !ok {
		c.Request.Body = wrap(c.Request.Body)
		return
	}
	wrapped := wrap(raw)
	c.Set(ginRawBodyKey, wrapped)
	c.Request.Body = wrapped
	if n, _ := c.Value(ginBodyCapKey).(int64); n > 0 {
		c.Request.Body = http.MaxBytesReader(c.Writer, wrapped, n)
	}
}

func loggerFrom(c *gin.Context) *slog.Logger {
	if f, ok := c.Value(ginLoggerKey).(func(context.Context) *slog.Logger); ok {
		if l := f(c.Request.Context()); l != nil {
			return l
		}
	}
	return slog.Default()
}

// recovery turns a panic into a 500 problem and a log line. Only the panic value and stack are
// logged (never headers or body, which may hold tokens). http.ErrAbortHandler is re-panicked
// because net/http uses it to abort a response on purpose.
func recovery(c *gin.Context) {
	defer func() {
		rec := recover()
		if rec == nil {
			return
		}
		if err, ok := rec.(error); ok && errors.Is(err, http.ErrAbortHandler) {
			panic(rec)
		}
		loggerFrom(c).ErrorContext(c.Request.Context(), "panic while handling request",
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.String("request_id", RequestID(c.Request.Context())),
			slog.String("panic", fmt.Sprint(rec)),
			slog.String("stack", string(debug.Stack())),
		)
		WriteProblem(c, Problem{Status: http.StatusInternalServerError, Code: "internal", Detail: internalDetail})
	}()
	c.Next()
}

// requestID keeps a well-formed incoming X-Request-ID (so a trace through the ingress and other
// services shares it) and otherwise makes a new one; arbitrary client strings are not echoed into
// logs and headers.
func requestID(c *gin.Context) {
	id := c.GetHeader(HeaderRequestID)
	if !validRequestID(id) {
		id = uuid.NewString()
	}
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), requestIDKey, id))
	c.Header(HeaderRequestID, id)
	c.Next()
}

func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLn {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case r == '-', r == '_', r == '.', r == ':':
		default:
			return false
		}
	}
	return true
}

func securityHeaders(csp string) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		// same-origin, not no-referrer: CSRF protection (nosurf) checks Referer on same-origin
		// HTTPS posts, while dossier codes in URLs must not leak to other sites.
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", csp)
		// Browsers ignore HSTS received over plain HTTP, so trusting X-Forwarded-Proto from the
		// ingress here cannot be abused; it only spares plain-HTTP dev setups a useless header.
		if c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https" {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		c.Next()
	}
}

// bodyLimit caps the body while it is read; reading past the cap fails with *http.MaxBytesError,
// which RespondError maps to 413. It does not reject on Content-Length up front because a route's
// MaxBody, which runs later, may raise the limit; it keeps the raw body for that.
func bodyLimit(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set(ginRawBodyKey, c.Request.Body)
		c.Set(ginBodyCapKey, n)
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		c.Next()
	}
}
