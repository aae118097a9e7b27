package telemetry

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

func TestSetupWithoutEndpointExportsNothing(t *testing.T) {
	clearOTLPEnv(t)

	// If anything still fell back to the OTLP default (localhost:4318) it would connect here.
	// Shutdown waits for every export to finish, so a connection would be counted before we look.
	var dialled atomic.Int32
	if l, err := net.Listen("tcp", "127.0.0.1:4318"); err == nil {
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				dialled.Add(1)
				c.Close()
			}
		}()
	} else {
		t.Logf("127.0.0.1:4318 busy (%v); checking the exporter list only", err)
	}

	tel, err := Setup(context.Background(), "dossiers")
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	if got := tel.Exporters(); len(got) != 0 {
		t.Errorf("Exporters() = %v without an endpoint, want none", got)
	}
	_, span := tel.Tracer("test").Start(context.Background(), "work")
	if !span.SpanContext().IsValid() || !span.IsRecording() {
		t.Error("spans must still be recorded (for logs and /metrics) without an exporter")
	}
	span.End()
	if _, err := tel.Meter("test").Int64Counter("work"); err != nil {
		t.Fatal(err)
	}
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if n := dialled.Load(); n != 0 {
		t.Errorf("%d connection(s) to localhost:4318 without an endpoint configured", n)
	}
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}
}

// otlpCollector is a loopback stand-in for an OpenTelemetry collector's OTLP/HTTP receiver.
type otlpCollector struct {
	mu    sync.Mutex
	posts map[string]int // path → POSTs with a protobuf body
}

func (c *otlpCollector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.Method == http.MethodPost && len(body) > 0 &&
		r.Header.Get("Content-Type") == "application/x-protobuf" {
		c.mu.Lock()
		c.posts[r.URL.Path]++
		c.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.WriteHeader(http.StatusOK)
}

func (c *otlpCollector) count(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.posts[path]
}

func TestSetupWithEndpointExportsOverOTLP(t *testing.T) {
	clearOTLPEnv(t)
	col := &otlpCollector{posts: map[string]int{}}
	srv := httptest.NewServer(col)
	t.Cleanup(srv.Close)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", srv.URL) // http:// on 127.0.0.1
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "tenant.slug=xa-dong-tan")
	// No export on a timer: whatever the collector receives was sent by Shutdown's flush.
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "3600000")
	t.Setenv("OTEL_METRIC_EXPORT_INTERVAL", "3600000")

	tel, err := Setup(context.Background(), "dossiers")
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	if got := tel.Exporters(); !slices.Equal(got, []string{"otlp-traces", "otlp-metrics"}) {
		t.Errorf("Exporters() = %v, want [otlp-traces otlp-metrics]", got)
	}
	if v, ok := tel.resource.Set().Value("service.name"); !ok || v.AsString() != "dossiers" {
		t.Errorf("service.name = %v, want dossiers", v.String())
	}
	if v, _ := tel.resource.Set().Value("tenant.slug"); v.AsString() != "xa-dong-tan" {
		t.Errorf("OTEL_RESOURCE_ATTRIBUTES not applied: tenant.slug = %q", v.String())
	}

	_, span := tel.Tracer("test").Start(context.Background(), "dossiers.App.Receive")
	span.End()
	c, _ := tel.Meter("test").Int64Counter("dossiers.received")
	c.Add(context.Background(), 1)

	if n := col.count("/v1/traces"); n != 0 {
		t.Fatalf("spans were sent before the flush (%d POSTs); the test would prove nothing", n)
	}
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if n := col.count("/v1/traces"); n == 0 {
		t.Error("no POST to /v1/traces after Shutdown")
	}
	if n := col.count("/v1/metrics"); n == 0 {
		t.Error("no POST to /v1/metrics after Shutdown")
	}
}

func TestSetupServiceNameFromEnvironmentWins(t *testing.T) {
	clearOTLPEnv(t)
	t.Setenv("OTEL_SERVICE_NAME", "dossiers-canary")
	tel, err := Setup(context.Background(), "dossiers")
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	if v, _ := tel.resource.Set().Value("service.name"); v.AsString() != "dossiers-canary" {
		t.Errorf("service.name = %q, want OTEL_SERVICE_NAME's dossiers-canary", v.String())
	}
}

func TestSetupRefusesGRPCProtocol(t *testing.T) {
	clearOTLPEnv(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
	if _, err := Setup(context.Background(), "dossiers"); err == nil || !strings.Contains(err.Error(), "grpc") {
		t.Fatalf("Setup with OTEL_EXPORTER_OTLP_PROTOCOL=grpc: err = %v, want a refusal", err)
	}
}

func TestSetupDisabledStillPropagates(t *testing.T) {
	clearOTLPEnv(t)
	t.Setenv("OTEL_SDK_DISABLED", "true")
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1") // must not be used
	tel, err := Setup(context.Background(), "dossiers")
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	if got := tel.Exporters(); len(got) != 0 {
		t.Errorf("Exporters() = %v with OTEL_SDK_DISABLED, want none", got)
	}

	// An incoming trace context is handed on unchanged although nothing is recorded.
	in := http.Header{"Traceparent": {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}}
	ctx := otel.GetTextMapPropagator().Extract(context.Background(), propagation.HeaderCarrier(in))
	ctx, span := tel.Tracer("test").Start(ctx, "work")
	if span.IsRecording() {
		t.Error("span recording with OTEL_SDK_DISABLED=true")
	}
	out := http.Header{}
	otel.GetTextMapPropagator().Inject(ctx, propagation.HeaderCarrier(out))
	if got := out.Get("Traceparent"); !strings.Contains(got, "4bf92f3577b34da6a3ce929d0e0e4736") {
		t.Errorf("outgoing traceparent %q lost the incoming trace", got)
	}
	span.End()
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

func TestSetupInstallsW3CPropagators(t *testing.T) {
	tel, _ := setupInMemory(t)
	ctx, span := tel.Tracer("test").Start(context.Background(), "work")
	defer span.End()
	h := http.Header{}
	otel.GetTextMapPropagator().Inject(ctx, propagation.HeaderCarrier(h))
	want := "00-" + span.SpanContext().TraceID().String() + "-" + span.SpanContext().SpanID().String() + "-01"
	if got := h.Get("Traceparent"); got != want {
		t.Errorf("traceparent = %q, want %q", got, want)
	}
	fields := otel.GetTextMapPropagator().Fields()
	if !slices.Contains(fields, "baggage") {
		t.Errorf("propagator fields %v lack baggage", fields)
	}
}

func TestEndRecordsError(t *testing.T) {
	tel, exp := setupInMemory(t)
	work := func(ctx context.Context) (err error) {
		_, span := tel.Tracer("test").Start(ctx, "dossiers.App.Receive",
			trace.WithAttributes(attribute.String("tenant", "xa-dong-tan")))
		defer End(span, &err)
		return errors.New("procedure not found")
	}
	_ = work(context.Background())
	if err := tel.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans := exp.GetSpans()
	if len(spans) != 1 || spans[0].Status.Description != "procedure not found" || len(spans[0].Events) != 1 {
		t.Fatalf("want one span with error status and one exception event, got %+v", spans)
	}
}
