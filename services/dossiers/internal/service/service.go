// Package service is the dossiers service's composition root: from the configuration and what
// the runtime opened (bootstrap.Deps) it builds what is dossiers' own (the repository, the file
// store, the use cases, the API, the forms and the staff pages) on the platform's web kit
// (bootstrap.NewWeb), puts their routes on the engine and runs the overdue job.
package service

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/services/dossiers/api"
	"egov.vn/platform/services/dossiers/internal/adapters"
	"egov.vn/platform/services/dossiers/internal/app"
	apiport "egov.vn/platform/services/dossiers/internal/ports/api"
	"egov.vn/platform/services/dossiers/internal/ports/forms"
	"egov.vn/platform/services/dossiers/internal/ports/pages"
	"egov.vn/platform/services/dossiers/internal/ports/pages/i18n"
)

// Service is the assembled dossiers service.
type Service struct {
	App   *app.App
	API   *apiport.API
	Pages *pages.Pages
	Web   *bootstrap.Web
	log   *slog.Logger
	cfg   Config
	store *adapters.Store
	// archiveLinks links dossiers to their archived results; nil without NATS (tests of the API).
	archiveLinks *adapters.ArchiveLinksConsumer
}

// New assembles the service over a database the bootstrap has migrated (Needs lists the sets).
func New(ctx context.Context, cfg Config, d bootstrap.Deps) (*Service, error) {
	w, err := bootstrap.NewWeb(ctx, Name, cfg.Common, cfg.ServiceConfig, d, bootstrap.WebOptions{Title: "Một cửa", Pages: pages.Templates(), Messages: i18n.Catalogue()})
	if err != nil {
		return nil, err
	}
	st := adapters.NewStore(d.DB, d.Outbox)
	var files app.FileStore
	if d.Objects != nil && cfg.Files {
		files = adapters.NewMinIOFiles(d.Objects, cfg.BucketTestPrefix)
	}
	appCfg := app.DefaultConfig()
	appCfg.LookupLimit, appCfg.LookupWindow, appCfg.UnitCacheTTL = cfg.LookupLimit, cfg.LookupWindow, cfg.UnitCacheTTL
	appCfg.CodeLimit, appCfg.CodeWindow = cfg.LookupCodeLimit, cfg.LookupCodeWindow
	a := app.New(app.Deps{Store: st, Files: files, Directory: adapters.Directory{D: w.Auth.Directory}, Tracer: d.Tracer, Now: d.Now}, appCfg)
	renderer := forms.New(forms.Options{LookupURL: w.BaseURL + "/tra-cuu", Stylesheet: w.Shell.Asset("print.css"), Script: w.Shell.Asset("print.js")})
	s := &Service{App: a, API: apiport.New(a, renderer, w.Auth.Directory), Pages: pages.New(a, w.Shell, renderer, w.Auth.Directory, w.Prefix), Web: w,
		log: d.Log, cfg: cfg, store: st}
	if d.JetStream != nil {
		s.archiveLinks = &adapters.ArchiveLinksConsumer{DB: d.DB, JS: d.JetStream, App: a, Stream: bootstrap.Stream, Durable: "dossiers-archive-links", Log: d.Log}
	}
	return s, nil
}

// Routes puts the API (tenant routes with the actor and its scope, the operator's provisioning,
// the citizen's routes), the contract and the pages on e.
func (s *Service) Routes(e *gin.Engine) {
	s.API.Routes(s.Web.API(e, s.App.Scope), s.Web.Operator(e), e.Group(s.Web.Prefix+"/api/v1"))
	e.GET(s.Web.Prefix+"/openapi.json", httpapi.OpenAPIHandler(api.OpenAPI))
	s.Pages.Routes(s.Web.Pages(e, s.App.Scope), s.Web.Public(e))
	s.rederiveIntake()
}

// rederiveIntake answers a desk's retry of an intake whose dossier was saved but whose answer was
// lost (the process died in between) as the intake would have: the same dossier and receipt code,
// never a second one. The dossier's id is what its key recorded.
func (s *Service) rederiveIntake() {
	s.Web.Idempotency.Rederive(http.MethodPost, s.Web.Prefix+"/api/v1/dossiers", func(c *gin.Context, id string) {
		d, err := s.App.Dossier(c.Request.Context(), auth.ActorFrom(c), id)
		if err != nil {
			httpapi.RespondError(c, err)
			return
		}
		c.Header("Location", c.Request.URL.Path+"/"+d.ID)
		c.JSON(http.StatusCreated, apiport.View(d, auth.ActorFrom(c)))
	})
	s.Web.Idempotency.Rederive(http.MethodPost, s.Web.Prefix+"/tiep-nhan", func(c *gin.Context, id string) {
		c.Redirect(http.StatusSeeOther, s.Web.Prefix+"/ho-so/"+id+"?in=1")
	})
}

// RunJobs flags overdue dossiers every OverdueInterval and purges old lookup counters, until
// ctx ends. Every replica runs it; the repository makes each flag happen once. A failed round is
// logged and tried again at the next tick: the database may come back.
func (s *Service) RunJobs(ctx context.Context) error {
	t := time.NewTicker(s.cfg.OverdueInterval)
	defer t.Stop()
	// The archive links' consumer runs beside the job; if it stops consuming, RunJobs returns its
	// error so that the process is restarted.
	links := make(chan error, 1)
	if s.archiveLinks != nil {
		go func() { links <- s.archiveLinks.Run(ctx) }()
	}
	for {
		if n, err := s.App.RunOverdue(ctx); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "overdue job failed", "error", err)
		} else if n > 0 {
			s.log.InfoContext(ctx, "flagged overdue", "count", n)
		}
		if err := s.store.PurgeAttempts(ctx, time.Now().Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "purging lookup counters failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case err := <-links:
			return err
		case <-t.C:
		}
	}
}
