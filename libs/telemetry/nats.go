package telemetry

import (
	"context"
	"net/http"

	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// NATS headers have http.Header's shape, so the W3C propagators read and write them directly;
// this is the one place that does it for every publisher and consumer.

// natsScope is the instrumentation scope of the spans this file starts.
const natsScope = "egov.vn/platform/libs/telemetry/nats"

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

// StartProducerSpan starts a producer span for publishing msg and writes that span's context
// into msg's headers, so the consumer's span becomes its child. Call it just before
// nc.PublishMsg or js.PublishMsg and end the span (telemetry.End) with the publish error:
//
//	ctx, span := telemetry.StartProducerSpan(ctx, msg)
//	_, err = js.PublishMsg(ctx, msg)
//	telemetry.End(span, &err)
func StartProducerSpan(ctx context.Context, msg *nats.Msg) (context.Context, trace.Span) {
	ctx, span := otel.Tracer(natsScope).Start(ctx, "send "+msg.Subject,
		trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(messagingAttrs(msg, semconv.MessagingOperationTypeSend, "send")...),
	)
	InjectNATS(ctx, msg)
	return ctx, span
}

// StartConsumerSpan continues the publisher's trace from msg's headers and starts a consumer
// span for processing it; the handler runs under the returned ctx and ends the span when done.
// ctx is the consumer's own (for cancellation and values); a message without trace headers
// makes the span a child of ctx's span, or a new root.
func StartConsumerSpan(ctx context.Context, msg *nats.Msg) (context.Context, trace.Span) {
	ctx = ExtractNATS(ctx, msg)
	return otel.Tracer(natsScope).Start(ctx, "process "+msg.Subject,
		trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(messagingAttrs(msg, semconv.MessagingOperationTypeProcess, "process")...),
	)
}

func messagingAttrs(msg *nats.Msg, opType attribute.KeyValue, opName string) []attribute.KeyValue {
	attrs := []attribute.KeyValue{
		semconv.MessagingSystemKey.String("nats"),
		semconv.MessagingDestinationName(msg.Subject),
		opType,
		semconv.MessagingOperationName(opName),
		semconv.MessagingMessageBodySize(len(msg.Data)),
	}
	// The JetStream message id is the event id (outbox relay), the key to follow one event.
	if id := msg.Header.Get(nats.MsgIdHdr); id != "" {
		attrs = append(attrs, semconv.MessagingMessageID(id))
	}
	return attrs
}
