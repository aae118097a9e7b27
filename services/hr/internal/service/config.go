// Package service is HR's composition root: it reads nothing itself, takes the configuration and
// the runtime's connections, builds the repository, the evidence store, the use cases, the API and
// the pages, and mounts their routes under the service's prefix.
package service

import (
	"errors"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/config"
)

// Config is HR's configuration, read from HR_* variables.
type Config struct {
	config.Common
	auth.ServiceConfig

	// EvidenceBucketPrefix names the MinIO buckets of evidence files: prefix + tenant slug.
	EvidenceBucketPrefix string `env:"EVIDENCE_BUCKET_PREFIX" envDefault:"hr-"`
}

// Defaults puts HR's database in its own SQLite file under ./var.
func (c *Config) Defaults() { c.DatabaseDSN = config.SQLiteDSN("hr") }

// Validate checks the shared settings and the relying-party settings.
func (c Config) Validate() error {
	var errs []error
	errs = append(errs, c.Common.Validate(), c.ServiceConfig.Validate())
	if c.EvidenceBucketPrefix == "" || len(c.EvidenceBucketPrefix) > 20 {
		errs = append(errs, config.Invalid("EVIDENCE_BUCKET_PREFIX", "must be 1–20 characters, lowercase, e.g. hr-"))
	}
	return errors.Join(errs...)
}
