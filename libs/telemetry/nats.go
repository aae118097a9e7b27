package telemetry

import (
	"context"
	"net/http"

	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

// NATS headers have http.Header's shape, so the W3C propagators read and write them directly;
// this is the one place that does it for every publisher and consumer.

// InjectNATS writes the trace context (and baggage) of ctx into the message headers.
func InjectNATS(ctx context.Context, msg *nats.Msg) {
	if msg.Header == nil {
		msg.Header = nats.Header{}
	}
	otel.GetTextMapPropagator().Inject(ctx, propagation.HeaderCarrier(http.Header(msg.Header)))
}

// ExtractNATS returns ctx carrying the trace context found in the message headers.
func ExtractNATS(ctx context.Context, msg *nats.Msg) context.Context {
	if msg.Header == nil {
		return ctx
	}
	return otel.GetTextMapPropagator().Extract(ctx, propagation.HeaderCarrier(http.Header(msg.Header)))
}
