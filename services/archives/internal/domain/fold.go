package domain

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Fold lowercases s and strips Vietnamese diacritics ("Quyết định" → "quyet dinh"), so people
// who type without accents still find what they look for. đ is a letter of its own, not a
// d with a mark, so it is mapped by hand.
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	out = strings.NewReplacer("đ", "d", "Đ", "d").Replace(out)
	return strings.Join(strings.Fields(strings.ToLower(out)), " ")
}

// SearchWords is Fold with every character that is not a letter or digit turned into a space:
// both databases then split "12/QĐ-UBND" into the same words, "12 qd ubnd", in the stored copy
// and in the query alike.
func SearchWords(s string) string {
	return Fold(strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			return r
		}
		return ' '
	}, s))
}
