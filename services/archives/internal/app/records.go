package app

import (
	"context"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/telemetry"
	"egov.vn/platform/services/archives/internal/domain"
)

// CreateRecord opens a record file (hồ sơ) in the caller's unit.
func (a *App) CreateRecord(ctx context.Context, who platform.Actor, r domain.RecordFile) (_ domain.RecordFile, err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.CreateRecord")
	defer telemetry.End(span, &err)
	if err := requireClerk(who); err != nil {
		return domain.RecordFile{}, err
	}
	if err := r.Validate(); err != nil {
		return domain.RecordFile{}, err
	}
	r.ID, r.Tenant, r.CreatedAt = newID(), string(who.Tenant), a.now()
	if err := a.store.CreateRecord(ctx, &r); err != nil {
		return domain.RecordFile{}, err
	}
	return r, nil
}

// RecordView is a record file with its documents and their files.
type RecordView struct {
	Record    domain.RecordFile
	Documents []domain.Document
	Files     map[string][]domain.StoredFile // by document id
}

// Record reads a record file with the documents and files in it that the caller may read (the
// others are left out, as from a search).
func (a *App) Record(ctx context.Context, who platform.Actor, id string) (_ RecordView, err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.Record")
	defer telemetry.End(span, &err)
	if err := signedIn(who); err != nil {
		return RecordView{}, err
	}
	if err := domain.CanReadRecords(who); err != nil {
		return RecordView{}, err
	}
	v := RecordView{Files: map[string][]domain.StoredFile{}}
	if v.Record, err = a.store.Record(ctx, id); err != nil {
		return RecordView{}, err
	}
	visible := domain.VisibilityOf(who)
	if v.Documents, err = a.store.Documents(ctx, domain.DocumentQuery{RecordID: id, Limit: 500, Visible: &visible}); err != nil {
		return RecordView{}, err
	}
	for _, d := range v.Documents {
		if v.Files[d.ID], err = a.store.FilesOf(ctx, d.ID); err != nil {
			return RecordView{}, err
		}
	}
	return v, nil
}

// Records lists or searches the record files the caller may read.
func (a *App) Records(ctx context.Context, who platform.Actor, q domain.RecordQuery) (_ []domain.RecordFile, err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.Records")
	defer telemetry.End(span, &err)
	if err := signedIn(who); err != nil {
		return nil, err
	}
	if err := domain.CanReadRecords(who); err != nil {
		return nil, err
	}
	return a.store.Records(ctx, q)
}

// FileDocument puts a document into a record file and locks its files for the record's
// retention period. A document already filed stays where it is: moving it could shorten a
// lock, which COMPLIANCE mode forbids anyway.
func (a *App) FileDocument(ctx context.Context, who platform.Actor, documentID, recordID string) (err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.FileDocument")
	defer telemetry.End(span, &err)
	if err := requireClerk(who); err != nil {
		return err
	}
	d, err := a.ownDocument(ctx, who, documentID)
	if err != nil {
		return err
	}
	rec, err := a.store.Record(ctx, recordID)
	if err != nil || rec.Tenant != string(who.Tenant) {
		return recordFieldError(apperr.NotFound("record file", recordID))
	}
	if d.RecordID != "" && d.RecordID != recordID {
		return apperr.Conflict("already_filed", "văn bản đã thuộc một hồ sơ khác").WithDetail("record_id", d.RecordID)
	}
	if err := a.store.FileDocument(ctx, documentID, recordID); err != nil {
		return err
	}
	files, err := a.store.FilesOf(ctx, documentID)
	if err != nil {
		return err
	}
	return a.lock(ctx, rec, files)
}

// lock applies rec's retention to files and records it; unlike lockFiles it reports failure,
// since the caller asked for exactly this.
func (a *App) lock(ctx context.Context, rec domain.RecordFile, files []domain.StoredFile) error {
	until := rec.RetainUntil(a.now())
	for _, f := range files {
		hold := rec.Retention.Permanent || f.LegalHold
		if err := a.objects.Lock(ctx, f.Bucket, f.Key, f.VersionID, &until, hold); err != nil {
			return err
		}
		if err := a.store.SetFileLock(ctx, f.ID, &until, hold); err != nil {
			return err
		}
	}
	return nil
}

// SetLegalHold places or lifts a legal hold on every version of a document's files: while it
// is on, nothing can delete them whatever their retention date. Lifting it keeps a permanent
// record's hold.
func (a *App) SetLegalHold(ctx context.Context, who platform.Actor, documentID string, on bool) (err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.SetLegalHold")
	defer telemetry.End(span, &err)
	if err := requireClerk(who); err != nil {
		return err
	}
	d, err := a.ownDocument(ctx, who, documentID)
	if err != nil {
		return err
	}
	if !on && d.RecordID != "" {
		if rec, err := a.store.Record(ctx, d.RecordID); err == nil && rec.Retention.Permanent {
			return apperr.Conflict("permanent_record", "hồ sơ bảo quản vĩnh viễn luôn được giữ (legal hold), không thể bỏ")
		}
	}
	files, err := a.store.FilesOf(ctx, documentID)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := a.objects.Lock(ctx, f.Bucket, f.Key, f.VersionID, nil, on); err != nil {
			return err
		}
		if err := a.store.SetFileLock(ctx, f.ID, f.RetainUntil, on); err != nil {
			return err
		}
	}
	return nil
}
