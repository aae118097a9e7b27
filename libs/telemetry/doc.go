// Package telemetry owns OpenTelemetry for every service of the platform, set up once: the trace
// and meter providers built from the standard OTEL_* environment, the W3C trace-context and
// baggage propagators, the OTLP/HTTP exporters (only when an endpoint is configured), a
// Prometheus /metrics endpoint on a registry of its own, JSON slog loggers that carry trace_id
// and span_id, and the instrumentation of gin, outgoing HTTP, gorm and NATS. Services call
// [Setup] in main, defer [Telemetry.Shutdown], and otherwise only start spans (see [End]); none
// of them configures OpenTelemetry itself.
package telemetry
