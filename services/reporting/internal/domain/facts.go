package domain

import (
	"strings"
	"time"
)

// Counter names: the monthly flows the read model keeps per tenant. Stocks (dossiers in process,
// staff on the payroll) are kept as signed flows too (+1 when something enters, −1 when it
// leaves), so a stock at the end of any month is the sum of its flow up to that month.
const (
	CReceived         = "received"
	CReceivedDesk     = "received_desk"
	CReceivedOnline   = "received_online"
	CReceivedPost     = "received_post"
	CResolved         = "resolved"
	CResolvedEarly    = "resolved_early"
	CResolvedOnTime   = "resolved_on_time" // includes early ones
	CResolvedLate     = "resolved_late"
	CElapsedMinutes   = "elapsed_minutes" // over resolved dossiers
	CLegalMinutes     = "legal_minutes"   // over resolved dossiers
	CReturned         = "returned"
	CReturnedArchived = "returned_archived" // returned results registered in the unit's archives
	CWithdrawn        = "withdrawn"
	CStopped          = "stopped"
	CTransferredOut   = "transferred"
	CRefused          = "refused"
	COpen             = "open"         // stock flow: +1 at receipt, −1 when resolved or closed
	COverdueOpen      = "overdue_open" // stock flow: +1 when an open dossier passes its due date, −1 when it closes
	CRatings          = "ratings"
	CRatingsSatisfied = "ratings_satisfied" // satisfied or very satisfied
	CRatingsVery      = "ratings_very_satisfied"
	CDocsOutgoing     = "docs_outgoing"
	CDocsElectronic   = "docs_outgoing_electronic"
	CDocsIncoming     = "docs_incoming"
	CDocsReceivedE    = "docs_received_electronic"
	CStaff            = "staff" // stock flow
	CStaffCategory    = "staff_"
	CQualified        = "qualified_" // + kind, stock flow
)

// StockCounters are the counters kept as signed flows of a stock: their sum up to a month is the
// stock at its end. Only these are summed over all earlier months; the others only over a period.
func StockCounters() []string {
	out := []string{COpen, COverdueOpen, CStaff}
	for _, c := range StaffCategories {
		out = append(out, CStaffCategory+c)
	}
	for _, k := range QualificationKinds {
		out = append(out, CQualified+k)
	}
	return out
}

// IsStock reports whether a counter is kept as the signed flow of a stock.
func IsStock(indicator string) bool {
	switch {
	case indicator == COpen, indicator == COverdueOpen, indicator == CStaff:
		return true
	case strings.HasPrefix(indicator, CStaffCategory), strings.HasPrefix(indicator, CQualified):
		return true
	}
	return false
}

// QualificationKinds are the kinds of qualification HR records, in the order pages show them.
var QualificationKinds = []string{"professional", "political", "state_management", "it", "language", "training"}

// StaffCategories are HR's staff categories.
var StaffCategories = []string{"can_bo", "cong_chuc", "vien_chuc", "hop_dong"}

// Delta is one change of one monthly counter. At is the moment the change is dated at, within
// Month; counters keep only the month, but a stock read at an instant inside a month (now, in
// the current period) needs to tell the flows dated after it (see FlowsFrom).
type Delta struct {
	Tenant    string
	Month     Month
	Indicator string
	Value     int64
	At        time.Time
}

// FlowsFrom sums, per indicator, the stock flows among deltas dated at or after at but within
// at's month: what the month's counters hold beyond the stock at that instant. A stock at an
// instant is the sum of its flows up to the instant's month less these.
func FlowsFrom(deltas []Delta, at time.Time) Sums {
	m := MonthOf(at)
	out := Sums{}
	for _, d := range deltas {
		if d.Month == m && !d.At.Before(at) && IsStock(d.Indicator) {
			out[d.Indicator] += d.Value
		}
	}
	return out
}

// Deltas collects counter changes; adding the same key twice sums them.
type Deltas map[DeltaKey]int64

// DeltaKey is the counter a delta is for.
type DeltaKey struct {
	Tenant    string
	Month     Month
	Indicator string
}

// Add adds v to the counter of tenant, month and indicator.
func (d Deltas) Add(tenant string, m Month, indicator string, v int64) {
	if v != 0 {
		d[DeltaKey{tenant, m, indicator}] += v
	}
}

// Apply adds the difference between what a fact contributed before and after a change: the
// counters stay the sum of every fact's current contribution, whatever the order of changes.
func (d Deltas) Apply(before, after []Delta) {
	for _, x := range before {
		d.Add(x.Tenant, x.Month, x.Indicator, -x.Value)
	}
	for _, x := range after {
		d.Add(x.Tenant, x.Month, x.Indicator, x.Value)
	}
}

// DossierKey names a dossier as handled by one tenant: a transferred dossier has one fact in the
// tenant it left and one in the tenant that received it.
type DossierKey struct {
	DossierID string
	Tenant    string
}

// DossierChange is the data of one dossier event (see services/EVENTS.md), with the verb and the
// tenant of the event's subject.
type DossierChange struct {
	Verb           string
	Tenant         string // the subject's tenant
	DossierID      string
	ReceiptCode    string
	ProcedureCode  string
	ProcedureName  string
	Field          string
	Level          string
	Channel        string
	State          string
	Version        int64
	ReceivedAt     time.Time
	DueAt          time.Time
	OccurredAt     time.Time
	LegalMinutes   int64
	ResolvedAt     time.Time
	OnTime         bool
	ElapsedMinutes int64
	ReturnedAt     time.Time
	Rating         string
	ArchivedAt     time.Time // "archived": the result registered in the archives
}

// VerbArchived is the change an archives "registered" event of a dossier's result (one carrying
// dossier_id) makes to that dossier in the same tenant; it is no dossier event of its own.
const VerbArchived = "archived"

// DossierFact is everything reporting keeps of one dossier in one tenant: the dossier as of the
// highest version seen, plus what each kind of event told. Every merge is commutative (highest
// version wins for the dossier's own fields, each event kind sets its own fields), so events may
// arrive in any order and the fact ends the same.
type DossierFact struct {
	DossierKey
	Version        int64
	ReceiptCode    string
	ProcedureCode  string
	ProcedureName  string
	Field          string
	Level          string
	Channel        string
	State          string
	ReceivedAt     time.Time
	DueAt          time.Time
	Received       bool // some event other than a refusal at the desk was seen
	RefusedAt      time.Time
	LegalMinutes   int64
	ResolvedAt     time.Time
	OnTime         bool
	ElapsedMinutes int64
	ReturnedAt     time.Time
	ClosedAs       string // withdrawn, stopped or transferred: closed without a result
	ClosedAt       time.Time
	Rating         string
	RatingVersion  int64
	RatedAt        time.Time
	ArchivedAt     time.Time // when its result was registered in the unit's archives (the earliest registration)
}

// Ratings that count as satisfied or better.
const (
	RatingVerySatisfied = "very_satisfied"
	RatingSatisfied     = "satisfied"
	RatingNotSatisfied  = "not_satisfied"
)

// Merge folds one change into the fact.
func (f *DossierFact) Merge(c DossierChange) {
	if f.DossierID == "" {
		f.DossierKey = DossierKey{DossierID: c.DossierID, Tenant: c.Tenant}
	}
	if c.Verb == VerbArchived {
		// Told by archives, not by the dossier: it says nothing of the dossier's own fields but
		// its receipt code, kept until a dossier event tells the rest.
		if f.ArchivedAt.IsZero() || c.ArchivedAt.Before(f.ArchivedAt) {
			f.ArchivedAt = c.ArchivedAt
		}
		if f.ReceiptCode == "" {
			f.ReceiptCode = c.ReceiptCode
		}
		return
	}
	if c.Version > f.Version || f.Version == 0 {
		f.Version = c.Version
		f.ReceiptCode, f.ProcedureCode, f.ProcedureName = c.ReceiptCode, c.ProcedureCode, c.ProcedureName
		f.Field, f.Level, f.Channel, f.State = c.Field, c.Level, c.Channel, c.State
		f.ReceivedAt, f.DueAt = c.ReceivedAt, c.DueAt
	}
	if c.Verb != "refused" {
		f.Received = true
	}
	switch c.Verb {
	case "received":
		if f.LegalMinutes == 0 {
			f.LegalMinutes = c.LegalMinutes
		}
	case "refused":
		f.RefusedAt = c.OccurredAt
	case "result-ready":
		f.ResolvedAt, f.OnTime, f.ElapsedMinutes = c.ResolvedAt, c.OnTime, c.ElapsedMinutes
		if c.LegalMinutes != 0 {
			f.LegalMinutes = c.LegalMinutes // the figure at the result is the one the dossier was judged by
		}
	case "returned":
		f.ReturnedAt = c.ReturnedAt
	case "rated":
		if c.Version >= f.RatingVersion {
			f.Rating, f.RatingVersion, f.RatedAt = c.Rating, c.Version, c.OccurredAt
		}
	case "withdrawn", "stopped", "transferred":
		f.ClosedAs, f.ClosedAt = c.Verb, c.OccurredAt
	}
}

// Resolved reports whether the dossier has its result.
func (f DossierFact) Resolved() bool { return !f.ResolvedAt.IsZero() }

// EndedAt is when the dossier stopped being in process here: its result, or its closing without
// one; zero while it is still in process.
func (f DossierFact) EndedAt() time.Time {
	if f.Resolved() {
		return f.ResolvedAt
	}
	return f.ClosedAt
}

// Early reports a result given on a calendar day (in Vietnam) before the appointment day.
func (f DossierFact) Early() bool {
	if !f.Resolved() || f.DueAt.IsZero() {
		return false
	}
	ry, rm, rd := f.ResolvedAt.In(Zone).Date()
	dy, dm, dd := f.DueAt.In(Zone).Date()
	return time.Date(ry, rm, rd, 0, 0, 0, 0, time.UTC).Before(time.Date(dy, dm, dd, 0, 0, 0, 0, time.UTC))
}

// Contribution is what the fact adds to the monthly counters as it stands.
func (f DossierFact) Contribution() []Delta {
	var out []Delta
	add := func(t time.Time, ind string, v int64) {
		out = append(out, Delta{Tenant: f.Tenant, Month: MonthOf(t), Indicator: ind, Value: v, At: t})
	}
	if !f.RefusedAt.IsZero() && !f.Received {
		add(f.RefusedAt, CRefused, 1)
	}
	if !f.Received || f.ReceivedAt.IsZero() {
		return out
	}
	add(f.ReceivedAt, CReceived, 1)
	switch f.Channel {
	case "desk":
		add(f.ReceivedAt, CReceivedDesk, 1)
	case "online":
		add(f.ReceivedAt, CReceivedOnline, 1)
	case "post":
		add(f.ReceivedAt, CReceivedPost, 1)
	}
	add(f.ReceivedAt, COpen, 1)
	ended := f.EndedAt()
	switch {
	case f.Resolved():
		add(f.ResolvedAt, CResolved, 1)
		if f.OnTime {
			add(f.ResolvedAt, CResolvedOnTime, 1)
			if f.Early() {
				add(f.ResolvedAt, CResolvedEarly, 1)
			}
		} else {
			add(f.ResolvedAt, CResolvedLate, 1)
		}
		add(f.ResolvedAt, CElapsedMinutes, f.ElapsedMinutes)
		add(f.ResolvedAt, CLegalMinutes, f.LegalMinutes)
		add(f.ResolvedAt, COpen, -1)
	case !f.ClosedAt.IsZero():
		add(f.ClosedAt, f.ClosedAs, 1)
		add(f.ClosedAt, COpen, -1)
	}
	if !f.DueAt.IsZero() && (ended.IsZero() || ended.After(f.DueAt)) {
		add(f.DueAt, COverdueOpen, 1)
		if !ended.IsZero() {
			add(ended, COverdueOpen, -1)
		}
	}
	if !f.ReturnedAt.IsZero() {
		add(f.ReturnedAt, CReturned, 1)
		if !f.ArchivedAt.IsZero() {
			add(f.ReturnedAt, CReturnedArchived, 1)
		}
	}
	if f.Rating != "" && !f.RatedAt.IsZero() {
		add(f.RatedAt, CRatings, 1)
		if f.Rating == RatingSatisfied || f.Rating == RatingVerySatisfied {
			add(f.RatedAt, CRatingsSatisfied, 1)
		}
		if f.Rating == RatingVerySatisfied {
			add(f.RatedAt, CRatingsVery, 1)
		}
	}
	return out
}

// DocumentKey names a document as seen by one tenant (the sender's and each recipient's).
type DocumentKey struct {
	DocumentID string
	Tenant     string
}

// DocumentChange is the data of one archives document event.
type DocumentChange struct {
	Verb         string
	Tenant       string
	DocumentID   string
	Register     string
	RegisteredAt time.Time
	SentAt       time.Time
	ReceivedAt   time.Time
}

// DocumentFact is what reporting keeps of one document in one tenant.
type DocumentFact struct {
	DocumentKey
	Register     string
	RegisteredAt time.Time
	SentAt       time.Time // the first electronic sending
	ReceivedAt   time.Time // received electronically by this tenant
}

// Merge folds one change into the fact (each verb sets its own fields; the first sending counts).
func (f *DocumentFact) Merge(c DocumentChange) {
	if f.DocumentID == "" {
		f.DocumentKey = DocumentKey{DocumentID: c.DocumentID, Tenant: c.Tenant}
	}
	switch c.Verb {
	case "registered":
		f.Register, f.RegisteredAt = c.Register, c.RegisteredAt
	case "sent":
		if f.SentAt.IsZero() || c.SentAt.Before(f.SentAt) {
			f.SentAt = c.SentAt
		}
	case "received":
		if f.ReceivedAt.IsZero() || c.ReceivedAt.Before(f.ReceivedAt) {
			f.ReceivedAt = c.ReceivedAt
		}
	}
}

// Contribution counts an outgoing document in the month it was registered, and as electronic
// when it was sent at least once; an incoming one in its month; an electronic receipt in its own.
func (f DocumentFact) Contribution() []Delta {
	var out []Delta
	add := func(t time.Time, ind string) {
		out = append(out, Delta{Tenant: f.Tenant, Month: MonthOf(t), Indicator: ind, Value: 1, At: t})
	}
	if !f.RegisteredAt.IsZero() {
		switch f.Register {
		case "outgoing":
			add(f.RegisteredAt, CDocsOutgoing)
			if !f.SentAt.IsZero() {
				add(f.RegisteredAt, CDocsElectronic)
			}
		case "incoming":
			add(f.RegisteredAt, CDocsIncoming)
		}
	}
	if !f.ReceivedAt.IsZero() {
		add(f.ReceivedAt, CDocsReceivedE)
	}
	return out
}

// StaffKey names a staff member in one tenant.
type StaffKey struct {
	StaffID string
	Tenant  string
}

// StaffChange is the data of one HR staff event.
type StaffChange struct {
	Verb        string
	Tenant      string
	StaffID     string
	Category    string
	EffectiveAt time.Time
	Kind        string // qualification kind
	Rank        int64
	AwardedAt   time.Time
}

// StaffFact is what reporting keeps of one staff member: when they joined and left, and since
// when they hold a qualification of each kind (with the best rank seen).
type StaffFact struct {
	StaffKey
	Category  string
	HiredAt   time.Time
	LeftAt    time.Time
	Qualified map[string]time.Time // kind → earliest award
	BestRank  map[string]int64
}

// Merge folds one change into the fact.
func (f *StaffFact) Merge(c StaffChange) {
	if f.StaffID == "" {
		f.StaffKey = StaffKey{StaffID: c.StaffID, Tenant: c.Tenant}
	}
	if f.Qualified == nil {
		f.Qualified, f.BestRank = map[string]time.Time{}, map[string]int64{}
	}
	switch c.Verb {
	case "hired":
		f.HiredAt, f.Category = c.EffectiveAt, c.Category
	case "left":
		f.LeftAt = c.EffectiveAt
	case "qualification-added":
		if at, ok := f.Qualified[c.Kind]; !ok || c.AwardedAt.Before(at) {
			f.Qualified[c.Kind] = c.AwardedAt
		}
		f.BestRank[c.Kind] = max(f.BestRank[c.Kind], c.Rank)
	}
}

// Contribution keeps staff and qualified staff as stocks: +1 from the month someone is on the
// payroll (holding the qualification), −1 from the month they leave.
func (f StaffFact) Contribution() []Delta {
	if f.HiredAt.IsZero() {
		return nil
	}
	var out []Delta
	add := func(t time.Time, ind string, v int64) {
		out = append(out, Delta{Tenant: f.Tenant, Month: MonthOf(t), Indicator: ind, Value: v, At: t})
	}
	left := !f.LeftAt.IsZero()
	add(f.HiredAt, CStaff, 1)
	if f.Category != "" {
		add(f.HiredAt, CStaffCategory+f.Category, 1)
	}
	if left {
		add(f.LeftAt, CStaff, -1)
		if f.Category != "" {
			add(f.LeftAt, CStaffCategory+f.Category, -1)
		}
	}
	for kind, awarded := range f.Qualified {
		from := f.HiredAt
		if awarded.After(from) {
			from = awarded
		}
		if left && !f.LeftAt.After(from) {
			continue // left before holding it here
		}
		add(from, CQualified+kind, 1)
		if left {
			add(f.LeftAt, CQualified+kind, -1)
		}
	}
	return out
}
