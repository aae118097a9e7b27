// Package objstore opens MinIO clients the platform's way: every call traced (the transport is
// telemetry's), credentials never echoed, and a readiness probe that proves the server answers
// and accepts the credentials. Buckets, versioning, object lock and retention belong to the
// services and the operator that own them; this package only gives them a well-made client.
package objstore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"egov.vn/platform/libs/telemetry"
)

// Config says where MinIO is and who the service is there. It mirrors config.Common's MINIO_*.
type Config struct {
	Endpoint  string // host:port, no scheme
	AccessKey string
	SecretKey string
	UseTLS    bool
	// Region is optional; MinIO's default region is used when empty.
	Region string
}

// Validate names the field at fault; it never quotes a key.
func (c Config) Validate() error {
	var errs []error
	switch {
	case c.Endpoint == "":
		errs = append(errs, errors.New("objstore: endpoint is empty; give host:port, e.g. 127.0.0.1:9000"))
	case strings.Contains(c.Endpoint, "://") || strings.Contains(c.Endpoint, "/"):
		errs = append(errs, fmt.Errorf("objstore: endpoint %q must be host:port without a scheme or path (TLS is a separate setting)", c.Endpoint))
	}
	if c.AccessKey == "" || c.SecretKey == "" {
		errs = append(errs, errors.New("objstore: access key and secret key are both required"))
	}
	return errors.Join(errs...)
}

// New returns a MinIO client whose HTTP calls make client spans joined to the caller's trace.
// Uploads stream through it as usual (PutObject with a reader and size -1 for multipart).
func New(cfg Config) (*minio.Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	transport, err := minio.DefaultTransport(cfg.UseTLS)
	if err != nil {
		return nil, fmt.Errorf("objstore: transport: %w", err)
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:     credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:    cfg.UseTLS,
		Region:    cfg.Region,
		Transport: telemetry.Transport(transport),
	})
	if err != nil {
		return nil, fmt.Errorf("objstore: client for %s: %w", cfg.Endpoint, err)
	}
	return c, nil
}

// probeBucket is asked about by Probe. It need not exist: any signed answer proves the server is
// up and the credentials are accepted.
const probeBucket = "egov-readiness-probe"

// Probe returns a readiness probe for httpapi.Check{Name: "minio"}: MinIO answers a signed
// request. "Access denied" still counts as ready, since a service scoped to its tenants' buckets
// may not ask about others; a bad key, a wrong signature or no answer does not.
func Probe(c *minio.Client) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := c.BucketExists(ctx, probeBucket)
		if err == nil {
			return nil
		}
		resp := minio.ToErrorResponse(err)
		if resp.Code == "AccessDenied" || resp.StatusCode == http.StatusForbidden && resp.Code == "" {
			return nil
		}
		return fmt.Errorf("objstore: MinIO at %s: %w", c.EndpointURL().Host, err)
	}
}

// ErrNoObjectLock means a tenant's bucket exists without object lock: made by hand, or by an old
// version that did not follow the storage contract. S3 cannot add the lock later, so its objects
// must be moved to a bucket made with it; nothing is written there meanwhile.
var ErrNoObjectLock = errors.New("objstore: bucket exists without object lock")

// EnsureBucket makes bucket as the storage contract says (libs/platform): with object lock, which
// turns versioning on, and refuses one that exists without it. It reports whether it made the
// bucket. Replicas and services may call it together: a bucket another made first is fine.
// Retention and quota are the operator's to set; this never touches them.
func EnsureBucket(ctx context.Context, c *minio.Client, bucket string) (created bool, err error) {
	exists, err := c.BucketExists(ctx, bucket)
	if err != nil {
		return false, fmt.Errorf("objstore: check bucket %s: %w", bucket, err)
	}
	if !exists {
		err = c.MakeBucket(ctx, bucket, minio.MakeBucketOptions{ObjectLocking: true})
		switch code := minio.ToErrorResponse(err).Code; {
		case err == nil:
			created = true
		case code == "BucketAlreadyOwnedByYou" || code == "BucketAlreadyExists":
			// Another replica, service or the operator made it first.
		default:
			return false, fmt.Errorf("objstore: create bucket %s: %w", bucket, err)
		}
	}
	lock, _, _, _, err := c.GetObjectLockConfig(ctx, bucket)
	if err != nil && minio.ToErrorResponse(err).Code != "ObjectLockConfigurationNotFoundError" {
		return false, fmt.Errorf("objstore: object lock of %s: %w", bucket, err)
	}
	if lock != "Enabled" {
		return false, fmt.Errorf("%w: %s (move its objects to a bucket made with object lock, remove it, and let the operator or the service create it)", ErrNoObjectLock, bucket)
	}
	// Object lock turns versioning on; asking again is harmless and covers a bucket whose
	// versioning someone suspended.
	if err := c.EnableVersioning(ctx, bucket); err != nil {
		return false, fmt.Errorf("objstore: enable versioning on %s: %w", bucket, err)
	}
	return created, nil
}
