package domain

import (
	"fmt"
	"time"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/vnid"
)

// CheckCCCD validates a citizen identity card number (its structure by libs/vnid) against the
// holder's date of birth and gender, the way Thông tư 07/2016/TT-BCA builds it: digit 4 gender
// and century (0/1 male/female born 1900–1999, 2/3 2000–2099, 4/5 2100–2199, …); digits 5–6 the
// last two digits of the year of birth. The reasons are in Vietnamese because HR officers read
// them on the import report and in forms.
func CheckCCCD(number string, born time.Time, gender Gender) error {
	c, err := vnid.ParseCCCD(number)
	if err != nil {
		return apperr.Invalid("cccd", err.Error())
	}
	if born.IsZero() {
		return nil // the date of birth is reported missing by its own check
	}
	century := (born.Year() - 1900) / 100
	if born.Year() < 1900 || century > 4 {
		return apperr.Invalid("cccd", "năm sinh nằm ngoài khoảng số CCCD mã hóa được")
	}
	want := century * 2
	if gender == Female {
		want++
	}
	if gender != "" && int(c.Number[3]-'0') != want {
		return apperr.Invalid("cccd", fmt.Sprintf("chữ số thứ 4 phải là %d (giới tính %s, sinh năm %d)", want, gender.Label(), born.Year()))
	}
	if gender == "" && int(c.Number[3]-'0')/2 != century {
		return apperr.Invalid("cccd", fmt.Sprintf("chữ số thứ 4 không khớp thế kỷ của năm sinh %d", born.Year()))
	}
	if yy := fmt.Sprintf("%02d", born.Year()%100); c.Number[4:6] != yy {
		return apperr.Invalid("cccd", fmt.Sprintf("chữ số thứ 5–6 phải là %s, hai số cuối của năm sinh", yy))
	}
	return nil
}
