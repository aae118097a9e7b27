package domain

import (
	"testing"
)

// FuzzParseDate: a date typed into a form or a spreadsheet (ISO or dd/mm/yyyy) is a whole day
// that FormatDate writes in a form ParseDate reads back to the same day.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-04-30", "30/04/2026", " 01/02/1980 ", "29/02/2025", "2026-4-30", "31-12-1980", "", "0001-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil || d.IsZero() {
			return // "0001-01-01" reads as the zero time, which FormatDate writes as no date
		}
		if d != Day(d) {
			t.Fatalf("ParseDate(%q) = %v, not a whole day", s, d)
		}
		if back, err := ParseDate(FormatDate(d)); err != nil || !back.Equal(d) {
			t.Fatalf("ParseDate(%q) = %v, which reads back as %v, %v", s, d, back, err)
		}
	})
}
