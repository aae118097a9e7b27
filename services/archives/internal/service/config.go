package service

import (
	"errors"
	"time"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/config"
	"egov.vn/platform/services/archives/internal/adapters"
)

// Name is the service's name: its audience at identity, its client id by default, and the
// prefix of its variables (ARCHIVES_).
const Name = "archives"

// Needs says what the archives ask of the runtime: the outbox relay for their events and MinIO
// for the files.
func Needs(Config) bootstrap.Needs {
	return bootstrap.Needs{Options: bootstrap.Options{Events: true, Objects: true, Migrations: adapters.Migrations}}
}

// Config is the archives' configuration, read from ARCHIVES_* variables.
type Config struct {
	config.Common
	auth.ServiceConfig

	// MaxUploadBytes caps one file; larger uploads are refused with 413 part-way, nothing kept.
	MaxUploadBytes int64 `env:"MAX_UPLOAD_BYTES" envDefault:"2147483648"`
	// PartSize is the multipart part size sent to MinIO; one upload holds UploadThreads parts.
	PartSize uint64 `env:"PART_SIZE" envDefault:"16777216"`
	// UploadThreads is how many parts of one upload are in flight at once (1 to 8). Two let the
	// next part be received, parsed and hashed while the previous one is sent to MinIO.
	UploadThreads uint `env:"UPLOAD_THREADS" envDefault:"2"`
	// BucketTestPrefix goes before every bucket name (platform.BucketName): empty in production,
	// where a tenant's bucket is tenant-<slug>, the one the operator and dossiers use too.
	BucketTestPrefix string `env:"BUCKET_TEST_PREFIX"`
	// LockMode is COMPLIANCE (nobody, not even MinIO's root, can shorten or delete a locked
	// record) or GOVERNANCE (test installations: an administrator with the bypass permission can).
	LockMode string `env:"LOCK_MODE" envDefault:"COMPLIANCE"`
	// PresignTTL is how long a download URL works.
	PresignTTL time.Duration `env:"PRESIGN_TTL" envDefault:"5m"`
	// FixityInterval is how often each stored file is re-read and re-hashed.
	FixityInterval time.Duration `env:"FIXITY_INTERVAL" envDefault:"720h"`
	// FixityEvery is how often the fixity job wakes up to check the files that are due.
	FixityEvery time.Duration `env:"FIXITY_EVERY" envDefault:"1m"`
	// OrphanAge is how long an upload may stay uncommitted before its object is removed.
	OrphanAge time.Duration `env:"ORPHAN_AGE" envDefault:"6h"`
	// HandoffConsumer is the durable JetStream consumer that archives returned dossiers' results;
	// its processed_events rows carry the name too.
	HandoffConsumer string `env:"HANDOFF_CONSUMER" envDefault:"archives-handoff"`
	// HandoffWorkers is how many results are handed off at once in one process (1 to 16).
	HandoffWorkers int `env:"HANDOFF_WORKERS" envDefault:"4"`
	// ServiceClients are the OAuth clients whose service tokens may use the attachments API.
	ServiceClients []string `env:"SERVICE_CLIENTS" envSeparator:"," envDefault:"dossiers"`
}

// Defaults gives the embedded local stack's database.
func (c *Config) Defaults() { c.DatabaseDSN = config.SQLiteDSN("archives") }

// Validate checks what the platform's common rules do not.
func (c Config) Validate() error {
	errs := []error{c.Common.Validate(), c.ServiceConfig.Validate()}
	if c.MaxUploadBytes < 1 {
		errs = append(errs, config.Invalid("MAX_UPLOAD_BYTES", "must be a positive number of bytes"))
	}
	if c.PartSize < 5<<20 || c.PartSize > 512<<20 {
		errs = append(errs, config.Invalid("PART_SIZE", "must be from 5 MiB (S3's smallest part) to 512 MiB"))
	}
	if c.UploadThreads < 1 || c.UploadThreads > 8 {
		errs = append(errs, config.Invalid("UPLOAD_THREADS", "must be from 1 to 8"))
	}
	if c.HandoffConsumer == "" {
		errs = append(errs, config.Invalid("HANDOFF_CONSUMER", "must name the durable consumer, e.g. archives-handoff"))
	}
	if c.HandoffWorkers < 1 || c.HandoffWorkers > 16 {
		errs = append(errs, config.Invalid("HANDOFF_WORKERS", "must be from 1 to 16"))
	}
	if c.LockMode != "COMPLIANCE" && c.LockMode != "GOVERNANCE" {
		errs = append(errs, config.Invalid("LOCK_MODE", "must be COMPLIANCE or GOVERNANCE"))
	}
	for name, d := range map[string]time.Duration{"PRESIGN_TTL": c.PresignTTL, "FIXITY_INTERVAL": c.FixityInterval, "FIXITY_EVERY": c.FixityEvery, "ORPHAN_AGE": c.OrphanAge} {
		if d <= 0 {
			errs = append(errs, config.Invalid(name, "must be a positive duration such as 5m"))
		}
	}
	if c.PresignTTL > 7*24*time.Hour {
		errs = append(errs, config.Invalid("PRESIGN_TTL", "S3 signatures last at most 7 days; keep it short, e.g. 5m"))
	}
	return errors.Join(errs...)
}
