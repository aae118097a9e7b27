// Package service is reporting's composition root: its configuration, and the wiring of the
// read model, the consumer, the use cases, the API, the pages and the sign-in into one gin
// engine. cmd/reporting only reads the config and calls it.
package service

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/config"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/reporting/api"
	"egov.vn/platform/services/reporting/internal/adapters"
	"egov.vn/platform/services/reporting/internal/app"
	"egov.vn/platform/services/reporting/internal/ports"
)

// Name is the service's name: its audience, client id, logs and metrics.
const Name = "reporting"

// Prefix is where the service is mounted behind the gateway and ingress.
const Prefix = "/reports"

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

// Deps are what bootstrap opened.
type Deps struct {
	DB     *gorm.DB
	JS     jetstream.JetStream
	Tracer trace.Tracer
	Meter  metric.Meter
	Log    *slog.Logger
}

// Reporting is the wired service.
type Reporting struct {
	App    *app.App
	Ingest *adapters.Ingest
	Auth   *auth.Service
	Shell  *web.Shell
	api    *ports.API
	pages  *ports.Pages
}

// directory adapts identity's tenant tree to what the app needs.
type directory struct{ d *auth.Directory }

func (d directory) Tenant(ctx context.Context, slug string) (app.Tenant, error) {
	t, err := d.d.Tenant(ctx, slug)
	return app.Tenant{Slug: t.Slug, Code: t.Code, Name: t.Name, Kind: t.Kind, Parent: t.Parent}, err
}

func (d directory) Subtree(ctx context.Context, slug string) ([]string, error) {
	return d.d.Subtree(ctx, slug)
}

// New wires the service.
func New(ctx context.Context, cfg Config, d Deps) (*Reporting, error) {
	if err := adapters.Migrate(d.DB); err != nil {
		return nil, err
	}
	keys, err := cfg.Keys(Name)
	if err != nil {
		return nil, err
	}
	shell, err := web.New(web.Config{Service: "Báo cáo", Prefix: Prefix, FlashKey: keys.Flash, Pages: ports.Templates(),
		InsecureHTTP: strings.HasPrefix(cfg.PublicBaseURL, "http://"), LogoutURL: Prefix + "/logout", LoginURL: Prefix + "/login"})
	if err != nil {
		return nil, err
	}
	svc, err := auth.NewService(ctx, cfg.ServiceConfig, auth.ServiceOptions{Name: Name, PublicBaseURL: cfg.PublicBaseURL,
		DB: d.DB, Shell: shell, Keys: keys})
	if err != nil {
		return nil, err
	}
	var dir app.Directory
	if cfg.OIDCClientSecret != "" {
		dir = directory{svc.Directory}
	}
	a := app.New(adapters.NewStore(d.DB), dir, d.Tracer)
	spec, err := httpapi.OpenAPIJSON(api.OpenAPI)
	if err != nil {
		return nil, err
	}
	r := &Reporting{App: a, Auth: svc, Shell: shell,
		Ingest: &adapters.Ingest{DB: d.DB, JS: d.JS, Stream: bootstrap.Stream, Durable: cfg.Durable, Batch: cfg.IngestBatch,
			Tracer: d.Tracer, Log: cmp.Or(d.Log, slog.Default())},
		api:   &ports.API{App: a, OpenAPI: spec},
		pages: &ports.Pages{App: a, Shell: shell, Prefix: Prefix}}
	if d.Meter != nil && d.JS != nil {
		if err := adapters.RegisterLag(d.Meter, d.JS, bootstrap.Stream, cfg.Durable); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Routes mounts the API, the sign-in, the static files and the pages on e.
func (r *Reporting) Routes(e *gin.Engine) {
	r.api.Mount(e, Prefix, auth.Middleware(r.Auth.Verifier))
	r.Shell.Mount(e)
	r.Auth.Web.Mount(e, r.Shell.CSRF())
	pages := e.Group("", r.Auth.Web.Session(), r.Auth.Web.RequireSignIn(), r.Shell.CSRF())
	r.pages.Mount(pages)
}
