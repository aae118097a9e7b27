package telemetry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/otlptranslator"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// Telemetry is the process's OpenTelemetry: built by Setup, shut down once at exit.
type Telemetry struct {
	tracerProvider trace.TracerProvider
	meterProvider  metric.MeterProvider
	registry       *prometheus.Registry
	resource       *resource.Resource

	// exporters names what telemetry leaves the process through, beyond /metrics; it lets a
	// test (and a start-up log line) tell "no endpoint" from "endpoint configured".
	exporters []string

	flush        []func(context.Context) error
	shutdown     []func(context.Context) error
	shutdownOnce sync.Once
	shutdownErr  error
}

// Option changes what Setup builds.
type Option func(*options)

type options struct {
	spanProcessors []sdktrace.SpanProcessor
	metricReaders  []sdkmetric.Reader
	version        string
	logger         *slog.Logger
}

// WithSpanExporter sends spans to exp as well, through a batching processor (flushed by
// Telemetry.ForceFlush and Shutdown). Tests pass tracetest.NewInMemoryExporter().
func WithSpanExporter(exp sdktrace.SpanExporter) Option {
	return func(o *options) { o.spanProcessors = append(o.spanProcessors, sdktrace.NewBatchSpanProcessor(exp)) }
}

// WithSpanProcessor registers a span processor as is, e.g. sdktrace.NewSimpleSpanProcessor for
// a test that must see each span the moment it ends.
func WithSpanProcessor(sp sdktrace.SpanProcessor) Option {
	return func(o *options) { o.spanProcessors = append(o.spanProcessors, sp) }
}

// WithMetricReader adds a metric reader beside Prometheus and OTLP (e.g. a ManualReader in tests).
func WithMetricReader(r sdkmetric.Reader) Option {
	return func(o *options) { o.metricReaders = append(o.metricReaders, r) }
}

// WithServiceVersion records the build's version as service.version on every span and metric.
func WithServiceVersion(v string) Option {
	return func(o *options) { o.version = v }
}

// WithErrorLogger sets where OpenTelemetry reports its own failures (an export that could not be
// delivered, say); slog.Default() otherwise, so they come out as JSON like every other log line.
func WithErrorLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// Setup builds the tracer and meter providers for service from the OTEL_* environment and makes
// them, with the W3C tracecontext+baggage propagator, the process's globals: the one sanctioned
// global, so that contrib instrumentation (otelgin, otelhttp, gorm) finds them. Call it once in
// main, before serving, and defer Shutdown.
//
// The environment it honours:
//   - OTEL_SDK_DISABLED=true: no-op providers; propagation still passes trace context through.
//   - OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES: override service and add resource attributes.
//   - OTEL_EXPORTER_OTLP_ENDPOINT, or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT /
//     OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: export over OTLP/HTTP. Without an endpoint nothing is
//     exported (the exporter's default of localhost:4318 is never tried). The exporter reads the
//     rest of OTEL_EXPORTER_OTLP_* (headers, protocol, timeout, TLS) itself.
//   - OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf (default) or http/json; grpc is refused.
//   - OTEL_TRACES_EXPORTER=none / OTEL_METRICS_EXPORTER=none: turn OTLP off per signal.
//   - OTEL_TRACES_SAMPLER(_ARG), OTEL_BSP_*, OTEL_METRIC_EXPORT_INTERVAL: read by the SDK.
//
// Metrics are always readable at MetricsHandler, from a Prometheus registry of this Telemetry.
func Setup(ctx context.Context, service string, opts ...Option) (*Telemetry, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	errLog := o.logger
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		errLog.Warn("opentelemetry", slog.String("err", err.Error()))
	}))
	// Propagation is set even when the SDK is disabled: a service that does not record must still
	// hand the caller's trace on to the services it calls.
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(
		propagation.TraceContext{}, propagation.Baggage{}))

	t := &Telemetry{registry: prometheus.NewRegistry()}
	if envTrue("OTEL_SDK_DISABLED") {
		t.tracerProvider = tracenoop.NewTracerProvider()
		t.meterProvider = metricnoop.NewMeterProvider()
		otel.SetTracerProvider(t.tracerProvider)
		otel.SetMeterProvider(t.meterProvider)
		return t, nil
	}

	res, err := newResource(ctx, service, o.version)
	if err != nil {
		return nil, err
	}
	t.resource = res

	// Anything built before an error is shut down again, so a failed Setup leaks nothing.
	fail := func(err error) (*Telemetry, error) {
		_ = t.Shutdown(ctx)
		return nil, err
	}

	tpOpts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	for _, sp := range o.spanProcessors {
		tpOpts = append(tpOpts, sdktrace.WithSpanProcessor(sp))
	}
	if otlpWanted("TRACES") {
		if err := checkProtocol("TRACES"); err != nil {
			return fail(err)
		}
		exp, err := otlptracehttp.New(ctx)
		if err != nil {
			return fail(fmt.Errorf("telemetry: OTLP trace exporter: %w", err))
		}
		tpOpts = append(tpOpts, sdktrace.WithBatcher(exp))
		t.exporters = append(t.exporters, "otlp-traces")
	}
	tp := sdktrace.NewTracerProvider(tpOpts...)
	t.tracerProvider = tp
	t.flush = append(t.flush, tp.ForceFlush)
	t.shutdown = append(t.shutdown, tp.Shutdown)

	// The Prometheus exporter registers with our own registry, never the default global one, so
	// two Telemetry values (tests) or a library's stray collector cannot collide with it.
	// UnderscoreEscapingWithSuffixes is spelled out because the exporter's default is due to
	// change, and dashboards depend on the names (e.g. dossiers_received_total).
	promExp, err := otelprom.New(
		otelprom.WithRegisterer(t.registry),
		otelprom.WithTranslationStrategy(otlptranslator.UnderscoreEscapingWithSuffixes),
	)
	if err != nil {
		return fail(fmt.Errorf("telemetry: prometheus exporter: %w", err))
	}
	if err := t.registry.Register(collectors.NewGoCollector()); err != nil {
		return fail(fmt.Errorf("telemetry: go collector: %w", err))
	}
	if err := t.registry.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		return fail(fmt.Errorf("telemetry: process collector: %w", err))
	}
	mpOpts := []sdkmetric.Option{sdkmetric.WithResource(res), sdkmetric.WithReader(promExp)}
	for _, r := range o.metricReaders {
		mpOpts = append(mpOpts, sdkmetric.WithReader(r))
	}
	if otlpWanted("METRICS") {
		if err := checkProtocol("METRICS"); err != nil {
			return fail(err)
		}
		exp, err := otlpmetrichttp.New(ctx)
		if err != nil {
			return fail(fmt.Errorf("telemetry: OTLP metric exporter: %w", err))
		}
		mpOpts = append(mpOpts, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp)))
		t.exporters = append(t.exporters, "otlp-metrics")
	}
	mp := sdkmetric.NewMeterProvider(mpOpts...)
	t.meterProvider = mp
	t.flush = append(t.flush, mp.ForceFlush)
	t.shutdown = append(t.shutdown, mp.Shutdown)

	otel.SetTracerProvider(tp)
	otel.SetMeterProvider(mp)
	return t, nil
}

// newResource describes the process: service is the default name, which OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES override (later detectors win in resource.New).
func newResource(ctx context.Context, service, version string) (*resource.Resource, error) {
	attrs := []attribute.KeyValue{semconv.ServiceName(service)}
	if version != "" {
		attrs = append(attrs, semconv.ServiceVersion(version))
	}
	res, err := resource.New(ctx,
		resource.WithService(), // service.instance.id tells replicas apart
		resource.WithAttributes(attrs...),
		resource.WithFromEnv(),
		resource.WithTelemetrySDK(),
		resource.WithHost(),
	)
	if err != nil {
		// A malformed OTEL_RESOURCE_ATTRIBUTES is a configuration mistake: fail at start.
		return nil, fmt.Errorf("telemetry: resource: %w", err)
	}
	return res, nil
}

// checkProtocol fails fast on OTEL_EXPORTER_OTLP_PROTOCOL=grpc: only OTLP/HTTP is built in,
// and sending HTTP to a gRPC port would fail on every export instead of at start.
func checkProtocol(signal string) error {
	for _, name := range []string{"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_" + signal + "_PROTOCOL"} {
		if v := strings.TrimSpace(os.Getenv(name)); v != "" && !strings.HasPrefix(v, "http/") {
			return fmt.Errorf("telemetry: %s=%q: only http/protobuf and http/json are supported", name, v)
		}
	}
	return nil
}

// otlpWanted reports whether signal ("TRACES" or "METRICS") has an OTLP endpoint configured and
// is not switched off with OTEL_<signal>_EXPORTER=none.
func otlpWanted(signal string) bool {
	for _, e := range strings.Split(os.Getenv("OTEL_"+signal+"_EXPORTER"), ",") {
		if strings.TrimSpace(strings.ToLower(e)) == "none" {
			return false
		}
	}
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" ||
		os.Getenv("OTEL_EXPORTER_OTLP_"+signal+"_ENDPOINT") != ""
}

func envTrue(name string) bool {
	return strings.EqualFold(strings.TrimSpace(os.Getenv(name)), "true")
}

// Tracer returns a tracer of this Telemetry's provider; name is the instrumentation scope,
// conventionally the package path ("egov.vn/platform/services/dossiers/internal/app").
func (t *Telemetry) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	return t.tracerProvider.Tracer(name, opts...)
}

// Meter returns a meter of this Telemetry's provider; name is the instrumentation scope.
func (t *Telemetry) Meter(name string, opts ...metric.MeterOption) metric.Meter {
	return t.meterProvider.Meter(name, opts...)
}

// TracerProvider is the provider Setup built, for code that takes one by injection.
func (t *Telemetry) TracerProvider() trace.TracerProvider { return t.tracerProvider }

// MeterProvider is the provider Setup built, for code that takes one by injection.
func (t *Telemetry) MeterProvider() metric.MeterProvider { return t.meterProvider }

// Exporters names the OTLP exporters in use ("otlp-traces", "otlp-metrics"); empty when no
// endpoint is configured. main logs it at start so an operator sees where telemetry goes.
func (t *Telemetry) Exporters() []string { return append([]string(nil), t.exporters...) }

// MetricsHandler serves this Telemetry's Prometheus registry in the text exposition format, for
// the /metrics route (on the admin or main port, as the service decides).
func (t *Telemetry) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(t.registry, promhttp.HandlerOpts{Registry: t.registry})
}

// ForceFlush exports every span and metric recorded so far without shutting down.
func (t *Telemetry) ForceFlush(ctx context.Context) error {
	var errs []error
	for _, f := range t.flush {
		errs = append(errs, f(ctx))
	}
	return errors.Join(errs...)
}

// Shutdown flushes what is buffered and stops the providers; ctx bounds how long that may take.
// Only the first call does anything, so it is safe both deferred in main and called on a signal.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	t.shutdownOnce.Do(func() {
		var errs []error
		for _, f := range t.shutdown {
			errs = append(errs, f(ctx))
		}
		t.shutdownErr = errors.Join(errs...)
	})
	return t.shutdownErr
}
