package filename

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Quyết định số 12.pdf", "Quyết định số 12.pdf"},
		{"hoa-don\u202Efdp.exe", "hoa-donfdp.exe"}, // the right-to-left override of finding 12
		{"\u2067abc\u2069\u200F.pdf", "abc.pdf"},
		{"C:\\Users\\hoa\\Tờ khai.pdf", "Tờ khai.pdf"},
		{"../../etc/passwd", "passwd"},
		{"a\x00b\r\nc\u2028d\u200Be\uFEFF.pdf", "abcde.pdf"},
		{"bao-cao \"cuoi\" nam.xlsx", "bao-cao cuoi nam.xlsx"},
		{"To\u0302\u0300 khai.pdf", "Tồ khai.pdf"}, // decomposed (macOS) to NFC
		{"bad\xffutf8.pdf", "badutf8.pdf"},
		{"  \u202E  ", ""},
		{"..", ""},
		{"dir/", ""},
	} {
		if got := Clean(c.in); got != c.want {
			t.Errorf("Clean(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCleanCutsTheStemAndKeepsTheExtension(t *testing.T) {
	got := Clean(strings.Repeat("ệ", 300) + ".pdf")
	if utf8.RuneCountInString(got) != MaxRunes || !strings.HasSuffix(got, "ệ.pdf") {
		t.Fatalf("cut to %d runes: %q", utf8.RuneCountInString(got), got)
	}
}
