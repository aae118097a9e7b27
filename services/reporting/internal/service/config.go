package service

import (
	"context"
	"errors"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/config"
	"egov.vn/platform/services/reporting/internal/adapters"
)

// Name is the service's name: its audience at identity, its client id by default, its logs and
// metrics, and the prefix of its variables (REPORTING_).
const Name = "reporting"

// Config is reporting's configuration, read from REPORTING_* variables.
type Config struct {
	config.Common
	auth.ServiceConfig

	// Durable is the JetStream consumer's name; its processed_events rows carry it too.
	Durable string `env:"CONSUMER" envDefault:"reporting"`
	// IngestBatch is how many events one database transaction applies: 1 uses libs/events.Consume
	// (one event per transaction); more fetches and applies that many together (catch-up, replay).
	// 5000 was the fastest size BenchmarkIngest measured on both databases: the counters a batch
	// touches are about as many whatever its size, so larger batches write fewer per event. A
	// batch that fails is applied by halves (Ingest.applyBatch), so a bad event costs a few
	// transactions, not one per event of its batch.
	IngestBatch int `env:"INGEST_BATCH" envDefault:"5000"`
}

// Defaults puts the database under ./var for the local stack.
func (c *Config) Defaults() { c.DatabaseDSN = config.SQLiteDSN(Name) }

// Validate checks what parsing cannot.
func (c Config) Validate() error {
	errs := []error{c.Common.Validate(), c.ServiceConfig.Validate()}
	if c.IngestBatch < 1 || c.IngestBatch > 5000 {
		errs = append(errs, config.Invalid("INGEST_BATCH", "between 1 and 5000"))
	}
	if c.Durable == "" {
		errs = append(errs, config.Invalid("CONSUMER", "a consumer name is required"))
	}
	return errors.Join(errs...)
}

// Needs says what reporting asks of the runtime: the platform's event stream, which it reads,
// and the "rebuild" command, which replays the whole stream into the configured database and
// exits.
func Needs(cfg Config) bootstrap.Needs {
	return bootstrap.Needs{
		Options: bootstrap.Options{Events: true, Migrations: adapters.Migrations},
		Commands: map[string]bootstrap.Command{"rebuild": func(ctx context.Context, rt *bootstrap.Runtime) error {
			n, err := adapters.Rebuild(ctx, rt.DB, rt.JetStream, bootstrap.Stream, cfg.Durable, cfg.IngestBatch, rt.Telemetry.Tracer(Name))
			if err != nil {
				rt.Log.ErrorContext(ctx, "rebuild failed", "error", err.Error(), "applied", n)
				return err
			}
			rt.Log.InfoContext(ctx, "read model rebuilt from the stream", "events", n)
			return nil
		}},
	}
}
