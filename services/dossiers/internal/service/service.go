// Package service is the dossiers service's composition root: it builds the repository, the
// file store, the use cases, the API, the forms and the staff pages from the configuration and
// the bootstrap runtime, puts their routes on one engine and runs the overdue job.
package service

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/minio/minio-go/v7"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/services/dossiers/api"
	"egov.vn/platform/services/dossiers/internal/adapters"
	"egov.vn/platform/services/dossiers/internal/app"
	apiport "egov.vn/platform/services/dossiers/internal/ports/api"
	"egov.vn/platform/services/dossiers/internal/ports/forms"
	"egov.vn/platform/services/dossiers/internal/ports/pages"
)

// Name is the service's name: its audience, client id and event source.
const Name = "dossiers"

// Deps are what the runtime provides.
type Deps struct {
	DB      *gorm.DB
	Outbox  *events.Outbox
	Objects *minio.Client // nil: no file store
	Log     *slog.Logger
	Tracer  trace.Tracer
	Now     func() time.Time
	// HTTPClient calls identity; nil is libs/auth's default.
	HTTPClient *http.Client
}

// Dossiers is the assembled service.
type Dossiers struct {
	App    *app.Service
	API    *apiport.API
	Pages  *pages.Pages
	Auth   *auth.Service
	Prefix string
	log    *slog.Logger
	cfg    Config
	store  *adapters.Store
}

// New assembles the service and migrates its tables.
func New(ctx context.Context, cfg Config, d Deps) (*Dossiers, error) {
	u, err := url.Parse(cfg.PublicBaseURL)
	if err != nil {
		return nil, err
	}
	prefix := strings.TrimSuffix(u.Path, "/")
	if err := adapters.Migrate(ctx, d.DB); err != nil {
		return nil, err
	}
	outbox := d.Outbox
	if outbox == nil {
		outbox = events.NewOutbox(nil)
	}
	keys, err := cfg.Keys(Name)
	if err != nil {
		return nil, err
	}
	shell, err := pages.NewShell(prefix, keys.Flash, u.Scheme == "http", d.Log)
	if err != nil {
		return nil, err
	}
	authSvc, err := auth.NewService(ctx, cfg.ServiceConfig, auth.ServiceOptions{Name: Name, PublicBaseURL: strings.TrimSuffix(cfg.PublicBaseURL, "/"),
		DB: d.DB, Shell: shell, Keys: keys, HTTPClient: d.HTTPClient})
	if err != nil {
		return nil, err
	}
	st := adapters.New(d.DB, outbox)
	var files app.FileStore
	if d.Objects != nil && cfg.Files {
		files = adapters.NewMinIOFiles(d.Objects, cfg.BucketPrefix)
	}
	appCfg := app.DefaultConfig()
	appCfg.LookupLimit, appCfg.LookupWindow, appCfg.UnitCacheTTL = cfg.LookupLimit, cfg.LookupWindow, cfg.UnitCacheTTL
	a := app.New(app.Deps{Store: st, Files: files, Directory: adapters.Directory{D: authSvc.Directory}, Tracer: d.Tracer, Now: d.Now}, appCfg)
	renderer := forms.New()
	pg := pages.New(a, shell, renderer, prefix)
	return &Dossiers{App: a, API: apiport.New(a, renderer), Pages: pg, Auth: authSvc, Prefix: prefix, log: d.Log, cfg: cfg, store: st}, nil
}

// Routes puts the API, the citizen's routes, the provisioning route, the contract and the
// pages on r.
func (s *Dossiers) Routes(r *gin.Engine) {
	v1 := s.Prefix + "/api/v1"
	s.API.MountPublic(r.Group(v1))
	s.API.MountOperator(r.Group(v1, auth.Middleware(s.Auth.Verifier), auth.RequireRole("platform.admin")))
	s.API.Mount(r.Group(v1, auth.Middleware(s.Auth.Verifier), s.API.Actor()))
	r.GET(s.Prefix+"/openapi.json", httpapi.OpenAPIHandler(api.OpenAPI))
	s.Pages.Mount(r, s.Auth.Web)
}

// RunJobs flags overdue dossiers every OverdueInterval and purges old lookup counters, until
// ctx ends. Every replica runs it; the repository makes each flag happen once.
func (s *Dossiers) RunJobs(ctx context.Context) {
	t := time.NewTicker(s.cfg.OverdueInterval)
	defer t.Stop()
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
			return
		case <-t.C:
		}
	}
}
