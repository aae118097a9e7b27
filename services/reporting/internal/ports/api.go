// Package ports is reporting's HTTP edge: the JSON API under <prefix>/api/v1 (bearer tokens),
// the Vietnamese pages for report.view (session sign-in), and the CSV/XLSX exports of every table
// both show. Handlers only translate between HTTP and the app's use cases; errors are mapped once
// by libs/httpapi (API) or shown as pages.
package ports

import (
	"cmp"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/services/reporting/internal/app"
	"egov.vn/platform/services/reporting/internal/domain"
)

// API serves the JSON API.
type API struct {
	App     *app.App
	OpenAPI []byte // the contract as JSON
}

// Scope puts the caller's read scope in the request context (after authentication).
func Scope(a *app.App, fail func(*gin.Context, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, err := a.Authorize(c.Request.Context())
		if err != nil {
			fail(c, err)
			c.Abort()
			return
		}
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// Mount registers the API under prefix (e.g. "/reports") with the bearer middleware mw, and its
// contract at prefix/openapi.json.
func (h *API) Mount(r gin.IRouter, prefix string, mw gin.HandlerFunc) {
	r.GET(prefix+"/openapi.json", func(c *gin.Context) { c.Data(http.StatusOK, "application/json", h.OpenAPI) })
	h.MountV1(r.Group(prefix+"/api/v1"), mw)
}

// MountV1 registers the API's routes on v1, the group at prefix/api/v1.
func (h *API) MountV1(v1 gin.IRouter, mw gin.HandlerFunc) {
	v1 = v1.Group("", mw)
	v1.PUT("/tenants/:slug", auth.RequireRole(app.RolePlatform), h.registerTenant)
	read := v1.Group("", auth.RequireRole(app.RoleView), Scope(h.App, httpapi.RespondError))
	read.GET("/indicators", h.indicators)
	read.GET("/units/:slug/report", h.report)
	read.GET("/units/:slug/dashboard", h.dashboard)
	read.GET("/units/:slug/ranking", h.ranking)
	read.GET("/units/:slug/dossiers", h.dossiers)
	read.GET("/units/:slug/targets", h.targets)
	read.GET("/units/:slug/export/:table", func(c *gin.Context) { export(c, h.App, httpapi.RespondError) })
	read.PUT("/targets/:indicator/:period", auth.RequireRole(app.RoleTenantAdmin), h.setTarget)
	read.DELETE("/targets/:indicator/:period", auth.RequireRole(app.RoleTenantAdmin), h.deleteTarget)
}

// defaultPeriod is the current year in Vietnam.
func defaultPeriod() string { return strconv.Itoa(time.Now().In(domain.Zone).Year()) }

func (h *API) registerTenant(c *gin.Context) {
	var body struct {
		Code   string `json:"code"`
		Name   string `json:"name"`
		Kind   string `json:"kind"`
		Parent string `json:"parent"`
	}
	if err := httpapi.BindJSON(c, &body); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	slug := c.Param("slug")
	created, err := h.App.RegisterTenant(c.Request.Context(), app.Tenant{Slug: slug, Code: body.Code, Name: body.Name, Kind: body.Kind, Parent: body.Parent})
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"tenant": slug, "created": created, "seeded": gin.H{"units": 1}})
}

func (h *API) indicators(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"indicators": domain.Catalogue(), "figures": app.Figures})
}

func (h *API) report(c *gin.Context) {
	r, err := h.App.Report(c.Request.Context(), c.Param("slug"), cmp.Or(c.Query("period"), defaultPeriod()), c.Query("baseline"))
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (h *API) dashboard(c *gin.Context) {
	d, err := h.App.Dashboard(c.Request.Context(), c.Param("slug"), cmp.Or(c.Query("period"), defaultPeriod()), c.Query("baseline"))
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

func (h *API) ranking(c *gin.Context) {
	indicator := cmp.Or(c.Query("indicator"), domain.IIndex766Total)
	rs, err := h.App.Ranking(c.Request.Context(), c.Param("slug"), cmp.Or(c.Query("period"), defaultPeriod()), indicator)
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

func atoi(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

func (h *API) dossiers(c *gin.Context) {
	figure := c.Query("figure")
	if figure == "" {
		httpapi.RespondError(c, apperr.Invalid("figure", "required: one of the figures listed by /indicators"))
		return
	}
	pg, err := h.App.Dossiers(c.Request.Context(), c.Param("slug"), cmp.Or(c.Query("period"), defaultPeriod()), figure,
		atoi(c.Query("limit"), 50), atoi(c.Query("offset"), 0))
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
	period := cmp.Or(c.Query("period"), defaultPeriod())
	ts, err := h.App.Targets(c.Request.Context(), c.Param("slug"), period)
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
	if err := h.App.SetTarget(c.Request.Context(), c.Param("indicator"), c.Param("period"), *body.Value); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *API) deleteTarget(c *gin.Context) {
	if err := h.App.DeleteTarget(c.Request.Context(), c.Param("indicator"), c.Param("period")); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
