package vnid_test

import (
	"strings"
	"testing"

	"egov.vn/platform/libs/vnid"
)

func TestParseCCCD(t *testing.T) {
	t.Parallel()
	good := map[string]vnid.CCCD{
		"034090001234":   {Province: "Thái Bình", Gender: vnid.Male, BirthYear: 1990},
		"001305009999":   {Province: "Hà Nội", Gender: vnid.Female, BirthYear: 2005},
		"079226123456":   {Province: "Hồ Chí Minh", Gender: vnid.Male, BirthYear: 2026},
		"096999000001":   {Province: "Cà Mau", Gender: vnid.Female, BirthYear: 2399},
		" 034090001234 ": {Province: "Thái Bình", Gender: vnid.Male, BirthYear: 1990},
	}
	for s, want := range good {
		got, err := vnid.ParseCCCD(s)
		if err != nil || got.Province != want.Province || got.Gender != want.Gender || got.BirthYear != want.BirthYear || got.Number != strings.TrimSpace(s) {
			t.Errorf("%q: %+v %v, want %+v", s, got, err, want)
		}
	}
	for s, reason := range map[string]string{
		"":              "12 chữ số",
		"03409000123":   "12 chữ số",
		"0340900012345": "12 chữ số",
		"03409000123a":  "chỉ gồm chữ số",
		"003090001234":  "mã tỉnh",
	} {
		if _, err := vnid.ParseCCCD(s); err == nil || !strings.Contains(err.Error(), reason) {
			t.Errorf("%q: %v, want a reason saying %q", s, err, reason)
		}
	}
	if len(vnid.ProvinceCodes) != 63 {
		t.Fatalf("%d province codes, want 63", len(vnid.ProvinceCodes))
	}
	if len(vnid.MergedProvinceCodes) != 34 {
		t.Fatalf("%d merged province codes, want 34", len(vnid.MergedProvinceCodes))
	}
	for _, c := range vnid.MergedProvinceCodes {
		if _, ok := vnid.ProvinceCodes[c]; !ok {
			t.Errorf("post-2025 code %s is not a known birth-registration code", c)
		}
	}
}
