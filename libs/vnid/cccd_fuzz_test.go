package vnid_test

import (
	"strconv"
	"strings"
	"testing"

	"egov.vn/platform/libs/vnid"
)

// FuzzParseCCCD: nothing but 12 digits opening with a province code is accepted, and what is
// accepted reads back from the digits (province, gender, century and year of birth).
func FuzzParseCCCD(f *testing.F) {
	for _, s := range []string{"034090001234", "001305009999", " 079226123456 ", "000090001234", "03409000123", "0340900012345",
		"03409000123a", "０３４０９０００１２３４", "-34090001234", "034990001234"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := vnid.ParseCCCD(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("ParseCCCD(%q): empty reason", s)
			}
			return
		}
		n := strings.TrimSpace(s)
		if c.Number != n || len(n) != 12 || strings.Trim(n, "0123456789") != "" {
			t.Fatalf("ParseCCCD(%q) accepted %q", s, c.Number)
		}
		if name, ok := vnid.ProvinceCodes[n[:3]]; !ok || name != c.Province {
			t.Fatalf("ParseCCCD(%q): province %q for code %s", s, c.Province, n[:3])
		}
		g := int(n[3] - '0')
		yy, _ := strconv.Atoi(n[4:6])
		if want := 1900 + 100*(g/2) + yy; c.BirthYear != want {
			t.Fatalf("ParseCCCD(%q): birth year %d, want %d", s, c.BirthYear, want)
		}
		if (g%2 == 0) != (c.Gender == vnid.Male) || (g%2 == 1) != (c.Gender == vnid.Female) {
			t.Fatalf("ParseCCCD(%q): gender %q for digit %d", s, c.Gender, g)
		}
	})
}
