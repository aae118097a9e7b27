package pages

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/sheet"
	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
)

// Bulk onboarding, as a wizard of three pages: the import page (the template to download, the
// roles and units the file may name, the file to check), the dry run's report (every problem by
// line and column, or the accounts the file will make and the button that makes them), and the
// printable sheet of one-time passwords, shown in the answer to the commit only: nothing keeps
// the passwords, so a reload cannot show them again.

// maxImportUpload bounds the import forms: the file, or at step 2 the same file again as base64
// (a third larger) with the form around it.
var maxImportUpload = app.ImportLimits.Bytes*2 + 64<<10

type importUnit struct{ Slug, Name string }

type importRole struct{ Name, Description string }

type importPageData struct {
	view
	Units       []importUnit
	Roles       []importRole
	TemplateCSV string
	TemplateXLS string
	Columns     []string
}

// importChoices are the units of the administrator's subtree and the roles they may grant.
func (p *Pages) importChoices(c *gin.Context, admin domain.User, l Lang) ([]importUnit, []importRole, error) {
	tenants, err := p.app.ManagedTenants(c.Request.Context(), admin)
	if err != nil {
		return nil, nil, err
	}
	units := make([]importUnit, 0, len(tenants))
	for _, t := range tenants {
		units = append(units, importUnit{Slug: t.Slug, Name: t.Name})
	}
	var roles []importRole
	for _, r := range domain.GrantableRoles() {
		roles = append(roles, importRole{Name: string(r), Description: l.roleDescription(string(r))})
	}
	return units, roles, nil
}

func (p *Pages) renderImport(c *gin.Context, status int, form *web.Form) {
	_, admin, _ := signedIn(c)
	d := importPageData{view: p.newView(c, p.adminURL("/import")), TemplateCSV: p.adminURL("/import/template.csv"),
		TemplateXLS: p.adminURL("/import/template.xlsx"), Columns: app.ImportColumns}
	var err error
	if d.Units, d.Roles, err = p.importChoices(c, admin, d.Lang); err != nil {
		p.adminFail(c, err)
		return
	}
	noStore(c)
	p.render(c, status, "admin_import", "bulk.title", d, form)
}

func (p *Pages) importPage(c *gin.Context) { p.renderImport(c, http.StatusOK, nil) }

// importTemplate sends the accounts file to fill in: the header, notes listing the roles the
// administrator may grant (with their Vietnamese names) and the units of their subtree, and one
// example line. Notes are lines whose first cell starts with '#'; the import skips them, so the
// template can be filled in and sent back as it is.
func (p *Pages) importTemplate(format sheet.Format) gin.HandlerFunc {
	return func(c *gin.Context) {
		_, admin, _ := signedIn(c)
		tenants, err := p.app.ManagedTenants(c.Request.Context(), admin)
		if err != nil {
			p.adminFail(c, err)
			return
		}
		l := p.lang(c)
		var notes [][]string
		for _, r := range domain.GrantableRoles() {
			notes = append(notes, []string{"# " + l.T("bulk.template.role"), string(r), l.roleDescription(string(r))})
		}
		for _, t := range tenants {
			notes = append(notes, []string{"# " + l.T("bulk.template.unit"), t.Slug, t.Name})
		}
		var buf bytes.Buffer
		example := []string{"hoa.nt", "Nguyễn Thị Hoa", "hoa.nt@example.gov.vn", "dossier.receive;dossier.handle", tenants[0].Slug, ""}
		if err := app.ImportTemplate(format, &buf, notes, example); err != nil {
			p.fail(c, err)
			return
		}
		c.Header("Content-Disposition", `attachment; filename="mau-tai-khoan.`+string(format)+`"`)
		c.Data(http.StatusOK, format.ContentType(), buf.Bytes())
	}
}

// formatOf reads the format from the file's name; XLSX unless it ends in .csv.
func formatOf(name string) sheet.Format {
	if strings.EqualFold(path.Ext(name), ".csv") {
		return sheet.CSV
	}
	return sheet.XLSX
}

type importProblemRow struct {
	Line   int
	Column string
	Reason string
}

type importAccountRow struct {
	Line     int
	Username string
	Name     string
	Unit     string
	Roles    string
}

type importReportData struct {
	view
	FileName  string
	Format    string
	Content   string
	Rows      int
	Problems  []importProblemRow
	Truncated bool
	Accounts  []importAccountRow
	Action    string
	Again     string
}

type importSlip struct {
	Name, Username, Unit, Password string
}

type importSheetData struct {
	view
	Slips     []importSlip
	SignInURL string
	IssuedAt  time.Time
	ListURL   string
}

// importCheck is step 1: the dry run of the chosen file.
func (p *Pages) importCheck(c *gin.Context) {
	l := p.lang(c)
	fh, err := c.FormFile("file")
	if err != nil {
		form := web.NewForm(nil)
		form.Errors.Add("file", l.T("bulk.err.file"))
		p.renderImport(c, http.StatusUnprocessableEntity, form)
		return
	}
	f, err := fh.Open()
	if err != nil {
		p.fail(c, err)
		return
	}
	defer func() { _ = f.Close() }()
	content, err := io.ReadAll(io.LimitReader(f, app.ImportLimits.Bytes+1))
	if err != nil {
		p.fail(c, err)
		return
	}
	p.runImport(c, formatOf(fh.Filename), path.Base(fh.Filename), content, false)
}

// importCommit is step 2: the same file again, checked again, then every account made.
func (p *Pages) importCommit(c *gin.Context) {
	content, err := base64.StdEncoding.DecodeString(c.PostForm("content"))
	if err != nil || len(content) == 0 {
		form := web.NewForm(nil)
		form.Errors.Add("file", p.lang(c).T("bulk.err.file"))
		p.renderImport(c, http.StatusUnprocessableEntity, form)
		return
	}
	format := sheet.XLSX
	if c.PostForm("format") == string(sheet.CSV) {
		format = sheet.CSV
	}
	p.runImport(c, format, c.PostForm("file_name"), content, true)
}

func (p *Pages) runImport(c *gin.Context, format sheet.Format, name string, content []byte, commit bool) {
	_, admin, _ := signedIn(c)
	l := p.lang(c)
	rep, err := p.app.ImportAccounts(c.Request.Context(), admin, format, bytes.NewReader(content), commit)
	if e := apperr.As(err); e != nil && e.Code == "import_rejected" {
		err = nil // the report says why, line by line
	}
	if err != nil {
		if e := apperr.As(err); e != nil && e.Kind == apperr.KindInvalid {
			// The file as a whole: its layout, its size or its rows over a limit. The sheet
			// library words these in Vietnamese; the page adds what to do in the person's language.
			form := web.NewForm(nil)
			msg := l.T("bulk.err.unreadable")
			for _, fe := range e.Fields {
				msg += " " + fe.Reason
			}
			form.Errors.Add("file", msg)
			p.renderImport(c, http.StatusUnprocessableEntity, form)
			return
		}
		p.adminFail(c, err)
		return
	}
	if rep.Committed {
		p.renderImportSheet(c, rep)
		return
	}
	d := importReportData{view: p.newView(c, p.adminURL("/import")), FileName: name, Format: string(format), Rows: rep.Rows,
		Truncated: rep.Truncated, Action: p.adminURL("/import/commit"), Again: p.adminURL("/import")}
	for _, pr := range rep.Problems {
		reason := l.T("bulk.err." + pr.Code)
		if pr.Value != "" || pr.Other != 0 {
			reason = l.T("bulk.err."+pr.Code, pr.Value, pr.Other) // the catalogue's texts name them by index, %[1]q and %[2]d
		}
		d.Problems = append(d.Problems, importProblemRow{Line: pr.Line, Column: pr.Column, Reason: reason})
	}
	if rep.OK() {
		d.Content = base64.StdEncoding.EncodeToString(content)
		for _, a := range rep.Accounts {
			var roles []string
			for _, r := range a.User.Roles {
				roles = append(roles, l.roleDescription(r))
			}
			d.Accounts = append(d.Accounts, importAccountRow{Line: a.Line, Username: a.User.Username, Name: a.User.Name, Unit: a.Unit.Name,
				Roles: strings.Join(roles, "; ")})
		}
	}
	status := http.StatusOK
	if !rep.OK() {
		status = http.StatusUnprocessableEntity
	}
	noStore(c)
	p.render(c, status, "admin_import_report", "bulk.report.title", d, nil)
}

// renderImportSheet shows the one-time passwords of a commit, once: the answer is not cached and
// nothing else holds them.
func (p *Pages) renderImportSheet(c *gin.Context, rep app.AccountImport) {
	d := importSheetData{view: p.newView(c, p.adminURL("/import")), SignInURL: p.cfg.Issuer + "/account", IssuedAt: p.app.Now(),
		ListURL: p.adminURL("")}
	for _, a := range rep.Accounts {
		d.Slips = append(d.Slips, importSlip{Name: a.User.Name, Username: a.User.Username, Unit: a.Unit.Name, Password: a.OneTimePassword})
	}
	noStore(c)
	c.Header("Pragma", "no-cache")
	p.render(c, http.StatusCreated, "admin_import_sheet", "bulk.sheet.title", d, nil)
}
