package app

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"

	"github.com/gabriel-vasile/mimetype"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/filename"
	"egov.vn/platform/libs/telemetry"
	"egov.vn/platform/services/archives/internal/domain"
)

// Upload is a file as it arrives: a name and a stream read once, never held whole.
type Upload struct {
	Name string
	Body io.Reader
}

// sniffBytes is how much of the start of a file decides its type (as net/http sniffs).
const sniffBytes = 512

// ingest counts and hashes what passes through it and stops the stream once the limit is
// passed, so the upload to MinIO fails rather than store a file too large.
type ingest struct {
	r     io.Reader
	h     hash.Hash
	n     int64
	limit int64
	err   error // the stream's own failure (too large, client gone), kept to tell it from MinIO's
}

func (i *ingest) Read(p []byte) (int, error) {
	n, err := i.r.Read(p)
	i.n += int64(n)
	if i.n > i.limit {
		i.err = &http.MaxBytesError{Limit: i.limit}
		return 0, i.err
	}
	i.h.Write(p[:n])
	if err != nil && !errors.Is(err, io.EOF) {
		i.err = apperr.Malformed("file", "the upload was interrupted before the file ended").WithCause(err)
		return n, i.err
	}
	return n, err
}

// stored is an object written to MinIO but not yet committed as a row.
type stored struct {
	file    domain.StoredFile
	pending string
}

// store streams up.Body into tenant's bucket under key: the content type sniffed from the first
// 512 bytes and checked against the allow-list before anything is sent; the SHA-256 and size
// computed on the way; the pending mark written first so that a crash leaves a findable orphan.
func (a *App) storeObject(ctx context.Context, tenant, key string, up Upload, by string) (stored, error) {
	// The name is kept and shown again: bidi and other invisible characters go first (issue 18).
	up.Name = filename.Clean(up.Name)
	if err := domain.ValidateFileName(up.Name); err != nil {
		return stored{}, err
	}
	br := bufio.NewReaderSize(up.Body, sniffBytes)
	head, err := br.Peek(sniffBytes)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return stored{}, apperr.Malformed("file", "the upload was interrupted before the file began").WithCause(err)
	}
	if len(head) == 0 {
		return stored{}, apperr.Invalid("file", "Tệp rỗng, không có nội dung để lưu")
	}
	ct := mimetype.Detect(head).String()
	if !domain.ContentTypeAllowed(ct) {
		return stored{}, apperr.Invalid("file", fmt.Sprintf("Định dạng tệp %s không được phép lưu trữ; chỉ nhận PDF, ảnh (PNG, JPEG, TIFF), tài liệu văn phòng, văn bản thuần hoặc XML", ct)).
			WithDetail("content_type", ct)
	}
	p := domain.PendingUpload{ID: newID(), Tenant: tenant, Bucket: a.objects.Bucket(tenant), Key: key, StartedAt: a.now()}
	if err := a.store.BeginUpload(ctx, p); err != nil {
		return stored{}, err
	}
	in := &ingest{r: br, h: sha256.New(), limit: a.cfg.MaxUploadBytes}
	version, size, err := a.objects.Put(ctx, tenant, key, in, ct)
	if err != nil {
		a.discard(ctx, p)
		if in.err != nil {
			return stored{}, in.err
		}
		return stored{}, err
	}
	return stored{pending: p.ID, file: domain.StoredFile{
		ID: newID(), Tenant: tenant, Name: up.Name, Bucket: p.Bucket, Key: key, VersionID: version, Size: size,
		SHA256: hex.EncodeToString(in.h.Sum(nil)), ContentType: ct, CreatedAt: a.now(), CreatedBy: by,
	}}, nil
}

// discard removes an object whose row will never be committed. When MinIO cannot be reached
// now, the pending mark stays and the cleanup job removes the object later.
func (a *App) discard(ctx context.Context, p domain.PendingUpload) {
	ctx = context.WithoutCancel(ctx)
	if err := a.objects.RemoveAll(ctx, p.Bucket, p.Key); err != nil {
		return
	}
	_ = a.store.EndUpload(ctx, p.ID)
}

func (a *App) discardAll(ctx context.Context, files []stored) {
	for _, s := range files {
		a.discard(ctx, domain.PendingUpload{ID: s.pending, Bucket: s.file.Bucket, Key: s.file.Key})
	}
}

// CleanupOrphans removes objects whose upload was abandoned more than OrphanAge ago (the
// process died mid-request, or the commit failed and MinIO was unreachable for the discard). It
// is safe on several replicas: removing a removed object and deleting a deleted row do nothing.
func (a *App) CleanupOrphans(ctx context.Context) (n int, err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.CleanupOrphans")
	defer telemetry.End(span, &err)
	stale, err := a.store.StaleUploads(ctx, a.now().Add(-a.cfg.OrphanAge), 100)
	if err != nil {
		return 0, err
	}
	for _, p := range stale {
		if err := a.objects.RemoveAll(ctx, p.Bucket, p.Key); err != nil {
			return n, err
		}
		if err := a.store.EndUpload(ctx, p.ID); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
