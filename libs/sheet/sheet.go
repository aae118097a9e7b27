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
package sheet

import (
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

// Read calls each for every non-empty row after the header, with its 1-based line number, and
// returns the header. A file it cannot read is an invalid "file" naming the line.
func Read(format Format, r io.Reader, each func(line int, cells []string) error) ([]string, error) {
	switch format {
	case CSV:
		return readCSV(r, each)
	case XLSX:
		return readXLSX(r, each)
	}
	return nil, apperr.Malformed("format", "must be csv or xlsx")
}

func readCSV(r io.Reader, each func(int, []string) error) ([]string, error) {
	br := bufio.NewReader(r)
	if head, err := br.Peek(len(bom)); err == nil && bytes.Equal(head, bom) {
		_, _ = br.Discard(len(bom))
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // short rows are reported per column by the caller
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, apperr.Invalid("file", "tệp trống: thiếu dòng tiêu đề")
	}
	if err != nil {
		return nil, apperr.Invalid("file", "không đọc được tệp CSV: "+err.Error())
	}
	unescape(header)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return header, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return header, apperr.Invalid("file", fmt.Sprintf("dòng %d: tệp CSV sai định dạng (%v)", pe.Line, pe.Err))
			}
			return header, err
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		unescape(rec)
		if err := each(line, rec); err != nil {
			return header, err
		}
	}
}

func readXLSX(r io.Reader, each func(int, []string) error) ([]string, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, apperr.Invalid("file", "không đọc được tệp XLSX: tệp hỏng hoặc không phải Excel 2007 trở lên")
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
		cells, err := rows.Columns()
		if err != nil {
			return header, apperr.Invalid("file", fmt.Sprintf("dòng %d: không đọc được ô", line))
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
	if formulaLead(s) {
		return "'" + s
	}
	return s
}

// unescape takes off the apostrophe escape put on, and only that one.
func unescape(cells []string) {
	for i, c := range cells {
		if strings.HasPrefix(c, "'") && formulaLead(c[1:]) {
			cells[i] = c[1:]
		}
	}
}
