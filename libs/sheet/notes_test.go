package sheet

import (
	"bytes"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"
)

// An XLSX template carries its notes (the allowed values) on a second sheet, which the person
// reads in Excel and the import never sees: the filled-in file reads back as the table alone.
func TestNotesAreASecondSheetTheReaderSkips(t *testing.T) {
	notes := [][]string{{"Cột", "Giá trị hợp lệ"}, {"gioi_tinh", "Nam, Nữ"}, {"phan_loai", "=không phải công thức"}}
	var buf bytes.Buffer
	w, err := NewWriter(XLSX, &buf, Options{SheetName: "Mẫu nhập", Notes: notes, NotesName: "Giá trị hợp lệ"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Header("ho_ten", "gioi_tinh"); err != nil {
		t.Fatal(err)
	}
	if err := w.Strings([]string{"Trần Văn Nam", "Nam"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	raw := slices.Clone(buf.Bytes())

	var rows [][]string
	header, err := Read(XLSX, &buf, func(_ int, cells []string) error { rows = append(rows, slices.Clone(cells)); return nil })
	if err != nil || !slices.Equal(header, []string{"ho_ten", "gioi_tinh"}) || len(rows) != 1 || rows[0][0] != "Trần Văn Nam" {
		t.Fatalf("the template read back: header %v, rows %v, %v", header, rows, err)
	}

	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"Mẫu nhập", "Giá trị hợp lệ"}) {
		t.Fatalf("sheets %v", got)
	}
	if f.GetActiveSheetIndex() != 0 {
		t.Errorf("the file opens on sheet %d, want the table", f.GetActiveSheetIndex())
	}
	got, err := f.GetRows("Giá trị hợp lệ")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(notes) {
		t.Fatalf("notes %v, want %v", got, notes)
	}
	for i := range notes {
		if !slices.Equal(got[i], notes[i]) {
			t.Errorf("notes row %d: %v, want %v", i+1, got[i], notes[i])
		}
	}
	if formula, _ := f.GetCellFormula("Giá trị hợp lệ", "B3"); formula != "" {
		t.Errorf("a note that starts with = became the formula %q", formula)
	}
}
