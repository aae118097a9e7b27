package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/telemetry"
	"egov.vn/platform/services/archives/internal/domain"
)

// DossierResult is the result document of a dossier returned to the citizen, as dossiers
// announce it in their "returned" event (services/EVENTS.md).
type DossierResult struct {
	DossierID     string
	ReceiptCode   string
	Tenant        string // the unit that returned the result, whose outgoing register gets it
	ProcedureName string
	ReturnedAt    time.Time

	// The file in the unit's bucket as dossiers stored it; Key is empty when the dossier was
	// returned without an electronic result. Its content type is sniffed here, as for every file
	// the archives keep, not taken from the event.
	Bucket   string
	Key      string
	FileName string
	Size     int64
	SHA256   string

	Type    string // loại văn bản: a code or a name of the Decree 30 list
	Summary string // trích yếu
	Signer  string // người ký
}

// HandoffOutcome says what the hand-off of one result did.
type HandoffOutcome string

const (
	HandoffRegistered HandoffOutcome = "registered" // the result is now an outgoing document
	HandoffAlready    HandoffOutcome = "already"    // it was registered before (a replay): nothing changed
	HandoffNoFile     HandoffOutcome = "no_file"    // returned without a result file: nothing to archive
)

// ErrHandoffRejected marks a hand-off that can never succeed however often it is retried (the
// event names another unit's bucket, the stored bytes are not the announced ones, the file is
// of a kind the archive refuses): the consumer drops it with an error in the log.
var ErrHandoffRejected = errors.New("archives: dossier result rejected")

// defaultResultType is the kind given to a result whose type dossiers did not name or named
// outside the Decree 30 list (a certificate, a licence): the result of an administrative
// procedure is issued by the unit as an individual decision or under one.
const defaultResultType = "quyet-dinh"

// StagedResult is a dossier's result ready to be registered: its document with the number still
// to take, and its file already in the archives' bucket (or what is to be done instead).
type StagedResult struct {
	result  DossierResult
	doc     domain.Document
	files   []stored
	outcome HandoffOutcome // set when there is nothing to commit
}

// The hand-off of a returned dossier's result (issue 15 item 3) registers it as an outgoing
// document of the unit that returned it, in two steps so that no database transaction is held
// while the file is copied: StageDossierResult copies the file and CommitDossierResult registers
// it, in the event consumer's transaction, which also records the event as processed.
//
// It is idempotent by dossier: a result already registered is found and left as it is, and the
// link table's uniqueness (tenant, dossier) turns a concurrent second registration into a conflict
// that rolls back and is retried, then finds the first.

// StageDossierResult checks the result and streams the file from dossiers' object into the
// archives' own object in the unit's object-locked bucket, its SHA-256 computed on the way and
// checked against the one dossiers announced. Like every upload here it leaves a pending mark,
// so a process that dies before the commit leaves an object the cleanup job removes.
func (a *App) StageDossierResult(ctx context.Context, r DossierResult) (_ *StagedResult, err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.StageDossierResult")
	defer telemetry.End(span, &err)
	if r.DossierID == "" || r.Tenant == "" {
		return nil, fmt.Errorf("%w: the event names no dossier or no unit", ErrHandoffRejected)
	}
	ctx = resultScope(ctx, r)
	if _, err := a.store.DocumentOfDossier(ctx, r.DossierID); err == nil {
		return &StagedResult{result: r, outcome: HandoffAlready}, nil
	} else if apperr.KindOf(err) != apperr.KindNotFound {
		return nil, err
	}
	if r.Key == "" {
		return &StagedResult{result: r, outcome: HandoffNoFile}, nil
	}
	if own := a.objects.Bucket(r.Tenant); r.Bucket != own {
		return nil, fmt.Errorf("%w: the result of %s is in bucket %q, not the unit's bucket %q", ErrHandoffRejected, r.ReceiptCode, r.Bucket, own)
	}
	d, err := a.resultDocument(ctx, r)
	if err != nil {
		return nil, err
	}
	src, err := a.objects.Open(ctx, r.Bucket, r.Key, "")
	if err != nil {
		return nil, fmt.Errorf("open the result of %s: %w", r.ReceiptCode, err)
	}
	defer func() { _ = src.Close() }()
	name := r.FileName
	if name == "" {
		name = r.ReceiptCode + ".pdf"
	}
	s, err := a.storeObject(ctx, r.Tenant, objectKey(d.ID, newID()), Upload{Name: name, Body: src}, d.RegisteredBy)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if apperr.KindOf(err) == apperr.KindInvalid || errors.As(err, &tooLarge) {
			return nil, fmt.Errorf("%w: %w", ErrHandoffRejected, err)
		}
		return nil, err
	}
	s.file.DocumentID = d.ID
	files := []stored{s}
	if (r.SHA256 != "" && s.file.SHA256 != r.SHA256) || (r.Size > 0 && s.file.Size != r.Size) {
		a.discardAll(ctx, files)
		return nil, fmt.Errorf("%w: the result of %s read %d bytes with SHA-256 %s, dossiers announced %d bytes with %s",
			ErrHandoffRejected, r.ReceiptCode, s.file.Size, s.file.SHA256, r.Size, r.SHA256)
	}
	return &StagedResult{result: r, doc: d, files: files}, nil
}

// CommitDossierResult registers a staged result: the next number of the unit's outgoing
// register, the document with its link to the dossier, its file's row and the "registered" event
// naming the dossier, together in the transaction ctx carries (or a new one). When it fails the
// staged file is removed again.
func (a *App) CommitDossierResult(ctx context.Context, s *StagedResult) (_ domain.Document, _ HandoffOutcome, err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.CommitDossierResult")
	defer telemetry.End(span, &err)
	r := s.result
	ctx = resultScope(ctx, r)
	log := telemetry.Logger(ctx).With(slog.String("tenant", r.Tenant), slog.String("dossier_id", r.DossierID), slog.String("receipt_code", r.ReceiptCode))
	switch s.outcome {
	case HandoffAlready:
		return domain.Document{}, HandoffAlready, nil
	case HandoffNoFile:
		// A result handed over on paper only: there is no electronic document to register, and
		// none is made up. The count of these shows how many results are not digitised.
		log.InfoContext(ctx, "dossier returned without a result file: nothing to archive")
		return domain.Document{}, HandoffNoFile, nil
	}
	d := s.doc
	if err := a.registerTx(ctx, &d, s.files); err != nil {
		return domain.Document{}, "", err
	}
	log.InfoContext(ctx, "dossier result archived", slog.String("document_id", d.ID), slog.Int("number", d.Number))
	return d, HandoffRegistered, nil
}

// resultScope is the scope of the unit that returned the result: the hand-off writes into its
// register on its behalf, and only to append, as the exchange does for a recipient.
func resultScope(ctx context.Context, r DossierResult) context.Context {
	return store.WithScope(ctx, store.Scope{Tenant: r.Tenant})
}

// resultDocument is the outgoing register entry of a dossier's result, with its Decree 30
// metadata: the issuing unit, the kind and its notation symbol, the day it was returned as the
// issue date, the summary and the signer dossiers recorded.
func (a *App) resultDocument(ctx context.Context, r DossierResult) (domain.Document, error) {
	t, ok := domain.DocumentTypeFor(r.Type)
	if !ok {
		t, _ = domain.LookupDocumentType(defaultResultType)
	}
	symbol := "UBND"
	if t.Abbreviation != "" {
		symbol = t.Abbreviation + "-UBND"
	}
	organ := r.Tenant
	if a.dir != nil {
		u, err := a.dir.Tenant(ctx, r.Tenant)
		if err != nil {
			return domain.Document{}, fmt.Errorf("the unit %s in the tenant directory: %w", r.Tenant, err)
		}
		if u.Name != "" {
			organ = u.Name // the unit's official name, "UBND xã Đông Tân"
		}
	}
	subject := r.Summary
	if subject == "" {
		subject = "Kết quả giải quyết thủ tục " + r.ProcedureName + " (hồ sơ " + r.ReceiptCode + ")"
	}
	signer := r.Signer
	if signer == "" {
		signer = "Không ghi trong hồ sơ"
	}
	returned := r.ReturnedAt
	if returned.IsZero() {
		returned = a.now()
	}
	d := domain.Document{
		ID: newID(), Tenant: r.Tenant, Direction: domain.Outgoing, IssuingOrgan: organ, Type: t.Code, Symbol: symbol,
		IssuedDate: domain.CivilDay(returned), Subject: subject, Signer: signer,
		DossierID: r.DossierID, ReceiptCode: r.ReceiptCode, RegisteredBy: "system:dossiers",
	}
	if err := d.Validate(a.now()); err != nil {
		return domain.Document{}, fmt.Errorf("%w: %w", ErrHandoffRejected, err)
	}
	d.Year = a.now().In(domain.Vietnam).Year()
	return d, nil
}
