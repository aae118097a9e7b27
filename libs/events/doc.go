// Package events owns how services tell each other what happened: the CloudEvents 1.0 envelope
// and the subject scheme egov.<tenant>.<service>.<entity>.<verb>, the transactional outbox that
// commits an event together with the row it describes, the relay that moves committed events to
// NATS JetStream (the event id is the JetStream message id, so a retried publish is dropped by the
// stream's duplicate window), and the durable consumer that applies each event at most once per
// consumer by recording its id in the same database transaction as the handler's effect.
// Together they give effectively-once delivery between services without distributed transactions.
// Trace context travels from the producer's span, through the outbox row and the NATS headers,
// into the consumer's handler, so one user action across services stays one trace.
//
// The package owns its tables, outbox_events and processed_events, as the migration set
// Migrations, which a service applies with its own in one store.MigrateAll. Pruner keeps them
// small: published outbox rows are deleted after PublishedRetention (7 days), processed-event ids
// after ProcessedRetention of the stream's MaxAge (its age plus a day; 30 days for a stream
// without an age limit, such as the platform's), because an id must outlive every redelivery of
// its event; prune.go says why these figures suffice. bootstrap runs a Pruner in every service
// that has an outbox.
package events
