// Package bootstrap starts and stops what every service process shares, in the one right order:
// JSON logs and OpenTelemetry, the database with its migrations, NATS with the platform stream and
// the outbox relay, MinIO, the gin engine with probes and /metrics, serving with a graceful drain,
// and closing all of it again. A service's main reads its config, calls Start, builds its own
// composition root from the Runtime, and calls Run: nothing of this is copied into a service.
package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"

	"github.com/gin-gonic/gin"
	"github.com/minio/minio-go/v7"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"gorm.io/gorm"

	"egov.vn/platform/libs/config"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/idempotency"
	"egov.vn/platform/libs/objstore"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/telemetry"
)

// Stream is the JetStream stream that carries every platform event (subjects egov.>). Every
// service ensures it at start, so whichever starts first creates it.
const Stream = "EGOV"

// Options says what one service process needs.
type Options struct {
	// Service names the process in logs, spans, metrics and its NATS connection, e.g. "dossiers".
	Service string
	// Common is the service's shared configuration (config.Common, read with its prefix).
	Common config.Common
	// Migrations are the service's versioned SQL sets (its own, and auth.Migrations when it signs
	// staff in), applied in this order at each start, before the service is built, under one lock
	// (store.MigrateAll). With Events, events.Migrations is applied first and need not be listed.
	Migrations []store.MigrationSet
	// Events connects to NATS, ensures Stream, migrates the outbox tables and the idempotency
	// keys, runs the relay and prunes the outbox and processed-event ids (events.Pruner,
	// retention from Stream's MaxAge) and expired idempotency keys.
	Events bool
	// Objects opens a MinIO client from Common's MINIO_* settings.
	Objects bool
	// LogOutput receives the JSON logs; os.Stdout when nil.
	LogOutput io.Writer
	// Telemetry passes extra options to telemetry.Setup (tests inject an in-memory exporter).
	Telemetry []telemetry.Option
}

// Runtime is what Start made. Its fields are for the service's composition root.
type Runtime struct {
	Service   string
	Log       *slog.Logger
	Telemetry *telemetry.Telemetry
	DB        *gorm.DB
	// NATS, JetStream, Outbox are set when Options.Events is.
	NATS      *nats.Conn
	JetStream jetstream.JetStream
	Outbox    *events.Outbox
	// Objects is set when Options.Objects is.
	Objects *minio.Client

	common  config.Common
	relay   *events.Relay
	pruner  *events.Pruner
	keys    *idempotency.Pruner
	checks  []httpapi.Check
	closers []func(context.Context) error // in the order things were opened
	closed  sync.Once
}

// Start opens everything the options ask for. On error it closes what it had opened and says
// which dependency failed; it never quotes a DSN or key.
func Start(ctx context.Context, o Options) (rt *Runtime, err error) {
	if o.Service == "" {
		return nil, errors.New("bootstrap: Options.Service is empty")
	}
	out := o.LogOutput
	if out == nil {
		out = os.Stdout
	}
	log := telemetry.NewLogger(out, o.Common.LogLevel).With(slog.String("service", o.Service))
	ctx = telemetry.WithLogger(ctx, log)
	tel, err := telemetry.Setup(ctx, o.Service, append([]telemetry.Option{telemetry.WithErrorLogger(log)}, o.Telemetry...)...)
	if err != nil {
		return nil, fmt.Errorf("bootstrap: telemetry: %w", err)
	}
	rt = &Runtime{Service: o.Service, Log: log, Telemetry: tel, common: o.Common}
	rt.closers = append(rt.closers, tel.Shutdown)
	defer func() {
		if err != nil {
			_ = rt.Close(context.WithoutCancel(ctx))
			rt = nil
		}
	}()

	if rt.DB, err = store.Open(ctx, o.Common.DatabaseDSN, store.WithLogger(log)); err != nil {
		return rt, fmt.Errorf("bootstrap: database: %w", err)
	}
	rt.closers = append(rt.closers, func(context.Context) error {
		sqlDB, err := rt.DB.DB()
		if err != nil {
			return err
		}
		return sqlDB.Close()
	})
	rt.checks = append(rt.checks, httpapi.Check{Name: "db", Probe: store.Probe(rt.DB)})
	if sets := migrationSets(o); len(sets) > 0 {
		if err = store.MigrateAll(ctx, rt.DB, sets...); err != nil {
			return rt, fmt.Errorf("bootstrap: migrations: %w", err)
		}
	}

	if o.Events {
		if rt.NATS, rt.JetStream, err = events.Connect(o.Common.NATSURL, o.Service); err != nil {
			return rt, fmt.Errorf("bootstrap: %w", err)
		}
		rt.closers = append(rt.closers, func(context.Context) error { return rt.NATS.Drain() })
		var stream jetstream.Stream
		if stream, err = events.EnsureStreamReplicas(ctx, rt.JetStream, Stream, o.Common.NATSStreamReplicas); err != nil {
			return rt, fmt.Errorf("bootstrap: %w", err)
		}
		rt.relay = events.NewRelay(rt.DB, rt.JetStream, events.RelayConfig{Logger: log})
		// Processed-event ids must outlive every redelivery, so they are kept at least as long as
		// the stream keeps messages (see events.ProcessedRetention for the figures and why).
		rt.pruner = &events.Pruner{DB: rt.DB, Logger: log,
			Published: events.PublishedRetention, Processed: events.ProcessedRetention(stream.CachedInfo().Config.MaxAge)}
		rt.keys = &idempotency.Pruner{DB: rt.DB, Logger: log}
		rt.Outbox = events.NewOutbox(rt.relay)
		rt.checks = append(rt.checks, httpapi.Check{Name: "nats", Probe: events.Probe(rt.NATS, rt.JetStream)})
	}

	if o.Objects {
		rt.Objects, err = objstore.New(objstore.Config{Endpoint: o.Common.MinIOEndpoint, AccessKey: o.Common.MinIOAccessKey,
			SecretKey: o.Common.MinIOSecretKey, UseTLS: o.Common.MinIOUseTLS})
		if err != nil {
			return rt, fmt.Errorf("bootstrap: %w", err)
		}
		rt.checks = append(rt.checks, httpapi.Check{Name: "minio", Probe: objstore.Probe(rt.Objects)})
	}
	log.InfoContext(ctx, "started", slog.String("database", store.Dialect(rt.DB)),
		slog.Bool("events", o.Events), slog.Bool("objects", o.Objects), slog.Any("exporters", tel.Exporters()))
	return rt, nil
}

// migrationSets are the sets Start applies: the events tables and the idempotency keys first
// when the service has an outbox (its API and pages take Idempotency-Key), then the service's own.
func migrationSets(o Options) []store.MigrationSet {
	var sets []store.MigrationSet
	if o.Events {
		sets = append(sets, events.Migrations, idempotency.Migrations)
	}
	for _, s := range o.Migrations {
		if o.Events && (s.Name == events.Migrations.Name || s.Name == idempotency.Migrations.Name) {
			continue // listed by the service as well: applied once
		}
		sets = append(sets, s)
	}
	return sets
}

// Engine returns the service's gin engine: httpapi's baseline with /livez, /readyz over every
// dependency Start opened, the request logger, tracing, then the given middleware (auth), and
// /metrics.
func (rt *Runtime) Engine(middleware ...gin.HandlerFunc) *gin.Engine {
	withLogger := func(c *gin.Context) {
		c.Request = c.Request.WithContext(telemetry.WithLogger(c.Request.Context(), rt.Log))
		c.Next()
	}
	e := httpapi.NewEngine(httpapi.Options{Logger: rt.Log, ContextLogger: telemetry.Logger, Checks: rt.checks,
		TrustedProxies: rt.common.TrustedProxies},
		append([]gin.HandlerFunc{withLogger, telemetry.GinMiddleware(rt.Service)}, middleware...)...)
	e.GET("/metrics", gin.WrapH(rt.Telemetry.MetricsHandler()))
	return e
}

// Run serves h on HTTP_ADDR with the outbox relay and pruners beside it until ctx ends or
// SIGTERM/SIGINT arrives, drains requests for SHUTDOWN_TIMEOUT, stops the relay, and closes
// everything.
func (rt *Runtime) Run(ctx context.Context, h http.Handler) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var relayDone sync.WaitGroup
	if rt.relay != nil {
		relayDone.Go(func() {
			// Run returns only when ctx ends; failures inside are logged and retried.
			_ = rt.relay.Run(ctx)
		})
	}
	if rt.pruner != nil {
		relayDone.Go(func() { _ = rt.pruner.Run(ctx) }) // returns when ctx ends; failures are logged
	}
	if rt.keys != nil {
		relayDone.Go(func() { _ = rt.keys.Run(ctx) }) // the same
	}
	rt.Log.InfoContext(ctx, "serving", slog.String("addr", rt.common.HTTPAddr))
	err := httpapi.Serve(ctx, httpapi.NewServer(rt.common.HTTPAddr, h), rt.common.ShutdownTimeout)
	// The relay stops after the last request. Events committed during the drain that it did not
	// reach stay in the outbox, and the next relay to start (another replica, or this service
	// again) publishes them: the outbox loses nothing, JetStream drops any repeat.
	cancel()
	relayDone.Wait()
	return errors.Join(err, rt.Close(context.Background()))
}

// Close closes what Start opened, newest first, once; telemetry flushes last.
func (rt *Runtime) Close(ctx context.Context) error {
	var errs []error
	rt.closed.Do(func() {
		for i := len(rt.closers) - 1; i >= 0; i-- {
			if err := rt.closers[i](ctx); err != nil {
				errs = append(errs, err)
			}
		}
		rt.Log.InfoContext(ctx, "stopped")
	})
	return errors.Join(errs...)
}
