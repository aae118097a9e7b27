package sheet

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"io"
	"strings"
	"testing"

	"egov.vn/platform/libs/apperr"
)

// book writes a file of format f with a header and rows rows of cols cells of text.
func book(t *testing.T, f Format, rows, cols int, text string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(f, &buf, Options{})
	if err != nil {
		t.Fatal(err)
	}
	header := make([]string, cols)
	row := make([]any, cols)
	for i := range cols {
		header[i], row[i] = "cot", text
	}
	if err := w.Header(header...); err != nil {
		t.Fatal(err)
	}
	for range rows {
		if err := w.Row(row...); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// refusedFor checks err is the invalid "file" naming the limit detail, in Vietnamese.
func refusedFor(t *testing.T, err error, detail, words string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Kind != apperr.KindInvalid || e.Details[detail] == nil || !strings.Contains(e.Error(), words) {
		t.Fatalf("want an invalid file naming %s (%q), got %v", detail, words, err)
	}
}

// TestLimitsStopReadingAtTheFirstRowOver: a file with more rows than the limit is refused once
// the limit is passed, before the rest is read, in both formats; one within it is read whole.
func TestLimitsStopReadingAtTheFirstRowOver(t *testing.T) {
	for _, f := range []Format{CSV, XLSX} {
		lim := Limits{Rows: 50}
		seen := 0
		_, err := lim.Read(f, bytes.NewReader(book(t, f, 500, 3, "x")), func(int, []string) error { seen++; return nil })
		refusedFor(t, err, "limit_rows", "quá 50 dòng")
		if seen != 50 {
			t.Errorf("%s: %d rows handed on before the refusal, want 50", f, seen)
		}
		seen = 0
		if _, err := lim.Read(f, bytes.NewReader(book(t, f, 50, 3, "x")), func(int, []string) error { seen++; return nil }); err != nil || seen != 50 {
			t.Errorf("%s: 50 rows within the limit: %d read, %v", f, seen, err)
		}
	}
}

// TestLimitsBoundCellsPerRow: a row wider than the limit is refused with its line.
func TestLimitsBoundCellsPerRow(t *testing.T) {
	for _, f := range []Format{CSV, XLSX} {
		_, err := Limits{Cells: 10}.Read(f, bytes.NewReader(book(t, f, 2, 11, "x")), func(int, []string) error { return nil })
		refusedFor(t, err, "limit_cells", "quá giới hạn 10 ô")
	}
}

// TestLimitsBoundTheUnpackedSize: an XLSX that packs 4 MB of repeated text into a few KB (the
// amplification of finding 10) is refused from the zip's directory before any row is read; a
// CSV over the byte limit is refused part-way.
func TestLimitsBoundTheUnpackedSize(t *testing.T) {
	packed := book(t, XLSX, 2000, 2, strings.Repeat("a", 1000))
	if len(packed) > 256<<10 {
		t.Fatalf("the test's XLSX packs to %d bytes; it should be small", len(packed))
	}
	seen := 0
	_, err := Limits{Bytes: 1 << 20}.Read(XLSX, bytes.NewReader(packed), func(int, []string) error { seen++; return nil })
	refusedFor(t, err, "limit_bytes", "tệp XLSX khi giải nén quá 1 MB")
	if seen != 0 {
		t.Errorf("%d rows read before the size was refused", seen)
	}
	_, err = Limits{Bytes: 1 << 20}.Read(CSV, bytes.NewReader(book(t, CSV, 2000, 2, strings.Repeat("a", 1000))), func(int, []string) error { return nil })
	refusedFor(t, err, "limit_bytes", "tệp CSV quá 1 MB")
}

// TestLyingZipSizesAreRefused: an XLSX whose worksheet declares a small unpacked size but
// inflates to far more passes the directory check, and is then refused (not read cut short)
// once it inflates past what it declared.
func TestLyingZipSizesAreRefused(t *testing.T) {
	honest := book(t, XLSX, 2, 2, "x")
	zr, err := zip.NewReader(bytes.NewReader(honest), int64(len(honest)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if f.Name != "xl/worksheets/sheet1.xml" {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
			continue
		}
		rc, _ := f.Open()
		xml, _ := io.ReadAll(rc)
		_ = rc.Close()
		// Many blank rows before </sheetData>: 8 MB of XML.
		bloated := strings.Replace(string(xml), "</sheetData>", strings.Repeat("<row/>", 8<<20/6)+"</sheetData>", 1)
		var deflated bytes.Buffer
		fw, _ := flate.NewWriter(&deflated, flate.BestCompression)
		_, _ = fw.Write([]byte(bloated))
		_ = fw.Close()
		w, err := zw.CreateRaw(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE([]byte(bloated)),
			CompressedSize64: uint64(deflated.Len()), UncompressedSize64: uint64(len(xml))})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(deflated.Bytes())
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	seen := 0
	_, err = Limits{Bytes: 1 << 20}.Read(XLSX, &out, func(int, []string) error { seen++; return nil })
	if e := apperr.As(err); e == nil || e.Kind != apperr.KindInvalid || !strings.Contains(e.Error(), "tệp hỏng") || seen != 0 {
		t.Fatalf("a worksheet lying about its size: %v, %d rows read", err, seen)
	}
}
