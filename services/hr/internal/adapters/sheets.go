package adapters

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

// Sheets reads and writes the rows of CSV (UTF-8, comma-separated, with the byte-order mark
// Excel needs to show Vietnamese) and XLSX files (first sheet), streaming both ways with
// excelize's row iterator and stream writer so that a 10,000-row file is not built up cell by
// cell in memory.
type Sheets struct{}

// Formats.
const (
	CSV  = "csv"
	XLSX = "xlsx"
)

const sheetName = "Sheet1"

var bom = []byte("\uFEFF")

// Read calls each for every non-empty row after the header, with its 1-based line number.
func (Sheets) Read(format string, r io.Reader, each func(line int, cells []string) error) ([]string, error) {
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
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, apperr.Invalid("file", "tệp trống: thiếu dòng tiêu đề")
	}
	if err != nil {
		return nil, apperr.Invalid("file", "không đọc được tệp CSV: "+err.Error())
	}
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

// Write writes header and the rows next yields. Every cell is text, so a CCCD keeps its leading
// zero and a date is not reinterpreted by Excel's locale.
func (Sheets) Write(format string, w io.Writer, header []string, next func() ([]string, bool)) error {
	switch format {
	case CSV:
		if _, err := w.Write(bom); err != nil {
			return err
		}
		cw := csv.NewWriter(w)
		if err := cw.Write(header); err != nil {
			return err
		}
		for row, ok := next(); ok; row, ok = next() {
			if err := cw.Write(row); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	case XLSX:
		f := excelize.NewFile()
		defer func() { _ = f.Close() }()
		sw, err := f.NewStreamWriter(sheetName)
		if err != nil {
			return err
		}
		bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
		if err != nil {
			return err
		}
		text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": keep as text
		if err != nil {
			return err
		}
		cells := func(row []string, style int) []any {
			out := make([]any, len(row))
			for i, v := range row {
				out[i] = excelize.Cell{StyleID: style, Value: v}
			}
			return out
		}
		if err := sw.SetRow("A1", cells(header, bold)); err != nil {
			return err
		}
		n := 1
		for row, ok := next(); ok; row, ok = next() {
			n++
			ref, _ := excelize.CoordinatesToCellName(1, n)
			if err := sw.SetRow(ref, cells(row, text)); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		return f.Write(w)
	}
	return apperr.Malformed("format", "must be csv or xlsx")
}
