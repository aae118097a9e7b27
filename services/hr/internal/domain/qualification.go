package domain

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"egov.vn/platform/libs/apperr"
)

// Kind is a family of qualifications the reform plan measures. The codes are the events
// contract's.
type Kind string

const (
	Professional    Kind = "professional"     // chuyên môn: trung cấp … tiến sĩ, with the field
	Political       Kind = "political"        // lý luận chính trị
	StateManagement Kind = "state_management" // quản lý nhà nước
	IT              Kind = "it"               // tin học
	Language        Kind = "language"         // ngoại ngữ, with the language
	Training        Kind = "training"         // bồi dưỡng: a course with dates and a result
)

// Kinds lists every kind in the order reports show them.
var Kinds = []Kind{Professional, Political, StateManagement, IT, Language, Training}

// Label is the kind in Vietnamese.
func (k Kind) Label() string {
	switch k {
	case Professional:
		return "Chuyên môn"
	case Political:
		return "Lý luận chính trị"
	case StateManagement:
		return "Quản lý nhà nước"
	case IT:
		return "Tin học"
	case Language:
		return "Ngoại ngữ"
	case Training:
		return "Bồi dưỡng"
	}
	return string(k)
}

// Graded reports whether the kind has levels with ranks (every kind but trainings).
func (k Kind) Graded() bool { return k != Training && k.Valid() }

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// ParseKind accepts a code or the Vietnamese label.
func ParseKind(s string) (Kind, bool) {
	s = strings.TrimSpace(s)
	for _, k := range Kinds {
		if strings.EqualFold(s, string(k)) || strings.EqualFold(s, k.Label()) {
			return k, true
		}
	}
	return "", false
}

// Level is one entry of a kind's code list. Rank orders the levels of a kind, higher is better,
// so "at or above level X" is rank ≥ X's rank. Equivalent levels share a rank (CEFR B1 and the
// national framework's bậc 3). Tenant is "" for the platform's defaults; a tenant's own levels
// extend the defaults for that tenant only.
type Level struct {
	Tenant string
	Kind   Kind
	Code   string
	Name   string
	Rank   int
}

var levelCodeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_]{0,39}$`)

// Validate checks a level a tenant administrator adds.
func (l Level) Validate() error {
	var errs apperr.FieldErrors
	if !l.Kind.Graded() {
		errs.Add("kind", "chỉ thêm trình độ cho các loại chuyên môn, lý luận chính trị, quản lý nhà nước, tin học, ngoại ngữ")
	}
	if !levelCodeRE.MatchString(l.Code) {
		errs.Add("code", "mã trình độ gồm 1–40 chữ thường không dấu, chữ số hoặc '_'")
	}
	if n := strings.TrimSpace(l.Name); n == "" || utf8.RuneCountInString(n) > 100 {
		errs.Add("name", "tên trình độ là bắt buộc, tối đa 100 ký tự")
	}
	if l.Rank < 1 || l.Rank > 1000 {
		errs.Add("rank", "thứ bậc từ 1 đến 1000 (cao hơn là trình độ cao hơn)")
	}
	return errs.Err()
}

// DefaultLevels is the platform's code list, seeded as data. Ranks leave gaps of ten so that a
// tenant can slot a level between two defaults.
func DefaultLevels() []Level {
	l := func(k Kind, code, name string, rank int) Level {
		return Level{Kind: k, Code: code, Name: name, Rank: rank}
	}
	return []Level{
		l(Professional, "trung_cap", "Trung cấp", 10),
		l(Professional, "cao_dang", "Cao đẳng", 20),
		l(Professional, "dai_hoc", "Đại học", 30),
		l(Professional, "thac_si", "Thạc sĩ", 40),
		l(Professional, "tien_si", "Tiến sĩ", 50),
		l(Political, "so_cap", "Sơ cấp", 10),
		l(Political, "trung_cap", "Trung cấp", 20),
		l(Political, "cao_cap", "Cao cấp", 30),
		l(Political, "cu_nhan", "Cử nhân", 40),
		l(StateManagement, "chuyen_vien", "Chuyên viên", 10),
		l(StateManagement, "chuyen_vien_chinh", "Chuyên viên chính", 20),
		l(StateManagement, "chuyen_vien_cao_cap", "Chuyên viên cao cấp", 30),
		l(IT, "co_ban", "Cơ bản", 10),
		l(IT, "nang_cao", "Nâng cao", 20),
		// CEFR and the six-level national framework (Thông tư 01/2014/TT-BGDĐT): bậc n = CEFR's nth.
		l(Language, "a1", "A1 (CEFR)", 10), l(Language, "bac_1", "Bậc 1 (khung 6 bậc)", 10),
		l(Language, "a2", "A2 (CEFR)", 20), l(Language, "bac_2", "Bậc 2 (khung 6 bậc)", 20),
		l(Language, "b1", "B1 (CEFR)", 30), l(Language, "bac_3", "Bậc 3 (khung 6 bậc)", 30),
		l(Language, "b2", "B2 (CEFR)", 40), l(Language, "bac_4", "Bậc 4 (khung 6 bậc)", 40),
		l(Language, "c1", "C1 (CEFR)", 50), l(Language, "bac_5", "Bậc 5 (khung 6 bậc)", 50),
		l(Language, "c2", "C2 (CEFR)", 60), l(Language, "bac_6", "Bậc 6 (khung 6 bậc)", 60),
	}
}

// CodeList is the levels a tenant sees: the defaults and its own.
type CodeList []Level

// Find returns the level of kind k with code.
func (c CodeList) Find(k Kind, code string) (Level, bool) {
	code = strings.ToLower(strings.TrimSpace(code))
	for _, l := range c {
		if l.Kind == k && l.Code == code {
			return l, true
		}
	}
	return Level{}, false
}

// Of returns the levels of kind k ordered by rank.
func (c CodeList) Of(k Kind) []Level {
	var out []Level
	for _, l := range c {
		if l.Kind == k {
			out = append(out, l)
		}
	}
	sortLevels(out)
	return out
}

// Thresholds returns the distinct ranks of kind k, ascending, each with the name(s) of its levels:
// the "at or above" lines a report draws.
func (c CodeList) Thresholds(k Kind) []Threshold {
	var out []Threshold
	for _, l := range c.Of(k) {
		if n := len(out); n > 0 && out[n-1].Rank == l.Rank {
			out[n-1].Name += " / " + l.Name
			continue
		}
		out = append(out, Threshold{Rank: l.Rank, Code: l.Code, Name: l.Name})
	}
	return out
}

// Threshold is one rank of a kind with the level(s) that have it.
type Threshold struct {
	Rank int
	Code string // the first level with this rank
	Name string
}

func sortLevels(ls []Level) {
	for i := 1; i < len(ls); i++ {
		for j := i; j > 0 && (ls[j].Rank < ls[j-1].Rank || ls[j].Rank == ls[j-1].Rank && ls[j].Code < ls[j-1].Code); j-- {
			ls[j], ls[j-1] = ls[j-1], ls[j]
		}
	}
}

// Evidence points at the scanned diploma or certificate in the evidence store.
type Evidence struct {
	Key         string // object key within the tenant's store
	FileName    string
	ContentType string
	Size        int64
	SHA256      string // hex; recorded at upload, re-verified when read
}

// Qualification is one diploma, certificate or training of a person.
type Qualification struct {
	ID           string
	StaffID      string
	Kind         Kind
	Level        string // code in the kind's code list; "" for trainings
	Rank         int    // the level's rank when it was recorded
	Field        string // chuyên ngành, for professional degrees
	Language     string // for languages: "Tiếng Anh"
	AwardingBody string // nơi cấp / cơ sở đào tạo
	AwardedOn    time.Time
	// A training's course, dates and result.
	Course  string
	StartOn *time.Time
	EndOn   *time.Time
	Result  string
	// Evidence is set once a file is attached.
	Evidence *Evidence
	// EvidenceRef is a reference to a file kept elsewhere (e.g. a record in archives), as given in
	// an import; free text.
	EvidenceRef string
}

// Check validates q against the tenant's code list and fills its Rank and canonical Level.
func (q *Qualification) Check(codes CodeList) error {
	var errs apperr.FieldErrors
	if !q.Kind.Valid() {
		errs.Add("kind", "loại văn bằng phải là professional, political, state_management, it, language hoặc training")
		return errs.Err()
	}
	if q.Kind.Graded() {
		l, ok := codes.Find(q.Kind, q.Level)
		if !ok {
			errs.Add("level", "trình độ \""+q.Level+"\" không có trong danh mục "+q.Kind.Label())
		} else {
			q.Level, q.Rank = l.Code, l.Rank
		}
	} else {
		q.Level, q.Rank = "", 0
		if strings.TrimSpace(q.Course) == "" {
			errs.Add("course", "tên khóa bồi dưỡng là bắt buộc")
		}
		if q.StartOn == nil || q.EndOn == nil {
			errs.Add("start_on", "ngày bắt đầu và kết thúc khóa học là bắt buộc")
		} else if q.EndOn.Before(*q.StartOn) {
			errs.Add("end_on", "ngày kết thúc trước ngày bắt đầu")
		}
	}
	if q.Kind == Professional && strings.TrimSpace(q.Field) == "" {
		errs.Add("field", "chuyên ngành là bắt buộc với văn bằng chuyên môn")
	}
	if q.Kind == Language && strings.TrimSpace(q.Language) == "" {
		errs.Add("language", "cần ghi ngoại ngữ (ví dụ Tiếng Anh)")
	}
	if strings.TrimSpace(q.AwardingBody) == "" {
		errs.Add("awarding_body", "nơi cấp là bắt buộc")
	}
	if q.AwardedOn.IsZero() {
		if q.Kind == Training && q.EndOn != nil {
			q.AwardedOn = *q.EndOn
		} else {
			errs.Add("awarded_on", "ngày cấp là bắt buộc")
		}
	} else if q.AwardedOn.After(Today(time.Now())) {
		errs.Add("awarded_on", "ngày cấp ở tương lai")
	}
	for _, f := range [...]struct{ name, v string }{{"field", q.Field}, {"language", q.Language},
		{"awarding_body", q.AwardingBody}, {"course", q.Course}, {"result", q.Result}, {"evidence_ref", q.EvidenceRef}} {
		if utf8.RuneCountInString(f.v) > 200 {
			errs.Add(f.name, "dài quá 200 ký tự")
		}
	}
	return errs.Err()
}
