package pages

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/sheet"
	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/hr/internal/app"
	"egov.vn/platform/services/hr/internal/domain"
)

// maxEvidence bounds the qualification forms' body: the app takes a scan of up to 20 MB, plus the
// form's few text fields.
const maxEvidence = 20<<20 + 64<<10

// formRoutes adds the HR officer's forms: hire, move, leave, rehire, qualification and training
// (each with its evidence), the evidence download and the import templates.
func (p *Pages) formRoutes(g gin.IRouter) {
	g.GET("/staff/new", p.hireForm)
	g.POST("/staff", p.hire)
	g.GET("/staff/:id/edit", p.editForm)
	g.POST("/staff/:id/edit", p.edit)
	g.GET("/staff/:id/move", p.moveForm)
	g.POST("/staff/:id/move", p.move)
	g.GET("/staff/:id/rehire", p.moveForm)
	g.POST("/staff/:id/rehire", p.move)
	g.GET("/staff/:id/leave", p.leaveForm)
	g.POST("/staff/:id/leave", p.leave)
	g.GET("/staff/:id/qualifications/new", p.qualificationForm)
	g.GET("/staff/:id/trainings/new", p.trainingForm)
	p.shell.PostUpload(g, "/staff/:id/qualifications", maxEvidence, p.addQualification)
	g.GET("/qualifications/:qid/evidence", p.evidence)
	g.GET("/staff/:id/qualifications/:qid/evidence", p.evidenceForm)
	p.shell.PostUpload(g, "/staff/:id/qualifications/:qid/evidence", maxEvidence, p.attachEvidence)
	g.GET("/import/template", p.importTemplate)
}

// ---- sub-navigation

type navLink struct {
	Label, Href string
	Current     bool
}

type subnav struct {
	CSS   string
	Links []navLink
}

// render shows an HR page with the sub-navigation (section is the current entry).
func (p *Pages) render(c *gin.Context, status int, section string, page web.Page) {
	if m, ok := page.Data.(map[string]any); ok {
		m["Nav"] = p.subnav(c, section)
	}
	p.shell.Render(c, status, page)
}

func (p *Pages) subnav(c *gin.Context, section string) subnav {
	officer := domain.ManagesStaff(auth.ActorFrom(c))
	n := subnav{CSS: p.assetURL("hr.css")}
	tr := p.shell.Translator(c)
	add := func(key, href string) {
		n.Links = append(n.Links, navLink{Label: tr.T("nav." + key), Href: p.prefix + href, Current: key == section})
	}
	add("staff", "/staff")
	if officer {
		add("hire", "/staff/new")
	}
	add("units", "/units")
	add("statistics", "/statistics")
	if officer {
		add("import", "/import")
	}
	return n
}

// officer answers 403 to anyone without the HR officer role: they are not offered the forms,
// and a form posted anyway is refused here before anything is read.
func (p *Pages) officer(c *gin.Context) bool {
	if domain.ManagesStaff(auth.ActorFrom(c)) {
		return true
	}
	p.shell.Fail(c, apperr.Forbidden(p.shell.Translator(c).T("err.officer_only")))
	return false
}

// fields collects what a form's values cannot be (before the app sees them), by field, in the
// page's language.
type fields struct {
	errs web.FormErrors
	tr   web.Translator
}

func (f *fields) add(name, msg string) {
	if f.errs == nil {
		f.errs = web.FormErrors{}
	}
	f.errs.Add(name, msg)
}

// date reads an optional date field; blank gives def.
func (f *fields) date(v url.Values, name string, def time.Time) time.Time {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return def
	}
	d, err := domain.ParseDate(s)
	switch {
	case errors.Is(err, domain.ErrDateTooEarly):
		f.add(name, f.tr.T("err.date.too_early"))
	case err != nil:
		f.add(name, f.tr.T("err.date"))
	}
	return d
}

func (f *fields) datePtr(v url.Values, name string) *time.Time {
	d := f.date(v, name, time.Time{})
	if d.IsZero() {
		return nil
	}
	return &d
}

func (f *fields) step(v url.Values) int {
	s := strings.TrimSpace(v.Get("step"))
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f.add("step", f.tr.T("err.step"))
	}
	return n
}

// failForm shows the form again with what was typed and the errors by field; an error that is
// not about the input (403, 404, 500) gets the shell's error page.
func (p *Pages) failForm(c *gin.Context, err error, values url.Values, again func(*web.Form)) {
	fe, other := formErrors(p.shell.Translator(c), err)
	if other != nil {
		p.shell.Fail(c, other)
		return
	}
	form := web.NewForm(values)
	form.Errors = fe
	again(form)
}

func (p *Pages) renderForm(c *gin.Context, status int, section, title, content string, form *web.Form, data map[string]any) {
	p.render(c, status, section, web.Page{Title: title, Content: content, Form: form, Data: data})
}

// ---- hire

func genders(tr web.Translator) []web.Option {
	return []web.Option{{Value: string(domain.Male), Label: tr.T("gender.male")}, {Value: string(domain.Female), Label: tr.T("gender.female")}}
}

func (p *Pages) hireForm(c *gin.Context) {
	if !p.officer(c) {
		return
	}
	p.renderHire(c, http.StatusOK, web.NewForm(nil).Set("effective_on", web.DateInput(p.today())))
}

func (p *Pages) renderHire(c *gin.Context, status int, form *web.Form) {
	units, _, err := p.unitOptions(c)
	if err != nil {
		p.shell.Fail(c, err)
		return
	}
	tr := p.shell.Translator(c)
	p.renderForm(c, status, "hire", tr.T("hire.title"), "hire", form, map[string]any{
		"Units": units, "Categories": categoryOptions(tr), "Genders": genders(tr)})
}

func (p *Pages) hire(c *gin.Context) {
	if !p.officer(c) {
		return
	}
	_ = c.Request.ParseForm()
	v := c.Request.PostForm
	f := fields{tr: p.shell.Translator(c)}
	in := staffInput(&f, v)
	as := app.AssignmentInput{UnitID: v.Get("unit_id"), Position: v.Get("position"), Rank: v.Get("rank"), Step: f.step(v),
		EffectiveOn: f.date(v, "effective_on", p.today())}
	if f.errs != nil {
		form := web.NewForm(v)
		form.Errors = f.errs
		p.renderHire(c, http.StatusUnprocessableEntity, form)
		return
	}
	pr, err := p.app.Hire(c.Request.Context(), auth.ActorFrom(c), in, as)
	if err != nil {
		p.failForm(c, err, v, func(form *web.Form) { p.renderHire(c, http.StatusUnprocessableEntity, form) })
		return
	}
	p.shell.AddFlash(c, web.FlashSuccess, f.tr.T("flash.hired", pr.Staff.FullName, web.FormatDate(as.EffectiveOn)))
	c.Redirect(http.StatusSeeOther, p.prefix+"/staff/"+pr.Staff.ID)
}

// ---- correcting a person's own data

// staffInput reads the personal fields the hire and correction forms share.
func staffInput(f *fields, v url.Values) app.StaffInput {
	return app.StaffInput{FullName: v.Get("full_name"), BirthDate: f.date(v, "birth_date", time.Time{}), Gender: domain.Gender(v.Get("gender")),
		CCCD: v.Get("cccd"), Category: domain.Category(v.Get("category")),
		Contacts: domain.Contacts{Phone: v.Get("phone"), Email: v.Get("email"), Address: v.Get("address")}}
}

func (p *Pages) editForm(c *gin.Context) {
	if !p.officer(c) {
		return
	}
	pr, ok := p.person(c)
	if !ok {
		return
	}
	st := pr.Staff
	form := web.NewForm(url.Values{"full_name": {st.FullName}, "birth_date": {web.DateInput(st.BirthDate)}, "gender": {string(st.Gender)},
		"cccd": {st.CCCD}, "category": {string(st.Category)}, "phone": {st.Contacts.Phone}, "email": {st.Contacts.Email}, "address": {st.Contacts.Address}})
	p.renderEdit(c, http.StatusOK, pr, form)
}

func (p *Pages) renderEdit(c *gin.Context, status int, pr app.Profile, form *web.Form) {
	tr := p.shell.Translator(c)
	p.renderForm(c, status, "staff", tr.T("edit.title", pr.Staff.FullName), "hire", form, map[string]any{
		"Edit": true, "Staff": pr.Staff, "Categories": categoryOptions(tr), "Genders": genders(tr)})
}

// edit corrects the person's own data; the link to their sign-in account is not on the form and
// is kept as it is.
func (p *Pages) edit(c *gin.Context) {
	if !p.officer(c) {
		return
	}
	pr, ok := p.person(c)
	if !ok {
		return
	}
	_ = c.Request.ParseForm()
	v := c.Request.PostForm
	f := fields{tr: p.shell.Translator(c)}
	in := staffInput(&f, v)
	in.UserSubject = pr.Staff.UserSubject
	again := func(form *web.Form) { p.renderEdit(c, http.StatusUnprocessableEntity, pr, form) }
	if f.errs != nil {
		form := web.NewForm(v)
		form.Errors = f.errs
		again(form)
		return
	}
	if _, err := p.app.UpdateStaff(c.Request.Context(), auth.ActorFrom(c), pr.Staff.ID, in); err != nil {
		p.failForm(c, err, v, again)
		return
	}
	p.shell.AddFlash(c, web.FlashSuccess, f.tr.T("flash.edited"))
	c.Redirect(http.StatusSeeOther, p.prefix+"/staff/"+pr.Staff.ID)
}

// ---- move and leave

// person loads the profile a form is about, for its title and current post.
func (p *Pages) person(c *gin.Context) (app.Profile, bool) {
	pr, err := p.app.Profile(c.Request.Context(), auth.ActorFrom(c), c.Param("id"))
	if err != nil {
		p.shell.Fail(c, err)
		return pr, false
	}
	return pr, true
}

// rehiring says whether the move form serves a rehire (someone who left comes back) rather than
// a move: the same fields, another command and other words.
func rehiring(c *gin.Context) bool { return strings.HasSuffix(c.FullPath(), "/rehire") }

func (p *Pages) moveForm(c *gin.Context) {
	if !p.officer(c) {
		return
	}
	p.renderMove(c, http.StatusOK, web.NewForm(nil).Set("effective_on", web.DateInput(p.today())))
}

func (p *Pages) renderMove(c *gin.Context, status int, form *web.Form) {
	pr, ok := p.person(c)
	if !ok {
		return
	}
	units, names, err := p.unitOptions(c)
	if err != nil {
		p.shell.Fail(c, err)
		return
	}
	tr := p.shell.Translator(c)
	data := map[string]any{"Staff": pr.Staff, "Units": units, "Rehire": rehiring(c)}
	title := tr.T("move.title", pr.Staff.FullName)
	if rehiring(c) {
		title = tr.T("rehire.title", pr.Staff.FullName)
	}
	if pr.Current != nil {
		data["Current"] = tr.T("move.current", names[pr.Current.UnitID], pr.Current.Position, web.FormatDate(pr.Current.From))
	}
	p.renderForm(c, status, "staff", title, "move", form, data)
}

func (p *Pages) move(c *gin.Context) {
	if !p.officer(c) {
		return
	}
	_ = c.Request.ParseForm()
	v := c.Request.PostForm
	f := fields{tr: p.shell.Translator(c)}
	in := app.AssignmentInput{UnitID: v.Get("unit_id"), Position: v.Get("position"), Rank: v.Get("rank"), Step: f.step(v),
		EffectiveOn: f.date(v, "effective_on", p.today())}
	again := func(form *web.Form) { p.renderMove(c, http.StatusUnprocessableEntity, form) }
	if f.errs != nil {
		form := web.NewForm(v)
		form.Errors = f.errs
		again(form)
		return
	}
	ctx, actor := c.Request.Context(), auth.ActorFrom(c)
	var err error
	done := "flash.moved"
	if rehiring(c) {
		_, err = p.app.Rehire(ctx, actor, c.Param("id"), in)
		done = "flash.rehired"
	} else {
		_, err = p.app.Move(ctx, actor, c.Param("id"), in)
	}
	if err != nil {
		p.failForm(c, err, v, again)
		return
	}
	p.shell.AddFlash(c, web.FlashSuccess, f.tr.T(done, web.FormatDate(in.EffectiveOn)))
	c.Redirect(http.StatusSeeOther, p.prefix+"/staff/"+c.Param("id"))
}

func (p *Pages) leaveForm(c *gin.Context) {
	if !p.officer(c) {
		return
	}
	p.renderLeave(c, http.StatusOK, web.NewForm(nil).Set("effective_on", web.DateInput(p.today())))
}

var leaveReasons = []string{"Nghỉ hưu", "Chuyển công tác", "Thôi việc theo nguyện vọng", "Hết hạn hợp đồng", "Kỷ luật buộc thôi việc"}

func (p *Pages) renderLeave(c *gin.Context, status int, form *web.Form) {
	pr, ok := p.person(c)
	if !ok {
		return
	}
	p.renderForm(c, status, "staff", p.shell.Translator(c).T("leave.title", pr.Staff.FullName), "leave", form, map[string]any{"Staff": pr.Staff, "Reasons": leaveReasons})
}

func (p *Pages) leave(c *gin.Context) {
	if !p.officer(c) {
		return
	}
	_ = c.Request.ParseForm()
	v := c.Request.PostForm
	f := fields{tr: p.shell.Translator(c)}
	on := f.date(v, "effective_on", p.today())
	again := func(form *web.Form) { p.renderLeave(c, http.StatusUnprocessableEntity, form) }
	if f.errs != nil {
		form := web.NewForm(v)
		form.Errors = f.errs
		again(form)
		return
	}
	if err := p.app.Leave(c.Request.Context(), auth.ActorFrom(c), c.Param("id"), on, v.Get("reason")); err != nil {
		p.failForm(c, err, v, again)
		return
	}
	p.shell.AddFlash(c, web.FlashSuccess, f.tr.T("flash.left", web.FormatDate(on)))
	c.Redirect(http.StatusSeeOther, p.prefix+"/staff/"+c.Param("id"))
}

// ---- qualifications and trainings

// levelOptions offers every graded level as "kind:code", labelled "Chuyên môn – Thạc sĩ", so one
// list sets both the kind and the level.
func (p *Pages) levelOptions(c *gin.Context) ([]web.Option, error) {
	codes, err := p.app.Levels(c.Request.Context())
	if err != nil {
		return nil, err
	}
	tr := p.shell.Translator(c)
	var out []web.Option
	for _, k := range domain.Kinds {
		if !k.Graded() {
			continue
		}
		for _, l := range codes.Of(k) {
			out = append(out, web.Option{Value: string(k) + ":" + l.Code, Label: tr.T("qual_kind."+string(k)) + " – " + l.Name})
		}
	}
	return out, nil
}

func (p *Pages) qualificationForm(c *gin.Context) {
	if !p.officer(c) {
		return
	}
	p.renderQualification(c, http.StatusOK, false, web.NewForm(nil))
}

func (p *Pages) trainingForm(c *gin.Context) {
	if !p.officer(c) {
		return
	}
	p.renderQualification(c, http.StatusOK, true, web.NewForm(nil))
}

func (p *Pages) renderQualification(c *gin.Context, status int, training bool, form *web.Form) {
	pr, ok := p.person(c)
	if !ok {
		return
	}
	data := map[string]any{"Staff": pr.Staff, "Training": training}
	tr := p.shell.Translator(c)
	title, content := tr.T("qualification.title", pr.Staff.FullName), "qualification"
	if training {
		title, content = tr.T("training.title", pr.Staff.FullName), "training"
	} else {
		levels, err := p.levelOptions(c)
		if err != nil {
			p.shell.Fail(c, err)
			return
		}
		data["Levels"] = levels
	}
	p.renderForm(c, status, "staff", title, content, form, data)
}

// evidenceTypes are the scans the evidence store takes, by their sniffed type.
var evidenceTypes = map[string]bool{"application/pdf": true, "image/jpeg": true, "image/png": true}

// addQualification records a qualification or a training and then stores its evidence, if a
// file was chosen. The file is checked first (type by its content, not its name), so a wrong file
// leaves nothing half-recorded.
func (p *Pages) addQualification(c *gin.Context) {
	if !p.officer(c) {
		return
	}
	if err := c.Request.ParseMultipartForm(1 << 20); err != nil {
		p.shell.Fail(c, err)
		return
	}
	v := c.Request.PostForm
	training := v.Get("form") == "training"
	again := func(form *web.Form) { p.renderQualification(c, http.StatusUnprocessableEntity, training, form) }
	f := fields{tr: p.shell.Translator(c)}
	q := domain.Qualification{AwardingBody: v.Get("awarding_body"), AwardedOn: f.date(v, "awarded_on", time.Time{})}
	if training {
		q.Kind, q.Course, q.Result = domain.Training, v.Get("course"), v.Get("result")
		q.StartOn, q.EndOn = f.datePtr(v, "start_on"), f.datePtr(v, "end_on")
	} else {
		kind, level, _ := strings.Cut(v.Get("level"), ":")
		q.Kind, q.Level, q.Field, q.Language = domain.Kind(kind), level, v.Get("field"), v.Get("language")
		if v.Get("level") == "" {
			f.add("level", f.tr.T("err.level"))
		}
	}
	up, err := f.evidenceFile(c)
	if err != nil {
		p.shell.Fail(c, err)
		return
	}
	if up.reader != nil {
		defer func() { _ = up.file.Close() }()
	}
	if f.errs != nil {
		form := web.NewForm(v)
		form.Errors = f.errs
		again(form)
		return
	}
	ctx, actor := c.Request.Context(), auth.ActorFrom(c)
	added, err := p.app.AddQualification(ctx, actor, c.Param("id"), q)
	if err != nil {
		// The level list sets the kind; a kind error is about that list.
		if e := apperr.As(err); e != nil {
			for i := range e.Fields {
				if e.Fields[i].Field == "kind" {
					e.Fields[i].Field = "level"
				}
			}
		}
		p.failForm(c, err, v, again)
		return
	}
	what := f.tr.T("qualification.what")
	if training {
		what = f.tr.T("training.what", strings.TrimSpace(q.Course))
	}
	if up.reader != nil {
		if _, err := p.app.AttachEvidence(ctx, actor, added.ID, up.header.Filename, up.contentType, up.header.Size, up.reader); err != nil {
			// The qualification is kept; say plainly that its file is not.
			p.shell.AddFlash(c, web.FlashError, f.tr.T("flash.recorded_without_file", what))
			c.Redirect(http.StatusSeeOther, p.prefix+"/staff/"+c.Param("id"))
			return
		}
		what = f.tr.T("flash.with_file", what)
	}
	p.shell.AddFlash(c, web.FlashSuccess, f.tr.T("flash.recorded", what))
	c.Redirect(http.StatusSeeOther, p.prefix+"/staff/"+c.Param("id"))
}

// upload is a chosen evidence file, its type read from its content.
type upload struct {
	file        multipart.File
	header      *multipart.FileHeader
	contentType string
	reader      io.Reader // nil when no file was chosen
}

// evidenceFile reads the form's "file": none is fine (the caller decides), a wrong one is a field
// error; an error returned is not about the file (the request broke).
func (f *fields) evidenceFile(c *gin.Context) (upload, error) {
	file, fh, err := c.Request.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) {
		return upload{}, nil
	}
	if err != nil {
		return upload{}, err
	}
	up := upload{file: file, header: fh}
	up.contentType, up.reader = sniff(file)
	switch {
	case fh.Size == 0:
		f.add("file", f.tr.T("err.file_empty"))
	case !evidenceTypes[up.contentType]:
		f.add("file", f.tr.T("err.file_type"))
	case fh.Size > 20<<20:
		f.add("file", f.tr.T("err.file_size"))
	}
	return up, nil
}

func (p *Pages) evidenceForm(c *gin.Context) {
	if !p.officer(c) {
		return
	}
	p.renderEvidence(c, http.StatusOK, web.NewForm(nil))
}

// renderEvidence shows the upload form for one of the person's qualifications.
func (p *Pages) renderEvidence(c *gin.Context, status int, form *web.Form) {
	pr, ok := p.person(c)
	if !ok {
		return
	}
	for _, q := range pr.Qualifications {
		if q.ID != c.Param("qid") {
			continue
		}
		tr := p.shell.Translator(c)
		what := tr.T("qual_kind." + string(q.Kind))
		if q.Course != "" {
			what += ": " + q.Course
		} else if codes, err := p.app.Levels(c.Request.Context()); err == nil {
			if l, ok := codes.Find(q.Kind, q.Level); ok {
				what += " – " + l.Name
			}
		}
		p.renderForm(c, status, "staff", tr.T("evidence.title", pr.Staff.FullName), "evidence", form, map[string]any{
			"Staff": pr.Staff, "QualificationID": q.ID, "What": tr.T("evidence.what", what, web.FormatDate(q.AwardedOn)), "Replaces": q.Evidence != nil})
		return
	}
	p.shell.Fail(c, apperr.NotFound("qualification", c.Param("qid")))
}

// attachEvidence stores the scan of a qualification recorded earlier (or replaces its scan).
func (p *Pages) attachEvidence(c *gin.Context) {
	if !p.officer(c) {
		return
	}
	if err := c.Request.ParseMultipartForm(1 << 20); err != nil {
		p.shell.Fail(c, err)
		return
	}
	f := fields{tr: p.shell.Translator(c)}
	up, err := f.evidenceFile(c)
	if err != nil {
		p.shell.Fail(c, err)
		return
	}
	if up.reader == nil {
		f.add("file", f.tr.T("err.file_missing"))
	} else {
		defer func() { _ = up.file.Close() }()
	}
	again := func(form *web.Form) { p.renderEvidence(c, http.StatusUnprocessableEntity, form) }
	if f.errs != nil {
		form := web.NewForm(c.Request.PostForm)
		form.Errors = f.errs
		again(form)
		return
	}
	// The qualification must be this person's: the page's address names both.
	pr, ok := p.person(c)
	if !ok {
		return
	}
	if !slices.ContainsFunc(pr.Qualifications, func(q domain.Qualification) bool { return q.ID == c.Param("qid") }) {
		p.shell.Fail(c, apperr.NotFound("qualification", c.Param("qid")))
		return
	}
	if _, err := p.app.AttachEvidence(c.Request.Context(), auth.ActorFrom(c), c.Param("qid"), up.header.Filename, up.contentType, up.header.Size, up.reader); err != nil {
		p.failForm(c, err, c.Request.PostForm, again)
		return
	}
	p.shell.AddFlash(c, web.FlashSuccess, p.shell.Translator(c).T("flash.evidence_saved", up.header.Filename))
	c.Redirect(http.StatusSeeOther, p.prefix+"/staff/"+c.Param("id"))
}

// sniff reads the content type from the first bytes of r and returns a reader over all of r.
func sniff(r multipart.File) (string, io.Reader) {
	br := bufio.NewReaderSize(r, 512)
	head, _ := br.Peek(512)
	ct := http.DetectContentType(head)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return ct, br
}

func (p *Pages) evidence(c *gin.Context) {
	e, rc, err := p.app.OpenEvidence(c.Request.Context(), auth.ActorFrom(c), c.Param("qid"))
	if err != nil {
		p.shell.Fail(c, err)
		return
	}
	defer func() { _ = rc.Close() }()
	c.Header("Cache-Control", "private, no-store")
	c.DataFromReader(http.StatusOK, e.Size, e.ContentType, rc, map[string]string{
		"Content-Disposition": `attachment; filename="` + strings.ReplaceAll(e.FileName, `"`, "") + `"`})
}

// ---- import templates and allowed values

// importTemplate sends an empty file with the dataset's columns, in CSV or XLSX: filled in and
// sent back through the wizard, it is read column by column as the page lists them.
func (p *Pages) importTemplate(c *gin.Context) {
	if !p.officer(c) {
		return
	}
	format, err := sheet.ParseFormat("format", c.Query("format"))
	if err != nil {
		p.shell.Fail(c, apperr.Invalid("format", "Mẫu có dạng csv hoặc xlsx"))
		return
	}
	staffHelp, qualHelp, err := p.importHelp(c)
	if err != nil {
		p.shell.Fail(c, err)
		return
	}
	columns, name, help := app.StaffColumns, "mau-nhan-su", staffHelp
	switch app.Dataset(c.Query("dataset")) {
	case app.StaffData:
	case app.QualificationsData:
		columns, name, help = app.QualificationColumns, "mau-trinh-do", qualHelp
	default:
		p.shell.Fail(c, apperr.Invalid("dataset", "Chọn mẫu hồ sơ nhân sự hoặc mẫu trình độ"))
		return
	}
	// An XLSX template carries the import page's table of columns and allowed values on a second
	// sheet, so the person filling it in offline still has them; the import reads the first only.
	tr := p.shell.Translator(c)
	notes := [][]string{{tr.T("import.column"), tr.T("import.meaning"), tr.T("import.allowed")}}
	for _, h := range help {
		notes = append(notes, []string{h.Column, h.Meaning, h.Allowed})
	}
	var buf bytes.Buffer
	w, err := sheet.NewWriter(format, &buf, sheet.Options{SheetName: "Mẫu nhập", Notes: notes, NotesName: tr.T("import.allowed")})
	if err == nil {
		err = w.Header(columns...)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		p.shell.Fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+name+"."+string(format)+`"`)
	c.Data(http.StatusOK, format.ContentType(), buf.Bytes())
}

type columnHelp struct{ Column, Meaning, Allowed string }

// helpTable is the columns of one import file, as the import page lists them.
type helpTable struct {
	ID, Caption string
	Rows        []columnHelp
}

// importHelp lists every column of both files with what it may hold, from the same lists the
// import checks against (categories, units open today, the code list of levels).
func (p *Pages) importHelp(c *gin.Context) (staff, quals []columnHelp, err error) {
	ctx := c.Request.Context()
	nodes, err := p.app.UnitTree(ctx, "", p.today())
	if err != nil {
		return nil, nil, err
	}
	var units []string
	for _, n := range nodes {
		units = append(units, n.Code+" ("+n.Name+")")
	}
	var cats []string
	for _, k := range domain.Categories {
		cats = append(cats, k.Label())
	}
	codes, err := p.app.Levels(ctx)
	if err != nil {
		return nil, nil, err
	}
	var kinds, levels []string
	for _, k := range domain.Kinds {
		kinds = append(kinds, k.Label())
		if !k.Graded() {
			continue
		}
		var ls []string
		for _, l := range codes.Of(k) {
			ls = append(ls, l.Code+" ("+l.Name+")")
		}
		levels = append(levels, k.Label()+": "+strings.Join(ls, ", "))
	}
	// The columns' names and the allowed values (Nam, Nữ, the categories and kinds as the file
	// writes them) are what the file holds, so they stay as they are in either language; what
	// they mean is in the page's language.
	tr := p.shell.Translator(c)
	date := tr.T("import.date")
	col := func(dataset, name string, allowed ...any) columnHelp {
		id := "import." + dataset + "." + name
		return columnHelp{name, tr.T(id), tr.T(id+".allowed", allowed...)}
	}
	staff = []columnHelp{
		col("staff", "ho_ten"),
		col("staff", "ngay_sinh", date),
		col("staff", "gioi_tinh"),
		col("staff", "cccd"),
		col("staff", "phan_loai", strings.Join(cats, ", ")),
		col("staff", "dien_thoai"),
		col("staff", "email"),
		col("staff", "dia_chi"),
		col("staff", "ma_don_vi", strings.Join(units, "; ")),
		col("staff", "chuc_vu"),
		col("staff", "ngach"),
		col("staff", "bac"),
		col("staff", "ngay_hieu_luc", date),
	}
	quals = []columnHelp{
		col("qual", "cccd"),
		col("qual", "loai", strings.Join(kinds, ", ")),
		col("qual", "trinh_do", strings.Join(levels, ". ")),
		col("qual", "chuyen_nganh"),
		col("qual", "ngoai_ngu"),
		col("qual", "noi_cap"),
		col("qual", "ngay_cap", date),
		col("qual", "khoa_hoc"),
		col("qual", "tu_ngay", date),
		col("qual", "den_ngay", date),
		col("qual", "ket_qua"),
		col("qual", "minh_chung"),
	}
	return staff, quals, nil
}
