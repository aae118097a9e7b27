package domain

import (
	"testing"
	"time"
)

// The structure is libs/vnid's to test; the desk adds that the birth year is not in the future.
func TestParseCCCD(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, Vietnam)
	good := map[string]CCCD{
		"034090001234": {Province: "Thái Bình", Gender: Male, BirthYear: 1990},
		"079226123456": {Province: "Hồ Chí Minh", Gender: Male, BirthYear: 2026},
	}
	for s, want := range good {
		got, err := ParseCCCD(s, now)
		if err != nil || got.Province != want.Province || got.Gender != want.Gender || got.BirthYear != want.BirthYear {
			t.Errorf("%s: %+v %v, want %+v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "03409000123a", "003090001234", "034227001234", "034499001234"} {
		if _, err := ParseCCCD(s, now); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestValidTaxCode(t *testing.T) {
	t.Parallel()
	// 0100109106 is Viettel's published tax code; 0100109106-001 a branch.
	for _, s := range []string{"0100109106", "0100109106-001", "0100109106001"} {
		if err := ValidTaxCode(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	for _, s := range []string{"0100109107", "010010910", "0100109106-000", "01001091061", "abcdefghij"} {
		if ValidTaxCode(s) == nil {
			t.Errorf("%s accepted", s)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"+84 912 345 678": "0912345678", "0912.345.678": "0912345678", "84912345678": "0912345678"} {
		if got, err := NormalizePhone(in); err != nil || got != want {
			t.Errorf("%s → %s %v", in, got, err)
		}
	}
	if _, err := NormalizePhone("12345"); err == nil {
		t.Error("short number accepted")
	}
}

func TestReceiptPattern(t *testing.T) {
	t.Parallel()
	d := Date{2026, time.November, 27}
	if got := ReceiptPattern("").Render(DefaultUnitCode("xa-dong-tan"), d, 1); got != "UBXDT-261127-0001" {
		t.Fatalf("default receipt code %s", got)
	}
	if err := ReceiptPattern("{unit}/{seq}").Validate(); err == nil {
		t.Fatal("a pattern without the day must be refused")
	}
	if err := ReceiptPattern("{unit}.{yyyy}{mm}{dd}.{seq5}").Validate(); err != nil {
		t.Fatal(err)
	}
	if err := ReceiptPattern("{unit}-{yymmdd}-{foo}").Validate(); err == nil {
		t.Fatal("unknown token accepted")
	}
}
