// Package service is the archives' composition root: it builds the repository, the object
// store, the use cases, the API and the pages from the configuration and the bootstrap runtime,
// puts their routes on one engine, and runs the background jobs (fixity, orphan cleanup).
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
	"egov.vn/platform/libs/telemetry"
	"egov.vn/platform/libs/web"
	archivesapi "egov.vn/platform/services/archives/api"
	"egov.vn/platform/services/archives/internal/adapters"
	"egov.vn/platform/services/archives/internal/app"
	"egov.vn/platform/services/archives/internal/ports/api"
	"egov.vn/platform/services/archives/internal/ports/pages"
)

// Name is the service's name: its audience at identity and its client id by default.
const Name = "archives"

// Archives is the assembled service.
type Archives struct {
	App     *app.App
	Auth    *auth.Service
	Objects *adapters.Objects
	Store   *adapters.Store
	Prefix  string
	api     *api.API
	pages   *pages.Pages
	shell   *web.Shell
	cfg     Config
	log     *slog.Logger
}

// Deps are what the runtime provides.
type Deps struct {
	DB     *gorm.DB
	Outbox *events.Outbox // nil: events are kept in the outbox table with no relay (tests)
	MinIO  *minio.Client
	Log    *slog.Logger
	Tracer trace.Tracer
	// HTTPClient reaches identity; nil is a client with a 10 s timeout.
	HTTPClient *http.Client
	Now        func() time.Time
}

// New assembles the archives and migrates their tables.
func New(ctx context.Context, cfg Config, d Deps) (*Archives, error) {
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
	shell, err := pages.Shell(prefix, keys.Flash, u.Scheme == "http", d.Log)
	if err != nil {
		return nil, err
	}
	authSvc, err := auth.NewService(ctx, cfg.ServiceConfig, auth.ServiceOptions{Name: Name, PublicBaseURL: strings.TrimSuffix(cfg.PublicBaseURL, "/"),
		DB: d.DB, Shell: shell, Keys: keys, HTTPClient: d.HTTPClient})
	if err != nil {
		return nil, err
	}
	st := adapters.NewStore(d.DB, outbox)
	objects := adapters.NewObjects(d.MinIO, adapters.ObjectsConfig{BucketPrefix: cfg.BucketPrefix, PartSize: cfg.PartSize, Threads: cfg.UploadThreads, Governance: cfg.LockMode == "GOVERNANCE"})
	a := app.New(app.Deps{Store: st, Objects: objects, Directory: authSvc.Directory, Tracer: d.Tracer, Now: d.Now}, app.Config{
		MaxUploadBytes: cfg.MaxUploadBytes, PresignTTL: cfg.PresignTTL, FixityInterval: cfg.FixityInterval,
		FixityLease: 10 * time.Minute, OrphanAge: cfg.OrphanAge, ServiceClients: cfg.ServiceClients,
	})
	return &Archives{App: a, Auth: authSvc, Objects: objects, Store: st, Prefix: prefix, api: api.New(a),
		pages: pages.New(a, shell, prefix), shell: shell, cfg: cfg, log: d.Log}, nil
}

// Routes puts the API, the contract, the sign-in routes and the pages on e.
func (s *Archives) Routes(e *gin.Engine) {
	e.GET(s.Prefix+"/openapi.json", httpapi.OpenAPIHandler(archivesapi.OpenAPI))
	s.api.Routes(e.Group(s.Prefix+"/api/v1", auth.Middleware(s.Auth.Verifier)))
	s.shell.Mount(e)
	s.Auth.Web.Mount(e, s.shell.CSRF())
	s.pages.Routes(e.Group(s.Prefix, s.Auth.Web.Session(), s.Auth.Web.RequireSignIn(), s.shell.CSRF()), httpapiMaxUpload(s.cfg.MaxUploadBytes))
}

// RunJobs runs the fixity check and the orphan cleanup until ctx ends. Every replica runs them:
// each file is claimed before it is checked, and cleanup is idempotent.
func (s *Archives) RunJobs(ctx context.Context) {
	t := time.NewTicker(s.cfg.FixityEvery)
	defer t.Stop()
	for {
		for {
			rep, err := s.App.CheckFixity(ctx, 50)
			if err != nil {
				telemetry.Logger(ctx).WarnContext(ctx, "fixity check", slog.String("error", err.Error()))
				break
			}
			for _, a := range rep.Alerts {
				telemetry.Logger(ctx).ErrorContext(ctx, "fixity alert", slog.String("tenant", a.Tenant), slog.String("file_id", a.FileID),
					slog.String("problem", string(a.Problem)))
			}
			if rep.Checked < 50 {
				break
			}
		}
		if _, err := s.App.CleanupOrphans(ctx); err != nil {
			telemetry.Logger(ctx).WarnContext(ctx, "orphan cleanup", slog.String("error", err.Error()))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func httpapiMaxUpload(n int64) gin.HandlerFunc { return httpapi.MaxBody(n + 1<<20) }
