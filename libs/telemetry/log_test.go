package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// decodeLines parses the JSON lines a logger wrote.
func decodeLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a JSON line: %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestLoggerCarriesTraceIDsOnlyInsideASpan(t *testing.T) {
	t.Parallel()
	// A provider of the test's own: the logger reads the span from the context, not from globals.
	tp := sdktrace.NewTracerProvider()
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })

	var buf bytes.Buffer
	log := NewLogger(&buf, slog.LevelInfo)

	ctx, span := tp.Tracer("test").Start(context.Background(), "receive")
	log.InfoContext(ctx, "inside", slog.String("tenant", "xa-dong-tan"))
	Logger(WithLogger(ctx, log)).Info("inside, bound by Logger(ctx)")
	span.End()
	log.InfoContext(context.Background(), "outside")
	log.Info("outside, no context")
	log.DebugContext(ctx, "below the level")

	lines := decodeLines(t, &buf)
	if len(lines) != 4 {
		t.Fatalf("got %d lines, want 4 (debug must be dropped):\n%s", len(lines), buf.String())
	}
	wantTrace, wantSpan := span.SpanContext().TraceID().String(), span.SpanContext().SpanID().String()
	for _, l := range lines[:2] {
		if l["trace_id"] != wantTrace || l["span_id"] != wantSpan {
			t.Errorf("%q: trace_id=%v span_id=%v, want %s %s", l["msg"], l["trace_id"], l["span_id"], wantTrace, wantSpan)
		}
	}
	if lines[0]["tenant"] != "xa-dong-tan" {
		t.Errorf("tenant attribute lost: %v", lines[0])
	}
	for _, l := range lines[2:] {
		if _, ok := l["trace_id"]; ok {
			t.Errorf("%q: trace_id present outside a span: %v", l["msg"], l)
		}
		if _, ok := l["span_id"]; ok {
			t.Errorf("%q: span_id present outside a span: %v", l["msg"], l)
		}
	}
}

func TestLoggerRedactsCredentials(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := NewLogger(&buf, slog.LevelInfo)
	log.Info("sign-in",
		slog.String("user", "nguyen.van.a"),
		slog.String("password", "hunter2"),
		slog.String("refresh_token", "rt-secret-value"),
		slog.Group("http", slog.String("Authorization", "Bearer abc.def")),
	)
	out := buf.String()
	for _, secret := range []string{"hunter2", "rt-secret-value", "abc.def"} {
		if strings.Contains(out, secret) {
			t.Errorf("log line leaks %q: %s", secret, out)
		}
	}
	if !strings.Contains(out, "nguyen.van.a") {
		t.Errorf("ordinary attribute lost: %s", out)
	}
}

func TestLoggerFromContextFallsBackToDefault(t *testing.T) {
	t.Parallel()
	if got := Logger(context.Background()); got != slog.Default() {
		t.Errorf("Logger(empty ctx) = %p, want slog.Default() %p", got, slog.Default())
	}
	var buf bytes.Buffer
	l := NewLogger(&buf, slog.LevelInfo).With(slog.String("request_id", "r1"))
	Logger(WithLogger(context.Background(), l)).Info("hello")
	if lines := decodeLines(t, &buf); lines[0]["request_id"] != "r1" {
		t.Errorf("Logger(ctx) did not return the logger WithLogger stored: %v", lines[0])
	}
}
