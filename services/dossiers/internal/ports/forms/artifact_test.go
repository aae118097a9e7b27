package forms

import (
	"fmt"
	"testing"

	"golang.org/x/image/font/sfnt"

	"egov.vn/platform/libs/testenv"
)

func testArtifact(t *testing.T, n int, b []byte) {
	testenv.WriteArtifact(t, fmt.Sprintf("form-%02d.pdf", n), b)
}

// unicodeCoverage reports, for the runes asked about, whether font maps them to a glyph.
func unicodeCoverage(font []byte) (map[rune]bool, error) {
	f, err := sfnt.Parse(font)
	if err != nil {
		return nil, err
	}
	var buf sfnt.Buffer
	out := map[rune]bool{}
	for r := rune(0x20); r < 0x2100; r++ {
		if g, err := f.GlyphIndex(&buf, r); err == nil && g != 0 {
			out[r] = true
		}
	}
	return out, nil
}
