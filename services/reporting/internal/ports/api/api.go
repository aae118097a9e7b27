// Package api is reporting's JSON API under <prefix>/api/v1 (bearer tokens; contract:
// api/openapi.yaml), with the CSV/XLSX exports of every table the pages show. Handlers only
// translate between HTTP and the app's use cases; errors are mapped once by libs/httpapi.
package api

import (
	"cmp"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/platform/provision"
	"egov.vn/platform/services/reporting/internal/app"
	"egov.vn/platform/services/reporting/internal/domain"
	"egov.vn/platform/services/reporting/internal/ports/export"
)

// API serves the JSON API.
type API struct {
	app *app.App
}

// New returns the API over a.
func New(a *app.App) *API { return &API{app: a} }

// Routes registers the API's routes on api, the /api/v1 group whose requests carry the verified
// actor and its read scope (bootstrap.Web.API with the app's Scope, which asks for report.view),
// and the provisioning call on operator, the group for platform calls (bootstrap.Web.Operator).
func (h *API) Routes(api, operator gin.IRouter) {
	api.GET("/indicators", h.indicators)
	api.GET("/units/:slug/report", h.report)
	api.GET("/units/:slug/dashboard", h.dashboard)
	api.GET("/units/:slug/ranking", h.ranking)
	api.GET("/units/:slug/dossiers", h.dossiers)
	api.GET("/units/:slug/targets", h.targets)
	api.GET("/units/:slug/export/:table", func(c *gin.Context) { export.Serve(c, h.app, httpapi.RespondError) })
	api.PUT("/targets/:indicator/:period", auth.RequireRole(platform.RoleTenantAdmin), h.setTarget)
	api.DELETE("/targets/:indicator/:period", auth.RequireRole(platform.RoleTenantAdmin), h.deleteTarget)
	provision.Routes(operator, h.app)
}

func (h *API) indicators(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"indicators": domain.Catalogue(), "figures": app.Figures})
}

func (h *API) report(c *gin.Context) {
	r, err := h.app.Report(c.Request.Context(), c.Param("slug"), cmp.Or(c.Query("period"), export.DefaultPeriod(h.app.Now())), c.Query("baseline"))
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (h *API) dashboard(c *gin.Context) {
	d, err := h.app.Dashboard(c.Request.Context(), c.Param("slug"), cmp.Or(c.Query("period"), export.DefaultPeriod(h.app.Now())), c.Query("baseline"))
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

func (h *API) ranking(c *gin.Context) {
	indicator := cmp.Or(c.Query("indicator"), domain.IIndex766Total)
	rs, err := h.app.Ranking(c.Request.Context(), c.Param("slug"), cmp.Or(c.Query("period"), export.DefaultPeriod(h.app.Now())), indicator)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	type entry struct {
		Rank   int        `json:"rank"`
		Tenant app.Tenant `json:"tenant"`
		Value  *float64   `json:"value"`
	}
	out := []entry{}
	for i, r := range rs {
		e := entry{Rank: i + 1, Tenant: r.Tenant}
		if v, ok := r.Value(indicator); ok {
			e.Value = &v
		}
		out = append(out, e)
	}
	c.JSON(http.StatusOK, gin.H{"indicator": indicator, "ranking": out})
}

func (h *API) dossiers(c *gin.Context) {
	figure := c.Query("figure")
	if figure == "" {
		httpapi.RespondError(c, apperr.Invalid("figure", "required: one of the figures listed by /indicators"))
		return
	}
	pg, err := h.app.Dossiers(c.Request.Context(), c.Param("slug"), cmp.Or(c.Query("period"), export.DefaultPeriod(h.app.Now())), figure,
		export.Atoi(c.Query("limit"), 50), export.Atoi(c.Query("offset"), 0))
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.JSON(http.StatusOK, dossierPageJSON(pg))
}

type dossierJSON struct {
	DossierID      string     `json:"dossier_id"`
	Tenant         string     `json:"tenant"`
	ReceiptCode    string     `json:"receipt_code"`
	ProcedureCode  string     `json:"procedure_code"`
	ProcedureName  string     `json:"procedure_name"`
	Channel        string     `json:"channel"`
	State          string     `json:"state"`
	ReceivedAt     *time.Time `json:"received_at"`
	DueAt          *time.Time `json:"due_at"`
	ResolvedAt     *time.Time `json:"resolved_at"`
	OnTime         *bool      `json:"on_time"`
	ElapsedMinutes int64      `json:"elapsed_minutes"`
	LegalMinutes   int64      `json:"legal_minutes"`
	Rating         string     `json:"rating,omitempty"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func dossierPageJSON(pg app.DossierPage) gin.H {
	list := make([]dossierJSON, 0, len(pg.Dossiers))
	for _, d := range pg.Dossiers {
		j := dossierJSON{DossierID: d.DossierID, Tenant: d.Tenant, ReceiptCode: d.ReceiptCode, ProcedureCode: d.ProcedureCode,
			ProcedureName: d.ProcedureName, Channel: d.Channel, State: d.State, ReceivedAt: optTime(d.ReceivedAt),
			DueAt: optTime(d.DueAt), ResolvedAt: optTime(d.ResolvedAt), ElapsedMinutes: d.ElapsedMinutes,
			LegalMinutes: d.LegalMinutes, Rating: d.Rating}
		if d.Resolved() {
			onTime := d.OnTime
			j.OnTime = &onTime
		}
		list = append(list, j)
	}
	return gin.H{"tenant": pg.Tenant, "period": pg.Period, "figure": pg.Figure, "total": pg.Total, "offset": pg.Offset, "dossiers": list}
}

func (h *API) targets(c *gin.Context) {
	period := cmp.Or(c.Query("period"), export.DefaultPeriod(h.app.Now()))
	ts, err := h.app.Targets(c.Request.Context(), c.Param("slug"), period)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	list := []domain.Target{}
	for _, d := range domain.Catalogue() {
		if t, ok := ts[d.Code]; ok {
			list = append(list, t)
		}
	}
	c.JSON(http.StatusOK, gin.H{"tenant": c.Param("slug"), "period": period, "targets": list})
}

func (h *API) setTarget(c *gin.Context) {
	var body struct {
		Value *float64 `json:"value"`
	}
	if err := httpapi.BindJSON(c, &body); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	if body.Value == nil {
		httpapi.RespondError(c, apperr.Invalid("value", "required"))
		return
	}
	if err := h.app.SetTarget(c.Request.Context(), auth.ActorFrom(c), c.Param("indicator"), c.Param("period"), *body.Value); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *API) deleteTarget(c *gin.Context) {
	if err := h.app.DeleteTarget(c.Request.Context(), auth.ActorFrom(c), c.Param("indicator"), c.Param("period")); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
