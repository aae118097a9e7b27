package service

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/services/hr/api"
	"egov.vn/platform/services/hr/internal/adapters"
	"egov.vn/platform/services/hr/internal/app"
	"egov.vn/platform/services/hr/internal/domain"
	hrapi "egov.vn/platform/services/hr/internal/ports/api"
	"egov.vn/platform/services/hr/internal/ports/pages"
	"egov.vn/platform/services/hr/internal/ports/pages/i18n"
)

// Service is HR assembled: its use cases behind the API and the pages.
type Service struct {
	App *app.App
	Web *bootstrap.Web

	api   *hrapi.API
	pages *pages.Pages
}

// New builds the service from what the runtime opened, over a database the bootstrap has
// migrated (Needs lists the sets), and seeds the default code list.
func New(ctx context.Context, cfg Config, d bootstrap.Deps) (*Service, error) {
	if err := adapters.SeedDefaults(ctx, d.DB); err != nil {
		return nil, err
	}
	templates, err := fs.Sub(pages.Templates, "templates")
	if err != nil {
		return nil, err
	}
	w, err := bootstrap.NewWeb(ctx, Name, cfg.Common, cfg.ServiceConfig, d, bootstrap.WebOptions{Title: "Nhân sự", Pages: templates, Messages: i18n.Catalogue()})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	var evidence app.EvidenceStore = noEvidence{}
	if d.Objects != nil {
		evidence = adapters.NewMinIOEvidence(d.Objects, cfg.BucketTestPrefix)
	}
	a := app.New(app.Deps{Repo: adapters.NewStore(d.DB, d.Outbox), Evidence: evidence, Tree: w.Auth.Directory, Tracer: d.Tracer, Now: d.Now})
	return &Service{App: a, Web: w, api: hrapi.New(a), pages: pages.New(a, w.Shell, w.Prefix, w.Auth.Directory, cfg.OIDCIssuer)}, nil
}

// Routes mounts everything under the prefix: the API, its contract, the pages with their sign-in.
func (s *Service) Routes(e *gin.Engine) {
	e.GET(s.Web.Prefix+"/openapi.json", httpapi.OpenAPIHandler(api.OpenAPI))
	s.api.Routes(s.Web.Operator(e), s.Web.API(e, s.App.Scope))
	s.Web.Idempotency.Rederive(http.MethodPost, s.Web.Prefix+"/api/v1/staff", s.api.AnswerHired)
	s.pages.Routes(s.Web.Pages(e, s.App.Scope))
}

// noEvidence stands in when no object store is configured.
type noEvidence struct{}

func (noEvidence) Put(context.Context, string, string, io.Reader, int64, domain.Evidence) (domain.Evidence, error) {
	return domain.Evidence{}, apperr.Unavailable("evidence storage", fmt.Errorf("no MinIO configured"))
}

func (noEvidence) Open(context.Context, string, domain.Evidence) (io.ReadCloser, error) {
	return nil, apperr.Unavailable("evidence storage", fmt.Errorf("no MinIO configured"))
}
