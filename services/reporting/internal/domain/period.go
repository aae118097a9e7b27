// Package domain holds reporting's rules without any storage or HTTP: reporting periods and their
// boundaries in Vietnam's time zone, the facts kept per dossier, document and staff member and
// how each event merges into them whatever the order it arrives in, what each fact contributes
// to the monthly counters, and how the reform indicators and their targets are computed from
// those counters.
package domain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Zone is the time zone that decides which month, quarter or year a moment belongs to: Vietnam
// (UTC+7, no daylight saving), as the plan's reports are kept.
var Zone = time.FixedZone("ICT", 7*60*60)

// Month is a calendar month as yyyymm (202611); counters are kept per month and every longer
// period is a range of months, so quarters and years never need counters of their own.
type Month int

// MonthOf is the month in Vietnam of t.
func MonthOf(t time.Time) Month {
	l := t.In(Zone)
	return Month(l.Year()*100 + int(l.Month()))
}

// MonthFor builds a month from a year and a month number 1–12.
func MonthFor(year, month int) Month { return Month(year*100 + month) }

// Year is the month's year.
func (m Month) Year() int { return int(m) / 100 }

// Num is the month's number 1–12.
func (m Month) Num() int { return int(m) % 100 }

// Add moves n months forward (or back when n < 0).
func (m Month) Add(n int) Month {
	idx := m.Year()*12 + m.Num() - 1 + n
	return MonthFor(idx/12, idx%12+1)
}

// Start is the first moment of the month in Vietnam.
func (m Month) Start() time.Time {
	return time.Date(m.Year(), time.Month(m.Num()), 1, 0, 0, 0, 0, Zone)
}

func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year(), m.Num()) }

// PeriodKind is month, quarter or year.
type PeriodKind string

// The kinds of reporting period.
const (
	KindMonth   PeriodKind = "month"
	KindQuarter PeriodKind = "quarter"
	KindYear    PeriodKind = "year"
)

// Period is a reporting period: the months From..To inclusive.
type Period struct {
	Kind PeriodKind
	From Month
	To   Month
}

// ParsePeriod reads "2026-11" (month), "2026-Q4" (quarter) or "2026" (year).
func ParsePeriod(s string) (Period, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("period %q: want yyyy, yyyy-Qn or yyyy-mm", s)
	if len(s) < 4 {
		return Period{}, bad
	}
	year, err := strconv.Atoi(s[:4])
	if err != nil || year < 2000 || year > 2200 {
		return Period{}, bad
	}
	rest := s[4:]
	switch {
	case rest == "":
		return Period{Kind: KindYear, From: MonthFor(year, 1), To: MonthFor(year, 12)}, nil
	case len(rest) == 3 && (rest[:2] == "-Q" || rest[:2] == "-q"):
		q, err := strconv.Atoi(rest[2:])
		if err != nil || q < 1 || q > 4 {
			return Period{}, bad
		}
		return Period{Kind: KindQuarter, From: MonthFor(year, 3*q-2), To: MonthFor(year, 3*q)}, nil
	case len(rest) == 3 && rest[0] == '-':
		m, err := strconv.Atoi(rest[1:])
		if err != nil || m < 1 || m > 12 {
			return Period{}, bad
		}
		return Period{Kind: KindMonth, From: MonthFor(year, m), To: MonthFor(year, m)}, nil
	}
	return Period{}, bad
}

// PeriodOf is the period of kind that holds month m.
func PeriodOf(kind PeriodKind, m Month) Period {
	switch kind {
	case KindYear:
		return Period{Kind: KindYear, From: MonthFor(m.Year(), 1), To: MonthFor(m.Year(), 12)}
	case KindQuarter:
		q := (m.Num()-1)/3 + 1
		return Period{Kind: KindQuarter, From: MonthFor(m.Year(), 3*q-2), To: MonthFor(m.Year(), 3*q)}
	default:
		return Period{Kind: KindMonth, From: m, To: m}
	}
}

// Key is the period as ParsePeriod reads it.
func (p Period) Key() string {
	switch p.Kind {
	case KindYear:
		return strconv.Itoa(p.From.Year())
	case KindQuarter:
		return fmt.Sprintf("%04d-Q%d", p.From.Year(), (p.From.Num()-1)/3+1)
	default:
		return p.From.String()
	}
}

// Label is the period in Vietnamese, for pages and exports.
func (p Period) Label() string {
	switch p.Kind {
	case KindYear:
		return fmt.Sprintf("Năm %d", p.From.Year())
	case KindQuarter:
		return fmt.Sprintf("Quý %d/%d", (p.From.Num()-1)/3+1, p.From.Year())
	default:
		return fmt.Sprintf("Tháng %d/%d", p.From.Num(), p.From.Year())
	}
}

// Previous is the period of the same kind just before p.
func (p Period) Previous() Period {
	return PeriodOf(p.Kind, p.From.Add(-1))
}

// Start and End are the period's boundaries in Vietnam: [Start, End).
func (p Period) Start() time.Time { return p.From.Start() }

// End is the first moment after the period.
func (p Period) End() time.Time { return p.To.Add(1).Start() }

// Months lists the period's months in order.
func (p Period) Months() []Month {
	var out []Month
	for m := p.From; m <= p.To; m = m.Add(1) {
		out = append(out, m)
	}
	return out
}

// Cut is when a period's stocks are read: Start for what it carried in, End for what it leaves.
type Cut struct{ Start, End time.Time }

// CutAt is the period's cut as seen at now: its boundaries, except that a period not over yet
// ends now (and one not begun yet starts now). A dossier still open is overdue once its due time
// is before now; counted against the end of a month still running, a dossier due next week
// would already be overdue.
func (p Period) CutAt(now time.Time) Cut {
	return Cut{Start: minTime(p.Start(), now), End: minTime(p.End(), now)}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
