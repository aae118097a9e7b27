package domain

import (
	"errors"
	"testing"
	"time"
)

// FuzzParseDate: a date typed into a form or a spreadsheet (ISO or dd/mm/yyyy) is a whole day
// from FirstYear on that FormatDate writes in a form ParseDate reads back to the same day; an
// accepted date is never the zero time, which FormatDate writes as no date.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-04-30", "30/04/2026", " 01/02/1980 ", "29/02/2025", "2026-4-30", "31-12-1980", "", "0001-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if d.IsZero() || d.Year() < FirstYear {
			t.Fatalf("ParseDate(%q) = %v, a date before %d taken as given", s, d, FirstYear)
		}
		if d != Day(d) {
			t.Fatalf("ParseDate(%q) = %v, not a whole day", s, d)
		}
		if back, err := ParseDate(FormatDate(d)); err != nil || !back.Equal(d) {
			t.Fatalf("ParseDate(%q) = %v, which reads back as %v, %v", s, d, back, err)
		}
	})
}

// TestParseDateRefusesYearsBefore1900: the zero date written out, and any other date before
// 1900, is a clear error and not "no date"; 1900 itself and a leap day are read as typed.
func TestParseDateRefusesYearsBefore1900(t *testing.T) {
	for _, s := range []string{"0001-01-01", "01/01/0001", "1899-12-31", "31/12/1899", "0000-01-01"} {
		if d, err := ParseDate(s); !errors.Is(err, ErrDateTooEarly) {
			t.Errorf("ParseDate(%q) = %v, %v; want ErrDateTooEarly", s, d, err)
		}
	}
	for s, want := range map[string]time.Time{
		"1900-01-01": time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC),
		"29/02/2024": time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
	} {
		if d, err := ParseDate(s); err != nil || !d.Equal(want) {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", s, d, err, want)
		}
	}
}
