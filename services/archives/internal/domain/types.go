package domain

import (
	"slices"
	"strings"
)

// DocumentType is one of the kinds of administrative document listed in Article 7 of Decree
// 30/2020/NĐ-CP, with the abbreviation appendix I prescribes for the notation (ký hiệu).
type DocumentType struct {
	Code         string // stable, ASCII, used by the API
	Name         string // tên loại văn bản
	Abbreviation string // chữ viết tắt; empty for công văn and thư công, whose notation has no type part
}

// DocumentTypes is the decree's closed list of 29 kinds.
var documentTypes = []DocumentType{
	{"nghi-quyet", "Nghị quyết (cá biệt)", "NQ"},
	{"quyet-dinh", "Quyết định (cá biệt)", "QĐ"},
	{"chi-thi", "Chỉ thị", "CT"},
	{"quy-che", "Quy chế", "QC"},
	{"quy-dinh", "Quy định", "QyĐ"},
	{"thong-cao", "Thông cáo", "TC"},
	{"thong-bao", "Thông báo", "TB"},
	{"huong-dan", "Hướng dẫn", "HD"},
	{"chuong-trinh", "Chương trình", "CTr"},
	{"ke-hoach", "Kế hoạch", "KH"},
	{"phuong-an", "Phương án", "PA"},
	{"de-an", "Đề án", "ĐA"},
	{"du-an", "Dự án", "DA"},
	{"bao-cao", "Báo cáo", "BC"},
	{"bien-ban", "Biên bản", "BB"},
	{"to-trinh", "Tờ trình", "TTr"},
	{"hop-dong", "Hợp đồng", "HĐ"},
	{"cong-van", "Công văn", ""},
	{"cong-dien", "Công điện", "CĐ"},
	{"ban-ghi-nho", "Bản ghi nhớ", "GN"},
	{"ban-thoa-thuan", "Bản thỏa thuận", "TTh"},
	{"giay-uy-quyen", "Giấy ủy quyền", "GUQ"},
	{"giay-moi", "Giấy mời", "GM"},
	{"giay-gioi-thieu", "Giấy giới thiệu", "GGT"},
	{"giay-nghi-phep", "Giấy nghỉ phép", "NP"},
	{"phieu-gui", "Phiếu gửi", "PG"},
	{"phieu-chuyen", "Phiếu chuyển", "PC"},
	{"phieu-bao", "Phiếu báo", "PB"},
	{"thu-cong", "Thư công", ""},
}

// DocumentTypes returns the decree's list, in its order.
func DocumentTypes() []DocumentType { return slices.Clone(documentTypes) }

// LookupDocumentType finds a type by its code.
func LookupDocumentType(code string) (DocumentType, bool) {
	i := slices.IndexFunc(documentTypes, func(t DocumentType) bool { return t.Code == code })
	if i < 0 {
		return DocumentType{}, false
	}
	return documentTypes[i], true
}

// Label pairs a stable code with the Vietnamese words staff read.
type Label struct{ Code, Name string }

func labelOf(list []Label, code string) (string, bool) {
	i := slices.IndexFunc(list, func(l Label) bool { return l.Code == code })
	if i < 0 {
		return "", false
	}
	return list[i].Name, true
}

// Priority is the urgency mark of appendix VI (mức độ khẩn).
type Priority string

const (
	PriorityNormal     Priority = "thuong"      // thường
	PriorityUrgent     Priority = "khan"        // khẩn
	PriorityVeryUrgent Priority = "thuong-khan" // thượng khẩn
	PriorityFlash      Priority = "hoa-toc"     // hỏa tốc
)

var priorities = []Label{{"thuong", "Thường"}, {"khan", "Khẩn"}, {"thuong-khan", "Thượng khẩn"}, {"hoa-toc", "Hỏa tốc"}}

// Priorities lists the urgency marks, least urgent first.
func Priorities() []Label { return slices.Clone(priorities) }

// Name is the Vietnamese mark.
func (p Priority) Name() string { n, _ := labelOf(priorities, string(p)); return n }

// Valid reports whether p is one of the four marks.
func (p Priority) Valid() bool { _, ok := labelOf(priorities, string(p)); return ok }

// Security is the confidentiality mark (độ mật) under the law on protecting state secrets.
type Security string

const (
	SecurityNormal       Security = "thuong"    // thường: not a state secret
	SecurityConfidential Security = "mat"       // mật
	SecuritySecret       Security = "toi-mat"   // tối mật
	SecurityTopSecret    Security = "tuyet-mat" // tuyệt mật
)

var securities = []Label{{"thuong", "Thường"}, {"mat", "Mật"}, {"toi-mat", "Tối mật"}, {"tuyet-mat", "Tuyệt mật"}}

// SecurityLevels lists the marks, least secret first.
func SecurityLevels() []Label { return slices.Clone(securities) }

// Name is the Vietnamese mark.
func (s Security) Name() string { n, _ := labelOf(securities, string(s)); return n }

// Valid reports whether s is one of the four marks.
func (s Security) Valid() bool { _, ok := labelOf(securities, string(s)); return ok }

// Classified reports whether the document holds a state secret.
func (s Security) Classified() bool { return s != SecurityNormal }

// Direction names the register a document belongs to.
type Direction string

const (
	Outgoing Direction = "outgoing" // văn bản đi
	Incoming Direction = "incoming" // văn bản đến
)

// Valid reports whether d is a register.
func (d Direction) Valid() bool { return d == Outgoing || d == Incoming }

// Name is the register's Vietnamese name.
func (d Direction) Name() string {
	if d == Outgoing {
		return "Sổ văn bản đi"
	}
	return "Sổ văn bản đến"
}

// Rights is a record file's access regime (chế độ sử dụng).
type Rights string

const (
	RightsPublic     Rights = "cong-khai" // công khai
	RightsRestricted Rights = "han-che"   // hạn chế sử dụng
)

var rights = []Label{{"cong-khai", "Công khai"}, {"han-che", "Hạn chế sử dụng"}}

// RightsList lists the regimes.
func RightsList() []Label { return slices.Clone(rights) }

// Name is the Vietnamese name.
func (r Rights) Name() string { n, _ := labelOf(rights, string(r)); return n }

// Valid reports whether r is a known regime.
func (r Rights) Valid() bool { _, ok := labelOf(rights, string(r)); return ok }

// DocumentTypeFor reads a document type given by another service (a dossier's result): its code
// ("quyet-dinh") or its name as people write it, with or without the decree's qualifier
// ("Quyết định", "quyết định cá biệt"), compared without case or diacritics.
func DocumentTypeFor(s string) (DocumentType, bool) {
	if t, ok := LookupDocumentType(strings.TrimSpace(s)); ok {
		return t, true
	}
	words := SearchWords(s)
	if words == "" {
		return DocumentType{}, false
	}
	for _, t := range documentTypes {
		base, _, _ := strings.Cut(t.Name, "(")
		if words == SearchWords(t.Name) || words == SearchWords(base) {
			return t, true
		}
	}
	return DocumentType{}, false
}
