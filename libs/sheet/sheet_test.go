package sheet

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// TestRoundTrip: what the writer writes, the reader reads back the same, in both formats, with
// the header and line numbers an import reports; text that looks like a formula comes back as
// written, and in CSV it is escaped on the way out.
func TestRoundTrip(t *testing.T) {
	rows := [][]any{
		{"001088012345", "Nguyễn Thị Hoa", 3},
		{`=HYPERLINK("http://evil.example","Xem")`, "+84912345678", -2},
		{"@SUM(A1)", "-", 1.5},
	}
	want := [][]string{
		{"001088012345", "Nguyễn Thị Hoa", "3"},
		{`=HYPERLINK("http://evil.example","Xem")`, "+84912345678", "-2"},
		{"@SUM(A1)", "-", "1.5"},
	}
	for _, f := range []Format{CSV, XLSX} {
		var buf bytes.Buffer
		w, err := NewWriter(f, &buf, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Header("CCCD", "Họ và tên", "Số"); err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if err := w.Row(r...); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if f == CSV {
			text := buf.String()
			if !strings.HasPrefix(text, "\uFEFF") || !strings.Contains(text, `"'=HYPERLINK(`) || !strings.Contains(text, "'@SUM") ||
				!strings.Contains(text, "'+84912345678") || !strings.Contains(text, ",-2\n") {
				t.Errorf("CSV written as:\n%s", text)
			}
		}
		var got [][]string
		var lines []int
		header, err := Read(f, &buf, func(line int, cells []string) error {
			got = append(got, slices.Clone(cells))
			lines = append(lines, line)
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if strings.Join(header, "|") != "CCCD|Họ và tên|Số" || !slices.Equal(lines, []int{2, 3, 4}) {
			t.Errorf("%s: header %v, lines %v", f, header, lines)
		}
		for i := range want {
			if !slices.Equal(got[i], want[i]) {
				t.Errorf("%s row %d: %q, want %q", f, i, got[i], want[i])
			}
		}
	}
}
