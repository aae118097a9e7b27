// Package service is the archives' composition root: from the configuration and what the
// runtime opened (bootstrap.Deps) it builds the repository, the object store, the use cases, the
// API and the pages, puts their routes on one engine, and runs the background jobs (fixity,
// orphan cleanup).
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
	"egov.vn/platform/libs/telemetry"
	archivesapi "egov.vn/platform/services/archives/api"
	"egov.vn/platform/services/archives/internal/adapters"
	"egov.vn/platform/services/archives/internal/app"
	"egov.vn/platform/services/archives/internal/ports/api"
	"egov.vn/platform/services/archives/internal/ports/pages"
	"egov.vn/platform/services/archives/internal/ports/pages/i18n"
)

// Service is the assembled archives.
type Service struct {
	App     *app.App
	Objects *adapters.Objects
	Store   *adapters.Store
	Web     *bootstrap.Web
	// Handoff archives returned dossiers' results; nil without NATS (tests of the API alone).
	Handoff *adapters.Handoff
	api     *api.API
	pages   *pages.Pages
	cfg     Config
}

// New assembles the archives over a database the bootstrap has migrated (Needs lists the sets).
func New(ctx context.Context, cfg Config, d bootstrap.Deps) (*Service, error) {
	w, err := bootstrap.NewWeb(ctx, Name, cfg.Common, cfg.ServiceConfig, d, bootstrap.WebOptions{Title: pages.Title, Pages: pages.Templates(), Messages: i18n.Catalogue()})
	if err != nil {
		return nil, err
	}
	st := adapters.NewStore(d.DB, d.Outbox)
	objects := adapters.NewObjects(d.Objects, adapters.ObjectsConfig{TestPrefix: cfg.BucketTestPrefix, PartSize: cfg.PartSize,
		Threads: cfg.UploadThreads, Governance: cfg.LockMode == "GOVERNANCE"})
	a := app.New(app.Deps{Store: st, Objects: objects, Directory: directory{w.Auth.Directory}, Tracer: d.Tracer, Now: d.Now}, app.Config{
		MaxUploadBytes: cfg.MaxUploadBytes, PresignTTL: cfg.PresignTTL, FixityInterval: cfg.FixityInterval,
		FixityLease: 10 * time.Minute, OrphanAge: cfg.OrphanAge, ServiceClients: cfg.ServiceClients,
	})
	s := &Service{App: a, Objects: objects, Store: st, Web: w, api: api.New(a), pages: pages.New(a, w.Shell, w.Prefix, w.Auth.Directory), cfg: cfg}
	if d.JetStream != nil {
		s.Handoff = &adapters.Handoff{DB: d.DB, JS: d.JetStream, App: a, Stream: bootstrap.Stream, Durable: cfg.HandoffConsumer,
			Workers: cfg.HandoffWorkers, Log: d.Log, Meter: d.Meter}
	}
	return s, nil
}

// Routes puts the API, the contract, the sign-in routes and the pages on e.
func (s *Service) Routes(e *gin.Engine) {
	e.GET(s.Web.Prefix+"/openapi.json", httpapi.OpenAPIHandler(archivesapi.OpenAPI))
	s.api.Routes(s.Web.API(e, s.App.Scope), s.Web.Operator(e))
	s.Web.Idempotency.Rederive(http.MethodPost, s.Web.Prefix+"/api/v1/documents", s.api.AnswerRegistered)
	// The file plus the form around it.
	s.pages.Routes(s.Web.Pages(e, s.App.Scope), s.cfg.MaxUploadBytes+1<<20) // the file plus the form around it
}

// RunJobs runs the hand-off of returned dossiers' results, the fixity check and the orphan
// cleanup until ctx ends. Every replica runs them: the hand-off's workers share one durable
// consumer, each file is claimed before it is checked, and cleanup is idempotent. A failed round
// of the checks is logged and tried again at the next tick (MinIO or the database may be back by
// then); a hand-off that cannot consume at all returns its error, so the process is restarted.
func (s *Service) RunJobs(ctx context.Context) error {
	if s.Handoff == nil {
		return s.runChecks(ctx)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	handoff := make(chan error, 1)
	go func() {
		err := s.Handoff.Run(ctx)
		cancel() // a hand-off that stopped consuming stops the checks too
		handoff <- err
	}()
	if err := s.runChecks(ctx); err != nil {
		return err
	}
	cancel()
	return <-handoff
}

// runChecks runs the fixity check and the orphan cleanup every FixityEvery until ctx ends.
func (s *Service) runChecks(ctx context.Context) error {
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
			return nil
		case <-t.C:
		}
	}
}

// directory gives the app identity's tenant tree in the app's own terms.
type directory struct{ d *auth.Directory }

func (d directory) Tenant(ctx context.Context, slug string) (app.Tenant, error) {
	t, err := d.d.Tenant(ctx, slug)
	return tenant(t), err
}

func (d directory) Within(ctx context.Context, ancestor, slug string) (bool, error) {
	return d.d.Within(ctx, ancestor, slug)
}

func (d directory) Children(ctx context.Context, slug string) ([]app.Tenant, error) {
	ts, err := d.d.Children(ctx, slug)
	out := make([]app.Tenant, len(ts))
	for i, t := range ts {
		out[i] = tenant(t)
	}
	return out, err
}

func tenant(t auth.Tenant) app.Tenant {
	return app.Tenant{Slug: t.Slug, Name: t.Name, Parent: t.Parent, Disabled: t.Disabled}
}
