package service

import (
	"errors"
	"time"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/config"
	"egov.vn/platform/services/dossiers/internal/adapters"
)

// Name is the service's name: its audience, client id, event source and the prefix of its
// variables (DOSSIERS_).
const Name = "dossiers"

// Config is the dossiers service's configuration, read from DOSSIERS_* variables.
type Config struct {
	config.Common
	auth.ServiceConfig

	// OverdueInterval is how often each replica looks for overdue dossiers and steps.
	OverdueInterval time.Duration `env:"OVERDUE_INTERVAL" envDefault:"1m"`
	// LookupLimit citizen lookups per client address per LookupWindow.
	LookupLimit  int           `env:"LOOKUP_LIMIT" envDefault:"10"`
	LookupWindow time.Duration `env:"LOOKUP_WINDOW" envDefault:"10m"`
	// LookupCodeLimit failed lookups per receipt code, from all addresses, per LookupCodeWindow.
	LookupCodeLimit  int           `env:"LOOKUP_CODE_LIMIT" envDefault:"5"`
	LookupCodeWindow time.Duration `env:"LOOKUP_CODE_WINDOW" envDefault:"1h"`
	// UnitCacheTTL is how long a replica keeps a unit's settings, calendar and procedures in
	// memory, so how long an edit made through another replica may go unseen (0 = not kept).
	UnitCacheTTL time.Duration `env:"UNIT_CACHE_TTL" envDefault:"5s"`
	// BucketTestPrefix is put before a tenant's bucket name (platform.BucketName, tenant-<slug>)
	// by tests that share one MinIO; empty in production, where the bucket is the operator's.
	BucketTestPrefix string `env:"BUCKET_TEST_PREFIX" envDefault:""`
	// Files turns the MinIO file store for scanned documents on.
	Files bool `env:"FILES" envDefault:"true"`
}

// Defaults puts the database under ./var for the local stack.
func (c *Config) Defaults() { c.DatabaseDSN = config.SQLiteDSN("dossiers") }

// Validate checks what parsing cannot.
func (c Config) Validate() error {
	errs := []error{c.Common.Validate(), c.ServiceConfig.Validate()}
	if c.OverdueInterval < time.Second {
		errs = append(errs, config.Invalid("OVERDUE_INTERVAL", "must be at least 1s"))
	}
	if c.UnitCacheTTL < 0 || c.UnitCacheTTL > time.Hour {
		errs = append(errs, config.Invalid("UNIT_CACHE_TTL", "must be between 0 (not kept) and 1h"))
	}
	// RunJobs purges lookup attempts a day old: a longer window would forget them too soon.
	if c.LookupLimit < 1 || c.LookupWindow < time.Second || c.LookupWindow > 24*time.Hour {
		errs = append(errs, config.Invalid("LOOKUP_LIMIT", "must be positive and LOOKUP_WINDOW between 1s and 24h"))
	}
	if c.LookupCodeLimit < 1 || c.LookupCodeWindow < time.Second || c.LookupCodeWindow > 24*time.Hour {
		errs = append(errs, config.Invalid("LOOKUP_CODE_LIMIT", "must be positive and LOOKUP_CODE_WINDOW between 1s and 24h"))
	}
	return errors.Join(errs...)
}

// Needs says what the runtime must start for dossiers: NATS and the outbox relay for its events,
// and MinIO when scanned documents are kept.
func Needs(c Config) bootstrap.Needs {
	return bootstrap.Needs{Options: bootstrap.Options{Events: true, Objects: c.Files, Migrations: adapters.Migrations}}
}
