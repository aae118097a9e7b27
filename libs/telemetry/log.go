package telemetry

import (
	"context"
	"io"
	"log/slog"
	"strings"

	"go.opentelemetry.io/otel/trace"
)

// NewLogger returns the platform's logger: JSON lines on w at level and above, each carrying
// trace_id and span_id when the context it is logged with holds a span, so a log line leads to
// its trace. Values under keys that name a credential (password, secret, token, authorization,
// cookie, api_key…) are replaced by "[REDACTED]" as a last line of defence; code must still not
// log them.
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(&traceHandler{next: slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level:       level,
		ReplaceAttr: redact,
	})})
}

// traceHandler adds the span of the record's context (or, failing that, of the context the
// logger was taken from by Logger) to every record.
type traceHandler struct {
	next slog.Handler
	// ctx is the fallback for records logged without a context (logger.Info rather than
	// logger.InfoContext); set by Logger(ctx).
	ctx context.Context
}

func (h *traceHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *traceHandler) Handle(ctx context.Context, r slog.Record) error {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() && h.ctx != nil {
		sc = trace.SpanContextFromContext(h.ctx)
	}
	// A valid but unsampled span context still names the trace the request belongs to, which is
	// what an operator searches by; so validity, not recording, decides.
	if sc.IsValid() {
		r.AddAttrs(
			slog.String("trace_id", sc.TraceID().String()),
			slog.String("span_id", sc.SpanID().String()),
		)
	}
	return h.next.Handle(ctx, r)
}

func (h *traceHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &traceHandler{next: h.next.WithAttrs(attrs), ctx: h.ctx}
}

func (h *traceHandler) WithGroup(name string) slog.Handler {
	return &traceHandler{next: h.next.WithGroup(name), ctx: h.ctx}
}

// sensitiveSuffixes are the endings of attribute keys whose values are credentials.
var sensitiveSuffixes = []string{
	"password", "passwd", "secret", "token", "authorization", "cookie", "api_key", "apikey",
	"private_key", "credentials",
}

func redact(_ []string, a slog.Attr) slog.Attr {
	key := strings.ToLower(strings.ReplaceAll(a.Key, "-", "_"))
	for _, s := range sensitiveSuffixes {
		if strings.HasSuffix(key, s) {
			return slog.String(a.Key, "[REDACTED]")
		}
	}
	return a
}

type loggerKey struct{}

// WithLogger returns ctx carrying l, typically one with request fields (tenant, request id)
// added by middleware.
func WithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

// Logger returns the logger carried by ctx, or slog.Default() (which main sets to a NewLogger).
// When it is one of ours it is bound to ctx, so Logger(ctx).Info(...) carries the trace id even
// without the *Context form.
func Logger(ctx context.Context) *slog.Logger {
	l, ok := ctx.Value(loggerKey{}).(*slog.Logger)
	if !ok || l == nil {
		l = slog.Default()
	}
	if h, ok := l.Handler().(*traceHandler); ok && trace.SpanContextFromContext(ctx).IsValid() {
		return slog.New(&traceHandler{next: h.next, ctx: ctx})
	}
	return l
}
