package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/sheet"
	"egov.vn/platform/libs/telemetry"
	"egov.vn/platform/services/hr/internal/domain"
)

// Dataset names what a file holds.
type Dataset string

const (
	StaffData          Dataset = "staff"
	QualificationsData Dataset = "qualifications"
)

// StaffColumns are the columns of a staff file, in order. The names are what HR officers see in
// the spreadsheet's first row.
var StaffColumns = []string{"ho_ten", "ngay_sinh", "gioi_tinh", "cccd", "phan_loai", "dien_thoai", "email", "dia_chi",
	"ma_don_vi", "chuc_vu", "ngach", "bac", "ngay_hieu_luc"}

// QualificationColumns are the columns of a qualifications file, in order.
var QualificationColumns = []string{"cccd", "loai", "trinh_do", "chuyen_nganh", "ngoai_ngu", "noi_cap", "ngay_cap",
	"khoa_hoc", "tu_ngay", "den_ngay", "ket_qua", "minh_chung"}

// fieldColumn maps a domain field name to the column that carries it, so that a rule broken
// by a row is reported at the cell the officer must fix.
var fieldColumn = map[string]string{
	"full_name": "ho_ten", "birth_date": "ngay_sinh", "gender": "gioi_tinh", "cccd": "cccd", "category": "phan_loai",
	"phone": "dien_thoai", "email": "email", "unit_id": "ma_don_vi", "position": "chuc_vu", "rank": "ngach", "step": "bac",
	"effective_on": "ngay_hieu_luc", "kind": "loai", "level": "trinh_do", "field": "chuyen_nganh", "language": "ngoai_ngu",
	"awarding_body": "noi_cap", "awarded_on": "ngay_cap", "course": "khoa_hoc", "start_on": "tu_ngay", "end_on": "den_ngay",
	"result": "ket_qua", "evidence_ref": "minh_chung",
}

// RowError is one problem of one row: the spreadsheet line, the column and why.
type RowError struct {
	Line   int    `json:"line"`
	Column string `json:"column"`
	Reason string `json:"reason"`
}

// maxReported bounds the errors a report lists; a wrong file would otherwise list every cell.
const maxReported = 1000

// ImportReport is the result of a dry run or a commit.
type ImportReport struct {
	Dataset   Dataset    `json:"dataset"`
	Rows      int        `json:"rows"`
	Errors    []RowError `json:"errors"`
	Truncated bool       `json:"truncated"`
	Committed bool       `json:"committed"`
}

// OK reports whether the file has no errors.
func (r ImportReport) OK() bool { return len(r.Errors) == 0 }

func (r *ImportReport) add(line int, column, reason string) {
	if len(r.Errors) >= maxReported {
		r.Truncated = true
		return
	}
	r.Errors = append(r.Errors, RowError{Line: line, Column: column, Reason: reason})
}

func (r *ImportReport) addErr(line int, err error) {
	e := apperr.As(err)
	if e == nil || len(e.Fields) == 0 {
		r.add(line, "", err.Error())
		return
	}
	for _, f := range e.Fields {
		col := fieldColumn[f.Field]
		if col == "" {
			col = f.Field
		}
		if !r.has(line, col) { // a cell that could not be read is reported once, not again by the rules
			r.add(line, col, f.Reason)
		}
	}
}

func (r *ImportReport) has(line int, column string) bool {
	for i := len(r.Errors) - 1; i >= 0 && r.Errors[i].Line == line; i-- {
		if r.Errors[i].Column == column {
			return true
		}
	}
	return false
}

// importRejected is the commit's answer to a file with errors: nothing was written.
func importRejected(rep ImportReport) error {
	return apperr.Conflict("import_rejected", fmt.Sprintf("tệp có %d lỗi; không dòng nào được ghi. Sửa các dòng được nêu rồi nhập lại", len(rep.Errors))).
		WithDetail("report", rep)
}

// Import checks a file (dry run: commit false) or checks and then writes all of it in one
// transaction (commit true). A file with any error writes nothing and the report names every
// row, column and reason; with commit it also fails with a 409 carrying the report.
func (a *App) Import(ctx context.Context, actor platform.Actor, ds Dataset, format sheet.Format, r io.Reader, commit bool) (_ ImportReport, err error) {
	ctx, span := a.tracer.Start(ctx, "hr.App.Import")
	defer telemetry.End(span, &err)
	if err := requireOfficer(actor); err != nil {
		return ImportReport{}, err
	}
	switch ds {
	case StaffData:
		return a.importStaff(ctx, actor, format, r, commit)
	case QualificationsData:
		return a.importQualifications(ctx, actor, format, r, commit)
	}
	return ImportReport{}, apperr.Malformed("dataset", "must be staff or qualifications")
}

func checkHeader(header, want []string) error {
	for i, w := range want {
		if i >= len(header) || !strings.EqualFold(strings.TrimSpace(header[i]), w) {
			return apperr.Invalid("file", fmt.Sprintf("dòng tiêu đề phải là: %s", strings.Join(want, ", "))).
				WithDetail("expected_columns", want)
		}
	}
	return nil
}

// cells gives a row's values by column name; missing trailing cells are empty.
type cells map[string]string

func rowCells(columns, row []string) cells {
	c := make(cells, len(columns))
	for i, name := range columns {
		if i < len(row) {
			c[name] = strings.TrimSpace(row[i])
		}
	}
	return c
}

func (c cells) date(rep *ImportReport, line int, col string, required bool) (time.Time, bool) {
	s := c[col]
	if s == "" {
		if required {
			rep.add(line, col, "bắt buộc")
			return time.Time{}, false
		}
		return time.Time{}, true
	}
	d, err := domain.ParseDate(s)
	if errors.Is(err, domain.ErrDateTooEarly) {
		rep.add(line, col, err.Error())
		return time.Time{}, false
	}
	if err != nil {
		rep.add(line, col, "ngày phải viết dạng yyyy-mm-dd hoặc dd/mm/yyyy")
		return time.Time{}, false
	}
	return d, true
}

func (a *App) importStaff(ctx context.Context, actor platform.Actor, format sheet.Format, r io.Reader, commit bool) (ImportReport, error) {
	rep := ImportReport{Dataset: StaffData, Errors: []RowError{}}
	units, err := a.repo.Units(ctx, "")
	if err != nil {
		return rep, err
	}
	byCode := map[string]domain.Unit{}
	for _, u := range units {
		if u.ClosedOn == nil {
			byCode[u.Code] = u
		}
	}
	var hires []domain.Hire
	var lines []int
	seen := map[string]int{}
	today := a.today()
	header, err := a.imports.Read(format, r, func(line int, row []string) error {
		rep.Rows++
		c := rowCells(StaffColumns, row)
		ok := true
		born, good := c.date(&rep, line, "ngay_sinh", true)
		ok = ok && good
		from, good := c.date(&rep, line, "ngay_hieu_luc", false)
		ok = ok && good
		if from.IsZero() {
			from = today
		}
		gender, good := domain.ParseGender(c["gioi_tinh"])
		if !good {
			rep.add(line, "gioi_tinh", "phải là Nam hoặc Nữ")
			ok = false
		}
		cat, good := domain.ParseCategory(c["phan_loai"])
		if !good {
			rep.add(line, "phan_loai", "phải là Cán bộ, Công chức, Viên chức hoặc Hợp đồng lao động")
			ok = false
		}
		step := 0
		if s := c["bac"]; s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				rep.add(line, "bac", "bậc là số nguyên từ 0 đến 12")
				ok = false
			}
			step = n
		}
		u, good := byCode[strings.ToUpper(c["ma_don_vi"])]
		if !good {
			rep.add(line, "ma_don_vi", fmt.Sprintf("không có đơn vị đang hoạt động mã %q", c["ma_don_vi"]))
			ok = false
		} else if !u.OpenOn(domain.Day(from)) {
			rep.add(line, "ngay_hieu_luc", "đơn vị chưa thành lập vào ngày hiệu lực")
			ok = false
		}
		in := StaffInput{FullName: c["ho_ten"], BirthDate: born, Gender: gender, CCCD: c["cccd"], Category: cat,
			Contacts: domain.Contacts{Phone: c["dien_thoai"], Email: c["email"], Address: c["dia_chi"]}}
		st := in.staff(newID(), string(actor.Tenant))
		as := AssignmentInput{UnitID: u.ID, Position: c["chuc_vu"], Rank: c["ngach"], Step: step, EffectiveOn: from}.assignment(st.ID)
		first, herr := domain.Employment{}.Hire(as)
		if err := joinInvalid(st.Validate(), herr); err != nil {
			rep.addErr(line, err)
			ok = false
		}
		if prev, dup := seen[st.CCCD]; dup && st.CCCD != "" {
			rep.add(line, "cccd", fmt.Sprintf("trùng số CCCD với dòng %d", prev))
			ok = false
		} else {
			seen[st.CCCD] = line
		}
		if ok {
			hires = append(hires, domain.Hire{Staff: st, Assignment: first})
			lines = append(lines, line)
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	if err := checkHeader(header, StaffColumns); err != nil {
		return rep, err
	}
	if rep.Rows == 0 {
		return rep, apperr.Invalid("file", "tệp không có dòng dữ liệu nào")
	}
	cccds := make([]string, len(hires))
	for i, h := range hires {
		cccds[i] = h.Staff.CCCD
	}
	existing, err := a.repo.StaffIDsByCCCD(ctx, cccds)
	if err != nil {
		return rep, err
	}
	for i, h := range hires {
		if _, on := existing[h.Staff.CCCD]; on {
			rep.add(lines[i], "cccd", "số CCCD đã có trong hồ sơ nhân sự của đơn vị")
		}
	}
	sortErrors(rep.Errors)
	if !commit {
		return rep, nil
	}
	if !rep.OK() {
		return rep, importRejected(rep)
	}
	err = a.repo.Transact(ctx, func(ctx context.Context) error {
		if err := a.repo.ImportStaff(ctx, hires, actor.Subject); err != nil {
			return err
		}
		evts := make([]events.Event, len(hires))
		for i, h := range hires {
			var err error
			if evts[i], err = hiredEvent(h.Staff, h.Assignment); err != nil {
				return err
			}
		}
		return a.repo.Publish(ctx, evts...)
	})
	if err != nil {
		return rep, err
	}
	rep.Committed = true
	return rep, nil
}

func (a *App) importQualifications(ctx context.Context, actor platform.Actor, format sheet.Format, r io.Reader, commit bool) (ImportReport, error) {
	rep := ImportReport{Dataset: QualificationsData, Errors: []RowError{}}
	codes, err := a.repo.Levels(ctx)
	if err != nil {
		return rep, err
	}
	var qs []domain.Qualification
	var cccds []string
	var lines []int
	header, err := a.imports.Read(format, r, func(line int, row []string) error {
		rep.Rows++
		c := rowCells(QualificationColumns, row)
		ok := true
		kind, good := domain.ParseKind(c["loai"])
		if !good {
			rep.add(line, "loai", "loại phải là professional, political, state_management, it, language hoặc training")
			return nil
		}
		awarded, good := c.date(&rep, line, "ngay_cap", kind != domain.Training)
		ok = ok && good
		start, good := c.date(&rep, line, "tu_ngay", false)
		ok = ok && good
		end, good := c.date(&rep, line, "den_ngay", false)
		ok = ok && good
		q := domain.Qualification{ID: newID(), Kind: kind, Level: c["trinh_do"], Field: c["chuyen_nganh"], Language: c["ngoai_ngu"],
			AwardingBody: c["noi_cap"], AwardedOn: awarded, Course: c["khoa_hoc"], Result: c["ket_qua"], EvidenceRef: c["minh_chung"]}
		if !start.IsZero() {
			q.StartOn = &start
		}
		if !end.IsZero() {
			q.EndOn = &end
		}
		if c["cccd"] == "" {
			rep.add(line, "cccd", "bắt buộc: số CCCD của người có văn bằng")
			ok = false
		}
		if err := q.Check(codes); err != nil {
			rep.addErr(line, err)
			ok = false
		}
		if ok {
			qs = append(qs, q)
			cccds = append(cccds, c["cccd"])
			lines = append(lines, line)
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	if err := checkHeader(header, QualificationColumns); err != nil {
		return rep, err
	}
	if rep.Rows == 0 {
		return rep, apperr.Invalid("file", "tệp không có dòng dữ liệu nào")
	}
	ids, err := a.repo.StaffIDsByCCCD(ctx, cccds)
	if err != nil {
		return rep, err
	}
	for i := range qs {
		id, found := ids[cccds[i]]
		if !found {
			rep.add(lines[i], "cccd", "không có người nào mang số CCCD này trong hồ sơ nhân sự của đơn vị")
			continue
		}
		qs[i].StaffID = id
	}
	sortErrors(rep.Errors)
	if !commit {
		return rep, nil
	}
	if !rep.OK() {
		return rep, importRejected(rep)
	}
	err = a.repo.Transact(ctx, func(ctx context.Context) error {
		if err := a.repo.ImportQualifications(ctx, qs); err != nil {
			return err
		}
		evts := make([]events.Event, len(qs))
		for i, q := range qs {
			var err error
			if evts[i], err = qualificationEvent(string(actor.Tenant), q); err != nil {
				return err
			}
		}
		return a.repo.Publish(ctx, evts...)
	})
	if err != nil {
		return rep, err
	}
	rep.Committed = true
	return rep, nil
}

func sortErrors(errs []RowError) {
	for i := 1; i < len(errs); i++ {
		for j := i; j > 0 && errs[j].Line < errs[j-1].Line; j-- {
			errs[j], errs[j-1] = errs[j-1], errs[j]
		}
	}
}

// Export writes the caller's tenant's staff active on day on (with their assignment that day),
// or every qualification of them, in the import's own columns, so an export re-imports as is.
func (a *App) Export(ctx context.Context, actor platform.Actor, ds Dataset, format sheet.Format, on time.Time, w io.Writer) (err error) {
	ctx, span := a.tracer.Start(ctx, "hr.App.Export")
	defer telemetry.End(span, &err)
	if err := requireOfficer(actor); err != nil {
		return err
	}
	if on.IsZero() {
		on = a.today()
	}
	units, err := a.repo.Units(ctx, "")
	if err != nil {
		return err
	}
	code := map[string]string{}
	for _, u := range units {
		code[u.ID] = u.Code
	}
	page, _, err := a.repo.ListStaff(ctx, domain.StaffFilter{Tenant: string(actor.Tenant), On: domain.Day(on)})
	if err != nil {
		return err
	}
	switch ds {
	case StaffData:
		return writeSheet(format, w, StaffColumns, func(row func(cells ...string) error) error {
			for _, l := range page {
				s, as := l.Staff, l.Assignment
				if err := row(s.FullName, domain.FormatDate(s.BirthDate), s.Gender.Label(), s.CCCD, s.Category.Label(), s.Contacts.Phone,
					s.Contacts.Email, s.Contacts.Address, code[as.UnitID], as.Position, as.Rank, stepText(as.Step), domain.FormatDate(as.From)); err != nil {
					return err
				}
			}
			return nil
		})
	case QualificationsData:
		cccd := map[string]string{}
		for _, l := range page {
			cccd[l.Staff.ID] = l.Staff.CCCD
		}
		all, err := a.repo.AllQualifications(ctx)
		if err != nil {
			return err
		}
		return writeSheet(format, w, QualificationColumns, func(row func(cells ...string) error) error {
			for _, q := range all {
				id, active := cccd[q.StaffID]
				if !active {
					continue
				}
				if err := row(id, string(q.Kind), q.Level, q.Field, q.Language, q.AwardingBody, domain.FormatDate(q.AwardedOn),
					q.Course, domain.FormatDatePtr(q.StartOn), domain.FormatDatePtr(q.EndOn), q.Result, q.EvidenceRef); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return apperr.Malformed("dataset", "must be staff or qualifications")
}

// writeSheet writes header and the rows rows gives, every cell as text, so a CCCD keeps its
// leading zero and a date is not reinterpreted by Excel's locale.
func writeSheet(format sheet.Format, w io.Writer, header []string, rows func(row func(cells ...string) error) error) error {
	sw, err := sheet.NewWriter(format, w, sheet.Options{})
	if err != nil {
		return err
	}
	if err := sw.Header(header...); err != nil {
		return err
	}
	if err := rows(func(cells ...string) error { return sw.Strings(cells) }); err != nil {
		return err
	}
	return sw.Close()
}

func stepText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}
