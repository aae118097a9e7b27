package domain

import (
	"fmt"
	"strings"
	"time"

	"egov.vn/platform/libs/vnid"
)

// Gender of a CCCD holder as coded in its fourth digit.
type Gender = vnid.Gender

// Genders coded in a CCCD.
const (
	Male   = vnid.Male
	Female = vnid.Female
)

// CCCD is what a valid 12-digit personal identification number says about its holder.
type CCCD = vnid.CCCD

// ProvinceOfBirth returns the province named by a personal identification number's first
// three digits, and whether the code exists.
func ProvinceOfBirth(id string) (string, bool) {
	if len(id) < 3 {
		return "", false
	}
	name, ok := vnid.ProvinceCodes[id[:3]]
	return name, ok
}

// ParseCCCD checks an applicant's 12-digit personal identification number (vnid.ParseCCCD) and
// that the birth year it codes is not after today's year. The reason is in Vietnamese: it is
// shown to the officer at the desk.
func ParseCCCD(s string, now time.Time) (CCCD, error) {
	c, err := vnid.ParseCCCD(s)
	if err != nil {
		return CCCD{}, err
	}
	if c.BirthYear > now.In(Vietnam).Year() {
		return CCCD{}, fmt.Errorf("chữ số thứ 4–6 cho năm sinh %d, sau năm hiện tại", c.BirthYear)
	}
	return c, nil
}

// taxWeights are the weights of the first nine digits of a tax code (mã số thuế) in its check
// digit (Thông tư 105/2020/TT-BTC describes the structure; the weights are the General
// Department of Taxation's published rule).
var taxWeights = [9]int{31, 29, 23, 19, 17, 13, 7, 5, 3}

// ValidTaxCode checks a 10-digit tax code, or a 13-digit one (the parent's 10 digits then a
// 3-digit branch number 001–999, with or without the dash), by its check digit: the tenth digit
// is 10 − (Σ dᵢ·wᵢ mod 11); a code whose sum gives 10 is never issued.
func ValidTaxCode(s string) error {
	s = strings.ReplaceAll(strings.TrimSpace(s), "-", "")
	if (len(s) != 10 && len(s) != 13) || strings.Trim(s, "0123456789") != "" {
		return fmt.Errorf("mã số thuế phải gồm 10 hoặc 13 chữ số")
	}
	sum := 0
	for i, w := range taxWeights {
		sum += int(s[i]-'0') * w
	}
	check := 10 - sum%11
	if check == 10 || int(s[9]-'0') != check {
		return fmt.Errorf("mã số thuế sai chữ số kiểm tra")
	}
	if len(s) == 13 && s[10:] == "000" {
		return fmt.Errorf("mã chi nhánh (3 chữ số cuối) phải từ 001 đến 999")
	}
	return nil
}

// NormalizePhone returns a Vietnamese phone number as 0 followed by 9 or 10 digits ("+84 912
// 345 678" → "0912345678"), or an error.
func NormalizePhone(s string) (string, error) {
	r := strings.NewReplacer(" ", "", ".", "", "-", "", "(", "", ")", "")
	p := r.Replace(strings.TrimSpace(s))
	if rest, ok := strings.CutPrefix(p, "+84"); ok {
		p = "0" + rest
	} else if rest, ok := strings.CutPrefix(p, "84"); ok && len(p) == 11 {
		p = "0" + rest
	}
	if len(p) < 10 || len(p) > 11 || p[0] != '0' || strings.Trim(p, "0123456789") != "" {
		return "", fmt.Errorf("số điện thoại phải có 10 chữ số, bắt đầu bằng 0")
	}
	return p, nil
}
