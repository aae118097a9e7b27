package domain

import (
	"fmt"
	"strings"
	"time"
)

// provinceCodes are the 63 birth-registration province codes that open a 12-digit personal
// identification number (Thông tư 07/2016/TT-BCA, Phụ lục I; Thông tư 59/2021/TT-BCA). A number
// keeps its code for life, so numbers issued before the 2025 mergers stay valid.
var provinceCodes = map[string]string{
	"001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
	"010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
	"017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang",
	"025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
	"033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình",
	"038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
	"046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
	"054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
	"064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước",
	"072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa – Vũng Tàu", "079": "TP. Hồ Chí Minh",
	"080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long",
	"087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
	"094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}

// mergedProvinceCodes are the codes of the 34 provinces formed on 1 July 2025 (Nghị quyết
// 202/2025/QH15); each province kept the code of one of its predecessors, so every one of them
// is also in provinceCodes and births registered after the merger open with one of these.
var mergedProvinceCodes = []string{
	"001", "004", "008", "011", "012", "014", "015", "019", "020", "022", "024", "025", "031", "033",
	"037", "038", "040", "042", "044", "046", "048", "051", "052", "056", "066", "068", "075", "079",
	"080", "082", "086", "091", "092", "096",
}

// ProvinceOfBirth returns the province named by a personal identification number's first
// three digits, and whether the code exists.
func ProvinceOfBirth(id string) (string, bool) {
	if len(id) < 3 {
		return "", false
	}
	name, ok := provinceCodes[id[:3]]
	return name, ok
}

// Gender of a CCCD holder as coded in its fourth digit.
type Gender string

// Genders coded in a CCCD.
const (
	Male   Gender = "male"
	Female Gender = "female"
)

// CCCD is what a valid 12-digit personal identification number says about its holder.
type CCCD struct {
	Number    string
	Province  string
	Gender    Gender
	BirthYear int
}

// ParseCCCD checks a 12-digit personal identification number (số định danh cá nhân, printed on
// the căn cước / CCCD card): digits 1–3 the province where the birth was registered, digit 4
// gender and century (0/1 male/female born 1900–1999, 2/3 2000–2099, 4/5 2100–2199, 6/7
// 2200–2299, 8/9 2300–2399), digits 5–6 the last two digits of the birth year, then six random
// digits. The birth year may not be after today's year. The reason is in Vietnamese: it is shown
// to the officer at the desk.
func ParseCCCD(s string, now time.Time) (CCCD, error) {
	s = strings.TrimSpace(s)
	if len(s) != 12 || strings.Trim(s, "0123456789") != "" {
		return CCCD{}, fmt.Errorf("số định danh cá nhân phải gồm đúng 12 chữ số")
	}
	province, ok := provinceCodes[s[:3]]
	if !ok {
		return CCCD{}, fmt.Errorf("ba chữ số đầu %s không phải mã tỉnh nơi đăng ký khai sinh", s[:3])
	}
	g := int(s[3] - '0')
	century := 1900 + 100*(g/2)
	if g >= 8 {
		century = 2300
	}
	year := century + int(s[4]-'0')*10 + int(s[5]-'0')
	if year > now.In(Vietnam).Year() {
		return CCCD{}, fmt.Errorf("chữ số thứ 4–6 cho năm sinh %d, sau năm hiện tại", year)
	}
	gender := Male
	if g%2 == 1 {
		gender = Female
	}
	return CCCD{Number: s, Province: province, Gender: gender, BirthYear: year}, nil
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
