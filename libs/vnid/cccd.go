// Package vnid checks the personal identification number of Vietnamese citizens (số định danh cá
// nhân, printed on the căn cước / CCCD card), which the one-stop shop takes from applicants and HR
// from staff. Reasons are in Vietnamese: officers read them beside the field.
package vnid

import (
	"fmt"
	"strings"
)

// ProvinceCodes are the 63 birth-registration province codes that open a 12-digit personal
// identification number (Thông tư 07/2016/TT-BCA, Phụ lục I; Thông tư 59/2021/TT-BCA). A number
// keeps its code for life, so numbers issued before the 2025 mergers stay valid and the list is
// not renumbered.
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

// MergedProvinceCodes are the codes of the 34 provinces formed on 1 July 2025 (Nghị quyết
// 202/2025/QH15); each province kept the code of one of its predecessors, so every one of them
// is also in ProvinceCodes and births registered after the merger open with one of these.
var MergedProvinceCodes = []string{
	"001", "004", "008", "011", "012", "014", "015", "019", "020", "022", "024", "025", "031", "033",
	"037", "038", "040", "042", "044", "046", "048", "051", "052", "056", "066", "068", "075", "079",
	"080", "082", "086", "091", "092", "096",
}

// Gender of a holder as coded in the fourth digit.
type Gender string

// Genders coded in a number.
const (
	Male   Gender = "male"
	Female Gender = "female"
)

// CCCD is what a well-formed 12-digit personal identification number says about its holder.
type CCCD struct {
	Number    string
	Province  string
	Gender    Gender
	BirthYear int
}

// ParseCCCD checks the structure of a 12-digit personal identification number: digits 1–3 the
// province where the birth was registered, digit 4 gender and century (0/1 male/female born
// 1900–1999, 2/3 2000–2099, 4/5 2100–2199, 6/7 2200–2299, 8/9 2300–2399), digits 5–6 the last
// two digits of the birth year, then six random digits. Whether the birth year and gender fit
// what else is known of the holder is the caller's check.
func ParseCCCD(s string) (CCCD, error) {
	s = strings.TrimSpace(s)
	if len(s) != 12 {
		return CCCD{}, fmt.Errorf("số định danh cá nhân (CCCD) phải có đúng 12 chữ số")
	}
	if strings.Trim(s, "0123456789") != "" {
		return CCCD{}, fmt.Errorf("số định danh cá nhân (CCCD) chỉ gồm chữ số")
	}
	province, ok := ProvinceCodes[s[:3]]
	if !ok {
		return CCCD{}, fmt.Errorf("ba chữ số đầu %s không phải mã tỉnh, thành phố nơi đăng ký khai sinh", s[:3])
	}
	g := int(s[3] - '0')
	year := 1900 + 100*(g/2) + int(s[4]-'0')*10 + int(s[5]-'0')
	gender := Male
	if g%2 == 1 {
		gender = Female
	}
	return CCCD{Number: s, Province: province, Gender: gender, BirthYear: year}, nil
}
