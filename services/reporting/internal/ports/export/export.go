// Package export is reporting's tables as both the API and the pages export them, as CSV or
// XLSX through libs/sheet: the same rows a page shows.
package export

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/sheet"
	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/reporting/internal/app"
	"egov.vn/platform/services/reporting/internal/domain"
)

// Table is one table of a page, as exported: a title, column headings and rows of cells
// (strings, int64 or float64; nil for "no data").
type Table struct {
	Name    string
	Title   string
	Columns []string
	Rows    [][]any
}

// Tables every page shows and exports.
const (
	TableLedger     = "ledger"
	TableIndicators = "indicators"
	TableRanking    = "ranking"
	TableTrend      = "trend"
	TableStaff      = "staff"
	TableDossiers   = "dossiers"
)

// ExportTables lists the tables with their Vietnamese names, for the export links.
var ExportTables = []struct{ Code, Name string }{
	{TableIndicators, "Chỉ tiêu"}, {TableLedger, "Sổ theo dõi (mẫu 07)"}, {TableRanking, "Xếp hạng"},
	{TableTrend, "Xu hướng"}, {TableStaff, "Cán bộ, công chức"},
}

func optValue(r app.TenantReport, code string) any {
	if v, ok := r.Value(code); ok {
		return v
	}
	return nil
}

// LedgerTable is the form-07 ledger of a unit and the units below it.
func LedgerTable(d app.Dashboard) Table {
	t := Table{Name: TableLedger, Title: "Tình hình tiếp nhận, giải quyết hồ sơ – " + d.Unit.Period,
		Columns: []string{"Đơn vị", "Kỳ trước chuyển sang", "Tiếp nhận trong kỳ", "Trực tuyến", "Trực tiếp", "Bưu chính",
			"Đã giải quyết", "Trước hạn", "Đúng hạn (kể cả trước hạn)", "Quá hạn", "Đang giải quyết", "Trong hạn", "Quá hạn (đang giải quyết)",
			"Đã trả kết quả", "Kết quả đã lưu trữ", "Rút hồ sơ", "Dừng xử lý", "Chuyển đơn vị khác", "Từ chối tiếp nhận"}}
	for _, r := range append([]app.TenantReport{d.Unit}, d.Children...) {
		l := r.Ledger
		t.Rows = append(t.Rows, []any{r.Tenant.DisplayName(), l.CarriedOver, l.Received, l.ReceivedOnline, l.ReceivedDesk, l.ReceivedPost,
			l.Resolved, l.ResolvedEarly, l.ResolvedOnTime, l.ResolvedLate, l.InProcess, l.InProcessOnTime, l.InProcessOverdue,
			l.Returned, l.ReturnedArchived, l.Withdrawn, l.Stopped, l.Transferred, l.Refused})
	}
	return t
}

// IndicatorTable is every indicator of the unit and of each unit below it against its target.
func IndicatorTable(d app.Dashboard) Table {
	t := Table{Name: TableIndicators, Title: "Chỉ tiêu cải cách hành chính – " + d.Unit.Period,
		Columns: []string{"Đơn vị", "Chỉ tiêu", "Giá trị", "Đơn vị tính", "Mục tiêu", "Đạt", "Cách tính"}}
	for _, r := range append([]app.TenantReport{d.Unit}, d.Children...) {
		for _, iv := range r.Indicators {
			row := []any{r.Tenant.DisplayName(), iv.Name, nil, iv.Unit, nil, nil, iv.Formula}
			if iv.Value != nil {
				row[2] = *iv.Value
			}
			if iv.Target != nil {
				row[4] = string(iv.Target.Comparator) + " " + strconv.FormatFloat(iv.Target.Value, 'f', 2, 64)
			}
			if iv.Met != nil {
				row[5] = map[bool]string{true: "Đạt", false: "Chưa đạt"}[*iv.Met]
			}
			t.Rows = append(t.Rows, row)
		}
	}
	return t
}

// RankingTable ranks the units below by one indicator.
func RankingTable(rs []app.TenantReport, indicator string) Table {
	def, _ := domain.DefinitionOf(indicator)
	t := Table{Name: TableRanking, Title: "Xếp hạng theo " + def.Name,
		Columns: []string{"Hạng", "Đơn vị", def.Name + " (" + def.Unit + ")", "Tỷ lệ đúng hạn (%)", "Tỷ lệ hài lòng (%)", "Chỉ số 766 đo được (điểm)"}}
	for i, r := range rs {
		t.Rows = append(t.Rows, []any{int64(i + 1), r.Tenant.DisplayName(), optValue(r, indicator),
			optValue(r, domain.IOnTimeRate), optValue(r, domain.ISatisfaction), optValue(r, domain.IIndex766Total)})
	}
	return t
}

// TrendTable is the monthly trend.
func TrendTable(tr app.Trend) Table {
	t := Table{Name: TableTrend, Title: "Xu hướng 12 tháng", Columns: []string{"Tháng"}}
	for _, code := range app.TrendIndicators {
		def, _ := domain.DefinitionOf(code)
		t.Columns = append(t.Columns, def.Name+" ("+def.Unit+")")
	}
	for i, m := range tr.Months {
		row := []any{m}
		for _, code := range app.TrendIndicators {
			if v := tr.Series[code][i]; v != nil {
				row = append(row, *v)
			} else {
				row = append(row, nil)
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// StaffTable is the staff and their qualification ratios at the period's end.
func StaffTable(d app.Dashboard) Table {
	t := Table{Name: TableStaff, Title: "Cán bộ, công chức và trình độ (cuối kỳ)", Columns: []string{"Đơn vị", "Tổng số"}}
	for _, k := range domain.QualificationKinds {
		def, _ := domain.DefinitionOf(domain.IQualifiedPrefix + k)
		t.Columns = append(t.Columns, def.Name+" (%)")
	}
	for _, r := range append([]app.TenantReport{d.Unit}, d.Children...) {
		row := []any{r.Tenant.DisplayName(), r.Staff.Total}
		for _, k := range domain.QualificationKinds {
			row = append(row, optValue(r, domain.IQualifiedPrefix+k))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// DossierTable lists dossiers behind a figure.
func DossierTable(pg app.DossierPage) Table {
	t := Table{Name: TableDossiers, Title: "Hồ sơ – " + FigureName(pg.Figure) + " – " + pg.Period,
		Columns: []string{"Mã hồ sơ", "Đơn vị", "Thủ tục", "Kênh", "Trạng thái", "Ngày tiếp nhận", "Hẹn trả", "Có kết quả", "Đúng hạn", "Thời gian thực tế (ngày)", "Đánh giá"}}
	for _, d := range pg.Dossiers {
		row := []any{d.ReceiptCode, d.Tenant, d.ProcedureName, ChannelName(d.Channel), StateName(d.State), web.FormatDate(d.ReceivedAt),
			web.FormatDate(d.DueAt), web.FormatDate(d.ResolvedAt), nil, nil, RatingName(d.Rating)}
		if d.Resolved() {
			row[8] = map[bool]string{true: "Đúng hạn", false: "Quá hạn"}[d.OnTime]
			row[9] = float64(d.ElapsedMinutes) / domain.WorkingDayMinutes
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// DefaultPeriod is the current year in Vietnam as of now (the app's clock).
func DefaultPeriod(now time.Time) string { return strconv.Itoa(now.In(domain.Zone).Year()) }

// Atoi reads a number from a query, or def.
func Atoi(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

// Serve answers GET …/units/:slug/export/:table?period=&format=csv|xlsx; fail answers an error
// (problem+json on the API, the shell's error page on pages).
func Serve(c *gin.Context, a *app.App, fail func(*gin.Context, error)) {
	ctx := c.Request.Context()
	slug, period := c.Param("slug"), cmp.Or(c.Query("period"), DefaultPeriod(a.Now()))
	format, err := sheet.ParseFormat("format", cmp.Or(c.Query("format"), "csv"))
	if err != nil {
		fail(c, apperr.Invalid("format", "csv hoặc xlsx"))
		return
	}
	var t Table
	switch c.Param("table") {
	case TableLedger, TableIndicators, TableStaff, TableTrend:
		var d app.Dashboard
		if d, err = a.Dashboard(ctx, slug, period, c.Query("baseline")); err == nil {
			t = map[string]func() Table{
				TableLedger: func() Table { return LedgerTable(d) }, TableIndicators: func() Table { return IndicatorTable(d) },
				TableStaff: func() Table { return StaffTable(d) }, TableTrend: func() Table { return TrendTable(d.Trend) },
			}[c.Param("table")]()
		}
	case TableRanking:
		indicator := cmp.Or(c.Query("indicator"), domain.IIndex766Total)
		var rs []app.TenantReport
		if rs, err = a.Ranking(ctx, slug, period, indicator); err == nil {
			t = RankingTable(rs, indicator)
		}
	case TableDossiers:
		var pg app.DossierPage
		if pg, err = a.Dossiers(ctx, slug, period, c.Query("figure"), 500, Atoi(c.Query("offset"), 0)); err == nil {
			t = DossierTable(pg)
		}
	default:
		err = apperr.NotFound("table", c.Param("table"))
	}
	if err != nil {
		fail(c, err)
		return
	}
	var body bytes.Buffer
	if err := t.Write(format, &body); err != nil {
		fail(c, err)
		return
	}
	name := fmt.Sprintf("bao-cao-%s-%s-%s.%s", t.Name, slug, period, format)
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, format.ContentType(), body.Bytes())
}

// Write writes the table in format: in XLSX a title row above the headings, one sheet, numbers
// kept as numbers; in CSV the headings then the rows, with a byte-order mark so spreadsheet
// programs read the Vietnamese letters right. Cells that would read as formulas are escaped.
func (t Table) Write(format sheet.Format, out io.Writer) error {
	w, err := sheet.NewWriter(format, out, sheet.Options{Title: t.Title, SheetName: "BaoCao"})
	if err != nil {
		return err
	}
	if err := w.Header(t.Columns...); err != nil {
		return err
	}
	for _, row := range t.Rows {
		if err := w.Row(row...); err != nil {
			return err
		}
	}
	return w.Close()
}

// FigureName is a drill-down figure's Vietnamese name.
func FigureName(code string) string {
	for _, f := range app.Figures {
		if f.Code == code {
			return f.Name
		}
	}
	return code
}

// ChannelName is how a dossier came in, in Vietnamese.
func ChannelName(c string) string {
	return map[string]string{"desk": "Trực tiếp", "online": "Trực tuyến", "post": "Bưu chính"}[c]
}

// RatingName is a citizen's rating in Vietnamese.
func RatingName(r string) string {
	return map[string]string{domain.RatingVerySatisfied: "Rất hài lòng", domain.RatingSatisfied: "Hài lòng",
		domain.RatingNotSatisfied: "Không hài lòng"}[r]
}

// StateName is a dossier's state in Vietnamese.
func StateName(s string) string {
	names := map[string]string{"received": "Đã tiếp nhận", "refused": "Từ chối", "assigned": "Đã phân công",
		"in_process": "Đang xử lý", "supplement_requested": "Chờ bổ sung", "stopped": "Dừng xử lý", "withdrawn": "Đã rút",
		"approved": "Đã phê duyệt", "result_ready": "Có kết quả", "returned": "Đã trả kết quả", "transferred": "Đã chuyển"}
	return cmp.Or(names[s], s)
}
