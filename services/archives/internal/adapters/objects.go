package adapters

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"syscall"
	"time"

	"github.com/minio/minio-go/v7"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/objstore"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/services/archives/internal/domain"
)

// Objects keeps the archives' files in MinIO: one bucket per tenant, named and made as the
// platform's storage contract says (platform.BucketName, objstore.EnsureBucket): with object
// lock (which S3 allows only at creation) and versioning, so that no version is ever replaced in
// place and records under retention cannot be deleted. The operator and dossiers make the same
// bucket the same way, so whichever comes first, the others accept it.
type Objects struct {
	client   *minio.Client
	prefix   string
	partSize uint64
	threads  uint
	mode     minio.RetentionMode
	// ensured remembers buckets this process has checked. It is only a shortcut: every replica
	// checks for itself, and creating a bucket that exists is harmless.
	ensured sync.Map
}

// ObjectsConfig tunes the object store.
type ObjectsConfig struct {
	// TestPrefix goes before every bucket name ("" in production; tests use a random one so that
	// parallel tests on one MinIO never share a bucket).
	TestPrefix string
	// PartSize is the multipart part size; one upload holds Threads parts in memory.
	PartSize uint64
	// Threads is how many parts are in flight. More than one overlaps reading the next part
	// (from the client, through the SHA-256) with sending the previous one to MinIO.
	Threads uint
	// Governance selects GOVERNANCE retention instead of COMPLIANCE (for test installations only:
	// it lets an administrator with the bypass permission delete locked records).
	Governance bool
}

// MinPartSize is S3's smallest multipart part (except the last).
const MinPartSize = 5 << 20

// NewObjects returns the object store over client.
func NewObjects(client *minio.Client, cfg ObjectsConfig) *Objects {
	if cfg.PartSize < MinPartSize {
		cfg.PartSize = 16 << 20
	}
	if cfg.Threads == 0 {
		cfg.Threads = 1
	}
	mode := minio.Compliance
	if cfg.Governance {
		mode = minio.Governance
	}
	return &Objects{client: client, prefix: cfg.TestPrefix, partSize: cfg.PartSize, threads: cfg.Threads, mode: mode}
}

// Bucket names the bucket of tenant by the storage contract.
func (o *Objects) Bucket(tenant string) string {
	return platform.BucketName(o.prefix, platform.Slug(tenant))
}

// LockMode names the retention mode applied to records.
func (o *Objects) LockMode() string { return string(o.mode) }

// EnsureBucket makes the tenant's bucket when it is missing (objstore.EnsureBucket), accepts one
// the operator or dossiers made by the same contract, and refuses one made without object lock,
// since records put there could be deleted. It reports whether it created the bucket.
func (o *Objects) EnsureBucket(ctx context.Context, tenant string) (created bool, err error) {
	bucket := o.Bucket(tenant)
	if _, ok := o.ensured.Load(bucket); ok {
		return false, nil
	}
	created, err = objstore.EnsureBucket(ctx, o.client, bucket)
	if err != nil {
		return false, classify(err, "bucket "+bucket)
	}
	o.ensured.Store(bucket, true)
	return created, nil
}

// Put streams r to tenant's bucket under key as a multipart upload of unknown length: at most
// Threads parts are held in memory. It returns the new version's id and size.
func (o *Objects) Put(ctx context.Context, tenant, key string, r io.Reader, contentType string) (versionID string, size int64, err error) {
	if _, err := o.EnsureBucket(ctx, tenant); err != nil {
		return "", 0, err
	}
	info, err := o.client.PutObject(ctx, o.Bucket(tenant), key, r, -1, o.PutOptions(contentType))
	if err != nil {
		return "", 0, classify(err, "store "+key)
	}
	return info.VersionID, info.Size, nil
}

// PutOptions are the options Put uploads with (the benchmark gives a raw PutObject the same).
//
// Over plain HTTP minio-go would otherwise sign every 64 KiB chunk with a SHA-256 of its
// payload, and MinIO would hash it again to check the signature: two SHA-256 passes on top of
// the one the archive keeps for fixity, and the largest CPU cost measured in an upload through
// the service. With an unsigned payload each part carries a CRC32C instead (hardware-
// accelerated), which MinIO verifies, so a part damaged on the way is still refused; the
// end-to-end proof of the bytes stays the SHA-256 the archive records and the fixity job
// re-checks.
func (o *Objects) PutOptions(contentType string) minio.PutObjectOptions {
	return minio.PutObjectOptions{
		ContentType: contentType, PartSize: o.partSize, ConcurrentStreamParts: o.threads > 1, NumThreads: o.threads,
		DisableContentSha256: true, AutoChecksum: minio.ChecksumCRC32C,
		// minio-go declares the algorithm when the upload is created only on a client with
		// trailing headers; without it MinIO refuses the parts' checksums at completion.
		UserMetadata: map[string]string{"X-Amz-Checksum-Algorithm": minio.ChecksumCRC32C.String()},
	}
}

// Open streams one version of an object.
func (o *Objects) Open(ctx context.Context, bucket, key, versionID string) (io.ReadCloser, error) {
	obj, err := o.client.GetObject(ctx, bucket, key, minio.GetObjectOptions{VersionID: versionID})
	if err != nil {
		return nil, classify(err, "read "+key)
	}
	// GetObject is lazy: Stat makes the request, so a missing version is reported here.
	if _, err := obj.Stat(); err != nil {
		_ = obj.Close()
		return nil, classify(err, "read "+key)
	}
	return obj, nil
}

// Latest returns the version id of the key's newest version, or domain.ErrObjectMissing when the
// newest is a delete marker or there is none.
func (o *Objects) Latest(ctx context.Context, bucket, key string) (string, error) {
	info, err := o.client.StatObject(ctx, bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return "", classify(err, "stat "+key)
	}
	return info.VersionID, nil
}

// Presign returns a URL valid for ttl that downloads one version, offered under name.
func (o *Objects) Presign(ctx context.Context, bucket, key, versionID, name string, ttl time.Duration) (string, error) {
	params := url.Values{}
	params.Set("versionId", versionID)
	params.Set("response-content-disposition", contentDisposition(name))
	u, err := o.client.PresignedGetObject(ctx, bucket, key, ttl, params)
	if err != nil {
		return "", classify(err, "presign "+key)
	}
	return u.String(), nil
}

// contentDisposition offers the file under its own name (RFC 6266, UTF-8 for Vietnamese names).
func contentDisposition(name string) string {
	return "attachment; filename*=UTF-8''" + url.PathEscape(name)
}

// ContentDisposition is the header a streamed download carries.
func ContentDisposition(name string) string { return contentDisposition(name) }

// Lock applies the retention mode until the given date to one version (only ever lengthened:
// MinIO refuses to shorten a COMPLIANCE lock), and sets or clears its legal hold.
func (o *Objects) Lock(ctx context.Context, bucket, key, versionID string, until *time.Time, hold bool) error {
	if until != nil {
		mode := o.mode
		if err := o.client.PutObjectRetention(ctx, bucket, key, minio.PutObjectRetentionOptions{
			Mode: &mode, RetainUntilDate: until, VersionID: versionID,
		}); err != nil {
			return classify(err, "retention on "+key)
		}
	}
	status := minio.LegalHoldDisabled
	if hold {
		status = minio.LegalHoldEnabled
	}
	if err := o.client.PutObjectLegalHold(ctx, bucket, key, minio.PutObjectLegalHoldOptions{VersionID: versionID, Status: &status}); err != nil {
		return classify(err, "legal hold on "+key)
	}
	return nil
}

// Copy copies one version server-side into another tenant's bucket (electronic exchange: the
// recipient keeps its own copy under its own retention).
func (o *Objects) Copy(ctx context.Context, bucket, key, versionID, toTenant, toKey string) (string, error) {
	if _, err := o.EnsureBucket(ctx, toTenant); err != nil {
		return "", err
	}
	info, err := o.client.CopyObject(ctx, minio.CopyDestOptions{Bucket: o.Bucket(toTenant), Object: toKey},
		minio.CopySrcOptions{Bucket: bucket, Object: key, VersionID: versionID})
	if err != nil {
		return "", classify(err, "copy "+key)
	}
	return info.VersionID, nil
}

// RemoveAll deletes every version of key: the cleanup of an upload that never committed. It
// fails on a locked version, which only a committed record can have.
func (o *Objects) RemoveAll(ctx context.Context, bucket, key string) error {
	for v := range o.client.ListObjects(ctx, bucket, minio.ListObjectsOptions{Prefix: key, WithVersions: true}) {
		if v.Err != nil {
			if minio.ToErrorResponse(v.Err).Code == "NoSuchBucket" {
				return nil
			}
			return classify(v.Err, "list "+key)
		}
		if v.Key != key {
			continue
		}
		if err := o.client.RemoveObject(ctx, bucket, key, minio.RemoveObjectOptions{VersionID: v.VersionID}); err != nil {
			return classify(err, "remove "+key)
		}
	}
	return nil
}

// Remove deletes one version (for tests and the cleanup of a failed copy).
func (o *Objects) Remove(ctx context.Context, bucket, key, versionID string) error {
	if err := o.client.RemoveObject(ctx, bucket, key, minio.RemoveObjectOptions{VersionID: versionID}); err != nil {
		return classify(err, "remove "+key)
	}
	return nil
}

// classify turns MinIO's answers into the platform's kinds: a missing object stays
// domain.ErrObjectMissing, an unreachable or overloaded server becomes 503 with a message a clerk can
// act on; anything else is an internal error.
func classify(err error, what string) error {
	if err == nil || apperr.As(err) != nil {
		return err
	}
	resp := minio.ToErrorResponse(err)
	switch {
	case resp.Code == "NoSuchKey" || resp.Code == "NoSuchVersion" || resp.StatusCode == http.StatusNotFound && resp.Code != "NoSuchBucket":
		return fmt.Errorf("%s: %w: %w", what, domain.ErrObjectMissing, err)
	case unreachable(err) || resp.StatusCode == http.StatusServiceUnavailable || resp.Code == "SlowDown" || resp.Code == "XMinioServerNotInitialized":
		return apperr.Unavailable("kho lưu trữ tệp (MinIO)", fmt.Errorf("%s: %w", what, err)).
			WithMessage("Kho lưu trữ tệp tạm thời không truy cập được nên tệp chưa được lưu và văn bản chưa được đăng ký; vui lòng thử lại sau ít phút (the file store is unreachable; nothing was saved, try again)")
	}
	return fmt.Errorf("archives: MinIO %s: %w", what, err)
}

// unreachable reports a connection-level failure: refused, reset, timed out, closed early.
func unreachable(err error) bool {
	var netErr net.Error
	var opErr *net.OpError
	var urlErr *url.Error
	return errors.As(err, &opErr) || errors.As(err, &urlErr) || errors.As(err, &netErr) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.EPIPE)
}
