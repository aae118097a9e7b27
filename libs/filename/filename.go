// Package filename cleans the names of uploaded files before they are stored and shown again:
// in pages, in Content-Disposition headers, in the archive's records. A name is the sender's
// text, and some characters in it deceive the reader rather than name the file: the right-to-left
// override turns "hoa-don\u202Efdp.exe" into what reads as "hoa-donexe.pdf".
package filename

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxRunes bounds a cleaned name; a longer one is cut in its stem, keeping the extension.
const MaxRunes = 200

// Clean returns name without any directory (either slash: old browsers on Windows send the full
// path), without invalid UTF-8, control characters, format characters (the bidi controls,
// zero-width characters, the byte-order mark), line and paragraph separators and double quotes
// (they would end a quoted header parameter), in NFC (macOS sends Vietnamese decomposed), trimmed
// of spaces and at most MaxRunes long. It returns "" when nothing usable is left ("", ".", "..",
// or only such characters): the caller refuses the name or gives one of its own.
func Clean(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r == '"' || unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(norm.NFC.String(name))
	if name == "." || name == ".." {
		return ""
	}
	if utf8.RuneCountInString(name) <= MaxRunes {
		return name
	}
	ext := ""
	if i := strings.LastIndexByte(name, '.'); i > 0 && utf8.RuneCountInString(name[i:]) <= 16 {
		ext = name[i:]
	}
	stem := []rune(strings.TrimSuffix(name, ext))
	return strings.TrimSpace(string(stem[:MaxRunes-utf8.RuneCountInString(ext)])) + ext
}
