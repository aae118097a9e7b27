package adapters

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sync"

	"github.com/minio/minio-go/v7"

	"egov.vn/platform/libs/objstore"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/services/dossiers/internal/app"
)

// MinIOFiles keeps received documents in the tenant's own bucket of the storage contract
// (platform.BucketName: tenant-<slug>), the bucket the Tenant operator makes and archives writes
// its records to. A bucket still missing is made as the contract says (objstore.EnsureBucket:
// object lock and versioning), never plainly: S3 cannot add the lock later, and archives refuses
// a bucket without it. Uploads stream (size -1 uses multipart) and the SHA-256 is computed on the
// way and returned; recording and re-verifying fixity is the archives service's job once it
// takes these files over.
type MinIOFiles struct {
	client     *minio.Client
	testPrefix string
	// ensured remembers the buckets this replica has checked, so an upload costs one request,
	// not four. The bucket is never removed while the tenant exists (deletion keeps records
	// unless the operator is told otherwise), so the memory does not go stale.
	ensured sync.Map
}

var _ app.FileStore = (*MinIOFiles)(nil)

// NewMinIOFiles returns the file store. testPrefix is "" in production; tests put a random one in
// front of every bucket name (platform.BucketName) so that parallel tests on one MinIO never
// share a bucket.
func NewMinIOFiles(c *minio.Client, testPrefix string) *MinIOFiles {
	return &MinIOFiles{client: c, testPrefix: testPrefix}
}

// Bucket names tenant's bucket as this store writes to it.
func (m *MinIOFiles) Bucket(tenant string) string { return m.bucket(tenant) }

func (m *MinIOFiles) bucket(tenant string) string {
	return platform.BucketName(m.testPrefix, platform.Slug(tenant))
}

// Put streams r into tenant's bucket under key, making the bucket first if the operator has
// not yet.
func (m *MinIOFiles) Put(ctx context.Context, tenant, key string, r io.Reader, size int64, contentType string) (string, error) {
	b := m.bucket(tenant)
	if _, ok := m.ensured.Load(b); !ok {
		if _, err := objstore.EnsureBucket(ctx, m.client, b); err != nil {
			return "", fmt.Errorf("files: %w", err)
		}
		m.ensured.Store(b, true)
	}
	h := sha256.New()
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	if size <= 0 {
		size = -1
	}
	if _, err := m.client.PutObject(ctx, b, key, io.TeeReader(r, h), size, minio.PutObjectOptions{ContentType: contentType}); err != nil {
		return "", fmt.Errorf("files: put %s/%s: %w", b, key, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	return sum, nil
}

// Get opens an object for reading.
func (m *MinIOFiles) Get(ctx context.Context, tenant, key string) (io.ReadCloser, error) {
	o, err := m.client.GetObject(ctx, m.bucket(tenant), key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("files: get %s: %w", key, err)
	}
	if _, err := o.Stat(); err != nil {
		_ = o.Close()
		return nil, fmt.Errorf("files: get %s: %w", key, err)
	}
	return o, nil
}
