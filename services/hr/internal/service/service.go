package service

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/minio/minio-go/v7"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/hr/api"
	"egov.vn/platform/services/hr/internal/adapters"
	"egov.vn/platform/services/hr/internal/app"
	"egov.vn/platform/services/hr/internal/domain"
	hrapi "egov.vn/platform/services/hr/internal/ports/api"
	"egov.vn/platform/services/hr/internal/ports/pages"
)

// Deps are the runtime's connections (bootstrap.Runtime) and what tests replace.
type Deps struct {
	DB      *gorm.DB
	Outbox  *events.Outbox // nil: events are still written to the outbox, nobody is woken
	Objects *minio.Client  // nil: evidence files are refused as unavailable
	Log     *slog.Logger
	Tracer  trace.Tracer
	// HTTPClient calls identity (keys, tokens, the tenant tree).
	HTTPClient *http.Client
	Now        func() time.Time
}

// HR is the assembled service.
type HR struct {
	App    *app.App
	Auth   *auth.Service
	Prefix string

	api   *hrapi.Handler
	pages *pages.Pages
	shell *web.Shell
}

// New migrates the database and builds the service.
func New(ctx context.Context, cfg Config, d Deps) (*HR, error) {
	u, err := url.Parse(cfg.PublicBaseURL)
	if err != nil {
		return nil, err
	}
	prefix := strings.TrimSuffix(u.Path, "/")
	if err := adapters.Migrate(ctx, d.DB); err != nil {
		return nil, err
	}
	keys, err := cfg.Keys("hr")
	if err != nil {
		return nil, err
	}
	shell, err := web.New(web.Config{Service: "Nhân sự", Prefix: prefix, FlashKey: keys.Flash, InsecureHTTP: u.Scheme == "http",
		LogoutURL: prefix + "/logout", LoginURL: prefix + "/login", Pages: pages.Templates, PagePatterns: pages.TemplatePatterns, Logger: d.Log})
	if err != nil {
		return nil, fmt.Errorf("hr: pages: %w", err)
	}
	authSvc, err := auth.NewService(ctx, cfg.ServiceConfig, auth.ServiceOptions{Name: "hr", PublicBaseURL: strings.TrimSuffix(cfg.PublicBaseURL, "/"),
		DB: d.DB, Shell: shell, Keys: keys, HTTPClient: d.HTTPClient})
	if err != nil {
		return nil, fmt.Errorf("hr: identity: %w", err)
	}
	var evidence app.EvidenceStore = noEvidence{}
	if d.Objects != nil {
		evidence = adapters.NewMinIOEvidence(d.Objects, cfg.EvidenceBucketPrefix)
	}
	a := app.New(app.Deps{Repo: adapters.NewStore(d.DB, d.Outbox), Evidence: evidence, Tree: authSvc.Directory,
		Sheets: adapters.Sheets{}, Tracer: d.Tracer, Now: d.Now})
	return &HR{App: a, Auth: authSvc, Prefix: prefix, api: hrapi.New(a), pages: pages.New(a, shell, prefix, authSvc.Directory), shell: shell}, nil
}

// Routes mounts everything under the prefix: the API, its contract, the pages with their sign-in.
func (h *HR) Routes(e *gin.Engine) {
	e.GET(h.Prefix+"/openapi.json", httpapi.OpenAPIHandler(api.OpenAPI))
	h.api.Mount(e.Group(h.Prefix+"/api/v1"), auth.Middleware(h.Auth.Verifier))
	h.shell.Mount(e)
	h.Auth.Web.Mount(e, h.shell.CSRF())
	h.pages.Mount(e.Group(h.Prefix, h.Auth.Web.Session(), h.Auth.Web.RequireSignIn(), h.shell.CSRF()))
}

// noEvidence stands in when no object store is configured.
type noEvidence struct{}

func (noEvidence) Put(context.Context, string, string, io.Reader, int64, domain.Evidence) (domain.Evidence, error) {
	return domain.Evidence{}, apperr.Unavailable("evidence storage", fmt.Errorf("no MinIO configured"))
}

func (noEvidence) Open(context.Context, string, domain.Evidence) (io.ReadCloser, error) {
	return nil, apperr.Unavailable("evidence storage", fmt.Errorf("no MinIO configured"))
}
