package adapters

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	"gorm.io/gorm"

	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/archives/internal/app"
)

// ReturnedSubjects are the events the hand-off consumes: every unit's dossier returns.
var ReturnedSubjects = []string{events.SubjectRoot + ".*.dossiers.dossier.returned"}

// Handoff archives the results of returned dossiers (issue 15): a durable JetStream consumer of
// dossiers' "returned" events that registers each result through app.ArchiveDossierResult in the
// consumer's transaction, where libs/events also records the event id as processed. So the
// document, its file's row, its "registered" event and the processed mark commit together, and a
// crash anywhere in between is redelivered and done once.
type Handoff struct {
	DB      *gorm.DB
	JS      jetstream.JetStream
	App     *app.App
	Stream  string
	Durable string
	// Workers run Consume side by side on the one durable: the file copy of one result overlaps
	// the commit of another (the register's counter still hands out numbers one at a time).
	Workers int
	// AckWait is how long JetStream waits for an ack before it redelivers (0: libs/events'
	// default): how long a result in flight when a process dies waits for another one.
	AckWait time.Duration
	Log     *slog.Logger
	Meter   metric.Meter
	// AfterCommit, when set, runs after an event's transaction commits and before its ack (crash
	// tests: archives dying between its commit and dossiers' event being acknowledged).
	AfterCommit func(events.Event) error
}

// maxDeliver bounds the deliveries of one result (see Run).
const maxDeliver = 1000

// stagedKey carries the staged result from the stage to the handler in the context.
type stagedKey struct{}

// returnedData is what the hand-off reads of a "returned" event (services/EVENTS.md).
type returnedData struct {
	DossierID       string    `json:"dossier_id"`
	ReceiptCode     string    `json:"receipt_code"`
	Tenant          string    `json:"tenant"`
	ProcedureName   string    `json:"procedure_name"`
	ReturnedAt      time.Time `json:"returned_at"`
	ResultBucket    string    `json:"result_bucket"`
	ResultObjectKey string    `json:"result_object_key"`
	ResultFileName  string    `json:"result_file_name"`
	ResultSize      int64     `json:"result_size"`
	ResultSHA256    string    `json:"result_sha256"`
	ResultType      string    `json:"result_type"`
	ResultSummary   string    `json:"result_summary"`
	ResultSigner    string    `json:"result_signer"`
}

// Run consumes until ctx ends. It returns early only when a worker cannot consume at all, so
// that the process stops and is restarted.
func (h *Handoff) Run(ctx context.Context) error {
	meter := h.Meter
	if meter == nil {
		meter = noop.NewMeterProvider().Meter("archives")
	}
	outcomes, err := meter.Int64Counter("archives.dossier_results",
		metric.WithDescription("returned dossiers handed to the archives, by outcome: registered, already (a replay), no_file (returned without an electronic result), rejected"))
	if err != nil {
		return err
	}
	rejected := func(ctx context.Context, err error) error {
		if errors.Is(err, app.ErrHandoffRejected) {
			outcomes.Add(ctx, 1, metric.WithAttributes(attribute.String("outcome", "rejected")))
			return events.Permanent(err)
		}
		return err
	}
	// The file is copied before the consumer's transaction opens (no transaction waits on MinIO,
	// and SQLite's one writer stays free for the copy's pending mark); the staged result travels
	// to the handler in the context.
	stage := func(ctx context.Context, evt events.Event) (context.Context, error) {
		var d returnedData
		if err := events.DecodeData(evt, &d); err != nil {
			return nil, events.Permanent(err)
		}
		s, err := h.App.StageDossierResult(ctx, app.DossierResult{
			DossierID: d.DossierID, ReceiptCode: d.ReceiptCode, Tenant: d.Tenant, ProcedureName: d.ProcedureName, ReturnedAt: d.ReturnedAt,
			Bucket: d.ResultBucket, Key: d.ResultObjectKey, FileName: d.ResultFileName,
			Size: d.ResultSize, SHA256: d.ResultSHA256, Type: d.ResultType, Summary: d.ResultSummary, Signer: d.ResultSigner,
		})
		if err != nil {
			return nil, rejected(ctx, err)
		}
		return context.WithValue(ctx, stagedKey{}, s), nil
	}
	handler := func(ctx context.Context, evt events.Event, tx *gorm.DB) error {
		s, ok := ctx.Value(stagedKey{}).(*app.StagedResult)
		if !ok {
			return events.Permanent(errors.New("archives: hand-off handler called without a staged result"))
		}
		_, outcome, err := h.App.CommitDossierResult(store.WithTx(ctx, tx), s)
		if err != nil {
			return rejected(ctx, err)
		}
		outcomes.Add(ctx, 1, metric.WithAttributes(attribute.String("outcome", string(outcome))))
		return nil
	}
	// A result is never given up for a passing fault: MinIO or the database down for days still
	// leaves it to be archived when they are back (retries back off to one every 5 minutes, so
	// maxDeliver deliveries last about 3 days). Only a result that can never be archived is dropped.
	opts := []events.ConsumeOption{events.WithLogger(h.Log), events.WithStage(stage), events.WithMaxDeliver(maxDeliver)}
	if h.AckWait > 0 {
		opts = append(opts, events.WithAckWait(h.AckWait))
	}
	if h.AfterCommit != nil {
		opts = append(opts, events.WithAfterCommit(h.AfterCommit))
	}
	// One worker that cannot consume stops the others: the process is then restarted whole.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := max(h.Workers, 1)
	errs := make(chan error, workers)
	for range workers {
		go func() {
			errs <- events.Consume(ctx, h.JS, h.DB, h.Stream, h.Durable, ReturnedSubjects, handler, opts...)
		}()
	}
	var first error
	for range workers {
		if err := <-errs; err != nil && first == nil {
			first = err
			cancel()
		}
	}
	return first
}
