package sheet

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"egov.vn/platform/libs/apperr"
)

// checkReadError fails unless err is what Read may answer a person's upload with: an apperr of
// kind invalid or malformed naming the file (never a panic, never an untyped error).
func checkReadError(t *testing.T, err error) {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) {
		t.Fatalf("Read returned an untyped error %T: %v", err, err)
	}
	if e.Kind != apperr.KindInvalid && e.Kind != apperr.KindMalformed {
		t.Fatalf("Read returned an error of kind %v: %v", e.Kind, err)
	}
}

// checkRows: every row handed to each has a line number after the previous one's and is not
// blank (Read skips those).
func readAll(t *testing.T, format Format, data []byte) ([]string, [][]string, error) {
	t.Helper()
	var rows [][]string
	last := 0
	header, err := Read(format, bytes.NewReader(data), func(line int, cells []string) error {
		if line <= last {
			t.Fatalf("line %d after line %d", line, last)
		}
		last = line
		if blank(cells) {
			t.Fatalf("line %d: a blank row was handed over: %q", line, cells)
		}
		rows = append(rows, slices.Clone(cells))
		return nil
	})
	return header, rows, err
}

// FuzzReadCSV feeds arbitrary bytes to the CSV import reader: it never panics, a file it
// refuses is an invalid/malformed apperr, and a file it reads has a header.
func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"\uFEFFma,ten_thu_tuc,linh_vuc\r\n1.001,Đăng ký khai sinh,Hộ tịch\r\n",
		"cccd,ho_ten,ngay_sinh\n001088012345,Nguyễn Thị Hoa,1988-03-02\n\n ,\n",
		"a,b\n'=HYPERLINK(\"http://evil.example\"),'+84\n",
		"a,\"b\nc\",d\n\"unterminated\n",
		"\uFEFF",
		"",
		"a,b\n1,2,3\n\"x\"y,z\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		header, _, err := readAll(t, CSV, data)
		if err != nil {
			checkReadError(t, err)
			return
		}
		if header == nil {
			t.Fatalf("no error and no header for %q", data)
		}
	})
}

// FuzzReadXLSX feeds arbitrary bytes (seeded with files the writer makes) to the XLSX import
// reader: no panic, and a refusal is an invalid/malformed apperr.
func FuzzReadXLSX(f *testing.F) {
	for _, rows := range [][][]string{
		{{"cccd", "ho_ten"}, {"001088012345", "Nguyễn Thị Hoa"}},
		{{"a"}},
		{{"a", "b"}, {"", " "}, {"=1+1", "x"}},
	} {
		var buf bytes.Buffer
		w, err := NewWriter(XLSX, &buf, Options{Title: "Danh sách"})
		if err != nil {
			f.Fatal(err)
		}
		if err := w.Header(rows[0]...); err != nil {
			f.Fatal(err)
		}
		for _, r := range rows[1:] {
			if err := w.Strings(r); err != nil {
				f.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		header, _, err := readAll(t, XLSX, data)
		if err != nil {
			checkReadError(t, err)
			return
		}
		if header == nil {
			t.Fatalf("no error and no header")
		}
	})
}

// FuzzCSVRoundTrip: a header and a row of any text written by the export writer read back as
// the same text through the import reader (the formula escape is taken off again), so an
// export edited and imported again loses nothing, and a row of blanks (escaped or not) is
// skipped. Text with a carriage return is left out: encoding/csv reads a CRLF inside a cell as
// LF, so CSV cannot carry it.
func FuzzCSVRoundTrip(f *testing.F) {
	f.Add("CCCD", "Họ và tên", "001088012345", `=HYPERLINK("http://evil.example","Xem")`)
	f.Add("+a", "@b", "-3", "\tx")
	f.Add("ma", "ten", "'=1", "'quoted")
	f.Add("h", "\"q\"", "a\nb", "\t")
	f.Add("h", "x", "\t", " ")
	f.Fuzz(func(t *testing.T, h1, h2, c1, c2 string) {
		header, row := []string{h1, h2}, []string{c1, c2}
		for _, s := range append(slices.Clone(header), row...) {
			if !utf8Valid(s) || strings.ContainsRune(s, '\r') {
				return // encoding/csv writes only text, and reads CR LF back as LF
			}
		}
		var buf bytes.Buffer
		w, err := NewWriter(CSV, &buf, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Header(header...); err != nil {
			t.Fatal(err)
		}
		if err := w.Strings(row); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		gotHeader, rows, err := readAll(t, CSV, buf.Bytes())
		if blank(header) {
			return // a blank first line is no header: Read takes the next one
		}
		if err != nil {
			t.Fatalf("reading back %q: %v", buf.Bytes(), err)
		}
		if !slices.Equal(gotHeader, header) {
			t.Fatalf("header %q read back as %q (file %q)", header, gotHeader, buf.Bytes())
		}
		if blank(row) {
			if len(rows) != 0 {
				t.Fatalf("blank row %q read back as %q", row, rows)
			}
			return
		}
		if len(rows) != 1 || !slices.Equal(rows[0], row) {
			t.Fatalf("row %q read back as %q (file %q)", row, rows, buf.Bytes())
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
