package adapters

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"sync"

	"github.com/minio/minio-go/v7"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/objstore"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/services/hr/internal/domain"
)

// MinIOEvidence keeps evidence files (scanned diplomas, certificates) in MinIO, in the tenant's
// own bucket as the storage contract names it (platform.BucketName) under the "hr/" key prefix,
// streamed without holding a file in memory, with the SHA-256 recorded at upload and checked
// again on every read. It stands in until the archives service takes the files over; app sees
// only the EvidenceStore interface.
type MinIOEvidence struct {
	client     *minio.Client
	testPrefix string
	// ensured remembers the buckets this process has already ensured, so that an upload does
	// not ask MinIO three more questions each time. Only a shortcut: every replica ensures on its
	// own, and EnsureBucket is safe to repeat.
	ensured sync.Map
}

// KeyPrefix is where HR's files lie in a tenant's bucket, beside the other services' files.
const KeyPrefix = "hr/"

// NewMinIOEvidence returns a store over client. testPrefix is "" in production; tests put a
// random one in front of the bucket names (platform.BucketName).
func NewMinIOEvidence(client *minio.Client, testPrefix string) *MinIOEvidence {
	return &MinIOEvidence{client: client, testPrefix: testPrefix}
}

func (m *MinIOEvidence) bucketName(tenant string) string {
	return platform.BucketName(m.testPrefix, platform.Slug(tenant))
}

// bucket returns the tenant's bucket, created the one way the contract allows when the operator
// has not made it yet (objstore.EnsureBucket: with object lock and versioning).
func (m *MinIOEvidence) bucket(ctx context.Context, tenant string) (string, error) {
	name := m.bucketName(tenant)
	if _, ok := m.ensured.Load(name); ok {
		return name, nil
	}
	if _, err := objstore.EnsureBucket(ctx, m.client, name); err != nil {
		return "", apperr.Unavailable("evidence storage", err)
	}
	m.ensured.Store(name, true)
	return name, nil
}

// Put streams r (size bytes, -1 when unknown) into the tenant's bucket under KeyPrefix + key;
// the returned Evidence's Key is the object's whole key.
func (m *MinIOEvidence) Put(ctx context.Context, tenant, key string, r io.Reader, size int64, e domain.Evidence) (domain.Evidence, error) {
	b, err := m.bucket(ctx, tenant)
	if err != nil {
		return e, err
	}
	key = KeyPrefix + key
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
	obj, err := m.client.GetObject(ctx, m.bucketName(tenant), e.Key, minio.GetObjectOptions{})
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
