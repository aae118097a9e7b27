package sheet

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"egov.vn/platform/libs/apperr"
)

// Options shape a written file.
type Options struct {
	// Title, when set, is the first row of an XLSX file, above the header (CSV files have none,
	// so that they stay a plain table).
	Title string
	// SheetName names the XLSX sheet; default "Sheet1".
	SheetName string
	// Notes, in an XLSX file, are rows of text on a second sheet named NotesName, after the
	// table: what a person reads while filling the table in, such as an import template's
	// allowed values. Read only ever reads the first sheet, so a filled-in template is read as
	// if they were not there. CSV files, a single table, have none.
	Notes     [][]string
	NotesName string
}

// Writer writes one table: Header once, then Row for each row, then Close. Cells are strings
// (kept as text, so a CCCD keeps its leading zero and a date is not reinterpreted by Excel's
// locale) or numbers (int, int64, float64: kept as numbers in XLSX).
type Writer struct {
	notes  [][]string
	nname  string
	format Format
	out    io.Writer
	csv    *csv.Writer
	xlsx   *excelize.File
	stream *excelize.StreamWriter
	bold   int
	text   int
	row    int
}

// NewWriter starts a file in format on out.
func NewWriter(format Format, out io.Writer, o Options) (*Writer, error) {
	w := &Writer{format: format, out: out, notes: o.Notes, nname: o.NotesName}
	switch format {
	case CSV:
		if _, err := out.Write(bom); err != nil {
			return nil, err
		}
		w.csv = csv.NewWriter(out)
		return w, nil
	case XLSX:
		w.xlsx = excelize.NewFile()
		name := o.SheetName
		if name == "" {
			name = "Sheet1"
		} else if err := w.xlsx.SetSheetName("Sheet1", name); err != nil {
			return nil, err
		}
		var err error
		if w.stream, err = w.xlsx.NewStreamWriter(name); err != nil {
			return nil, err
		}
		if w.bold, err = w.xlsx.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
			return nil, err
		}
		if w.text, err = w.xlsx.NewStyle(&excelize.Style{NumFmt: 49}); err != nil { // "@": keep as text
			return nil, err
		}
		if o.Title != "" {
			if err := w.setRow([]any{excelize.Cell{StyleID: w.bold, Value: o.Title}}); err != nil {
				return nil, err
			}
		}
		return w, nil
	}
	return nil, apperr.Malformed("format", "must be csv or xlsx")
}

// Header writes the column names (bold in XLSX).
func (w *Writer) Header(columns ...string) error {
	if w.csv != nil {
		rec := make([]string, len(columns))
		for i, c := range columns {
			rec[i] = escape(c)
		}
		return w.csv.Write(rec)
	}
	cells := make([]any, len(columns))
	for i, c := range columns {
		cells[i] = excelize.Cell{StyleID: w.bold, Value: c}
	}
	return w.setRow(cells)
}

// Row writes one row.
func (w *Writer) Row(cells ...any) error {
	if w.csv != nil {
		rec := make([]string, len(cells))
		for i, c := range cells {
			switch c.(type) {
			case int, int64, float64: // a negative number is a number, not a formula
				rec[i] = Text(c)
			default:
				rec[i] = escape(Text(c))
			}
		}
		return w.csv.Write(rec)
	}
	out := make([]any, len(cells))
	for i, c := range cells {
		switch v := c.(type) {
		case int, int64, float64:
			out[i] = v
		default:
			out[i] = excelize.Cell{StyleID: w.text, Value: Text(c)}
		}
	}
	return w.setRow(out)
}

// Strings writes one row of text cells.
func (w *Writer) Strings(cells []string) error {
	row := make([]any, len(cells))
	for i, c := range cells {
		row[i] = c
	}
	return w.Row(row...)
}

// Close finishes the file: CSV is flushed, XLSX is written out.
func (w *Writer) Close() error {
	if w.csv != nil {
		w.csv.Flush()
		return w.csv.Error()
	}
	defer func() { _ = w.xlsx.Close() }()
	if err := w.stream.Flush(); err != nil {
		return err
	}
	if err := w.writeNotes(); err != nil {
		return err
	}
	return w.xlsx.Write(w.out)
}

// writeNotes adds the notes' sheet, its first row in bold, in excelize's normal mode: the
// stream of the first sheet is flushed, and the notes are a few dozen rows.
func (w *Writer) writeNotes() error {
	if len(w.notes) == 0 {
		return nil
	}
	name := w.nname
	if name == "" {
		name = "Sheet2"
	}
	if _, err := w.xlsx.NewSheet(name); err != nil {
		return err
	}
	for i, row := range w.notes {
		ref, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return err
		}
		cells := make([]any, len(row))
		for j, c := range row {
			cells[j] = c
		}
		if err := w.xlsx.SetSheetRow(name, ref, &cells); err != nil {
			return err
		}
		if i == 0 {
			end, err := excelize.CoordinatesToCellName(max(len(row), 1), 1)
			if err != nil {
				return err
			}
			if err := w.xlsx.SetCellStyle(name, "A1", end, w.bold); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *Writer) setRow(cells []any) error {
	w.row++
	ref, err := excelize.CoordinatesToCellName(1, w.row)
	if err != nil {
		return err
	}
	return w.stream.SetRow(ref, cells)
}

// Text is a cell's text as a CSV file shows it: numbers in plain decimal, nothing for nil.
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}
