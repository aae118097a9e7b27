// Package forms renders the commune one-stop shop's forms 01–07 (after Thông tư
// 01/2018/TT-VPCP) as printable HTML and as PDF: 01 receipt and appointment slip, 02 supplement
// request, 03 refusal, 04 apology and extension, 05 stop-processing notice, 06 process-control
// slip, 07 dossier ledger. Each form is first built as a neutral Doc, so the HTML page and the
// PDF say exactly the same thing. The PDF embeds DejaVu Sans (fonts/, with its licence), which
// has every Vietnamese glyph.
package forms

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/skip2/go-qrcode"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/services/dossiers/internal/app"
	"egov.vn/platform/services/dossiers/internal/domain"
)

//go:embed fonts/DejaVuSans.ttf
var fontRegular []byte

//go:embed fonts/DejaVuSans-Bold.ttf
var fontBold []byte

// Doc is one form, independent of its rendering.
type Doc struct {
	Unit      string   // issuing unit, upper case in the header
	Number    string   // "Mẫu số 01"
	Title     string   // upper case title
	Subtitle  string   // e.g. "Mã hồ sơ: UBXDT-261127-0001"
	Lines     []string // body paragraphs, in order
	Table     *Table
	After     []string // paragraphs after the table
	Place     string   // "Đông Tân, ngày 27 tháng 11 năm 2026"
	SignTitle string   // "NGƯỜI TIẾP NHẬN"
	SignName  string
	// Lookup, on form 01, tells the citizen where to follow the dossier: the lookup page's
	// address and a QR code that opens it with the receipt code filled in.
	Lookup *Lookup
}

// Lookup is the way to the citizen's lookup page printed on a form.
type Lookup struct {
	Text string // "Tra cứu tình trạng hồ sơ tại https://…/dossiers/tra-cuu …"
	URL  string // what the QR code opens: the lookup with ?ma=<receipt code>
	QR   []byte // PNG of the QR code of URL
}

// QRDataURI is the QR code as a data: URI, which the pages' CSP allows for images (img-src data:).
func (l *Lookup) QRDataURI() template.URL {
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(l.QR))
}

// Table is a ruled table with a header row; Widths are relative.
type Table struct {
	Header []string
	Widths []float64
	Rows   [][]string
}

// Percents are the columns' widths as whole percentages, for the printable page's <col width>: a
// presentational attribute, which the CSP allows where it blocks a style attribute.
func (t *Table) Percents() []int {
	total := 0.0
	for _, w := range t.Widths {
		total += w
	}
	out := make([]int, len(t.Widths))
	for i, w := range t.Widths {
		out[i] = int(100*w/total + 0.5)
	}
	return out
}

// Options are what the forms need from the service around them.
type Options struct {
	// LookupURL is the absolute address of the citizen's lookup page (PUBLIC_BASE_URL +
	// "/tra-cuu"), printed on form 01 with its QR code. Empty leaves form 01 without them.
	LookupURL string
	// Stylesheet and Script are the addresses of the shell's print.css and print.js: the
	// pages' CSP blocks inline styles and handlers, so the printable page links them.
	Stylesheet, Script string
}

// Renderer renders forms.
type Renderer struct{ opts Options }

// New returns a renderer.
func New(o Options) *Renderer { return &Renderer{opts: o} }

// Refs are what a form names besides the dossier: the lookup page and the units' names.
type Refs struct {
	LookupURL string
	// UnitNames maps unit slugs to their names, so form 06 says "UBND xã Đông Tân" and not
	// "xa-dong-tan". A slug missing from it is shown as is.
	UnitNames map[string]string
}

func (r Refs) unitName(slug string) string {
	if n := r.UnitNames[slug]; n != "" {
		return n
	}
	return slug
}

// LookupLink builds the lookup address and QR code for receipt code, or nil without an address.
func LookupLink(lookupURL, receiptCode string) (*Lookup, error) {
	if lookupURL == "" {
		return nil, nil
	}
	link := lookupURL + "?ma=" + url.QueryEscape(receiptCode)
	// Medium error correction survives a creased or smudged slip; 256 px prints sharp at 30 mm.
	png, err := qrcode.Encode(link, qrcode.Medium, 256)
	if err != nil {
		return nil, fmt.Errorf("forms: qr code: %w", err)
	}
	return &Lookup{URL: link, QR: png,
		Text: "Tra cứu tình trạng hồ sơ tại " + lookupURL + " bằng mã hồ sơ " + receiptCode + " và 4 số cuối số điện thoại đã khai, hoặc quét mã QR."}, nil
}

// StateVI names the states for staff and citizens.
var StateVI = map[domain.State]string{
	domain.StateReceived: "Đã tiếp nhận", domain.StateRefused: "Từ chối tiếp nhận", domain.StateAssigned: "Đã phân công",
	domain.StateInProcess: "Đang xử lý", domain.StateSupplementRequested: "Chờ bổ sung", domain.StateStopped: "Dừng xử lý",
	domain.StateWithdrawn: "Rút hồ sơ", domain.StateApproved: "Đã phê duyệt", domain.StateResultReady: "Có kết quả",
	domain.StateReturned: "Đã trả kết quả", domain.StateTransferred: "Chuyển liên thông",
}

// ActionVI names the actions.
var ActionVI = map[domain.Action]string{
	domain.ActReceive: "Tiếp nhận", domain.ActRefuse: "Từ chối tiếp nhận", domain.ActAssign: "Phân công",
	domain.ActCompleteStep: "Hoàn thành bước", domain.ActRequestSupplement: "Yêu cầu bổ sung", domain.ActSupplement: "Nhận bổ sung",
	domain.ActStop: "Dừng xử lý", domain.ActWithdraw: "Rút hồ sơ", domain.ActApprove: "Phê duyệt",
	domain.ActMarkResultReady: "Có kết quả", domain.ActReturn: "Trả kết quả", domain.ActTransfer: "Chuyển liên thông",
	domain.ActExtend: "Gia hạn (xin lỗi)", domain.ActSendBack: "Trả lại để xử lý lại", domain.ActAttachResult: "Đính kèm kết quả",
}

// WaitingForLeaderVI is what staff read of a dossier whose steps are all done.
const WaitingForLeaderVI = "Chờ lãnh đạo phê duyệt"

// DossierStateVI names d's state for staff, telling a dossier that waits for the leader apart
// from one still being handled.
func DossierStateVI(d *domain.Dossier) string {
	if d.WaitsForApproval() {
		return WaitingForLeaderVI
	}
	return StateVI[d.State]
}

// FormNames are the forms' titles by number.
var FormNames = map[int]string{1: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", 2: "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
	3: "Phiếu từ chối tiếp nhận giải quyết hồ sơ", 4: "Phiếu xin lỗi và hẹn lại ngày trả kết quả", 5: "Thông báo dừng giải quyết hồ sơ",
	6: "Phiếu kiểm soát quá trình giải quyết hồ sơ", 7: "Sổ theo dõi hồ sơ"}

func hm(t time.Time) string {
	return t.In(domain.Vietnam).Format("15 giờ 04 phút, ngày 02/01/2006")
}

func day(t time.Time) string { return t.In(domain.Vietnam).Format("02/01/2006") }

func placeDate(unit app.Settings, t time.Time) string {
	name := unit.Name
	for _, p := range []string{"UBND xã ", "UBND phường ", "UBND huyện ", "UBND tỉnh ", "UBND thị trấn "} {
		name = strings.TrimPrefix(name, p)
	}
	v := t.In(domain.Vietnam)
	return fmt.Sprintf("%s, ngày %02d tháng %02d năm %d", name, v.Day(), int(v.Month()), v.Year())
}

func lastNote(d *domain.Dossier, act domain.Action) (domain.Transition, bool) {
	for i := len(d.History) - 1; i >= 0; i-- {
		if d.History[i].Action == act {
			return d.History[i], true
		}
	}
	return domain.Transition{}, false
}

// ResultDoc is a result document generated from what staff typed on the dossier page (its type,
// summary and signer), for units that sign on paper what the platform prints: the unit's header,
// the type as title, the summary and the dossier's particulars, and the signer's block.
func ResultDoc(d *domain.Dossier, unit app.Settings, docType, summary, signer string, now time.Time) Doc {
	lines := []string{summary,
		fmt.Sprintf("Thủ tục: %s (%s).", d.ProcedureName, d.ProcedureCode),
		fmt.Sprintf("Người đề nghị: Ông/Bà %s, số định danh %s, địa chỉ %s.", d.Applicant.Name, d.Applicant.IDNumber, d.Applicant.Address),
		fmt.Sprintf("Hồ sơ tiếp nhận ngày %s.", day(d.ReceivedAt))}
	return Doc{Unit: strings.ToUpper(unit.Name), Title: strings.ToUpper(docType), Subtitle: "Mã hồ sơ: " + d.ReceiptCode,
		Lines: lines, Place: placeDate(unit, now), SignTitle: "NGƯỜI KÝ", SignName: signer}
}

// Build returns form n (1–6) of dossier d; the forms that state a decision need it taken.
func Build(n int, d *domain.Dossier, unit app.Settings, refs Refs) (Doc, error) {
	doc := Doc{Unit: strings.ToUpper(unit.Name), Number: fmt.Sprintf("Mẫu số %02d", n), Title: strings.ToUpper(FormNames[n]),
		Subtitle: "Mã hồ sơ: " + d.ReceiptCode, Place: placeDate(unit, time.Now())}
	applicant := fmt.Sprintf("Kính gửi: Ông/Bà %s. Địa chỉ: %s. Số điện thoại: %s.", d.Applicant.Name, d.Applicant.Address, d.Applicant.Phone)
	proc := "Nội dung yêu cầu giải quyết: " + d.ProcedureName + "."
	receiver := ""
	if len(d.History) > 0 {
		receiver = d.History[0].Name
	}
	switch n {
	case 1:
		doc.Lines = []string{fmt.Sprintf("%s tiếp nhận hồ sơ của: Ông/Bà %s", unit.Name, d.Applicant.Name),
			"Số định danh cá nhân: " + d.Applicant.IDNumber, "Địa chỉ: " + d.Applicant.Address, "Số điện thoại: " + d.Applicant.Phone, proc,
			"Thành phần hồ sơ nộp gồm:"}
		t := &Table{Header: []string{"STT", "Tên giấy tờ", "Hình thức", "Số lượng"}, Widths: []float64{1, 8, 3, 2}}
		for i, doc := range d.Documents {
			t.Rows = append(t.Rows, []string{fmt.Sprint(i + 1), doc.Name, kindVI(doc.Kind), fmt.Sprint(doc.Count)})
		}
		doc.Table = t
		doc.After = []string{"Thời gian nhận hồ sơ: " + hm(d.ReceivedAt), "Thời gian trả kết quả giải quyết hồ sơ: " + hm(d.DueAt),
			"Vào Sổ theo dõi hồ sơ, Quyển số: 01/" + d.ReceivedAt.In(domain.Vietnam).Format("2006")}
		l, err := LookupLink(refs.LookupURL, d.ReceiptCode)
		if err != nil {
			return Doc{}, err
		}
		if l == nil {
			doc.After = append(doc.After, "Tra cứu tình trạng hồ sơ bằng mã hồ sơ và 4 số cuối điện thoại tại trang tra cứu của đơn vị.")
		}
		doc.Lookup = l
		doc.SignTitle, doc.SignName = "NGƯỜI TIẾP NHẬN HỒ SƠ", receiver
	case 2:
		t, ok := lastNote(d, domain.ActRequestSupplement)
		if !ok {
			return Doc{}, apperr.Conflict("form_not_applicable", "no supplement was requested for this dossier")
		}
		doc.Lines = []string{applicant, proc, fmt.Sprintf("Sau khi xem xét thành phần hồ sơ ngày %s, đề nghị Ông/Bà bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:", day(t.At)),
			t.Note, "Lý do: hồ sơ chưa đầy đủ theo quy định.", "Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ bộ phận một cửa để được hướng dẫn."}
		doc.SignTitle, doc.SignName = "NGƯỜI HƯỚNG DẪN", t.Name
	case 3:
		t, ok := lastNote(d, domain.ActRefuse)
		if !ok {
			return Doc{}, apperr.Conflict("form_not_applicable", "this dossier was not refused")
		}
		doc.Lines = []string{applicant, proc, fmt.Sprintf("Ngày %s, bộ phận một cửa nhận được hồ sơ của Ông/Bà.", day(d.ReceivedAt)),
			"Qua nghiên cứu, xem xét, hồ sơ không đủ điều kiện giải quyết với lý do sau:", t.Note, "Xin thông báo để Ông/Bà được biết và thực hiện."}
		doc.SignTitle, doc.SignName = "NGƯỜI TIẾP NHẬN HỒ SƠ", t.Name
	case 4:
		t, ok := lastNote(d, domain.ActExtend)
		if !ok || t.DueAt == nil {
			return Doc{}, apperr.Conflict("form_not_applicable", "this dossier has no extension")
		}
		doc.Lines = []string{applicant, proc, fmt.Sprintf("Ngày %s, bộ phận một cửa đã tiếp nhận hồ sơ, hẹn trả kết quả vào %s.", day(d.ReceivedAt), hm(d.DueAt)),
			"Tuy nhiên đến nay, cơ quan chưa trả kết quả giải quyết hồ sơ cho Ông/Bà đúng hẹn. Lý do:", t.Note,
			fmt.Sprintf("Sự chậm trễ này đã gây phiền hà cho Ông/Bà. Chúng tôi xin lỗi và hẹn trả kết quả vào %s.", hm(*t.DueAt)),
			"Xin trân trọng cảm ơn sự hợp tác của Ông/Bà."}
		doc.SignTitle, doc.SignName = "THỦ TRƯỞNG CƠ QUAN", t.Name
	case 5:
		t, ok := lastNote(d, domain.ActStop)
		if !ok {
			return Doc{}, apperr.Conflict("form_not_applicable", "processing of this dossier was not stopped")
		}
		doc.Lines = []string{applicant, proc, fmt.Sprintf("Hồ sơ tiếp nhận ngày %s đã được dừng giải quyết từ ngày %s với lý do sau:", day(d.ReceivedAt), day(t.At)),
			t.Note, "Xin thông báo để Ông/Bà được biết."}
		doc.SignTitle, doc.SignName = "THỦ TRƯỞNG CƠ QUAN", t.Name
	case 6:
		doc.Lines = []string{"Cơ quan (bộ phận) giải quyết hồ sơ: " + unit.Name, proc,
			"Người nộp: " + d.Applicant.Name, "Thời gian nhận hồ sơ: " + hm(d.ReceivedAt), "Thời gian trả kết quả: " + hm(d.DueAt)}
		t := &Table{Header: []string{"Thời gian", "Đơn vị / người thực hiện", "Công việc", "Ghi chú"}, Widths: []float64{4, 5, 4, 5}}
		for _, h := range d.History {
			who := h.Name
			if who == "" {
				who = h.Actor
			}
			t.Rows = append(t.Rows, []string{hm(h.At), refs.unitName(h.Tenant) + " – " + who, ActionVI[h.Action], h.Note})
		}
		doc.Table = t
		doc.SignTitle = "NGƯỜI LẬP PHIẾU"
	default:
		return Doc{}, apperr.NotFound("form", n)
	}
	return doc, nil
}

// shownDate writes a form's YYYY-MM-DD as people read it, dd/mm/yyyy; anything else as given.
func shownDate(s string) string {
	if d, err := domain.ParseDate(s); err == nil {
		return day(d.At(0))
	}
	return s
}

func kindVI(k domain.CopyKind) string {
	if k == domain.Original {
		return "Bản chính"
	}
	return "Bản sao"
}

// Ledger builds form 07 over a list of dossiers received between from and to.
func Ledger(ds []*domain.Dossier, unit app.Settings, from, to string) Doc {
	doc := Doc{Unit: strings.ToUpper(unit.Name), Number: "Mẫu số 07", Title: "SỔ THEO DÕI HỒ SƠ",
		Subtitle: fmt.Sprintf("Từ ngày %s đến ngày %s", shownDate(from), shownDate(to)), Place: placeDate(unit, time.Now()), SignTitle: "NGƯỜI LẬP SỔ"}
	t := &Table{Header: []string{"STT", "Mã hồ sơ", "Thủ tục", "Người nộp", "Nhận lúc", "Hẹn trả", "Trả lúc", "Tình trạng"},
		Widths: []float64{1, 4, 5, 4, 3, 3, 3, 3}}
	for i, d := range ds {
		ret := ""
		if d.ReturnedAt != nil {
			ret = day(*d.ReturnedAt)
		}
		st := StateVI[d.State]
		if d.Late {
			st += " (trễ hạn)"
		}
		t.Rows = append(t.Rows, []string{fmt.Sprint(i + 1), d.ReceiptCode, d.ProcedureName, d.Applicant.Name, day(d.ReceivedAt), day(d.DueAt), ret, st})
	}
	doc.Table = t
	return doc
}

// ---- HTML ----

// page is the printable page: the same Doc as the PDF, styled by the shell's print.css and with a
// print button wired by print.js (hidden until the script runs, so it never sits there dead).
var page = template.Must(template.New("form").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Number}}{{if .Number}} – {{end}}{{.Title}}</title>
{{with $.Stylesheet}}<link rel="stylesheet" href="{{.}}">{{end}}
{{with $.Script}}<script src="{{.}}" defer></script>{{end}}
</head><body>
<main class="doc{{if .Wide}} doc-wide{{end}}">
<p class="num">{{.Number}}</p>
<div class="head"><div>{{.Unit}}</div><div>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>Độc lập – Tự do – Hạnh phúc</div></div>
<h1 class="title" id="doc-title">{{.Title}}</h1><p class="sub">{{.Subtitle}}</p>
{{range .Lines}}<p>{{.}}</p>{{end}}
{{with .Table}}<div class="table-scroll" role="region" tabindex="0" aria-labelledby="doc-title"><table><colgroup>{{range .Percents}}<col width="{{.}}%">{{end}}</colgroup><thead><tr>{{range .Header}}<th scope="col">{{.}}</th>{{end}}</tr></thead><tbody>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</tbody></table></div>{{end}}
{{range .After}}<p>{{.}}</p>{{end}}
{{with .Lookup}}<div class="lookup" id="lookup"><img src="{{.QRDataURI}}" alt="Mã QR mở trang tra cứu hồ sơ"><p>{{.Text}}</p></div>{{end}}
<p class="place">{{.Place}}</p>
<div class="sign"><div class="t">{{.SignTitle}}</div><div><i>(Ký, ghi rõ họ tên)</i></div><div class="name">{{.SignName}}</div></div>
</main>
<div class="doc-actions"><button type="button" id="print" data-print hidden>In phiếu</button></div>
</body></html>`))

type pageView struct {
	Doc
	Stylesheet, Script string
	Wide               bool
}

func (r *Renderer) writeHTML(w io.Writer, doc Doc) error {
	return page.Execute(w, pageView{Doc: doc, Stylesheet: r.opts.Stylesheet, Script: r.opts.Script, Wide: wide(doc)})
}

// wide is whether doc's table needs the page turned, as WritePDF does.
func wide(doc Doc) bool { return doc.Table != nil && len(doc.Table.Header) > 6 }

// Write writes form n of d as PDF or as a printable page, and returns its content type. Units are
// named by their slugs: WriteNamed names them.
func (r *Renderer) Write(w io.Writer, n int, pdf bool, d *domain.Dossier, unit app.Settings) (contentType string, err error) {
	return r.WriteNamed(w, n, pdf, d, unit, nil)
}

// WriteNamed is Write with the units' names (slug → name) for the forms that name units.
func (r *Renderer) WriteNamed(w io.Writer, n int, pdf bool, d *domain.Dossier, unit app.Settings, unitNames map[string]string) (contentType string, err error) {
	doc, err := Build(n, d, unit, Refs{LookupURL: r.opts.LookupURL, UnitNames: unitNames})
	if err != nil {
		return "", err
	}
	if pdf {
		return "application/pdf", WritePDF(w, doc)
	}
	return "text/html; charset=utf-8", r.writeHTML(w, doc)
}

// WriteHTML writes any doc (the ledger) as a printable page.
func (r *Renderer) WriteHTML(w io.Writer, doc Doc) error { return r.writeHTML(w, doc) }

// ---- PDF ----

// WritePDF lays doc out on A4 portrait (landscape for wide tables) with the embedded font.
func WritePDF(w io.Writer, doc Doc) error {
	orientation := "P"
	if wide(doc) {
		orientation = "L"
	}
	pdf := fpdf.New(orientation, "mm", "A4", "")
	pdf.SetMargins(20, 15, 15)
	pdf.SetAutoPageBreak(true, 15)
	pdf.AddUTF8FontFromBytes("DejaVu", "", fontRegular)
	pdf.AddUTF8FontFromBytes("DejaVu", "B", fontBold)
	pdf.SetTitle(doc.Number+" – "+doc.Title, true)
	pdf.AddPage()
	pageW, _ := pdf.GetPageSize()
	left, _, right, _ := pdf.GetMargins()
	width := pageW - left - right

	pdf.SetFont("DejaVu", "", 9)
	pdf.CellFormat(width, 5, doc.Number, "", 1, "R", false, 0, "")
	pdf.SetFont("DejaVu", "B", 10)
	y := pdf.GetY()
	pdf.MultiCell(width*0.4, 5, doc.Unit, "", "C", false)
	pdf.SetXY(left+width*0.4, y)
	pdf.MultiCell(width*0.6, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập – Tự do – Hạnh phúc", "", "C", false)
	pdf.Ln(4)
	pdf.SetFont("DejaVu", "B", 12)
	pdf.MultiCell(width, 6, doc.Title, "", "C", false)
	pdf.SetFont("DejaVu", "", 10)
	pdf.MultiCell(width, 5, doc.Subtitle, "", "C", false)
	pdf.Ln(3)
	for _, l := range doc.Lines {
		pdf.MultiCell(width, 5.5, l, "", "J", false)
	}
	if t := doc.Table; t != nil {
		total := 0.0
		for _, x := range t.Widths {
			total += x
		}
		cols := make([]float64, len(t.Widths))
		for i, x := range t.Widths {
			cols[i] = width * x / total
		}
		pdf.SetFont("DejaVu", "B", 9)
		for i, hd := range t.Header {
			pdf.CellFormat(cols[i], 6, hd, "1", 0, "C", false, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("DejaVu", "", 9)
		for _, row := range t.Rows {
			// Each cell may wrap: the row is as tall as its tallest cell.
			lines := 1
			for i, cell := range row {
				lines = max(lines, len(pdf.SplitText(cell, cols[i]-2)))
			}
			h := 5.0 * float64(lines)
			if pdf.GetY()+h > 280 && orientation == "P" || pdf.GetY()+h > 195 && orientation == "L" {
				pdf.AddPage()
			}
			x, y := pdf.GetXY()
			for i, cell := range row {
				pdf.Rect(x, y, cols[i], h, "D")
				pdf.SetXY(x, y)
				pdf.MultiCell(cols[i], 5, cell, "", "L", false)
				x += cols[i]
			}
			pdf.SetXY(left, y+h)
		}
		pdf.Ln(2)
	}
	for _, l := range doc.After {
		pdf.MultiCell(width, 5.5, l, "", "J", false)
	}
	if l := doc.Lookup; l != nil {
		const side = 30.0 // mm, as print.css gives the page's QR code
		if pdf.GetY()+side > 270 && orientation == "P" {
			pdf.AddPage()
		}
		pdf.RegisterImageOptionsReader("lookup-qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(l.QR))
		y := pdf.GetY() + 1
		pdf.ImageOptions("lookup-qr", left, y, side, side, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, l.URL)
		pdf.SetXY(left+side+4, y+side/2-6)
		pdf.MultiCell(width-side-4, 5.5, l.Text, "", "L", false)
		pdf.SetY(y + side + 1)
	}
	pdf.Ln(3)
	pdf.SetX(left + width*0.45)
	pdf.MultiCell(width*0.55, 5, doc.Place, "", "C", false)
	pdf.SetFont("DejaVu", "B", 10)
	pdf.SetX(left + width*0.45)
	pdf.MultiCell(width*0.55, 5, doc.SignTitle, "", "C", false)
	pdf.SetFont("DejaVu", "", 9)
	pdf.SetX(left + width*0.45)
	pdf.MultiCell(width*0.55, 5, "(Ký, ghi rõ họ tên)\n\n\n\n"+doc.SignName, "", "C", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return fmt.Errorf("forms: pdf: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
