// Package api is the dossiers service's REST API under <prefix>/api/v1: the catalogue and the
// calendar, intake and lifecycle actions, inboxes and the ledger, forms, document files, the
// citizen's lookup and rating, and the operator's provisioning. It turns HTTP into use-case
// calls and errors into problem+json (libs/httpapi); the contract is api/openapi.yaml.
package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/platform/provision"
	"egov.vn/platform/libs/sheet"
	"egov.vn/platform/services/dossiers/internal/app"
	"egov.vn/platform/services/dossiers/internal/domain"
)

// Forms renders forms 01–07; ports/forms implements it.
type Forms interface {
	// WriteNamed writes form n of d as PDF or as a printable page, naming units by unitNames
	// (slug → name), and returns its content type.
	WriteNamed(w io.Writer, form int, pdf bool, d *domain.Dossier, unit app.Settings, unitNames map[string]string) (contentType string, err error)
}

// Units finds a unit of the tenant tree (identity's, through auth.Directory) by its slug.
type Units interface {
	Tenant(ctx context.Context, slug string) (auth.Tenant, error)
}

// FormUnits are the units a form names for d: the one that received it, the one holding it and
// every one in its history (form 06, the control sheet, lists who handled each step).
func FormUnits(d *domain.Dossier) []string {
	units := []string{d.Tenant, d.Holder}
	for _, h := range d.History {
		units = append(units, h.Tenant)
	}
	return units
}

// UnitNames maps each of slugs to its unit's name, or to the slug itself when the tree cannot
// say (an unknown unit, identity unreachable): a form is still printed.
func UnitNames(ctx context.Context, units Units, slugs ...string) map[string]string {
	out := map[string]string{}
	for _, s := range slugs {
		if _, done := out[s]; done || s == "" {
			continue
		}
		out[s] = s
		if t, err := units.Tenant(ctx, s); err == nil && t.Name != "" {
			out[s] = t.Name
		}
	}
	return out
}

// ParseFormName reads a form's name in a URL, "3" or "3.pdf": its number, from 1 to last, and
// whether PDF is asked for; ok is false for any other name.
func ParseFormName(name string, last int) (n int, pdf bool, ok bool) {
	name, pdf = strings.CutSuffix(name, ".pdf")
	n, err := strconv.Atoi(name)
	if err != nil || n < 1 || n > last {
		return 0, false, false
	}
	return n, pdf, true
}

// API holds the handlers.
type API struct {
	app   *app.App
	forms Forms
	units Units
}

// New returns the handlers over the use cases; units names units on the forms.
func New(a *app.App, forms Forms, units Units) *API { return &API{app: a, forms: forms, units: units} }

func actor(c *gin.Context) platform.Actor { return auth.ActorFrom(c) }

// Routes registers the API's routes: the tenant routes on tenant (behind the bearer-token check
// and auth.RequireActor with the app's Scope), the provisioning route on operator (bearer token,
// platform.admin, no unit scope) and the citizen's routes, which need no account, on public.
func (h *API) Routes(tenant, operator, public gin.IRouter) {
	r := tenant
	r.GET("/procedures", h.listProcedures)
	r.GET("/procedures/export", h.exportProcedures)
	r.POST("/procedures/import", h.importProcedures)
	r.GET("/procedures/:code", h.getProcedure)
	r.PUT("/procedures/:code", h.putProcedure)
	r.DELETE("/procedures/:code", h.deleteProcedure)
	r.GET("/calendar", h.getCalendar)
	r.PUT("/calendar/days/:date", h.putCalendarDay)
	r.DELETE("/calendar/days/:date", h.deleteCalendarDay)
	r.PUT("/settings", h.putSettings)
	r.POST("/dossiers", h.intake)
	r.GET("/dossiers", h.listDossiers)
	r.GET("/dossiers/:id", h.getDossier)
	r.POST("/dossiers/:id/actions", h.act)
	r.GET("/dossiers/:id/forms/:form", h.form)
	r.PUT("/dossiers/:id/documents/:index/file", httpapi.MaxBody(domain.MaxScanSize), h.putFile)
	r.GET("/dossiers/:id/documents/:index/file", h.getFile)
	r.PUT("/dossiers/:id/result", h.putResult)
	r.GET("/dossiers/:id/result/file", h.getResultFile)
	r.GET("/access-log", h.accessLog)

	provision.Routes(operator, h.app)

	public.POST("/public/lookup", h.lookup)
	public.POST("/public/rating", h.rate)
}

// ---- catalogue ----

func (h *API) listProcedures(c *gin.Context) {
	ps, err := h.app.Procedures(c.Request.Context())
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	if ps == nil {
		ps = []domain.Procedure{}
	}
	c.JSON(http.StatusOK, gin.H{"items": ps})
}

func (h *API) getProcedure(c *gin.Context) {
	p, err := h.app.Procedure(c.Request.Context(), c.Param("code"))
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (h *API) putProcedure(c *gin.Context) {
	var p domain.Procedure
	if err := httpapi.BindJSON(c, &p); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	if p.Code == "" {
		p.Code = c.Param("code")
	}
	if p.Code != c.Param("code") {
		httpapi.RespondError(c, apperr.Invalid("code", "must match the code in the path"))
		return
	}
	created, err := h.app.SaveProcedure(c.Request.Context(), actor(c), p)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, p)
}

func (h *API) deleteProcedure(c *gin.Context) {
	if err := h.app.DeleteProcedure(c.Request.Context(), actor(c), c.Param("code")); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// csvHeader is the column order of the catalogue's CSV form. Documents are "name|kind|count"
// joined by ";", steps "name|share" joined by ";".
var csvHeader = []string{"code", "name", "field", "level", "legal_time", "time_unit", "fee", "handling_unit", "supplement", "documents", "steps", "legal_basis"}

func (h *API) exportProcedures(c *gin.Context) {
	ps, err := h.app.Procedures(c.Request.Context())
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	if c.Query("format") != "csv" {
		if ps == nil {
			ps = []domain.Procedure{}
		}
		c.JSON(http.StatusOK, ps)
		return
	}
	// libs/sheet escapes cells a spreadsheet would run as formulas (a legal basis "- Điều 5..." or
	// a name "=HYPERLINK(...)"), and its reader takes the escape off again on import.
	var buf bytes.Buffer
	w, err := sheet.NewWriter(sheet.CSV, &buf, sheet.Options{})
	if err == nil {
		err = w.Header(csvHeader...)
	}
	for _, p := range ps {
		if err != nil {
			break
		}
		docs := make([]string, len(p.Documents))
		for i, d := range p.Documents {
			docs[i] = fmt.Sprintf("%s|%s|%d", d.Name, d.Kind, d.Count)
		}
		steps := make([]string, len(p.Steps))
		for i, s := range p.Steps {
			steps[i] = fmt.Sprintf("%s|%d", s.Name, s.Share)
		}
		err = w.Strings([]string{p.Code, p.Name, p.Field, string(p.Level), strconv.Itoa(p.LegalTime), string(p.TimeUnit),
			strconv.FormatInt(p.Fee, 10), p.HandlingUnit, string(p.Supplement), strings.Join(docs, ";"), strings.Join(steps, ";"), p.LegalBasis})
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="thu-tuc.csv"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

func (h *API) importProcedures(c *gin.Context) {
	var (
		rows       []domain.Procedure
		lines      []int
		cellErrors []app.RowError
	)
	if strings.HasPrefix(c.ContentType(), "text/csv") {
		var perr error
		rows, lines, cellErrors, perr = parseCSV(c.Request.Body)
		if perr != nil {
			httpapi.RespondError(c, perr)
			return
		}
	} else if err := httpapi.BindJSON(c, &rows); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	n, err := h.app.ImportProcedures(c.Request.Context(), actor(c), rows, lines, cellErrors)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"imported": n})
}

// parseCSV reads the catalogue's CSV form (its header row first, as the export writes it). A cell
// that cannot be read is returned as a row error with its line and column, to be reported with
// the validation of the rows; a file that is not CSV of the catalogue's columns is an error at once.
func parseCSV(r io.Reader) ([]domain.Procedure, []int, []app.RowError, error) {
	var (
		out   []domain.Procedure
		lines []int
		errs  []app.RowError
	)
	columns := strconv.Itoa(len(csvHeader)) + " columns: " + strings.Join(csvHeader, ",")
	header, err := sheet.Read(sheet.CSV, r, func(line int, rec []string) error {
		if len(rec) != len(csvHeader) {
			return apperr.Malformed(fmt.Sprintf("line %d", line), "is not a CSV row of "+columns)
		}
		out, lines = append(out, procedureOf(line, rec, &errs)), append(lines, line)
		return nil
	})
	if err == nil && !slices.Equal(header, csvHeader) {
		err = apperr.Malformed("line 1", "must be the header row "+strings.Join(csvHeader, ",")+" (export the catalogue to get a file to edit)")
	}
	if err != nil {
		var e *apperr.Error
		if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
			return nil, nil, nil, err // 413: the body limit, not a fault in a line
		}
		if !errors.As(err, &e) {
			e = apperr.Malformed("file", err.Error())
		}
		return nil, nil, nil, e
	}
	return out, lines, errs, nil
}

// procedureOf reads one catalogue row, adding what it cannot read to errs.
func procedureOf(line int, rec []string, errs *[]app.RowError) domain.Procedure {
	p := domain.Procedure{Code: rec[0], Name: rec[1], Field: rec[2], Level: domain.Level(rec[3]), TimeUnit: domain.TimeUnit(rec[5]),
		HandlingUnit: rec[7], Supplement: domain.SupplementPolicy(rec[8]), LegalBasis: rec[11]}
	var e error
	if p.LegalTime, e = strconv.Atoi(rec[4]); e != nil {
		*errs = append(*errs, app.RowError{Line: line, Field: "legal_time", Reason: "must be a whole number"})
	}
	if p.Fee, e = strconv.ParseInt(rec[6], 10, 64); e != nil {
		*errs = append(*errs, app.RowError{Line: line, Field: "fee", Reason: "must be a whole number of đồng"})
	}
	for i, d := range splitNonEmpty(rec[9]) {
		parts := strings.Split(d, "|")
		n := 0
		if len(parts) == 3 {
			n, e = strconv.Atoi(parts[2])
		}
		if len(parts) != 3 || e != nil {
			*errs = append(*errs, app.RowError{Line: line, Field: fmt.Sprintf("documents[%d]", i), Reason: "must be name|original or copy|count"})
			continue
		}
		p.Documents = append(p.Documents, domain.RequiredDocument{Name: parts[0], Kind: domain.CopyKind(parts[1]), Count: n})
	}
	for i, st := range splitNonEmpty(rec[10]) {
		parts := strings.Split(st, "|")
		n := 0
		if len(parts) == 2 {
			n, e = strconv.Atoi(parts[1])
		}
		if len(parts) != 2 || e != nil {
			*errs = append(*errs, app.RowError{Line: line, Field: fmt.Sprintf("steps[%d]", i), Reason: "must be name|share"})
			continue
		}
		p.Steps = append(p.Steps, domain.Step{Name: parts[0], Share: n})
	}
	return p
}

func splitNonEmpty(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ";") {
		if strings.TrimSpace(part) != "" {
			out = append(out, part)
		}
	}
	return out
}

// ---- calendar ----

type dayJSON struct {
	Date string `json:"date"`
	Kind string `json:"kind"`
	Note string `json:"note"`
}

type hoursJSON struct {
	MorningStart   string `json:"morning_start"`
	MorningEnd     string `json:"morning_end"`
	AfternoonStart string `json:"afternoon_start"`
	AfternoonEnd   string `json:"afternoon_end"`
}

func (h *API) getCalendar(c *gin.Context) {
	year := time.Now().In(domain.Vietnam).Year()
	if s := c.Query("year"); s != "" {
		y, err := strconv.Atoi(s)
		if err != nil || y < 1990 || y > 2100 {
			httpapi.RespondError(c, apperr.Malformed("year", "must be a year from 1990 to 2100"))
			return
		}
		year = y
	}
	cal, st, err := h.app.Calendar(c.Request.Context())
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	days := []dayJSON{}
	for _, o := range cal.DaysOff(year) {
		days = append(days, dayJSON{Date: o.Date.String(), Kind: string(o.Kind), Note: o.Note})
	}
	overrides := []dayJSON{}
	for _, o := range cal.Overrides {
		if o.Date.Year == year {
			overrides = append(overrides, dayJSON{Date: o.Date.String(), Kind: string(o.Kind), Note: o.Note})
		}
	}
	c.JSON(http.StatusOK, gin.H{"year": year, "days": days, "overrides": overrides,
		"office_hours": hoursJSON{st.Hours.MorningStart.String(), st.Hours.MorningEnd.String(), st.Hours.AfternoonStart.String(), st.Hours.AfternoonEnd.String()},
		"unit_code":    st.UnitCode, "receipt_pattern": st.ReceiptPattern})
}

func (h *API) putCalendarDay(c *gin.Context) {
	d, err := domain.ParseDate(c.Param("date"))
	if err != nil {
		httpapi.RespondError(c, apperr.Malformed("date", "must be a date as YYYY-MM-DD"))
		return
	}
	var body struct {
		Kind string `json:"kind"`
		Note string `json:"note"`
	}
	if err := httpapi.BindJSON(c, &body); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	o := domain.DayOverride{Date: d, Kind: domain.DayKind(body.Kind), Note: body.Note}
	if err := h.app.SetCalendarDay(c.Request.Context(), actor(c), o); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.JSON(http.StatusOK, dayJSON{Date: d.String(), Kind: body.Kind, Note: body.Note})
}

func (h *API) deleteCalendarDay(c *gin.Context) {
	d, err := domain.ParseDate(c.Param("date"))
	if err != nil {
		httpapi.RespondError(c, apperr.Malformed("date", "must be a date as YYYY-MM-DD"))
		return
	}
	if err := h.app.DeleteCalendarDay(c.Request.Context(), actor(c), d); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *API) putSettings(c *gin.Context) {
	var body struct {
		OfficeHours    hoursJSON `json:"office_hours"`
		UnitCode       string    `json:"unit_code"`
		ReceiptPattern string    `json:"receipt_pattern"`
	}
	if err := httpapi.BindJSON(c, &body); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	var hours domain.OfficeHours
	var errs apperr.FieldErrors
	for name, p := range map[string]*domain.TimeOfDay{"morning_start": &hours.MorningStart, "morning_end": &hours.MorningEnd,
		"afternoon_start": &hours.AfternoonStart, "afternoon_end": &hours.AfternoonEnd} {
		src := map[string]string{"morning_start": body.OfficeHours.MorningStart, "morning_end": body.OfficeHours.MorningEnd,
			"afternoon_start": body.OfficeHours.AfternoonStart, "afternoon_end": body.OfficeHours.AfternoonEnd}[name]
		v, err := domain.ParseClock(src)
		if err != nil {
			errs.Add("office_hours."+name, "must be a time as HH:MM")
		}
		*p = v
	}
	if err := errs.Err(); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	if err := h.app.UpdateSettings(c.Request.Context(), actor(c), hours, body.UnitCode, domain.ReceiptPattern(body.ReceiptPattern)); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.JSON(http.StatusOK, body)
}

// ---- dossiers ----

type intakeJSON struct {
	ProcedureCode string                    `json:"procedure_code"`
	Applicant     domain.Applicant          `json:"applicant"`
	Channel       domain.Channel            `json:"channel"`
	Documents     []domain.ReceivedDocument `json:"documents"`
	Note          string                    `json:"note"`
}

func (h *API) intake(c *gin.Context) {
	var body intakeJSON
	if err := httpapi.BindJSON(c, &body); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	d, err := h.app.Intake(c.Request.Context(), actor(c), app.IntakeRequest{ProcedureCode: body.ProcedureCode,
		Applicant: body.Applicant, Channel: body.Channel, Documents: body.Documents, Note: body.Note})
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.Header("Location", c.Request.URL.Path+"/"+d.ID)
	c.JSON(http.StatusCreated, View(d, actor(c)))
}

func (h *API) listDossiers(c *gin.Context) {
	pg, err := httpapi.ParsePage(c)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	f, err := ParseFilter(c.Request.URL.Query())
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	f.Page = pg
	res, err := h.app.Dossiers(c.Request.Context(), actor(c), app.Inbox(c.Query("inbox")), f)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	items := make([]DossierView, len(res.Items))
	for i, d := range res.Items {
		items[i] = View(d, actor(c))
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": res.NextCursor})
}

// ParseFilter reads the list filters shared by the API and the pages.
func ParseFilter(q map[string][]string) (app.Filter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	f := app.Filter{Procedure: get("procedure"), Query: get("q")}
	for _, s := range q["state"] {
		for part := range strings.SplitSeq(s, ",") {
			st := domain.State(strings.TrimSpace(part))
			if st == "" {
				continue
			}
			if !validState(st) {
				return f, apperr.Malformed("state", "is not a dossier state")
			}
			f.States = append(f.States, st)
		}
	}
	for name, dst := range map[string]**time.Time{"from": &f.From, "to": &f.To} {
		if s := get(name); s != "" {
			d, err := domain.ParseDate(s)
			if err != nil {
				return f, apperr.Malformed(name, "must be a date as YYYY-MM-DD")
			}
			t := d.At(0)
			if name == "to" {
				t = d.AddDays(1).At(0) // inclusive
			}
			*dst = &t
		}
	}
	return f, nil
}

func validState(s domain.State) bool {
	for _, st := range domain.States {
		if st == s {
			return true
		}
	}
	return false
}

func (h *API) getDossier(c *gin.Context) {
	d, err := h.app.Dossier(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	v := View(d, actor(c))
	v.History = d.History
	c.JSON(http.StatusOK, v)
}

type actionJSON struct {
	Action   domain.Action `json:"action"`
	Version  int           `json:"version"`
	Note     string        `json:"note"`
	Unit     string        `json:"unit"`
	Handler  string        `json:"handler"`
	NewDueAt *time.Time    `json:"new_due_at"`
}

func (h *API) act(c *gin.Context) {
	var body actionJSON
	if err := httpapi.BindJSON(c, &body); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	if body.Version < 1 {
		httpapi.RespondError(c, apperr.Invalid("version", "send the version of the dossier you acted on (optimistic locking)"))
		return
	}
	d, err := h.app.Act(c.Request.Context(), actor(c), c.Param("id"), body.Version, domain.Command{Action: body.Action,
		Note: body.Note, Unit: body.Unit, Handler: body.Handler, NewDueAt: body.NewDueAt})
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	v := View(d, actor(c))
	v.History = d.History
	c.JSON(http.StatusOK, v)
}

func (h *API) form(c *gin.Context) {
	n, pdf, ok := ParseFormName(c.Param("form"), 7)
	if !ok {
		httpapi.RespondError(c, apperr.NotFound("form", c.Param("form")))
		return
	}
	d, err := h.app.Dossier(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	_, st, err := h.app.Calendar(c.Request.Context())
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	var buf bytes.Buffer
	ct, err := h.forms.WriteNamed(&buf, n, pdf, d, st, UnitNames(c.Request.Context(), h.units, FormUnits(d)...))
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.Data(http.StatusOK, ct, buf.Bytes())
}

func (h *API) putFile(c *gin.Context) {
	idx, err := strconv.Atoi(c.Param("index"))
	if err != nil {
		httpapi.RespondError(c, apperr.Malformed("index", "must be a whole number"))
		return
	}
	// The route's MaxBody (domain.MaxScanSize) answers 413 to a larger scan, declared or streamed.
	d, err := h.app.UploadDocument(c.Request.Context(), actor(c), c.Param("id"), idx, c.Request.Body, c.Request.ContentLength, c.ContentType())
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.JSON(http.StatusOK, View(d, actor(c)))
}

func (h *API) getFile(c *gin.Context) {
	idx, err := strconv.Atoi(c.Param("index"))
	if err != nil {
		httpapi.RespondError(c, apperr.Malformed("index", "must be a whole number"))
		return
	}
	rc, err := h.app.DocumentFile(c.Request.Context(), actor(c), c.Param("id"), idx)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	defer func() { _ = rc.Close() }()
	c.Status(http.StatusOK)
	c.Header("Content-Type", "application/octet-stream")
	_, _ = io.Copy(c.Writer, rc)
}

// putResult takes the result document as multipart/form-data: version, result_type,
// result_summary, result_signer and the file.
func (h *API) putResult(c *gin.Context) {
	up, version, err := ReadResultUpload(c)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	if version < 1 {
		httpapi.RespondError(c, apperr.Invalid("version", "send the version of the dossier you acted on (optimistic locking)"))
		return
	}
	d, err := h.app.AttachResult(c.Request.Context(), actor(c), c.Param("id"), version, up)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	v := View(d, actor(c))
	v.History = d.History
	c.JSON(http.StatusOK, v)
}

// ReadResultUpload reads a result upload form (the API's and the dossier page's): the file
// streams from the request, only the small fields are read into memory.
func ReadResultUpload(c *gin.Context) (up app.ResultUpload, version int, err error) {
	if c.Request.ContentLength > domain.MaxResultSize+1<<20 {
		return up, 0, apperr.Invalid("result_file", fmt.Sprintf("tệp kết quả không được quá %d MB", domain.MaxResultSize>>20))
	}
	// Raise the engine-wide 1 MiB cap to the file plus its form, wherever the route was
	// registered (the API and the dossier page both read this form).
	if err := httpapi.LimitBody(c, domain.MaxResultSize+1<<20); err != nil {
		return up, 0, err
	}
	// Small fields in memory, the file (up to its limit) spilled to a temporary file. A part
	// net/http would skip (a duplicate filename) refuses the whole form: the result is never
	// attached without its file.
	if err := httpapi.ParseMultipartForm(c.Request, 1<<20); err != nil {
		if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
			return up, 0, err // 413
		}
		if errors.Is(err, httpapi.ErrUnreadablePart) {
			return up, 0, apperr.Malformed("file", "a part of the form has a Content-Disposition that cannot be read (for example two filename parameters); send each field and the file once, with one name and one filename")
		}
		return up, 0, apperr.Malformed("", "send multipart/form-data with the fields result_type, result_summary, result_signer, version and the file")
	}
	f := c.Request.MultipartForm
	get := func(k string) string {
		if v := f.Value[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	version, _ = strconv.Atoi(get("version"))
	up = app.ResultUpload{Type: get("result_type"), Summary: get("result_summary"), Signer: get("result_signer")}
	if files := f.File["file"]; len(files) > 0 {
		fh := files[0]
		file, err := fh.Open()
		if err != nil {
			return up, 0, apperr.Malformed("file", "the file could not be read")
		}
		// The request's temporary files are removed by net/http when the request ends.
		up.FileName, up.Size, up.Body = fh.Filename, fh.Size, file
	}
	return up, version, nil
}

// AccessView is one entry of the unit's access log.
type AccessView struct {
	At          time.Time `json:"at"`
	Actor       string    `json:"actor"`
	ActorName   string    `json:"actor_name"`
	What        string    `json:"what"`
	DossierID   string    `json:"dossier_id,omitempty"`
	ReceiptCode string    `json:"receipt_code,omitempty"`
}

func (h *API) accessLog(c *gin.Context) {
	n, offset := 100, 0
	var errs apperr.FieldErrors
	for _, p := range []struct {
		name     string
		into     *int
		min, max int
	}{{"limit", &n, 1, 500}, {"offset", &offset, 0, 1 << 30}} {
		if v := c.Query(p.name); v != "" {
			i, err := strconv.Atoi(v)
			if err != nil || i < p.min || i > p.max {
				errs.Add(p.name, fmt.Sprintf("must be a whole number from %d to %d", p.min, p.max))
				continue
			}
			*p.into = i
		}
	}
	if err := errs.Err(); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	list, err := h.app.AccessLog(c.Request.Context(), actor(c), n, offset)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	items := make([]AccessView, len(list))
	for i, e := range list {
		items[i] = AccessView{At: e.At, Actor: e.Actor, ActorName: e.ActorName, What: e.What, DossierID: e.DossierID, ReceiptCode: e.Receipt}
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func (h *API) getResultFile(c *gin.Context) {
	r, rc, err := h.app.ResultFile(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	defer func() { _ = rc.Close() }()
	WriteResultFile(c, r, rc)
}

// WriteResultFile sends a result document as a download under its own name.
func WriteResultFile(c *gin.Context, r *domain.Result, body io.Reader) {
	c.Header("Content-Type", r.ContentType)
	c.Header("Content-Length", strconv.FormatInt(r.Size, 10))
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": r.FileName}))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Status(http.StatusOK)
	_, _ = io.Copy(c.Writer, body)
}

// ---- citizens ----

type lookupJSON struct {
	ReceiptCode string `json:"receipt_code"`
	PhoneLast4  string `json:"phone_last4"`
}

func (h *API) lookup(c *gin.Context) {
	var body lookupJSON
	if err := httpapi.BindJSON(c, &body); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	d, err := h.app.Lookup(c.Request.Context(), c.ClientIP(), body.ReceiptCode, body.PhoneLast4)
	if err != nil {
		respondCitizen(c, err)
		return
	}
	c.JSON(http.StatusOK, PublicView(d))
}

func (h *API) rate(c *gin.Context) {
	var body struct {
		lookupJSON
		Rating  domain.Rating `json:"rating"`
		Comment string        `json:"comment"`
	}
	if err := httpapi.BindJSON(c, &body); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	if err := h.app.Rate(c.Request.Context(), c.ClientIP(), body.ReceiptCode, body.PhoneLast4, body.Rating, body.Comment); err != nil {
		respondCitizen(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"rated": true})
}

// SetRetryAfter sets Retry-After to the seconds until the sliding window lets the next lookup
// through, when err is app.ErrTooManyLookups carrying them; the API and the lookup page both
// answer their 429 with it.
func SetRetryAfter(c *gin.Context, err error) {
	if e := apperr.As(err); e != nil && e.Code == app.ErrTooManyLookups.Code {
		if secs, ok := e.Details["retry_after_seconds"].(int64); ok {
			c.Header("Retry-After", strconv.FormatInt(secs, 10))
		}
	}
}

// respondCitizen answers a citizen: too many lookups is 429 with Retry-After, the seconds until
// the sliding window lets the next lookup through.
func respondCitizen(c *gin.Context, err error) {
	if e := apperr.As(err); e != nil && e.Code == app.ErrTooManyLookups.Code {
		SetRetryAfter(c, err)
		httpapi.WriteProblem(c, httpapi.Problem{Status: http.StatusTooManyRequests, Title: "Too many requests", Code: e.Code, Detail: e.Message})
		return
	}
	httpapi.RespondError(c, err)
}

// ---- views ----

// DossierView is the API's JSON form of a dossier.
type DossierView struct {
	ID            string                    `json:"id"`
	ReceiptCode   string                    `json:"receipt_code"`
	Tenant        string                    `json:"tenant"`
	Holder        string                    `json:"holder"`
	Version       int                       `json:"version"`
	Procedure     ProcedureRef              `json:"procedure"`
	Applicant     domain.Applicant          `json:"applicant"`
	Channel       domain.Channel            `json:"channel"`
	Documents     []domain.ReceivedDocument `json:"documents"`
	State         domain.State              `json:"state"`
	Steps         []domain.Step             `json:"steps"`
	StepsDone     int                       `json:"steps_done"`
	StepDueAt     *time.Time                `json:"step_due_at"`
	Unit          string                    `json:"unit"`
	Handler       string                    `json:"handler"`
	ReceivedAt    time.Time                 `json:"received_at"`
	DueAt         time.Time                 `json:"due_at"`
	ExtendedDueAt *time.Time                `json:"extended_due_at"`
	Late          bool                      `json:"late"`
	ResolvedAt    *time.Time                `json:"resolved_at"`
	ReturnedAt    *time.Time                `json:"returned_at"`
	Rating        domain.Rating             `json:"rating,omitempty"`
	Result        *ResultView               `json:"result"`
	// WaitsForApproval: every step is done; a leader approves or sends it back.
	WaitsForApproval bool                `json:"waits_for_approval"`
	AllowedActions   []domain.Action     `json:"allowed_actions"`
	History          []domain.Transition `json:"history,omitempty"`
	// PersonalDataMasked: the caller may not see the applicant's personal data (domain
	// SeesPersonalData), so Applicant carries it masked.
	PersonalDataMasked bool `json:"personal_data_masked"`
}

// ResultView is the result document as staff see it (the file itself is downloaded apart).
type ResultView struct {
	Type        string    `json:"type"`
	Summary     string    `json:"summary"`
	Signer      string    `json:"signer"`
	FileName    string    `json:"file_name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	AttachedBy  string    `json:"attached_by"`
	AttachedAt  time.Time `json:"attached_at"`
}

// ProcedureRef is the procedure as the dossier recorded it at receipt.
type ProcedureRef struct {
	Code         string       `json:"code"`
	Name         string       `json:"name"`
	Field        string       `json:"field"`
	Level        domain.Level `json:"level"`
	LegalMinutes int          `json:"legal_minutes"`
	Fee          int64        `json:"fee"`
}

// View renders d for a (the allowed actions are a's).
func View(d *domain.Dossier, a platform.Actor) DossierView {
	allowed := d.AllowedActions(a)
	if allowed == nil {
		allowed = []domain.Action{}
	}
	docs := d.Documents
	if docs == nil {
		docs = []domain.ReceivedDocument{}
	}
	var result *ResultView
	if r := d.Result; r != nil {
		result = &ResultView{Type: r.Type, Summary: r.Summary, Signer: r.Signer, FileName: r.FileName, ContentType: r.ContentType,
			Size: r.Size, SHA256: r.SHA256, AttachedBy: r.AttachedBy, AttachedAt: r.AttachedAt}
	}
	return DossierView{ID: d.ID, Result: result, WaitsForApproval: d.WaitsForApproval(), ReceiptCode: d.ReceiptCode, Tenant: d.Tenant, Holder: d.Holder, Version: d.Version,
		Procedure: ProcedureRef{Code: d.ProcedureCode, Name: d.ProcedureName, Field: d.Field, Level: d.Level, LegalMinutes: d.LegalMinutes, Fee: d.Fee},
		Applicant: d.Applicant, Channel: d.Channel, Documents: docs, State: d.State, Steps: d.Steps, StepsDone: d.StepsDone,
		StepDueAt: d.StepDueAt, Unit: d.Unit, Handler: d.Handler, ReceivedAt: d.ReceivedAt, DueAt: d.DueAt,
		ExtendedDueAt: d.ExtendedDueAt, Late: d.Late, ResolvedAt: d.ResolvedAt, ReturnedAt: d.ReturnedAt, Rating: d.Rating,
		AllowedActions: allowed, PersonalDataMasked: !domain.SeesPersonalData(d, a)}
}

// PublicDossier is what a citizen sees: no personal data beyond what they typed.
type PublicDossier struct {
	ReceiptCode   string        `json:"receipt_code"`
	Procedure     string        `json:"procedure"`
	State         domain.State  `json:"state"`
	ReceivedAt    time.Time     `json:"received_at"`
	DueAt         time.Time     `json:"due_at"`
	ExtendedDueAt *time.Time    `json:"extended_due_at"`
	ResolvedAt    *time.Time    `json:"resolved_at"`
	ReturnedAt    *time.Time    `json:"returned_at"`
	CanRate       bool          `json:"can_rate"`
	Timeline      []PublicEvent `json:"timeline"`
	Rating        domain.Rating `json:"rating,omitempty"`
}

// PublicEvent is one step of the timeline a citizen sees.
type PublicEvent struct {
	At    time.Time    `json:"at"`
	State domain.State `json:"state"`
}

// PublicView renders d for the citizen's lookup.
func PublicView(d *domain.Dossier) PublicDossier {
	tl := make([]PublicEvent, 0, len(d.History))
	for _, t := range d.History {
		tl = append(tl, PublicEvent{At: t.At, State: t.To})
	}
	return PublicDossier{ReceiptCode: d.ReceiptCode, Procedure: d.ProcedureName, State: d.State, ReceivedAt: d.ReceivedAt,
		DueAt: d.DueAt, ExtendedDueAt: d.ExtendedDueAt, ResolvedAt: d.ResolvedAt, ReturnedAt: d.ReturnedAt,
		CanRate: d.State == domain.StateReturned && d.Rating == "", Timeline: tl, Rating: d.Rating}
}
