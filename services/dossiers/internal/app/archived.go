package app

import (
	"context"
	"time"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/telemetry"
)

// ArchiveLink is where a dossier's result is kept: the outgoing document the archives registered
// for it when the dossier was returned (issue 15 item 3), as their "registered" event says.
type ArchiveLink struct {
	DossierID    string
	Tenant       string // the unit whose outgoing register holds the document
	DocumentID   string
	Year         int
	Number       int
	Notation     string // số và ký hiệu, "12/QĐ-UBND"
	RegisteredAt time.Time
}

// URL is the document's page at the archives, which the platform serves on the same origin as
// dossiers (each service under its own prefix).
func (l ArchiveLink) URL() string { return "/archives/documents/" + l.DocumentID }

// ArchiveLinks keeps the links: the part of Store that the archives' events write and the dossier
// page reads.
type ArchiveLinks interface {
	SaveArchiveLink(ctx context.Context, l ArchiveLink) error
	ArchiveLinkOf(ctx context.Context, dossierID string) (ArchiveLink, error)
}

// RecordArchived stores the link of a dossier to the document its result became, in the books of
// the unit that registered it. Saving a link already saved changes nothing, so a replayed event
// is harmless.
func (s *App) RecordArchived(ctx context.Context, l ArchiveLink) (err error) {
	ctx, span := s.tracer.Start(ctx, "dossiers.App.RecordArchived")
	defer telemetry.End(span, &err)
	if l.DossierID == "" || l.DocumentID == "" || l.Tenant == "" {
		return apperr.Invalid("dossier_id", "a registered event links a dossier only with dossier_id, document_id and tenant")
	}
	// The archives' event is the unit's own fact about its dossier: the link is written in the
	// unit's scope, as the event names it.
	return s.store.SaveArchiveLink(store.WithScope(ctx, store.Scope{Tenant: l.Tenant}), l)
}

// ArchivedResult returns where the dossier's result is archived, for a caller already allowed to
// read the dossier (ctx carries its scope), or nil while the archives have not registered it.
func (s *App) ArchivedResult(ctx context.Context, dossierID string) (_ *ArchiveLink, err error) {
	ctx, span := s.tracer.Start(ctx, "dossiers.App.ArchivedResult")
	defer telemetry.End(span, &err)
	l, err := s.store.ArchiveLinkOf(ctx, dossierID)
	if apperr.KindOf(err) == apperr.KindNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &l, nil
}
