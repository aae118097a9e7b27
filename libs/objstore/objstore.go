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
