package domain

import (
	"fmt"
	"time"

	"egov.vn/platform/libs/apperr"
)

// ProvinceCodes are the three-digit place-of-birth registration codes that open a CCCD number
// (Thông tư 07/2016/TT-BCA, amended by Thông tư 59/2021/TT-BCA): the 63 provinces as they were
// when the numbers were issued. The 2025 merger of provinces did not renumber existing cards,
// so this list stays the one to validate against.
var ProvinceCodes = map[string]string{
	"001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
	"010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
	"017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang",
	"025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
	"033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình",
	"038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
	"046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
	"054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
	"064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước",
	"072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa – Vũng Tàu", "079": "Hồ Chí Minh",
	"080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long",
	"087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
	"094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}

// CheckCCCD validates a citizen identity card number against the holder's date of birth and
// gender, the way Thông tư 07/2016/TT-BCA builds it: 12 digits; digits 1–3 the province of birth
// registration; digit 4 gender and century (0/1 male/female born 1900–1999, 2/3 2000–2099, 4/5
// 2100–2199, …); digits 5–6 the last two digits of the year of birth; six serial digits. The
// reasons are in Vietnamese because HR officers read them on the import report and in forms.
func CheckCCCD(number string, born time.Time, gender Gender) error {
	if len(number) != 12 {
		return apperr.Invalid("cccd", "số CCCD phải có đúng 12 chữ số")
	}
	for _, r := range number {
		if r < '0' || r > '9' {
			return apperr.Invalid("cccd", "số CCCD chỉ gồm chữ số")
		}
	}
	if _, ok := ProvinceCodes[number[:3]]; !ok {
		return apperr.Invalid("cccd", fmt.Sprintf("3 chữ số đầu %q không phải mã tỉnh, thành phố nơi đăng ký khai sinh", number[:3]))
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
	if gender != "" && int(number[3]-'0') != want {
		return apperr.Invalid("cccd", fmt.Sprintf("chữ số thứ 4 phải là %d (giới tính %s, sinh năm %d)", want, gender.Label(), born.Year()))
	}
	if gender == "" && int(number[3]-'0')/2 != century {
		return apperr.Invalid("cccd", fmt.Sprintf("chữ số thứ 4 không khớp thế kỷ của năm sinh %d", born.Year()))
	}
	if yy := fmt.Sprintf("%02d", born.Year()%100); number[4:6] != yy {
		return apperr.Invalid("cccd", fmt.Sprintf("chữ số thứ 5–6 phải là %s, hai số cuối của năm sinh", yy))
	}
	return nil
}
