package telemetry

import (
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// End ends a span and records *errp on it, so that a use case traces itself in two lines:
//
//	ctx, span := tracer.Start(ctx, "dossiers.App.Receive")
//	defer telemetry.End(span, &err)
func End(span trace.Span, errp *error) {
	if errp != nil && *errp != nil {
		span.RecordError(*errp)
		span.SetStatus(codes.Error, (*errp).Error())
	}
	span.End()
}
