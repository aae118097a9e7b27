package adapters

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/minio/minio-go/v7"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/services/hr/internal/domain"
)

// MinIOEvidence keeps evidence files (scanned diplomas, certificates) in MinIO, one bucket per
// tenant ("hr-" + slug), streamed without holding a file in memory, with the SHA-256 recorded at
// upload and checked again on every read. It stands in until the archives service takes the
// files over; app sees only the EvidenceStore interface.
type MinIOEvidence struct {
	client *minio.Client
	prefix string
}

// NewMinIOEvidence returns a store whose buckets are named bucketPrefix + tenant slug.
func NewMinIOEvidence(client *minio.Client, bucketPrefix string) *MinIOEvidence {
	if bucketPrefix == "" {
		bucketPrefix = "hr-"
	}
	return &MinIOEvidence{client: client, prefix: bucketPrefix}
}

func (m *MinIOEvidence) bucket(ctx context.Context, tenant string) (string, error) {
	name := m.prefix + tenant
	if len(name) > 63 {
		return "", fmt.Errorf("hr: evidence bucket name %q is longer than 63 characters", name)
	}
	ok, err := m.client.BucketExists(ctx, name)
	if err != nil {
		return "", apperr.Unavailable("evidence storage", err)
	}
	if !ok {
		if err := m.client.MakeBucket(ctx, name, minio.MakeBucketOptions{}); err != nil {
			// Another replica may have made it meanwhile.
			if resp := minio.ToErrorResponse(err); resp.Code != "BucketAlreadyOwnedByYou" && resp.Code != "BucketAlreadyExists" {
				return "", apperr.Unavailable("evidence storage", err)
			}
		}
	}
	return name, nil
}

// Put streams r (size bytes, -1 when unknown) into the tenant's bucket under key.
func (m *MinIOEvidence) Put(ctx context.Context, tenant, key string, r io.Reader, size int64, e domain.Evidence) (domain.Evidence, error) {
	b, err := m.bucket(ctx, tenant)
	if err != nil {
		return e, err
	}
	h := sha256.New()
	info, err := m.client.PutObject(ctx, b, key, io.TeeReader(r, h), size, minio.PutObjectOptions{
		ContentType: e.ContentType, UserMetadata: map[string]string{"filename": e.FileName}})
	if err != nil {
		return e, apperr.Unavailable("evidence storage", err)
	}
	e.Key, e.Size, e.SHA256 = key, info.Size, hex.EncodeToString(h.Sum(nil))
	return e, nil
}

// Open returns the file; reading it to the end fails if its bytes no longer match e.SHA256.
func (m *MinIOEvidence) Open(ctx context.Context, tenant string, e domain.Evidence) (io.ReadCloser, error) {
	obj, err := m.client.GetObject(ctx, m.prefix+tenant, e.Key, minio.GetObjectOptions{})
	if err != nil {
		return nil, apperr.Unavailable("evidence storage", err)
	}
	if _, err := obj.Stat(); err != nil {
		_ = obj.Close()
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return nil, apperr.NotFound("evidence", e.Key)
		}
		return nil, apperr.Unavailable("evidence storage", err)
	}
	return &verifying{rc: obj, h: sha256.New(), want: e.SHA256}, nil
}

// ErrFixity means a stored file's bytes differ from the checksum recorded at upload.
var ErrFixity = errors.New("hr: evidence file does not match its recorded SHA-256")

type verifying struct {
	rc   io.ReadCloser
	h    hash.Hash
	want string
}

func (v *verifying) Read(p []byte) (int, error) {
	n, err := v.rc.Read(p)
	v.h.Write(p[:n])
	if errors.Is(err, io.EOF) && v.want != "" && hex.EncodeToString(v.h.Sum(nil)) != v.want {
		return n, ErrFixity
	}
	return n, err
}

func (v *verifying) Close() error { return v.rc.Close() }
