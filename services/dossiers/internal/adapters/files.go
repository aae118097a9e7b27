package adapters

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/minio/minio-go/v7"

	"egov.vn/platform/services/dossiers/internal/app"
)

// MinIOFiles keeps received documents in MinIO, one bucket per tenant (BucketPrefix + slug),
// made on first use. Uploads stream (size -1 uses multipart) and the SHA-256 is computed on the
// way and returned; recording and re-verifying fixity is the archives service's job once it
// takes these files over.
type MinIOFiles struct {
	client       *minio.Client
	bucketPrefix string
}

var _ app.FileStore = (*MinIOFiles)(nil)

// NewMinIOFiles returns the file store.
func NewMinIOFiles(c *minio.Client, bucketPrefix string) *MinIOFiles {
	return &MinIOFiles{client: c, bucketPrefix: bucketPrefix}
}

func (m *MinIOFiles) bucket(tenant string) string { return m.bucketPrefix + tenant }

// Put streams r into tenant's bucket under key.
func (m *MinIOFiles) Put(ctx context.Context, tenant, key string, r io.Reader, size int64, contentType string) (string, error) {
	b := m.bucket(tenant)
	exists, err := m.client.BucketExists(ctx, b)
	if err != nil {
		return "", fmt.Errorf("files: bucket %s: %w", b, err)
	}
	if !exists {
		if err := m.client.MakeBucket(ctx, b, minio.MakeBucketOptions{}); err != nil {
			// Another replica may have made it meanwhile.
			if resp := minio.ToErrorResponse(err); resp.Code != "BucketAlreadyOwnedByYou" && resp.Code != "BucketAlreadyExists" {
				return "", fmt.Errorf("files: make bucket %s: %w", b, err)
			}
		}
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
