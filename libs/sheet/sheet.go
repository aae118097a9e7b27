// Package sheet is the platform's one spreadsheet reader and writer: CSV (UTF-8 with the
// byte-order mark Excel needs to show Vietnamese) and XLSX (the first sheet), streamed both ways
// with excelize's row iterator and stream writer so that a 10,000-row file is never built up
// cell by cell in memory. Imports (staff, the procedure catalogue) read with Read; exports (the
// ledger, statistics, the indicators) write with NewWriter.
//
// Cells a spreadsheet program would run as a formula (starting with =, +, -, @, tab or carriage
// return) are written with a leading apostrophe in CSV, as OWASP advises against CSV injection;
// Read takes that apostrophe off again, so an export read back as an import gives the same text.
// XLSX cells are typed, so text there is never a formula.
//
// Reading is bounded (Limits): rows, cells in a row, and the uncompressed size of the file,
// checked while reading, so that a small upload cannot cost minutes of CPU (an XLSX of 1 MB can
// hold 200,000 rows). Each refusal names the limit in Vietnamese for the person importing.
package sheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"egov.vn/platform/libs/apperr"
)

// Format is a spreadsheet file format.
type Format string

const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ParseFormat reads a format name, "csv" or "xlsx" (any case); field names it in the error.
func ParseFormat(field, s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case CSV, XLSX:
		return f, nil
	}
	return "", apperr.Malformed(field, "must be csv or xlsx")
}

// ContentType is the media type of files in f.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

var bom = []byte("\uFEFF")

// Limits bound what one Read accepts. A zero field takes DefaultLimits' value.
type Limits struct {
	// Rows bounds the rows after the header, blank ones included (they cost reading too).
	Rows int
	// Cells bounds the cells of one row.
	Cells int
	// Bytes bounds the uncompressed size: a CSV file as sent, an XLSX file's zip entries
	// together (the worksheet and shared strings a zip bomb would inflate).
	Bytes int64
}

// DefaultLimits fit any unit's import with room to spare (the largest district has a few
// thousand staff; 10,000 rows of XLSX are about 1 MB packed, 10 MB unpacked) while bounding one
// dry run to a few seconds of CPU.
var DefaultLimits = Limits{Rows: 20_000, Cells: 200, Bytes: 32 << 20}

func (l Limits) orDefault() Limits {
	if l.Rows <= 0 {
		l.Rows = DefaultLimits.Rows
	}
	if l.Cells <= 0 {
		l.Cells = DefaultLimits.Cells
	}
	if l.Bytes <= 0 {
		l.Bytes = DefaultLimits.Bytes
	}
	return l
}

// Read reads within DefaultLimits; see Limits.Read.
func Read(format Format, r io.Reader, each func(line int, cells []string) error) ([]string, error) {
	return Limits{}.Read(format, r, each)
}

// Read calls each for every non-empty row after the header, with its 1-based line number, and
// returns the header. A file it cannot read, or one over a limit, is an invalid "file" naming
// the line or the limit; reading stops at the first row over a limit.
func (l Limits) Read(format Format, r io.Reader, each func(line int, cells []string) error) ([]string, error) {
	l = l.orDefault()
	switch format {
	case CSV:
		return l.readCSV(r, each)
	case XLSX:
		return l.readXLSX(r, each)
	}
	return nil, apperr.Malformed("format", "must be csv or xlsx")
}

func (l Limits) tooManyRows() error {
	return apperr.Invalid("file", fmt.Sprintf("tệp có quá %d dòng, giới hạn của một lần nhập; hãy chia thành nhiều tệp", l.Rows)).
		WithDetail("limit_rows", l.Rows)
}

func (l Limits) tooManyCells(line, n int) error {
	return apperr.Invalid("file", fmt.Sprintf("dòng %d có %d ô, quá giới hạn %d ô một dòng", line, n, l.Cells)).
		WithDetail("limit_cells", l.Cells)
}

func (l Limits) tooLarge(what string) error {
	return apperr.Invalid("file", fmt.Sprintf("%s quá %d MB, giới hạn của một lần nhập; hãy chia thành nhiều tệp", what, l.Bytes>>20)).
		WithDetail("limit_bytes", l.Bytes)
}

// check applies the row and cell limits to the line-th line, the rows-th after the header.
func (l Limits) check(rows, line, cells int) error {
	if rows > l.Rows {
		return l.tooManyRows()
	}
	if cells > l.Cells {
		return l.tooManyCells(line, cells)
	}
	return nil
}

// errTooLarge marks the CSV byte limit reached, told apart from the reader's own errors.
var errTooLarge = errors.New("sheet: over the byte limit")

// cappedReader fails with errTooLarge once more than n bytes were read.
type cappedReader struct {
	r io.Reader
	n int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.n < 0 {
		return 0, errTooLarge
	}
	n, err := c.r.Read(p)
	c.n -= int64(n)
	if c.n < 0 {
		return n, errTooLarge
	}
	return n, err
}

func (l Limits) readCSV(r io.Reader, each func(int, []string) error) ([]string, error) {
	br := bufio.NewReader(&cappedReader{r: r, n: l.Bytes + int64(len(bom))})
	if head, err := br.Peek(len(bom)); err == nil && bytes.Equal(head, bom) {
		_, _ = br.Discard(len(bom))
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // short rows are reported per column by the caller
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, apperr.Invalid("file", "tệp trống: thiếu dòng tiêu đề")
	}
	if errors.Is(err, errTooLarge) {
		return nil, l.tooLarge("tệp CSV")
	}
	if err != nil {
		return nil, apperr.Invalid("file", "không đọc được tệp CSV: "+err.Error())
	}
	if len(header) > l.Cells {
		return nil, l.tooManyCells(1, len(header))
	}
	unescape(header)
	rows := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return header, nil
		}
		if errors.Is(err, errTooLarge) {
			return header, l.tooLarge("tệp CSV")
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return header, apperr.Invalid("file", fmt.Sprintf("dòng %d: tệp CSV sai định dạng (%v)", pe.Line, pe.Err))
			}
			return header, err
		}
		line, _ := cr.FieldPos(0)
		rows++
		if err := l.check(rows, line, len(rec)); err != nil {
			return header, err
		}
		// The escape comes off first: a row that was blank but for escaped cells is blank.
		unescape(rec)
		if blank(rec) {
			continue
		}
		if err := each(line, rec); err != nil {
			return header, err
		}
	}
}

func (l Limits) readXLSX(r io.Reader, each func(int, []string) error) ([]string, error) {
	// excelize reads the whole file into memory anyway; the packed file is bounded by the
	// route's body limit. What it unpacks is bounded here before any XML is parsed: the sizes
	// the zip's directory declares, summed, then each entry inflated to check it keeps to its
	// declared size (archive/zip stops one that does not, and excelize would silently read such
	// an entry cut short). Inflating costs far less than parsing, and is bounded by the sum.
	packed, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	unreadable := apperr.Invalid("file", "không đọc được tệp XLSX: tệp hỏng hoặc không phải Excel 2007 trở lên")
	zr, err := zip.NewReader(bytes.NewReader(packed), int64(len(packed)))
	if err != nil {
		return nil, unreadable
	}
	var unpacked uint64
	for _, f := range zr.File {
		unpacked += f.UncompressedSize64
		if unpacked > uint64(l.Bytes) {
			return nil, l.tooLarge("tệp XLSX khi giải nén")
		}
	}
	for _, f := range zr.File {
		if err := inflates(f); err != nil {
			return nil, unreadable
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(packed), excelize.Options{UnzipSizeLimit: l.Bytes, UnzipXMLSizeLimit: min(l.Bytes, 16<<20)})
	if err != nil {
		return nil, unreadable
	}
	defer func() { _ = f.Close() }()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, apperr.Invalid("file", "tệp XLSX không có trang tính nào")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, apperr.Invalid("file", "không đọc được trang tính đầu tiên")
	}
	defer func() { _ = rows.Close() }()
	var header []string
	line := 0
	for rows.Next() {
		line++
		// The header is line 1 and not counted; every later line is, blank or not.
		if line-1 > l.Rows {
			return header, l.tooManyRows()
		}
		cells, err := rows.Columns()
		if err != nil {
			return header, apperr.Invalid("file", fmt.Sprintf("dòng %d: không đọc được ô", line))
		}
		if len(cells) > l.Cells {
			return header, l.tooManyCells(line, len(cells))
		}
		if header == nil {
			header = cells
			continue
		}
		if blank(cells) {
			continue
		}
		if err := each(line, cells); err != nil {
			return header, err
		}
	}
	if header == nil {
		return nil, apperr.Invalid("file", "tệp trống: thiếu dòng tiêu đề")
	}
	return header, rows.Error()
}

// inflates reads f whole, failing if it inflates past its declared size or fails its checksum.
func inflates(f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, rc)
	return errors.Join(err, rc.Close())
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// formulaLead reports whether a spreadsheet program would read a cell starting with s's first
// character as a formula (OWASP's list).
func formulaLead(s string) bool { return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) }

// escape guards a CSV text cell against being run as a formula.
func escape(s string) string {
	// A cell that already starts with apostrophes before a formula character gets one more, so
	// that unescape, which takes one off, gives it back as it was.
	if formulaLead(strings.TrimLeft(s, "'")) {
		return "'" + s
	}
	return s
}

// unescape takes off the apostrophe escape put on, and only that one.
func unescape(cells []string) {
	for i, c := range cells {
		if strings.HasPrefix(c, "'") && formulaLead(strings.TrimLeft(c, "'")) {
			cells[i] = c[1:]
		}
	}
}
