package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/telemetry"
	"egov.vn/platform/services/archives/internal/domain"
)

// objectKey is where a document's file lives in the tenant's bucket; versions share it.
func objectKey(documentID, fileID string) string { return "documents/" + documentID + "/" + fileID }

// Register enters a document in the caller's outgoing or incoming register, with its file if
// one is given. The file is stored first; the number, the document, the file's row and the
// "registered" event are then committed together. So a failed upload leaves no document and
// consumes no number, and a failed commit leaves only an object that is removed at once (or by
// the cleanup job).
func (a *App) Register(ctx context.Context, who platform.Actor, d domain.Document, file *Upload) (_ domain.Document, err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.Register")
	defer telemetry.End(span, &err)
	if err := requireClerk(who); err != nil {
		return domain.Document{}, err
	}
	now := a.now()
	d.ID, d.Tenant, d.RegisteredBy = newID(), string(who.Tenant), who.Subject
	if err := d.Validate(now); err != nil {
		return domain.Document{}, err
	}
	if d.Direction == domain.Incoming && d.ArrivalDate == nil {
		today := domain.CivilDay(now)
		d.ArrivalDate = &today
	}
	var rec *domain.RecordFile
	if d.RecordID != "" {
		r, err := a.store.Record(ctx, d.RecordID)
		if err != nil {
			return domain.Document{}, recordFieldError(err)
		}
		rec = &r
	}
	var files []stored
	if file != nil {
		s, err := a.storeObject(ctx, string(who.Tenant), objectKey(d.ID, newID()), *file, who.Subject)
		if err != nil {
			return domain.Document{}, err
		}
		s.file.DocumentID = d.ID
		files = append(files, s)
	}
	d.Year = now.In(domain.Vietnam).Year()
	if err := a.registerTx(ctx, &d, files); err != nil {
		return domain.Document{}, err
	}
	if rec != nil {
		a.lockFiles(ctx, *rec, files)
	}
	return d, nil
}

// registerTx takes d's next number in its register and stores d with its staged files and the
// "registered" event, in the transaction ctx carries (or a new one). When that fails the staged
// objects go again; their pending marks, committed at staging, stay until the cleanup job finds
// the objects gone (forgetting them here would wait on the failed transaction).
func (a *App) registerTx(ctx context.Context, d *domain.Document, files []stored) error {
	err := a.store.Transact(ctx, func(ctx context.Context) error {
		n, err := a.store.NextNumber(ctx, d.Direction, d.Year)
		if err != nil {
			return err
		}
		// Registered when the number is taken (after waiting for the register), so the order of
		// registration times is the order of numbers.
		d.Number, d.RegisteredAt = n, a.now()
		if d.Direction == domain.Outgoing {
			d.SourceNumber = n
		}
		if err := a.store.CreateDocument(ctx, d); err != nil {
			return err
		}
		if err := a.commitFiles(ctx, files); err != nil {
			return err
		}
		evt, err := registeredEvent(*d)
		if err != nil {
			return err
		}
		return a.store.Publish(ctx, evt)
	})
	if err != nil {
		a.discardAll(ctx, files)
	}
	return err
}

func (a *App) commitFiles(ctx context.Context, files []stored) error {
	for i := range files {
		if err := a.store.AddFile(ctx, &files[i].file); err != nil {
			return err
		}
		if err := a.store.EndUpload(ctx, files[i].pending); err != nil {
			return err
		}
	}
	return nil
}

func recordFieldError(err error) error {
	if apperr.KindOf(err) == apperr.KindNotFound {
		return apperr.Invalid("record_id", "Hồ sơ không tồn tại trong đơn vị")
	}
	return err
}

// lockFiles applies the record's retention to files after their rows committed. A failure is
// logged, not returned: the document is registered, and FileDocument or the next upload
// applies the lock again (retention is only ever lengthened, so repeating it is harmless).
func (a *App) lockFiles(ctx context.Context, rec domain.RecordFile, files []stored) {
	until := rec.RetainUntil(a.now())
	for _, s := range files {
		if err := a.objects.Lock(ctx, s.file.Bucket, s.file.Key, s.file.VersionID, &until, rec.Retention.Permanent); err != nil {
			telemetry.Logger(ctx).WarnContext(ctx, "retention not applied yet", slog.String("file_id", s.file.ID), slog.String("error", err.Error()))
			continue
		}
		if err := a.store.SetFileLock(ctx, s.file.ID, &until, rec.Retention.Permanent || s.file.LegalHold); err != nil {
			telemetry.Logger(ctx).WarnContext(ctx, "retention applied but not recorded", slog.String("file_id", s.file.ID), slog.String("error", err.Error()))
		}
	}
}

// AddFile stores a further file of a document, or, with fileKeyOf set to an existing file's
// id, a new version of that file (the object's earlier versions stay, MinIO versioning).
func (a *App) AddFile(ctx context.Context, who platform.Actor, documentID, versionOf string, up Upload) (_ domain.StoredFile, err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.AddFile")
	defer telemetry.End(span, &err)
	if err := requireClerk(who); err != nil {
		return domain.StoredFile{}, err
	}
	d, err := a.ownDocument(ctx, who, documentID)
	if err != nil {
		return domain.StoredFile{}, err
	}
	key := objectKey(d.ID, newID())
	if versionOf != "" {
		prev, err := a.store.File(ctx, versionOf)
		if err != nil || prev.DocumentID != d.ID {
			return domain.StoredFile{}, apperr.NotFound("file", versionOf)
		}
		key = prev.Key
	}
	s, err := a.storeObject(ctx, string(who.Tenant), key, up, who.Subject)
	if err != nil {
		return domain.StoredFile{}, err
	}
	s.file.DocumentID = d.ID
	err = a.store.Transact(ctx, func(ctx context.Context) error { return a.commitFiles(ctx, []stored{s}) })
	if err != nil {
		if versionOf == "" {
			a.discardAll(ctx, []stored{s})
		}
		return domain.StoredFile{}, err
	}
	if d.RecordID != "" {
		if rec, err := a.store.Record(ctx, d.RecordID); err == nil {
			a.lockFiles(ctx, rec, []stored{s})
		}
	}
	return a.store.File(ctx, s.file.ID)
}

// ownDocument reads a document and insists it belongs to the caller's unit (others' documents
// are read-only even where the scope lets them be read) and that the caller may read it: no one
// files, sends or acknowledges what they may not read.
func (a *App) ownDocument(ctx context.Context, who platform.Actor, id string) (domain.Document, error) {
	d, _, err := a.readable(ctx, who, id)
	if err != nil {
		return domain.Document{}, err
	}
	if d.Tenant != string(who.Tenant) {
		return domain.Document{}, apperr.Forbidden("only the unit that holds a document may change it")
	}
	return d, nil
}

// readable reads a document with its grants and applies the need-to-know rule (domain.CanRead).
// A document outside the caller's scope is not found; one inside it that the caller may not read
// is forbidden (its id is unguessable, so the answer tells nothing a list would not).
func (a *App) readable(ctx context.Context, who platform.Actor, id string) (domain.Document, []domain.Grant, error) {
	d, err := a.store.Document(ctx, id)
	if err != nil {
		return domain.Document{}, nil, err
	}
	grants, err := a.store.Grants(ctx, id)
	if err != nil {
		return domain.Document{}, nil, err
	}
	if err := domain.CanRead(d, who, domain.HasGrant(grants, who.Subject)); err != nil {
		return domain.Document{}, nil, err
	}
	return d, grants, nil
}

// DocumentView is a document with everything its page shows.
type DocumentView struct {
	Document   domain.Document
	Files      []domain.StoredFile
	Record     *domain.RecordFile
	Deliveries []domain.Delivery
	Access     []domain.Access
	Grants     []domain.Grant
}

// Document reads a document with its files, record, recipients, grants and access log, for a
// caller the need-to-know rule lets read it. Reading a classified document's metadata is written
// to the access log first, like a download: a read that cannot be logged does not happen.
func (a *App) Document(ctx context.Context, who platform.Actor, id, clientIP string) (_ DocumentView, err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.Document")
	defer telemetry.End(span, &err)
	if err := signedIn(who); err != nil {
		return DocumentView{}, err
	}
	v := DocumentView{}
	if v.Document, v.Grants, err = a.readable(ctx, who, id); err != nil {
		return DocumentView{}, err
	}
	if v.Document.Security.Classified() {
		entry := domain.Access{ID: newID(), DocumentID: id, Actor: who.Subject, ActorName: who.Name, Action: "view", ClientIP: clientIP, At: a.now()}
		if err := a.store.LogAccess(ctx, entry); err != nil {
			return DocumentView{}, fmt.Errorf("access log: %w", err)
		}
	}
	if v.Files, err = a.store.FilesOf(ctx, id); err != nil {
		return DocumentView{}, err
	}
	if v.Document.RecordID != "" {
		if r, err := a.store.Record(ctx, v.Document.RecordID); err == nil {
			v.Record = &r
		}
	}
	if v.Deliveries, err = a.store.Deliveries(ctx, id); err != nil {
		return DocumentView{}, err
	}
	if v.Access, err = a.store.AccessLog(ctx, id); err != nil {
		return DocumentView{}, err
	}
	return v, nil
}

// Documents lists or searches the registers the caller may read.
func (a *App) Documents(ctx context.Context, who platform.Actor, q domain.DocumentQuery) (_ []domain.Document, err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.Documents")
	defer telemetry.End(span, &err)
	if err := signedIn(who); err != nil {
		return nil, err
	}
	if q.Direction != "" && !q.Direction.Valid() {
		return nil, apperr.Invalid("direction", "Sổ phải là outgoing hoặc incoming")
	}
	if q.Type != "" {
		if _, ok := domain.LookupDocumentType(q.Type); !ok {
			return nil, apperr.Invalid("type", "Loại văn bản không có trong danh mục")
		}
	}
	v := domain.VisibilityOf(who)
	q.Visible = &v
	return a.store.Documents(ctx, q)
}

// Download opens one file version for a streamed download, after writing the access log. The
// log entry is written first: a download that cannot be logged does not happen.
func (a *App) Download(ctx context.Context, who platform.Actor, fileID, clientIP string) (_ domain.StoredFile, _ io.ReadCloser, err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.Download")
	defer telemetry.End(span, &err)
	f, err := a.accessFile(ctx, who, fileID, "download", clientIP)
	if err != nil {
		return domain.StoredFile{}, nil, err
	}
	body, err := a.objects.Open(ctx, f.Bucket, f.Key, f.VersionID)
	if errors.Is(err, domain.ErrObjectMissing) {
		return domain.StoredFile{}, nil, apperr.Conflict("file_missing", "the file's content is missing from the store; the fixity check will raise an alert")
	}
	if err != nil {
		return domain.StoredFile{}, nil, err
	}
	return f, body, nil
}

// PresignedURL hands out a short-lived URL to one file version, logged like a download.
func (a *App) PresignedURL(ctx context.Context, who platform.Actor, fileID, clientIP string) (_ string, _ time.Time, err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.PresignedURL")
	defer telemetry.End(span, &err)
	f, err := a.accessFile(ctx, who, fileID, "presign", clientIP)
	if err != nil {
		return "", time.Time{}, err
	}
	u, err := a.objects.Presign(ctx, f.Bucket, f.Key, f.VersionID, f.Name, a.cfg.PresignTTL)
	if err != nil {
		return "", time.Time{}, err
	}
	return u, a.now().Add(a.cfg.PresignTTL), nil
}

func (a *App) accessFile(ctx context.Context, who platform.Actor, fileID, action, clientIP string) (domain.StoredFile, error) {
	if err := signedIn(who); err != nil {
		return domain.StoredFile{}, err
	}
	f, err := a.store.File(ctx, fileID)
	if err != nil {
		return domain.StoredFile{}, err
	}
	if f.Tenant != string(who.Tenant) {
		// The log belongs to the file's unit; reading another unit's file is refused rather
		// than logged somewhere its owner cannot see.
		return domain.StoredFile{}, apperr.NotFound("file", fileID)
	}
	switch {
	case f.DocumentID != "":
		if _, _, err := a.readable(ctx, who, f.DocumentID); err != nil {
			return domain.StoredFile{}, err
		}
	case !who.IsService():
		// Another service's attachment (a dossier's scan) is that service's to show, under its
		// own rule; people do not reach it through the archives' doors.
		return domain.StoredFile{}, apperr.NotFound("file", fileID)
	}
	entry := domain.Access{ID: newID(), DocumentID: f.DocumentID, FileID: f.ID, Actor: who.Subject, ActorName: who.Name,
		Action: action, ClientIP: clientIP, At: a.now()}
	if f.DocumentID == "" {
		entry.DocumentID = f.OwnerService + ":" + f.OwnerRef
	}
	if err := a.store.LogAccess(ctx, entry); err != nil {
		return domain.StoredFile{}, fmt.Errorf("access log: %w", err)
	}
	return f, nil
}

// MarkRead acknowledges that the caller's unit read a document that arrived electronically;
// the sender sees the state change. Reading twice changes nothing.
func (a *App) MarkRead(ctx context.Context, who platform.Actor, id string) (err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.MarkRead")
	defer telemetry.End(span, &err)
	if err := signedIn(who); err != nil {
		return err
	}
	d, err := a.ownDocument(ctx, who, id)
	if err != nil {
		return err
	}
	if d.FromTenant == "" {
		return apperr.Invalid("document", "Chỉ văn bản nhận qua mạng mới cần xác nhận đã đọc")
	}
	now := a.now()
	return a.store.Transact(ctx, func(ctx context.Context) error {
		first, err := a.store.MarkRead(ctx, id, now)
		if err != nil || !first {
			return err
		}
		del, err := a.store.DeliveryOfIncoming(ctx, id)
		if err != nil {
			return err
		}
		if err := a.store.MarkDeliveryRead(ctx, del.ID, now); err != nil {
			return err
		}
		evt, err := documentEvent(string(who.Tenant), "read", del.DocumentID, readData{DocumentID: del.DocumentID, Tenant: string(who.Tenant),
			FromTenant: del.SenderTenant, ReadAt: now, IncomingDocumentID: id})
		if err != nil {
			return err
		}
		return a.store.Publish(ctx, evt)
	})
}
