// Package service is HR's composition root: it reads nothing itself, takes the configuration and
// the runtime's connections (bootstrap.Deps), builds the repository, the evidence store, the use
// cases, the API and the pages, and mounts their routes under the service's prefix.
package service

import (
	"errors"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/config"
	"egov.vn/platform/services/hr/internal/adapters"
)

// Name names the service: its HR_* variables, its logs and spans, its client at identity.
const Name = "hr"

// Config is HR's configuration, read from HR_* variables.
type Config struct {
	config.Common
	auth.ServiceConfig
	// BucketTestPrefix is put in front of every tenant bucket's name (platform.BucketName) so
	// that parallel tests on one MinIO never share a bucket. Empty in production.
	BucketTestPrefix string `env:"BUCKET_TEST_PREFIX"`
}

// Defaults puts HR's database in its own SQLite file under ./var.
func (c *Config) Defaults() { c.DatabaseDSN = config.SQLiteDSN(Name) }

// Validate checks the shared settings and the relying-party settings.
func (c Config) Validate() error {
	return errors.Join(c.Common.Validate(), c.ServiceConfig.Validate())
}

// Needs says what HR asks of the runtime: events (the outbox and its relay) and MinIO for the
// evidence files.
func Needs(Config) bootstrap.Needs {
	return bootstrap.Needs{Options: bootstrap.Options{Events: true, Objects: true, Migrations: adapters.Migrations}}
}
