// Package pages is the clerks' web pages in the platform shell, in Vietnamese or English (i18n): the registers,
// registering a document with its file, sending it to other units, a document's and a record
// file's pages (files, versions, retention, access log) and the fixity alerts.
package pages

import (
	"embed"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/archives/internal/app"
	"egov.vn/platform/services/archives/internal/domain"
	"egov.vn/platform/services/archives/internal/ports/api"
)

//go:embed templates
var templates embed.FS

// Pages holds the page handlers.
type Pages struct {
	app     *app.App
	shell   *web.Shell
	prefix  string
	tenants *auth.Directory
}

// Title is the service's name as clerks know it, in the shell's header and the browser tab.
const Title = "Văn thư – Lưu trữ"

// Templates are the archives' page templates, for the shell (bootstrap.NewWeb).
func Templates() fs.FS {
	sub, err := fs.Sub(templates, "templates")
	if err != nil {
		panic(err) // the folder is embedded above: it is always there
	}
	return sub
}

// New returns the pages; tenants (may be nil) names the clerk's unit in the header.
func New(a *app.App, shell *web.Shell, prefix string, tenants *auth.Directory) *Pages {
	return &Pages{app: a, shell: shell, prefix: prefix, tenants: tenants}
}

// Routes mounts the pages on r, whose requests are signed in, CSRF-protected and carry the actor
// and its tenant scope (bootstrap.Web.Pages with the app's Scope). A document's form may carry
// a file of up to uploadLimit bytes with it; the shell applies that limit before its CSRF check
// reads the form.
func (p *Pages) Routes(r gin.IRouter, uploadLimit int64) {
	r.Use(p.viewer)
	r.GET("/", p.registers)
	r.GET("/documents/new", p.newDocument)
	p.shell.PostUpload(r, "/documents", uploadLimit, p.register)
	r.GET("/documents/:id", p.document)
	p.shell.PostUpload(r, "/documents/:id/files", uploadLimit, p.addFile)
	r.POST("/documents/:id/send", p.send)
	r.POST("/documents/:id/read", p.markRead)
	r.POST("/documents/:id/record", p.fileDocument)
	r.POST("/documents/:id/legal-hold", p.legalHold)
	r.POST("/documents/:id/grants", p.grant)
	r.POST("/documents/:id/grants/revoke", p.revokeGrant)
	r.GET("/access-log", p.accessLog)
	r.GET("/files/:id/content", p.download)
	r.GET("/records", p.records)
	r.POST("/records", p.createRecord)
	r.GET("/records/:id", p.record)
	r.GET("/fixity", p.fixity)
}

// viewer shows the person's role and unit in the shell's header, as the other services' pages
// do: a commune's clerk who moves from the one-stop shop to the registers stays in "UBND xã …",
// not in a nameless platform.
func (p *Pages) viewer(c *gin.Context) {
	role := ""
	if auth.ActorFrom(c).Has(platform.RoleArchiveClerk) {
		role = p.shell.Translator(c).T("role.archive.clerk")
	}
	auth.SetViewer(c, p.tenants, role)
	c.Next()
}

// fail shows an error the person can act on with the shell's one error page (web.Shell.Fail);
// only a refusal says more here, since the archives know which role is missing. Field errors go
// back to the form instead (formErrors).
func (p *Pages) fail(c *gin.Context, err error) {
	if apperr.KindOf(err) == apperr.KindForbidden {
		tr := p.shell.Translator(c)
		p.shell.RenderError(c, http.StatusForbidden, tr.T("web.forbidden.title"), tr.T("fail.forbidden"))
		return
	}
	p.shell.Fail(c, err)
}

// formErrors moves an invalid-input error's fields onto the form, in the page's language; it
// reports whether it did.
func formErrors(tr web.Translator, form *web.Form, err error) bool {
	e := apperr.As(err)
	if e == nil || e.Kind != apperr.KindInvalid || len(e.Fields) == 0 {
		return false
	}
	for _, f := range e.Fields {
		form.Errors.Add(f.Field, tr.FieldReason(e, f))
	}
	return true
}

type registersData struct {
	Direction string
	Register  string
	Year      int
	Query     string
	Documents []domain.Document
}

func (p *Pages) registers(c *gin.Context) {
	dir := domain.Direction(c.DefaultQuery("direction", string(domain.Outgoing)))
	if !dir.Valid() {
		dir = domain.Outgoing
	}
	year, _ := strconv.Atoi(c.Query("year"))
	if year == 0 {
		year = time.Now().In(domain.Vietnam).Year()
	}
	q := c.Query("q")
	docs, err := p.app.Documents(c.Request.Context(), auth.ActorFrom(c), domain.DocumentQuery{Direction: dir, Year: year, Text: q, Limit: 200})
	if err != nil {
		p.fail(c, err)
		return
	}
	tr := p.shell.Translator(c)
	p.shell.Render(c, http.StatusOK, web.Page{Title: tr.T("reg.title", tr.T("direction."+string(dir)), year), Content: "registers",
		Data: registersData{Direction: string(dir), Register: dir.Name(), Year: year, Query: q, Documents: docs}})
}

type formData struct {
	Direction  string
	Types      []web.Option
	Priorities []web.Option
	Securities []web.Option
	Records    []web.Option
}

func (p *Pages) formData(c *gin.Context, dir string) formData {
	fd := formData{Direction: dir}
	for _, t := range domain.DocumentTypes() {
		fd.Types = append(fd.Types, web.Option{Value: t.Code, Label: t.Name})
	}
	tr := p.shell.Translator(c)
	for _, l := range domain.Priorities() {
		fd.Priorities = append(fd.Priorities, web.Option{Value: l.Code, Label: tr.T("priority." + l.Code)})
	}
	for _, l := range domain.SecurityLevels() {
		fd.Securities = append(fd.Securities, web.Option{Value: l.Code, Label: tr.T("security." + l.Code)})
	}
	if recs, err := p.app.Records(c.Request.Context(), auth.ActorFrom(c), domain.RecordQuery{Limit: 200}); err == nil {
		for _, r := range recs {
			fd.Records = append(fd.Records, web.Option{Value: r.ID, Label: r.FileCode + " – " + r.Title})
		}
	}
	return fd
}

func (p *Pages) newDocument(c *gin.Context) {
	dir := c.DefaultQuery("direction", string(domain.Outgoing))
	if !domain.Direction(dir).Valid() {
		dir = string(domain.Outgoing)
	}
	form := web.NewForm(nil).Set("direction", dir).Set("language", "vi").Set("pages", "1").Set("priority", "thuong").Set("security", "thuong").
		Set("issued_date", time.Now().In(domain.Vietnam).Format(domain.DateLayout))
	p.renderForm(c, http.StatusOK, dir, form)
}

func (p *Pages) renderForm(c *gin.Context, status int, dir string, form *web.Form) {
	title := p.shell.Translator(c).T("form.title." + dir)
	p.shell.Render(c, status, web.Page{Title: title, Content: "document_form", Form: form, Data: p.formData(c, dir)})
}

// readUpload reads a multipart form whose file comes last. When the CSRF check travelled in a
// header (htmx), the body is still unread and is streamed: fields first, then the file straight
// to MinIO. A plain form post had its body parsed by the CSRF check already (net/http spools
// large files to disk); the file is then read from there.
func readUpload(c *gin.Context) (url.Values, *app.Upload, func(), error) {
	noop := func() {}
	if mf := c.Request.MultipartForm; mf != nil {
		values := url.Values(mf.Value)
		fh := mf.File["file"]
		if len(fh) == 0 || fh[0].Filename == "" {
			return values, nil, noop, nil
		}
		f, err := fh[0].Open()
		if err != nil {
			return nil, nil, noop, err
		}
		return values, &app.Upload{Name: fh[0].Filename, Body: f}, func() { _ = f.Close() }, nil
	}
	mr, err := api.MultipartReader(c.Request)
	if err != nil {
		return nil, nil, noop, apperr.Malformed("", "biểu mẫu phải gửi dạng multipart/form-data")
	}
	values := url.Values{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return values, nil, noop, nil
		}
		if err != nil {
			return nil, nil, noop, apperr.Malformed("file", "biểu mẫu bị cắt ngang")
		}
		if part.DispositionErr() != nil {
			return nil, nil, noop, apperr.Malformed("file", "biểu mẫu có phần không đọc được; hãy tải lại trang và gửi lại")
		}
		if part.FormName() == "file" {
			if part.FileName() == "" {
				continue
			}
			return values, &app.Upload{Name: part.FileName(), Body: part}, noop, nil
		}
		b, err := io.ReadAll(io.LimitReader(part, 64<<10))
		if err != nil {
			return nil, nil, noop, err
		}
		values.Add(part.FormName(), string(b))
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

// redirect sends the browser on after a successful post; htmx requests get HX-Redirect.
func (p *Pages) redirect(c *gin.Context, path string) {
	if c.GetHeader("HX-Request") == "true" {
		c.Header("HX-Redirect", p.prefix+path)
		c.Status(http.StatusNoContent)
		return
	}
	c.Redirect(http.StatusSeeOther, p.prefix+path)
}

// invalidStatus: htmx swaps only 2xx answers, so a form with errors goes back to it as 200.
func invalidStatus(c *gin.Context) int {
	if c.GetHeader("HX-Request") == "true" {
		return http.StatusOK
	}
	return http.StatusUnprocessableEntity
}

func (p *Pages) register(c *gin.Context) {
	values, up, done, err := readUpload(c)
	defer done()
	if err != nil {
		p.fail(c, err)
		return
	}
	form := web.NewForm(values)
	in := api.FormDocument(values)
	d, err := api.DocumentInput(in)
	if err == nil {
		d, err = p.app.Register(c.Request.Context(), auth.ActorFrom(c), d, up)
	}
	if err != nil {
		if formErrors(p.shell.Translator(c), form, err) {
			p.renderForm(c, invalidStatus(c), in.Direction, form)
			return
		}
		p.fail(c, err)
		return
	}
	tr := p.shell.Translator(c)
	p.shell.AddFlash(c, web.FlashSuccess, tr.T("flash.registered", d.Number, strings.ToLower(tr.T("direction."+string(d.Direction)))))
	p.redirect(c, "/documents/"+d.ID)
}

type fileRow struct {
	domain.StoredFile
	Version int
	Size    string
}

type documentData struct {
	View       app.DocumentView
	Files      []fileRow
	Own        bool
	Clerk      bool
	Unread     bool
	Recipients []app.Tenant
	Records    []web.Option
	Held       bool
	Retention  string
}

func (p *Pages) document(c *gin.Context) {
	v, err := p.app.Document(c.Request.Context(), auth.ActorFrom(c), c.Param("id"), c.ClientIP())
	if err != nil {
		p.fail(c, err)
		return
	}
	who := auth.ActorFrom(c)
	data := documentData{View: v, Own: v.Document.Tenant == string(who.Tenant), Clerk: who.Has(platform.RoleArchiveClerk),
		Unread: v.Document.FromTenant != "" && v.Document.ReadAt == nil}
	versions := map[string]int{}
	for _, f := range v.Files {
		versions[f.Key]++
		data.Files = append(data.Files, fileRow{StoredFile: f, Version: versions[f.Key], Size: humanSize(f.Size)})
		data.Held = data.Held || f.LegalHold
	}
	if v.Record != nil {
		data.Retention = retention(p.shell.Translator(c), v.Record.Retention)
	}
	if v.Document.Direction == domain.Outgoing {
		data.Recipients, _ = p.app.Recipients(c.Request.Context(), auth.ActorFrom(c))
	}
	data.Records = p.formData(c, "").Records
	p.shell.Render(c, http.StatusOK, web.Page{Title: v.Document.TypeName() + " " + v.Document.Notation(), Content: "document", Data: data})
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return web.FormatDecimal(float64(n)/(1<<30), 1) + " GiB"
	case n >= 1<<20:
		return web.FormatDecimal(float64(n)/(1<<20), 1) + " MiB"
	case n >= 1<<10:
		return web.FormatDecimal(float64(n)/(1<<10), 1) + " KiB"
	}
	return web.FormatInt(n) + " B"
}

func (p *Pages) addFile(c *gin.Context) {
	values, up, done, err := readUpload(c)
	defer done()
	if err == nil && up == nil {
		err = apperr.Invalid("file", "Chưa chọn tệp")
	}
	if err == nil {
		_, err = p.app.AddFile(c.Request.Context(), auth.ActorFrom(c), c.Param("id"), values.Get("version_of"), *up)
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	p.shell.AddFlash(c, web.FlashSuccess, p.shell.Translator(c).T("flash.file_saved", up.Name))
	p.redirect(c, "/documents/"+c.Param("id"))
}

func (p *Pages) send(c *gin.Context) {
	recipients := c.PostFormArray("recipients")
	for _, s := range strings.Split(c.PostForm("other"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			recipients = append(recipients, s)
		}
	}
	ds, err := p.app.Send(c.Request.Context(), auth.ActorFrom(c), c.Param("id"), recipients)
	if err != nil {
		p.fail(c, err)
		return
	}
	p.shell.AddFlash(c, web.FlashSuccess, p.shell.Translator(c).T("flash.sent", len(ds)))
	p.redirect(c, "/documents/"+c.Param("id"))
}

func (p *Pages) markRead(c *gin.Context) {
	if err := p.app.MarkRead(c.Request.Context(), auth.ActorFrom(c), c.Param("id")); err != nil {
		p.fail(c, err)
		return
	}
	p.shell.AddFlash(c, web.FlashSuccess, p.shell.Translator(c).T("flash.read"))
	p.redirect(c, "/documents/"+c.Param("id"))
}

func (p *Pages) fileDocument(c *gin.Context) {
	if err := p.app.FileDocument(c.Request.Context(), auth.ActorFrom(c), c.Param("id"), c.PostForm("record_id")); err != nil {
		p.fail(c, err)
		return
	}
	p.shell.AddFlash(c, web.FlashSuccess, p.shell.Translator(c).T("flash.filed"))
	p.redirect(c, "/documents/"+c.Param("id"))
}

func (p *Pages) legalHold(c *gin.Context) {
	on := c.PostForm("on") == "true"
	if err := p.app.SetLegalHold(c.Request.Context(), auth.ActorFrom(c), c.Param("id"), on); err != nil {
		p.fail(c, err)
		return
	}
	msg := "flash.hold_off"
	if on {
		msg = "flash.hold_on"
	}
	p.shell.AddFlash(c, web.FlashSuccess, p.shell.Translator(c).T(msg))
	p.redirect(c, "/documents/"+c.Param("id"))
}

func (p *Pages) grant(c *gin.Context) {
	_, err := p.app.Grant(c.Request.Context(), auth.ActorFrom(c), c.Param("id"), c.PostForm("subject"), c.PostForm("name"))
	if err != nil {
		p.fail(c, err)
		return
	}
	p.shell.AddFlash(c, web.FlashSuccess, p.shell.Translator(c).T("flash.granted"))
	p.redirect(c, "/documents/"+c.Param("id"))
}

func (p *Pages) revokeGrant(c *gin.Context) {
	if err := p.app.RevokeGrant(c.Request.Context(), auth.ActorFrom(c), c.Param("id"), c.PostForm("subject")); err != nil {
		p.fail(c, err)
		return
	}
	p.shell.AddFlash(c, web.FlashSuccess, p.shell.Translator(c).T("flash.revoked"))
	p.redirect(c, "/documents/"+c.Param("id"))
}

func (p *Pages) accessLog(c *gin.Context) {
	list, err := p.app.UnitAccessLog(c.Request.Context(), auth.ActorFrom(c), 500, 0)
	if err != nil {
		p.fail(c, err)
		return
	}
	p.shell.Render(c, http.StatusOK, web.Page{Title: p.shell.Translator(c).T("access.title"), Content: "access_log", Data: list})
}

func (p *Pages) download(c *gin.Context) {
	f, body, err := p.app.Download(c.Request.Context(), auth.ActorFrom(c), c.Param("id"), c.ClientIP())
	if err != nil {
		p.fail(c, err)
		return
	}
	defer func() { _ = body.Close() }()
	c.Header("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Cache-Control", "private, no-store")
	c.DataFromReader(http.StatusOK, f.Size, f.ContentType, body, nil)
}

type recordsData struct {
	Records []domain.RecordFile
	Query   string
	Rights  []web.Option
}

func (p *Pages) records(c *gin.Context) {
	p.renderRecords(c, http.StatusOK, web.NewForm(nil).Set("rights", "cong-khai").Set("start_date", time.Now().In(domain.Vietnam).Format(domain.DateLayout)))
}

func (p *Pages) renderRecords(c *gin.Context, status int, form *web.Form) {
	q := c.Query("q")
	list, err := p.app.Records(c.Request.Context(), auth.ActorFrom(c), domain.RecordQuery{Text: q, Limit: 200})
	if err != nil {
		p.fail(c, err)
		return
	}
	tr := p.shell.Translator(c)
	var rights []web.Option
	for _, r := range domain.RightsList() {
		rights = append(rights, web.Option{Value: r.Code, Label: tr.T("rights." + r.Code)})
	}
	p.shell.Render(c, status, web.Page{Title: tr.T("records.title"), Content: "records", Form: form, Data: recordsData{Records: list, Query: q, Rights: rights}})
}

func (p *Pages) createRecord(c *gin.Context) {
	form := web.NewForm(c.Request.PostForm)
	var errs apperr.FieldErrors
	r := domain.RecordFile{FileCode: c.PostForm("file_code"), Title: c.PostForm("title"), Rights: domain.Rights(c.PostForm("rights")), Creator: c.PostForm("creator")}
	switch ret := strings.TrimSpace(c.PostForm("retention")); ret {
	case "vinh-vien":
		r.Retention.Permanent = true
	default:
		r.Retention.Years = atoi(ret)
	}
	var start *time.Time
	domain.ParseDate(&errs, "start_date", "Ngày bắt đầu", c.PostForm("start_date"), &start)
	if start != nil {
		r.StartDate = *start
	}
	domain.ParseDate(&errs, "end_date", "Ngày kết thúc", c.PostForm("end_date"), &r.EndDate)
	err := errs.Err()
	if err == nil {
		r, err = p.app.CreateRecord(c.Request.Context(), auth.ActorFrom(c), r)
	}
	if err != nil {
		if formErrors(p.shell.Translator(c), form, err) {
			p.renderRecords(c, http.StatusUnprocessableEntity, form)
			return
		}
		p.fail(c, err)
		return
	}
	p.shell.AddFlash(c, web.FlashSuccess, p.shell.Translator(c).T("flash.record_created", r.FileCode))
	p.redirect(c, "/records/"+r.ID)
}

type recordData struct {
	View        app.RecordView
	RetainUntil time.Time
}

func (p *Pages) record(c *gin.Context) {
	v, err := p.app.Record(c.Request.Context(), auth.ActorFrom(c), c.Param("id"))
	if err != nil {
		p.fail(c, err)
		return
	}
	p.shell.Render(c, http.StatusOK, web.Page{Title: p.shell.Translator(c).T("record.page_title", v.Record.FileCode), Content: "record",
		Data: recordData{View: v, RetainUntil: v.Record.RetainUntil(time.Now())}})
}

func (p *Pages) fixity(c *gin.Context) {
	alerts, err := p.app.Alerts(c.Request.Context(), auth.ActorFrom(c))
	if err != nil {
		p.fail(c, err)
		return
	}
	p.shell.Render(c, http.StatusOK, web.Page{Title: p.shell.Translator(c).T("fixity.title"), Content: "fixity", Data: alerts})
}

// retention is a record's retention period as the page's language says it.
func retention(tr web.Translator, r domain.RetentionClass) string {
	if r.Permanent {
		return tr.T("retention.permanent")
	}
	return tr.T("retention.years", r.Years)
}
