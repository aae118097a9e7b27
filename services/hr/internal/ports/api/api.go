// Package api owns HR's REST API under <prefix>/api/v1: JSON in and out, problem+json errors
// through libs/httpapi, bearer tokens verified by libs/auth. It turns requests into app calls and
// app results into the representations api/openapi.yaml documents; it holds no rules. The caller
// reaches every use case as the platform.Actor auth.RequireActor made from the token.
package api

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/platform/provision"
	"egov.vn/platform/libs/sheet"
	"egov.vn/platform/services/hr/internal/app"
	"egov.vn/platform/services/hr/internal/domain"
)

// maxImport bounds an uploaded import file; 10,000 staff rows in XLSX are about 1 MB.
const maxImport = 32 << 20

// API serves the REST API.
type API struct {
	app *app.App
}

// New returns the API over a.
func New(a *app.App) *API { return &API{app: a} }

// Routes adds the routes: provisioning to operator (the <prefix>/api/v1 group with the bearer
// token checked and no actor scope, bootstrap.Web.Operator), everything else to api (the same
// group with the caller's actor and tenant scope set, bootstrap.Web.API).
func (h *API) Routes(operator, api gin.IRouter) {
	provision.Routes(operator, h.app)

	api.GET("/units", h.units)
	api.POST("/units", h.createUnit)
	api.GET("/units/:id", h.unit)
	api.POST("/units/:id/changes", h.changeUnit)
	api.GET("/directory", h.directory)
	api.GET("/staff", h.listStaff)
	api.POST("/staff", h.hire)
	api.GET("/staff/me", h.me)
	api.GET("/staff/:id", h.profile)
	api.PUT("/staff/:id", h.updateStaff)
	api.POST("/staff/:id/moves", h.move)
	api.POST("/staff/:id/leave", h.leave)
	api.POST("/staff/:id/rehire", h.rehire)
	api.POST("/staff/:id/qualifications", h.addQualification)
	api.PUT("/qualifications/:id/evidence", httpapi.MaxBody(20<<20+1024), h.attachEvidence)
	api.GET("/qualifications/:id/evidence", h.evidence)
	api.GET("/levels", h.levels)
	api.POST("/levels", h.addLevel)
	api.POST("/imports/:dataset", httpapi.MaxBody(maxImport), h.importFile)
	api.GET("/exports/:dataset", h.exportFile)
	api.GET("/statistics", h.statistics)
	api.GET("/statistics/change", h.change)
}

func ctx(c *gin.Context) context.Context { return c.Request.Context() }

// queryDate reads an optional date parameter; a bad one is a 400 naming it.
func queryDate(c *gin.Context, name string) (time.Time, error) {
	s := c.Query(name)
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(domain.DateLayout, s)
	if err != nil || d.Year() < domain.FirstYear {
		return time.Time{}, apperr.Malformed(name, "must be a date written 2006-01-02, from 1900 on")
	}
	return d, nil
}

// Date is a calendar date in JSON ("2006-01-02"); empty means not given.
type Date string

func (d Date) parse(field string) (time.Time, error) {
	if d == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(domain.DateLayout, string(d))
	if err != nil {
		return time.Time{}, apperr.Invalid(field, "ngày phải viết dạng yyyy-mm-dd")
	}
	if t.Year() < domain.FirstYear {
		// 0001-01-01 is the zero time: taken as such it would mean "not given".
		return time.Time{}, apperr.Invalid(field, domain.ErrDateTooEarly.Error())
	}
	return t, nil
}

func date(t time.Time) string { return domain.FormatDate(t) }

func datePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := date(*t)
	return &s
}

// ---- units

type unitJSON struct {
	ID          string  `json:"id"`
	Tenant      string  `json:"tenant"`
	Code        string  `json:"code"`
	Name        string  `json:"name"`
	Kind        string  `json:"kind"`
	ParentID    string  `json:"parent_id,omitempty"`
	Depth       int     `json:"depth"`
	OpenedOn    string  `json:"opened_on"`
	ClosedOn    *string `json:"closed_on,omitempty"`
	CloseReason string  `json:"close_reason,omitempty"`
}

func unitOut(u domain.Unit, depth int) unitJSON {
	return unitJSON{ID: u.ID, Tenant: u.Tenant, Code: u.Code, Name: u.Name, Kind: string(u.Kind), ParentID: u.ParentID, Depth: depth,
		OpenedOn: date(u.OpenedOn), ClosedOn: datePtr(u.ClosedOn), CloseReason: u.CloseReason}
}

func (h *API) units(c *gin.Context) {
	on, err := queryDate(c, "on")
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	if on.IsZero() {
		on = time.Now()
	}
	nodes, err := h.app.UnitTree(ctx(c), c.Query("tenant"), on)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	out := make([]unitJSON, len(nodes))
	for i, n := range nodes {
		out[i] = unitOut(n.Unit, n.Depth)
	}
	c.JSON(http.StatusOK, gin.H{"on": date(domain.Day(on)), "units": out})
}

type createUnitBody struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	ParentID string `json:"parent_id"`
	OpenedOn Date   `json:"opened_on"`
}

func (h *API) createUnit(c *gin.Context) {
	var b createUnitBody
	if err := httpapi.BindJSON(c, &b); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	opened, err := b.OpenedOn.parse("opened_on")
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	u, err := h.app.CreateUnit(ctx(c), auth.ActorFrom(c), app.UnitInput{Code: b.Code, Name: b.Name, Kind: domain.UnitKind(b.Kind), ParentID: b.ParentID, OpenedOn: opened})
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, unitOut(u, 0))
}

type versionJSON struct {
	Name      string  `json:"name"`
	ParentID  string  `json:"parent_id,omitempty"`
	ValidFrom string  `json:"valid_from"`
	ValidTo   *string `json:"valid_to,omitempty"`
	Change    string  `json:"change"`
	Reason    string  `json:"reason,omitempty"`
}

func (h *API) unit(c *gin.Context) {
	u, vs, err := h.app.UnitHistory(ctx(c), c.Param("id"))
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	hist := make([]versionJSON, len(vs))
	for i, v := range vs {
		hist[i] = versionJSON{Name: v.Name, ParentID: v.ParentID, ValidFrom: date(v.ValidFrom), ValidTo: datePtr(v.ValidTo), Change: string(v.Change), Reason: v.Reason}
	}
	c.JSON(http.StatusOK, gin.H{"unit": unitOut(u, 0), "history": hist})
}

type unitChangeBody struct {
	Change      string `json:"change"`
	Name        string `json:"name"`
	ParentID    string `json:"parent_id"`
	EffectiveOn Date   `json:"effective_on"`
	Reason      string `json:"reason"`
}

func (h *API) changeUnit(c *gin.Context) {
	var b unitChangeBody
	if err := httpapi.BindJSON(c, &b); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	on, err := b.EffectiveOn.parse("effective_on")
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	u, err := h.app.ChangeUnit(ctx(c), auth.ActorFrom(c), c.Param("id"), app.UnitChange{Change: domain.Change(b.Change), Name: b.Name, ParentID: b.ParentID,
		EffectiveOn: on, Reason: b.Reason})
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.JSON(http.StatusOK, unitOut(u, 0))
}

// ---- staff

type assignmentJSON struct {
	ID        string  `json:"id"`
	UnitID    string  `json:"unit_id"`
	Position  string  `json:"position"`
	Rank      string  `json:"rank,omitempty"`
	Step      int     `json:"step,omitempty"`
	From      string  `json:"from"`
	To        *string `json:"to,omitempty"`
	Change    string  `json:"change"`
	EndReason string  `json:"end_reason,omitempty"`
}

func assignmentOut(a domain.Assignment) assignmentJSON {
	return assignmentJSON{ID: a.ID, UnitID: a.UnitID, Position: a.Position, Rank: a.Rank, Step: a.Step, From: date(a.From), To: datePtr(a.To),
		Change: string(a.Change), EndReason: a.EndReason}
}

// staffJSON carries personal fields only when Personal is true; otherwise they are absent, not
// empty, so a client cannot mistake a hidden value for a missing one.
type staffJSON struct {
	ID          string          `json:"id"`
	Tenant      string          `json:"tenant"`
	FullName    string          `json:"full_name"`
	Category    string          `json:"category,omitempty"`
	Personal    bool            `json:"personal"`
	BirthDate   string          `json:"birth_date,omitempty"`
	Gender      string          `json:"gender,omitempty"`
	CCCD        string          `json:"cccd,omitempty"`
	Phone       string          `json:"phone,omitempty"`
	Email       string          `json:"email,omitempty"`
	Address     string          `json:"address,omitempty"`
	UserSubject string          `json:"user_subject,omitempty"`
	Assignment  *assignmentJSON `json:"assignment,omitempty"`
}

func staffOut(s domain.Staff, personal bool, a *domain.Assignment) staffJSON {
	out := staffJSON{ID: s.ID, Tenant: s.Tenant, FullName: s.FullName, Category: string(s.Category), Personal: personal}
	if personal {
		out.BirthDate, out.Gender, out.CCCD = date(s.BirthDate), string(s.Gender), s.CCCD
		out.Phone, out.Email, out.Address, out.UserSubject = s.Contacts.Phone, s.Contacts.Email, s.Contacts.Address, s.UserSubject
	}
	if a != nil {
		j := assignmentOut(*a)
		out.Assignment = &j
	}
	return out
}

func staffFilter(c *gin.Context) (domain.StaffFilter, error) {
	on, err := queryDate(c, "on")
	if err != nil {
		return domain.StaffFilter{}, err
	}
	f := domain.StaffFilter{Tenant: c.Query("tenant"), Category: domain.Category(c.Query("category")), Query: c.Query("q"), On: on}
	if u := c.Query("unit_id"); u != "" {
		f.UnitIDs = []string{u}
	}
	for name, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if s := c.Query(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || name == "limit" && (n < 1 || n > 500) {
				return f, apperr.Malformed(name, "must be a whole number (limit 1–500)")
			}
			*dst = n
		}
	}
	return f, nil
}

func (h *API) listStaff(c *gin.Context) {
	f, err := staffFilter(c)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	page, err := h.app.ListStaff(ctx(c), auth.ActorFrom(c), f)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	out := make([]staffJSON, len(page.Items))
	for i, l := range page.Items {
		out[i] = staffOut(l.Staff, page.Personal[i], &l.Assignment)
	}
	c.JSON(http.StatusOK, gin.H{"on": date(page.On), "total": page.Total, "staff": out})
}

type directoryEntry struct {
	ID       string `json:"id"`
	Tenant   string `json:"tenant"`
	FullName string `json:"full_name"`
	UnitID   string `json:"unit_id"`
	Position string `json:"position"`
}

// directory is the minimal list for other services' assignment pickers: name, unit, position.
func (h *API) directory(c *gin.Context) {
	f, err := staffFilter(c)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	f.On, f.Category = time.Time{}, ""
	page, err := h.app.ListStaff(ctx(c), auth.ActorFrom(c), f)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	out := make([]directoryEntry, len(page.Items))
	for i, l := range page.Items {
		out[i] = directoryEntry{ID: l.Staff.ID, Tenant: l.Staff.Tenant, FullName: l.Staff.FullName, UnitID: l.Assignment.UnitID, Position: l.Assignment.Position}
	}
	c.JSON(http.StatusOK, gin.H{"total": page.Total, "staff": out})
}

type staffBody struct {
	FullName    string `json:"full_name"`
	BirthDate   Date   `json:"birth_date"`
	Gender      string `json:"gender"`
	CCCD        string `json:"cccd"`
	Category    string `json:"category"`
	Phone       string `json:"phone"`
	Email       string `json:"email"`
	Address     string `json:"address"`
	UserSubject string `json:"user_subject"`
}

func (b staffBody) input() (app.StaffInput, error) {
	born, err := b.BirthDate.parse("birth_date")
	return app.StaffInput{FullName: b.FullName, BirthDate: born, Gender: domain.Gender(b.Gender), CCCD: b.CCCD, Category: domain.Category(b.Category),
		Contacts: domain.Contacts{Phone: b.Phone, Email: b.Email, Address: b.Address}, UserSubject: b.UserSubject}, err
}

type assignmentBody struct {
	UnitID      string `json:"unit_id"`
	Position    string `json:"position"`
	Rank        string `json:"rank"`
	Step        int    `json:"step"`
	EffectiveOn Date   `json:"effective_on"`
}

func (b assignmentBody) input() (app.AssignmentInput, error) {
	on, err := b.EffectiveOn.parse("effective_on")
	return app.AssignmentInput{UnitID: b.UnitID, Position: b.Position, Rank: b.Rank, Step: b.Step, EffectiveOn: on}, err
}

type hireBody struct {
	staffBody
	Assignment assignmentBody `json:"assignment"`
}

func (h *API) hire(c *gin.Context) {
	var b hireBody
	if err := httpapi.BindJSON(c, &b); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	in, err1 := b.input()
	as, err2 := b.Assignment.input()
	if err := firstErr(err1, err2); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	p, err := h.app.Hire(ctx(c), auth.ActorFrom(c), in, as)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.Header("Location", c.Request.URL.Path+"/"+p.Staff.ID)
	c.JSON(http.StatusCreated, profileOut(p))
}

// AnswerHired answers again a hire whose answer was lost (the process died after the commit;
// an idempotency.Rederiver): 201 with the person's profile, never a second staff record.
func (h *API) AnswerHired(c *gin.Context, id string) {
	p, err := h.app.Profile(ctx(c), auth.ActorFrom(c), id)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.Header("Location", c.Request.URL.Path+"/"+id)
	c.JSON(http.StatusCreated, profileOut(p))
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

type qualificationJSON struct {
	ID           string        `json:"id"`
	Kind         string        `json:"kind"`
	Level        string        `json:"level,omitempty"`
	Rank         int           `json:"rank"`
	Field        string        `json:"field,omitempty"`
	Language     string        `json:"language,omitempty"`
	AwardingBody string        `json:"awarding_body"`
	AwardedOn    string        `json:"awarded_on"`
	Course       string        `json:"course,omitempty"`
	StartOn      *string       `json:"start_on,omitempty"`
	EndOn        *string       `json:"end_on,omitempty"`
	Result       string        `json:"result,omitempty"`
	EvidenceRef  string        `json:"evidence_ref,omitempty"`
	Evidence     *evidenceJSON `json:"evidence,omitempty"`
}

type evidenceJSON struct {
	FileName    string `json:"file_name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

func qualificationOut(q domain.Qualification) qualificationJSON {
	out := qualificationJSON{ID: q.ID, Kind: string(q.Kind), Level: q.Level, Rank: q.Rank, Field: q.Field, Language: q.Language,
		AwardingBody: q.AwardingBody, AwardedOn: date(q.AwardedOn), Course: q.Course, StartOn: datePtr(q.StartOn), EndOn: datePtr(q.EndOn),
		Result: q.Result, EvidenceRef: q.EvidenceRef}
	if e := q.Evidence; e != nil {
		out.Evidence = &evidenceJSON{FileName: e.FileName, ContentType: e.ContentType, Size: e.Size, SHA256: e.SHA256}
	}
	return out
}

type profileJSON struct {
	Staff          staffJSON           `json:"staff"`
	History        []assignmentJSON    `json:"history,omitempty"`
	Qualifications []qualificationJSON `json:"qualifications,omitempty"`
}

func profileOut(p app.Profile) profileJSON {
	out := profileJSON{Staff: staffOut(p.Staff, p.Personal, p.Current)}
	for _, a := range p.Employment.Assignments {
		out.History = append(out.History, assignmentOut(a))
	}
	for _, q := range p.Qualifications {
		out.Qualifications = append(out.Qualifications, qualificationOut(q))
	}
	return out
}

func (h *API) profile(c *gin.Context) {
	p, err := h.app.Profile(ctx(c), auth.ActorFrom(c), c.Param("id"))
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.JSON(http.StatusOK, profileOut(p))
}

func (h *API) me(c *gin.Context) {
	p, err := h.app.Me(ctx(c), auth.ActorFrom(c))
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.JSON(http.StatusOK, profileOut(p))
}

func (h *API) updateStaff(c *gin.Context) {
	var b staffBody
	if err := httpapi.BindJSON(c, &b); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	in, err := b.input()
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	st, err := h.app.UpdateStaff(ctx(c), auth.ActorFrom(c), c.Param("id"), in)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.JSON(http.StatusOK, staffOut(st, true, nil))
}

func (h *API) move(c *gin.Context) {
	var b assignmentBody
	if err := httpapi.BindJSON(c, &b); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	in, err := b.input()
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	a, err := h.app.Move(ctx(c), auth.ActorFrom(c), c.Param("id"), in)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, assignmentOut(a))
}

func (h *API) rehire(c *gin.Context) {
	var b assignmentBody
	if err := httpapi.BindJSON(c, &b); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	in, err := b.input()
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	a, err := h.app.Rehire(ctx(c), auth.ActorFrom(c), c.Param("id"), in)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, assignmentOut(a))
}

type leaveBody struct {
	EffectiveOn Date   `json:"effective_on"`
	Reason      string `json:"reason"`
}

func (h *API) leave(c *gin.Context) {
	var b leaveBody
	if err := httpapi.BindJSON(c, &b); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	on, err := b.EffectiveOn.parse("effective_on")
	if err == nil {
		err = h.app.Leave(ctx(c), auth.ActorFrom(c), c.Param("id"), on, b.Reason)
	}
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type qualificationBody struct {
	Kind         string `json:"kind"`
	Level        string `json:"level"`
	Field        string `json:"field"`
	Language     string `json:"language"`
	AwardingBody string `json:"awarding_body"`
	AwardedOn    Date   `json:"awarded_on"`
	Course       string `json:"course"`
	StartOn      Date   `json:"start_on"`
	EndOn        Date   `json:"end_on"`
	Result       string `json:"result"`
	EvidenceRef  string `json:"evidence_ref"`
}

func (h *API) addQualification(c *gin.Context) {
	var b qualificationBody
	if err := httpapi.BindJSON(c, &b); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	awarded, e1 := b.AwardedOn.parse("awarded_on")
	start, e2 := b.StartOn.parse("start_on")
	end, e3 := b.EndOn.parse("end_on")
	if err := firstErr(e1, e2, e3); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	q := domain.Qualification{Kind: domain.Kind(b.Kind), Level: b.Level, Field: b.Field, Language: b.Language, AwardingBody: b.AwardingBody,
		AwardedOn: awarded, Course: b.Course, Result: b.Result, EvidenceRef: b.EvidenceRef}
	if !start.IsZero() {
		q.StartOn = &start
	}
	if !end.IsZero() {
		q.EndOn = &end
	}
	q, err := h.app.AddQualification(ctx(c), auth.ActorFrom(c), c.Param("id"), q)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, qualificationOut(q))
}

// attachEvidence takes the file as the raw body; its name comes from the Content-Disposition
// header or the ?name= parameter.
func (h *API) attachEvidence(c *gin.Context) {
	name := c.Query("name")
	if name == "" {
		name = "minh-chung"
	}
	ct := strings.TrimSpace(strings.Split(c.ContentType(), ";")[0])
	e, err := h.app.AttachEvidence(ctx(c), auth.ActorFrom(c), c.Param("id"), name, ct, c.Request.ContentLength, c.Request.Body)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.JSON(http.StatusOK, evidenceJSON{FileName: e.FileName, ContentType: e.ContentType, Size: e.Size, SHA256: e.SHA256})
}

func (h *API) evidence(c *gin.Context) {
	e, rc, err := h.app.OpenEvidence(ctx(c), auth.ActorFrom(c), c.Param("id"))
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	defer func() { _ = rc.Close() }()
	c.DataFromReader(http.StatusOK, e.Size, e.ContentType, rc, map[string]string{
		"Content-Disposition": `attachment; filename="` + strings.ReplaceAll(e.FileName, `"`, "") + `"`})
}

type levelJSON struct {
	Kind   string `json:"kind"`
	Code   string `json:"code"`
	Name   string `json:"name"`
	Rank   int    `json:"rank"`
	Tenant string `json:"tenant,omitempty"`
}

func (h *API) levels(c *gin.Context) {
	codes, err := h.app.Levels(ctx(c))
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	out := make([]levelJSON, len(codes))
	for i, l := range codes {
		out[i] = levelJSON{Kind: string(l.Kind), Code: l.Code, Name: l.Name, Rank: l.Rank, Tenant: l.Tenant}
	}
	c.JSON(http.StatusOK, gin.H{"levels": out})
}

func (h *API) addLevel(c *gin.Context) {
	var b levelJSON
	if err := httpapi.BindJSON(c, &b); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	l, err := h.app.AddLevel(ctx(c), auth.ActorFrom(c), domain.Level{Kind: domain.Kind(b.Kind), Code: b.Code, Name: b.Name, Rank: b.Rank})
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, levelJSON{Kind: string(l.Kind), Code: l.Code, Name: l.Name, Rank: l.Rank, Tenant: l.Tenant})
}

// ---- import and export

func format(c *gin.Context) (sheet.Format, error) {
	return sheet.ParseFormat("format", c.DefaultQuery("format", string(sheet.XLSX)))
}

func (h *API) importFile(c *gin.Context) {
	f, err := format(c)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	commit := c.Query("commit") == "true"
	rep, err := h.app.Import(ctx(c), auth.ActorFrom(c), app.Dataset(c.Param("dataset")), f, c.Request.Body, commit)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	status := http.StatusOK
	if rep.Committed {
		status = http.StatusCreated
	}
	c.JSON(status, rep)
}

func (h *API) exportFile(c *gin.Context) {
	f, err := format(c)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	on, err := queryDate(c, "on")
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	ds := app.Dataset(c.Param("dataset"))
	// Written to a buffer first: an error half-way must still be answered as problem+json.
	var buf bytes.Buffer
	if err := h.app.Export(ctx(c), auth.ActorFrom(c), ds, f, on, &buf); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+string(ds)+`.`+string(f)+`"`)
	c.Data(http.StatusOK, f.ContentType(), buf.Bytes())
}

// ---- statistics

type shareJSON struct {
	Level   string  `json:"level"`
	Name    string  `json:"name"`
	Rank    int     `json:"rank"`
	Count   int     `json:"count"`
	Percent float64 `json:"percent"`
}

type statisticsJSON struct {
	Tenant     string                 `json:"tenant"`
	UnitID     string                 `json:"unit_id,omitempty"`
	On         string                 `json:"on"`
	Headcount  int                    `json:"headcount"`
	ByCategory map[string]int         `json:"by_category"`
	AtOrAbove  map[string][]shareJSON `json:"at_or_above"`
	Trainings  int                    `json:"trainings_last_12_months"`
}

func statisticsOut(s domain.Statistics) statisticsJSON {
	out := statisticsJSON{Tenant: s.Tenant, UnitID: s.UnitID, On: date(s.On), Headcount: s.Headcount, ByCategory: map[string]int{},
		AtOrAbove: map[string][]shareJSON{}, Trainings: s.Trainings}
	for k, n := range s.ByCategory {
		out.ByCategory[string(k)] = n
	}
	for _, ks := range s.Levels {
		shares := make([]shareJSON, len(ks.Shares))
		for i, sh := range ks.Shares {
			shares[i] = shareJSON{Level: sh.Code, Name: sh.Name, Rank: sh.Rank, Count: sh.Count, Percent: sh.Percent}
		}
		out.AtOrAbove[string(ks.Kind)] = shares
	}
	return out
}

func (h *API) statistics(c *gin.Context) {
	on, err := queryDate(c, "on")
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	s, err := h.app.Statistics(ctx(c), auth.ActorFrom(c), c.Query("tenant"), c.Query("unit_id"), on)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.JSON(http.StatusOK, statisticsOut(s))
}

func (h *API) change(c *gin.Context) {
	from, err1 := queryDate(c, "from")
	to, err2 := queryDate(c, "to")
	if err := firstErr(err1, err2); err != nil {
		httpapi.RespondError(c, err)
		return
	}
	if from.IsZero() || to.IsZero() {
		httpapi.RespondError(c, apperr.Malformed("from", "from and to are required dates"))
		return
	}
	ch, err := h.app.Change(ctx(c), auth.ActorFrom(c), c.Query("tenant"), c.Query("unit_id"), from, to)
	if err != nil {
		httpapi.RespondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"from": statisticsOut(ch.From), "to": statisticsOut(ch.To), "hired": ch.Hired, "moved": ch.Moved,
		"left": ch.Left, "headcount_change": ch.Headcount})
}
