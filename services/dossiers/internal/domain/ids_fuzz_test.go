package domain

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// FuzzParseCCCD: the desk accepts a number only when libs/vnid does and its birth year is not
// after this year.
func FuzzParseCCCD(f *testing.F) {
	for _, s := range []string{"034090001234", "079226123456", "079227123456", "034990001234", "03409000123x"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, Vietnam)
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCCCD(s, now)
		if err != nil {
			return
		}
		if c.BirthYear > 2026 || c.Number != strings.TrimSpace(s) {
			t.Fatalf("ParseCCCD(%q) accepted %+v", s, c)
		}
	})
}

// FuzzValidTaxCode: an accepted tax code is 10 digits, or 13 with a branch 001–999, whose tenth
// digit is the check digit; changing any one of the first ten digits makes it refused.
func FuzzValidTaxCode(f *testing.F) {
	for _, s := range []string{"0100109106", "0100109106-001", "0100109106001", "0100109107", "0100109106-000", "01001091", " 0100109106 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidTaxCode(s) != nil {
			return
		}
		d := strings.ReplaceAll(strings.TrimSpace(s), "-", "")
		if (len(d) != 10 && len(d) != 13) || strings.Trim(d, "0123456789") != "" || (len(d) == 13 && d[10:] == "000") {
			t.Fatalf("ValidTaxCode accepted %q", s)
		}
		for i := 0; i < 10; i++ {
			b := []byte(d)
			b[i] = '0' + (b[i]-'0'+1)%10
			if ValidTaxCode(string(b)) == nil {
				t.Fatalf("ValidTaxCode accepts both %q and %q (digit %d changed)", d, b, i+1)
			}
		}
	})
}

var phoneRE = regexp.MustCompile(`^0[0-9]{9,10}$`)

// FuzzNormalizePhone: what is accepted comes out as 0 and 9–10 digits, and normalising it again
// changes nothing.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"+84 912 345 678", "0912.345.678", "84912345678", "(024) 3825 1234", "+840912345678", "091234567", "０912345678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := NormalizePhone(s)
		if err != nil {
			return
		}
		if !phoneRE.MatchString(p) {
			t.Fatalf("NormalizePhone(%q) = %q", s, p)
		}
		if again, err := NormalizePhone(p); err != nil || again != p {
			t.Fatalf("NormalizePhone(%q) = %q, but again %q %v", s, p, again, err)
		}
	})
}

// FuzzReceiptPattern: a pattern the settings accept renders, for every unit code without braces
// and every day and sequence, a code that holds the unit, the day and the sequence, so two
// dossiers of one unit never share a receipt code.
func FuzzReceiptPattern(f *testing.F) {
	for _, s := range []string{DefaultReceiptPattern, "{unit}/{yyyy}{mm}{dd}/{seq}", "{unit}-{dd}{mm}{yy}-{seq6}", "{unit}{yymmdd}{seq}{x}", "{seq}", "{{unit}}-{yymmdd}-{seq4}"} {
		f.Add(s, "UBXDT", 2026, 11, 27, 1, 2)
	}
	f.Fuzz(func(t *testing.T, pattern, unit string, year, month, day, seq1, seq2 int) {
		p := ReceiptPattern(pattern)
		if p.Validate() != nil {
			return
		}
		if len(pattern) > 64 || !strings.Contains(pattern, "{unit}") || !strings.Contains(pattern, "{seq") {
			t.Fatalf("Validate accepted %q", pattern)
		}
		if strings.ContainsAny(unit, "{}") || year < 2000 || year > 2099 || seq1 < 1 || seq2 < 1 || seq1 == seq2 || seq1 > 999999 || seq2 > 999999 {
			return
		}
		d := DateOf(time.Date(year, time.Month(1+(month%12+12)%12), 1+(day%28+28)%28, 12, 0, 0, 0, Vietnam))
		next := d.AddDays(1)
		a, b, c := p.Render(unit, d, seq1), p.Render(unit, d, seq2), p.Render(unit, next, seq1)
		if a == b || a == c {
			t.Fatalf("pattern %q: unit %q gives %q, %q (seq %d, %d) and %q (next day)", pattern, unit, a, b, seq1, seq2, c)
		}
		if !strings.Contains(a, unit) {
			t.Fatalf("pattern %q: %q does not hold the unit %q", pattern, a, unit)
		}
	})
}

// FuzzParseDateAndClock: a date that parses prints back as written; a clock time ("7:30" is
// taken too) is within the day and reads back from its print.
func FuzzParseDateAndClock(f *testing.F) {
	for _, s := range []string{"2026-04-30", "2026-02-29", "0001-01-01", "07:30", "24:00", "7:30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := ParseDate(s); err == nil && d.String() != s {
			t.Fatalf("ParseDate(%q) = %v", s, d)
		}
		if c, err := ParseClock(s); err == nil {
			if back, err := ParseClock(c.String()); c < 0 || c >= 24*60 || err != nil || back != c {
				t.Fatalf("ParseClock(%q) = %v, which reads back as %v, %v", s, c, back, err)
			}
		}
	})
}
