package domain

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"egov.vn/platform/libs/apperr"
)

// Category is the legal status of a person working for a unit (Luật Cán bộ, công chức; Luật Viên
// chức; Bộ luật Lao động for contracts). The codes are those of the events contract.
type Category string

const (
	CanBo    Category = "can_bo"
	CongChuc Category = "cong_chuc"
	VienChuc Category = "vien_chuc"
	HopDong  Category = "hop_dong"
)

// Categories lists every category in the order reports show them.
var Categories = []Category{CanBo, CongChuc, VienChuc, HopDong}

// Label is the category as staff read it.
func (c Category) Label() string {
	switch c {
	case CanBo:
		return "Cán bộ"
	case CongChuc:
		return "Công chức"
	case VienChuc:
		return "Viên chức"
	case HopDong:
		return "Hợp đồng lao động"
	}
	return string(c)
}

// Valid reports whether c is a known category.
func (c Category) Valid() bool {
	for _, k := range Categories {
		if c == k {
			return true
		}
	}
	return false
}

// Gender is recorded as the CCCD encodes it.
type Gender string

const (
	Male   Gender = "male"
	Female Gender = "female"
)

// Label is the gender in Vietnamese.
func (g Gender) Label() string {
	switch g {
	case Male:
		return "Nam"
	case Female:
		return "Nữ"
	}
	return string(g)
}

// ParseGender accepts the codes and the Vietnamese words a spreadsheet may hold.
func ParseGender(s string) (Gender, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "male", "nam":
		return Male, true
	case "female", "nữ", "nu":
		return Female, true
	}
	return "", false
}

// ParseCategory accepts a code or its Vietnamese label.
func ParseCategory(s string) (Category, bool) {
	s = strings.TrimSpace(s)
	for _, c := range Categories {
		if strings.EqualFold(s, string(c)) || strings.EqualFold(s, c.Label()) {
			return c, true
		}
	}
	return "", false
}

// Contacts are personal: only the person and their unit's HR officers see them.
type Contacts struct {
	Phone   string
	Email   string
	Address string
}

// Staff is one person working for a tenant. Personal fields (BirthDate, Gender, CCCD, Contacts)
// are shown only to those Privacy allows; FullName, Category and the current assignment make up
// the directory entry everyone of the platform may see.
type Staff struct {
	ID        string
	Tenant    string
	FullName  string
	BirthDate time.Time
	Gender    Gender
	CCCD      string
	Category  Category
	Contacts  Contacts
	// UserSubject links the person to their identity account (the token's sub); empty until
	// the person has an account.
	UserSubject string
	CreatedAt   time.Time
}

// Validate checks every field at once and names each at fault.
func (s Staff) Validate() error {
	var errs apperr.FieldErrors
	name := strings.TrimSpace(s.FullName)
	switch {
	case name == "":
		errs.Add("full_name", "họ và tên là bắt buộc")
	case utf8.RuneCountInString(name) > 100:
		errs.Add("full_name", "họ và tên dài quá 100 ký tự")
	}
	if s.BirthDate.IsZero() {
		errs.Add("birth_date", "ngày sinh là bắt buộc")
	} else if age := yearsBetween(s.BirthDate, time.Now()); age < 15 || age > 100 {
		errs.Add("birth_date", "ngày sinh không hợp lý (tuổi phải từ 15 đến 100)")
	}
	if s.Gender != Male && s.Gender != Female {
		errs.Add("gender", "giới tính phải là nam hoặc nữ")
	}
	if !s.Category.Valid() {
		errs.Add("category", "phân loại phải là cán bộ, công chức, viên chức hoặc hợp đồng")
	}
	if s.CCCD == "" {
		errs.Add("cccd", "số CCCD là bắt buộc")
	} else if err := CheckCCCD(s.CCCD, s.BirthDate, s.Gender); err != nil {
		if e := apperr.As(err); e != nil {
			errs = append(errs, e.Fields...)
		}
	}
	if s.Contacts.Email != "" {
		if _, err := mail.ParseAddress(s.Contacts.Email); err != nil || strings.ContainsAny(s.Contacts.Email, "<> ") {
			errs.Add("email", "địa chỉ thư điện tử không hợp lệ")
		}
	}
	if p := s.Contacts.Phone; p != "" && !validPhone(p) {
		errs.Add("phone", "số điện thoại gồm 9–11 chữ số, có thể bắt đầu bằng +84")
	}
	return errs.Err()
}

func validPhone(p string) bool {
	p = strings.TrimPrefix(strings.ReplaceAll(p, " ", ""), "+84")
	if len(p) < 9 || len(p) > 11 {
		return false
	}
	for _, r := range p {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func yearsBetween(from, to time.Time) int {
	y := to.Year() - from.Year()
	if to.YearDay() < from.YearDay() {
		y--
	}
	return y
}
