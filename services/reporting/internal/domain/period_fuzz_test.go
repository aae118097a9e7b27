package domain_test

import (
	"strings"
	"testing"

	"egov.vn/platform/services/reporting/internal/domain"
)

// FuzzParsePeriod: a period read from a URL is a month, a quarter or a year of whole months in
// order, its Key reads back as the same period, and it holds what its kind says.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2026-11", "2026-Q4", "2026-q1", "2026", " 2026-01 ", "1999", "2201", "2026-13", "2026-Q5", "2026-00", "+2026", "2026-+1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := domain.ParsePeriod(s)
		if err != nil {
			return
		}
		if p.From.Start().After(p.To.Start()) || !p.End().After(p.Start()) {
			t.Fatalf("ParsePeriod(%q) = %v..%v", s, p.From, p.To)
		}
		want := map[domain.PeriodKind]int{domain.KindMonth: 1, domain.KindQuarter: 3, domain.KindYear: 12}[p.Kind]
		if n := len(p.Months()); want == 0 || n != want {
			t.Fatalf("ParsePeriod(%q): kind %q with %d months", s, p.Kind, n)
		}
		back, err := domain.ParsePeriod(p.Key())
		if err != nil || back != p {
			t.Fatalf("ParsePeriod(%q) = %+v, key %q reads back as %+v, %v", s, p, p.Key(), back, err)
		}
		if !strings.HasPrefix(strings.TrimSpace(s), p.Key()[:4]) {
			t.Fatalf("ParsePeriod(%q): year of %q", s, p.Key())
		}
	})
}
