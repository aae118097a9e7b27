package domain

import (
	"fmt"
	"math"
)

// Sums are counter totals by counter name.
type Sums map[string]int64

// Counters are what the read model answers for one tenant (with its descendants) and period:
// every counter's flow within the period, and for the stock counters (StockCounters) the stock
// at the period's end and at its start (carried in). A period not over yet ends now: its stocks
// are read at now (see Period.CutAt), so a dossier due later is not overdue yet.
type Counters struct {
	InPeriod Sums
	ToEnd    Sums
	Before   Sums
}

// Ledger is the dossier ledger of a period in the shape of form 07 (the report of how
// administrative-procedure dossiers were received and resolved): dossiers carried over and
// received (by channel), resolved early, on time and late, and those still in process at the
// period's end, within their deadline or overdue.
type Ledger struct {
	CarriedOver      int64 `json:"carried_over"`
	Received         int64 `json:"received"`
	ReceivedOnline   int64 `json:"received_online"`
	ReceivedDesk     int64 `json:"received_desk"`
	ReceivedPost     int64 `json:"received_post"`
	ToHandle         int64 `json:"to_handle"` // carried over + received
	Resolved         int64 `json:"resolved"`
	ResolvedEarly    int64 `json:"resolved_early"`
	ResolvedOnTime   int64 `json:"resolved_on_time"` // on time, early ones included
	ResolvedLate     int64 `json:"resolved_late"`
	InProcess        int64 `json:"in_process"`
	InProcessOnTime  int64 `json:"in_process_within_deadline"`
	InProcessOverdue int64 `json:"in_process_overdue"`
	Returned         int64 `json:"returned"`
	ReturnedArchived int64 `json:"returned_archived"` // of those returned, results registered in the archives
	Withdrawn        int64 `json:"withdrawn"`
	Stopped          int64 `json:"stopped"`
	Transferred      int64 `json:"transferred"`
	Refused          int64 `json:"refused"`
	ElapsedMinutes   int64 `json:"elapsed_minutes"`
	LegalMinutes     int64 `json:"legal_minutes"`
	Ratings          int64 `json:"ratings"`
	RatingsSatisfied int64 `json:"ratings_satisfied"`
	RatingsVery      int64 `json:"ratings_very_satisfied"`
}

// LedgerOf reads the ledger from counters.
func LedgerOf(c Counters) Ledger {
	p := c.InPeriod
	l := Ledger{
		CarriedOver:      c.Before[COpen],
		Received:         p[CReceived],
		ReceivedOnline:   p[CReceivedOnline],
		ReceivedDesk:     p[CReceivedDesk],
		ReceivedPost:     p[CReceivedPost],
		Resolved:         p[CResolved],
		ResolvedEarly:    p[CResolvedEarly],
		ResolvedOnTime:   p[CResolvedOnTime],
		ResolvedLate:     p[CResolvedLate],
		InProcess:        c.ToEnd[COpen],
		InProcessOverdue: c.ToEnd[COverdueOpen],
		Returned:         p[CReturned],
		ReturnedArchived: p[CReturnedArchived],
		Withdrawn:        p[CWithdrawn],
		Stopped:          p[CStopped],
		Transferred:      p[CTransferredOut],
		Refused:          p[CRefused],
		ElapsedMinutes:   p[CElapsedMinutes],
		LegalMinutes:     p[CLegalMinutes],
		Ratings:          p[CRatings],
		RatingsSatisfied: p[CRatingsSatisfied],
		RatingsVery:      p[CRatingsVery],
	}
	l.ToHandle = l.CarriedOver + l.Received
	l.InProcessOnTime = l.InProcess - l.InProcessOverdue
	return l
}

// Staff is the staff picture at the period's end.
type Staff struct {
	Total      int64            `json:"total"`
	ByCategory map[string]int64 `json:"by_category"`
	Qualified  map[string]int64 `json:"qualified"` // kind → staff holding one
}

// StaffOf reads the staff stocks from counters.
func StaffOf(c Counters) Staff {
	s := Staff{Total: c.ToEnd[CStaff], ByCategory: map[string]int64{}, Qualified: map[string]int64{}}
	for _, cat := range StaffCategories {
		s.ByCategory[cat] = c.ToEnd[CStaffCategory+cat]
	}
	for _, k := range QualificationKinds {
		s.Qualified[k] = c.ToEnd[CQualified+k]
	}
	return s
}

// Documents are the official-document figures of a period.
type Documents struct {
	Outgoing           int64 `json:"outgoing"`
	OutgoingElectronic int64 `json:"outgoing_electronic"`
	Incoming           int64 `json:"incoming"`
	ReceivedElectronic int64 `json:"received_electronic"`
}

// DocumentsOf reads the document flows from counters.
func DocumentsOf(c Counters) Documents {
	return Documents{Outgoing: c.InPeriod[CDocsOutgoing], OutgoingElectronic: c.InPeriod[CDocsElectronic],
		Incoming: c.InPeriod[CDocsIncoming], ReceivedElectronic: c.InPeriod[CDocsReceivedE]}
}

// Indicator codes.
const (
	IOnTimeRate       = "on_time_rate"
	IAvgElapsedDays   = "avg_elapsed_days"
	IAvgLegalDays     = "avg_legal_days"
	IElapsedVsLegal   = "elapsed_vs_legal"
	ITimeChange       = "time_change"
	ISatisfaction     = "satisfaction"
	IOnlineShare      = "online_share"
	IElectronicDocs   = "electronic_docs"
	IArchivedResults  = "archived_results"
	IQualifiedPrefix  = "qualified_share_"
	IIndex766Progress = "index766_progress"
	IIndex766Online   = "index766_online"
	IIndex766Satisfy  = "index766_satisfaction"
	IIndex766Total    = "index766_supported"
)

// WorkingDayMinutes converts working minutes to working days (8 hours).
const WorkingDayMinutes = 480

// Comparator says how a value meets its target.
type Comparator string

// Comparators.
const (
	AtLeast  Comparator = "ge"
	Above    Comparator = "gt"
	AtMost   Comparator = "le"
	NoTarget Comparator = ""
)

// Definition describes one indicator: its name in Vietnamese, unit, formula, and the plan's
// default target.
type Definition struct {
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	Unit       string     `json:"unit"` // "%", "ngày", "điểm", "lần"
	Formula    string     `json:"formula"`
	Comparator Comparator `json:"comparator,omitempty"`
	Default    *float64   `json:"default_target,omitempty"`
}

func ptr(v float64) *float64 { return &v }

// Catalogue lists every indicator in the order pages show them.
func Catalogue() []Definition {
	defs := []Definition{
		{Code: IOnTimeRate, Name: "Tỷ lệ hồ sơ giải quyết đúng hạn", Unit: "%",
			Formula: "hồ sơ giải quyết đúng hạn (kể cả trước hạn) ÷ hồ sơ đã giải quyết trong kỳ", Comparator: AtLeast},
		{Code: IAvgElapsedDays, Name: "Thời gian giải quyết thực tế bình quân", Unit: "ngày",
			Formula: "tổng phút làm việc từ tiếp nhận đến có kết quả (trừ thời gian tạm dừng) ÷ số hồ sơ đã giải quyết ÷ 480"},
		{Code: IAvgLegalDays, Name: "Thời gian giải quyết theo quy định bình quân", Unit: "ngày",
			Formula: "tổng thời gian quy định (phút làm việc) của hồ sơ đã giải quyết ÷ số hồ sơ ÷ 480"},
		{Code: IElapsedVsLegal, Name: "Thời gian thực tế so với quy định", Unit: "%",
			Formula: "tổng thời gian thực tế ÷ tổng thời gian quy định của hồ sơ đã giải quyết", Comparator: AtMost},
		{Code: ITimeChange, Name: "Mức thay đổi thời gian giải quyết so với kỳ gốc", Unit: "%",
			Formula:    "(bình quân thực tế kỳ này − bình quân thực tế kỳ gốc) ÷ bình quân kỳ gốc; mục tiêu giảm 1/3",
			Comparator: AtMost, Default: ptr(-100.0 / 3)},
		{Code: ISatisfaction, Name: "Tỷ lệ hài lòng", Unit: "%",
			Formula:    "đánh giá hài lòng hoặc rất hài lòng ÷ tổng số đánh giá trong kỳ; mục tiêu trên 80%",
			Comparator: Above, Default: ptr(80)},
		{Code: IOnlineShare, Name: "Tỷ lệ hồ sơ tiếp nhận trực tuyến", Unit: "%",
			Formula: "hồ sơ tiếp nhận qua kênh trực tuyến ÷ hồ sơ tiếp nhận trong kỳ", Comparator: AtLeast},
		{Code: IElectronicDocs, Name: "Tỷ lệ văn bản đi gửi nhận điện tử", Unit: "%",
			Formula:    "văn bản đi đăng ký trong kỳ đã gửi điện tử ít nhất một lần ÷ văn bản đi đăng ký trong kỳ; mục tiêu 80%",
			Comparator: AtLeast, Default: ptr(80)},
		{Code: IArchivedResults, Name: "Tỷ lệ kết quả giải quyết được lưu trữ điện tử", Unit: "%",
			Formula:    "hồ sơ đã trả kết quả trong kỳ có kết quả được đăng ký vào sổ văn bản đi, lưu trữ của đơn vị ÷ hồ sơ đã trả kết quả trong kỳ",
			Comparator: AtLeast},
	}
	kindNames := map[string]string{"professional": "chuyên môn", "political": "lý luận chính trị",
		"state_management": "quản lý nhà nước", "it": "tin học", "language": "ngoại ngữ", "training": "bồi dưỡng"}
	for _, k := range QualificationKinds {
		defs = append(defs, Definition{Code: IQualifiedPrefix + k, Name: "Tỷ lệ cán bộ, công chức có trình độ " + kindNames[k], Unit: "%",
			Formula:    "người đang công tác cuối kỳ có ít nhất một văn bằng, chứng chỉ loại " + kindNames[k] + " ÷ người đang công tác cuối kỳ",
			Comparator: AtLeast})
	}
	defs = append(defs,
		Definition{Code: IIndex766Progress, Name: "Chỉ số 766 – Tiến độ giải quyết", Unit: "điểm",
			Formula: "20 × tỷ lệ hồ sơ giải quyết đúng hạn (tối đa 20 điểm)", Comparator: AtLeast},
		Definition{Code: IIndex766Online, Name: "Chỉ số 766 – Dịch vụ công trực tuyến", Unit: "điểm",
			Formula: "12 × tỷ lệ hồ sơ tiếp nhận trực tuyến (tối đa 12 điểm)", Comparator: AtLeast},
		Definition{Code: IIndex766Satisfy, Name: "Chỉ số 766 – Mức độ hài lòng", Unit: "điểm",
			Formula: "18 × tỷ lệ hài lòng (tối đa 18 điểm)", Comparator: AtLeast},
		Definition{Code: IIndex766Total, Name: "Chỉ số 766 – Tổng các phần đo được", Unit: "điểm",
			Formula: "tiến độ + dịch vụ trực tuyến + hài lòng (tối đa 50 trên 100 điểm; các phần còn lại không đo được từ dữ liệu)"},
	)
	return defs
}

// DefinitionOf finds an indicator's definition.
func DefinitionOf(code string) (Definition, bool) {
	for _, d := range Catalogue() {
		if d.Code == code {
			return d, true
		}
	}
	return Definition{}, false
}

// Values are computed indicators; an indicator without data (nothing to divide by) is absent.
type Values map[string]float64

func ratio(num, den int64) (float64, bool) {
	if den == 0 {
		return 0, false
	}
	return float64(num) / float64(den), true
}

// scaled is num ÷ den × scale to four decimals, rounded once from the fraction: num × scale ×
// 10⁴ is exact for the counts a province holds, so a value whose fraction lies on a half (54.15625)
// rounds as the fraction says, where rounding scale × (num ÷ den) could land just below the half
// and round down. The parts of index 766 add up to its total as shown.
func scaled(num, den int64, scale float64) (float64, bool) {
	if den == 0 {
		return 0, false
	}
	return math.Round(float64(num)*scale*1e4/float64(den)) / 1e4, true
}

// round keeps four decimals so that values compare exactly across databases and recomputations.
func round(v float64) float64 { return math.Round(v*1e4) / 1e4 }

// Compute derives every indicator from the counters of a period and of its baseline period
// (baseline may be nil: no time change then).
func Compute(c Counters, baseline *Counters) Values {
	v := Values{}
	l := LedgerOf(c)
	set := func(code string, x float64, ok bool) {
		if ok {
			v[code] = round(x)
		}
	}
	onTime, okOnTime := scaled(l.ResolvedOnTime, l.Resolved, 100)
	set(IOnTimeRate, onTime, okOnTime)
	avg, okAvg := ratio(l.ElapsedMinutes, l.Resolved)
	set(IAvgElapsedDays, avg/WorkingDayMinutes, okAvg)
	legal, okLegal := ratio(l.LegalMinutes, l.Resolved)
	set(IAvgLegalDays, legal/WorkingDayMinutes, okLegal)
	vsLegal, ok := scaled(l.ElapsedMinutes, l.LegalMinutes, 100)
	set(IElapsedVsLegal, vsLegal, ok)
	if baseline != nil && okAvg {
		bl := LedgerOf(*baseline)
		if base, ok := ratio(bl.ElapsedMinutes, bl.Resolved); ok && base > 0 {
			set(ITimeChange, 100*(avg-base)/base, true)
		}
	}
	sat, okSat := scaled(l.RatingsSatisfied, l.Ratings, 100)
	set(ISatisfaction, sat, okSat)
	online, okOnline := scaled(l.ReceivedOnline, l.Received, 100)
	set(IOnlineShare, online, okOnline)
	d := DocumentsOf(c)
	e, ok := scaled(d.OutgoingElectronic, d.Outgoing, 100)
	set(IElectronicDocs, e, ok)
	archived, ok := scaled(l.ReturnedArchived, l.Returned, 100)
	set(IArchivedResults, archived, ok)
	s := StaffOf(c)
	for _, k := range QualificationKinds {
		q, ok := scaled(s.Qualified[k], s.Total, 100)
		set(IQualifiedPrefix+k, q, ok)
	}
	total, any766 := 0.0, false
	// The index 766 parts: 20, 12 and 18 points at 100 %.
	if x, ok := scaled(l.ResolvedOnTime, l.Resolved, 20); ok {
		set(IIndex766Progress, x, true)
		total, any766 = total+x, true
	}
	if x, ok := scaled(l.ReceivedOnline, l.Received, 12); ok {
		set(IIndex766Online, x, true)
		total, any766 = total+x, true
	}
	if x, ok := scaled(l.RatingsSatisfied, l.Ratings, 18); ok {
		set(IIndex766Satisfy, x, true)
		total, any766 = total+x, true
	}
	set(IIndex766Total, total, any766)
	return v
}

// Target is the value an indicator should reach in a period.
type Target struct {
	Indicator  string     `json:"indicator"`
	Period     string     `json:"period"` // period key, or "*" for every period
	Value      float64    `json:"value"`
	Comparator Comparator `json:"comparator"`
	Source     string     `json:"source"` // "plan" (default), or the tenant that set it
}

// Met reports whether value meets the target.
func (t Target) Met(value float64) bool {
	switch t.Comparator {
	case Above:
		return value > t.Value
	case AtMost:
		return value <= t.Value
	default:
		return value >= t.Value
	}
}

// DefaultTarget is the plan's target of an indicator, if it has one.
func DefaultTarget(code string) (Target, bool) {
	d, ok := DefinitionOf(code)
	if !ok || d.Default == nil {
		return Target{}, false
	}
	return Target{Indicator: code, Period: "*", Value: *d.Default, Comparator: d.Comparator, Source: "plan"}, true
}

// ValidateTarget checks a target someone wants to set.
func ValidateTarget(t Target) error {
	d, ok := DefinitionOf(t.Indicator)
	if !ok {
		return fmt.Errorf("indicator %q is not known", t.Indicator)
	}
	if d.Comparator == NoTarget {
		return fmt.Errorf("indicator %q takes no target", t.Indicator)
	}
	if t.Period != "*" {
		if _, err := ParsePeriod(t.Period); err != nil {
			return err
		}
	}
	if math.IsNaN(t.Value) || math.IsInf(t.Value, 0) {
		return fmt.Errorf("value must be a number")
	}
	return nil
}
