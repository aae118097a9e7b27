// Package service is reporting's composition root: from the configuration and what the runtime
// opened (bootstrap.Deps) it wires the read model, the event consumer, the use cases, the API
// and the pages into one gin engine, and runs the consumer as its background job.
package service

import (
	"cmp"
	"context"
	"log/slog"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/httpapi"
	reportingapi "egov.vn/platform/services/reporting/api"
	"egov.vn/platform/services/reporting/internal/adapters"
	"egov.vn/platform/services/reporting/internal/app"
	"egov.vn/platform/services/reporting/internal/ports/api"
	"egov.vn/platform/services/reporting/internal/ports/pages"
	"egov.vn/platform/services/reporting/internal/ports/pages/i18n"
)

// Service is the wired reporting.
type Service struct {
	App    *app.App
	Ingest *adapters.Ingest
	Web    *bootstrap.Web
	api    *api.API
	pages  *pages.Pages
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

// New wires the service over a database the bootstrap has migrated (Needs lists the sets).
func New(ctx context.Context, cfg Config, d bootstrap.Deps) (*Service, error) {
	w, err := bootstrap.NewWeb(ctx, Name, cfg.Common, cfg.ServiceConfig, d, bootstrap.WebOptions{Title: pages.Title, Pages: pages.Templates(), Messages: i18n.Catalogue()})
	if err != nil {
		return nil, err
	}
	var dir app.Directory
	if cfg.OIDCClientSecret != "" {
		dir = directory{w.Auth.Directory}
	}
	a := app.New(adapters.NewStore(d.DB), dir, d.Tracer)
	s := &Service{App: a, Web: w, api: api.New(a), pages: pages.New(a, w.Shell, w.Prefix),
		Ingest: &adapters.Ingest{DB: d.DB, JS: d.JetStream, Stream: bootstrap.Stream, Durable: cfg.Durable, Batch: cfg.IngestBatch,
			Tracer: d.Tracer, Log: cmp.Or(d.Log, slog.Default())}}
	if d.Meter != nil && d.JetStream != nil {
		if err := adapters.RegisterLag(d.Meter, d.JetStream, bootstrap.Stream, cfg.Durable); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Routes mounts the contract, the API, the sign-in, the static files and the pages on e.
func (s *Service) Routes(e *gin.Engine) {
	e.GET(s.Web.Prefix+"/openapi.json", httpapi.OpenAPIHandler(reportingapi.OpenAPI))
	s.api.Routes(s.Web.API(e, s.App.Scope), s.Web.Operator(e))
	s.pages.Routes(s.Web.Pages(e, s.App.Scope), s.Web.Public(e))
}

// RunJobs runs the event consumer until ctx ends. An error means the consumer died and the read
// model would go stale: bootstrap.Main then stops the process so the orchestrator restarts it.
func (s *Service) RunJobs(ctx context.Context) error { return s.Ingest.Run(ctx) }
