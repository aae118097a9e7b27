package domain

import (
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"egov.vn/platform/libs/apperr"
)

// Vietnam is the zone every date of the one-stop shop is reckoned in: appointment days, office
// hours and public holidays are all Hà Nội time (UTC+7, no daylight saving).
var Vietnam = time.FixedZone("ICT", 7*3600)

// Date is a civil date without a time of day, in Vietnam.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the civil date of t in Vietnam.
func DateOf(t time.Time) Date {
	y, m, d := t.In(Vietnam).Date()
	return Date{y, m, d}
}

// ParseDate reads "2026-04-30".
func ParseDate(s string) (Date, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, Vietnam)
	if err != nil {
		return Date{}, fmt.Errorf("want a date as YYYY-MM-DD: %w", err)
	}
	return DateOf(t), nil
}

// At returns the instant of the given clock time on d in Vietnam.
func (d Date) At(minuteOfDay int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, minuteOfDay, 0, 0, Vietnam)
}

// AddDays returns the date n days later.
func (d Date) AddDays(n int) Date { return DateOf(d.At(0).AddDate(0, 0, n)) }

// Weekday of d.
func (d Date) Weekday() time.Weekday { return d.At(0).Weekday() }

// Before reports whether d is earlier than o.
func (d Date) Before(o Date) bool { return d.At(0).Before(o.At(0)) }

func (d Date) String() string { return d.At(0).Format(time.DateOnly) }

func dateOfUTC(t time.Time) Date { y, m, d := t.Date(); return Date{y, m, d} }

// TimeOfDay is a time of day in minutes after midnight.
type TimeOfDay int

// ParseClock reads "07:30".
func ParseClock(s string) (TimeOfDay, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("want a time as HH:MM: %w", err)
	}
	return TimeOfDay(t.Hour()*60 + t.Minute()), nil
}

func (c TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// OfficeHours are the morning and afternoon sessions during which the desk receives and the
// processing clock runs.
type OfficeHours struct {
	MorningStart, MorningEnd     TimeOfDay
	AfternoonStart, AfternoonEnd TimeOfDay
}

// DefaultOfficeHours are 07:30–11:30 and 13:00–17:00: eight working hours a day, the 40-hour
// week of Nghị định 45/2013 art. 3 over five days.
var DefaultOfficeHours = OfficeHours{MorningStart: 450, MorningEnd: 690, AfternoonStart: 780, AfternoonEnd: 1020}

// Validate checks that the sessions are in order and not empty.
func (h OfficeHours) Validate() error {
	ordered := 0 <= h.MorningStart && h.MorningStart < h.MorningEnd && h.MorningEnd <= h.AfternoonStart &&
		h.AfternoonStart < h.AfternoonEnd && h.AfternoonEnd <= 24*60
	if !ordered {
		return apperr.Invalid("office_hours", "sessions must be in order: morning start < morning end ≤ afternoon start < afternoon end")
	}
	return nil
}

// MinutesPerDay is the length of one working day.
func (h OfficeHours) MinutesPerDay() int {
	return int(h.MorningEnd-h.MorningStart) + int(h.AfternoonEnd-h.AfternoonStart)
}

// sessions lists the day's working intervals.
func (h OfficeHours) sessions() [2][2]TimeOfDay {
	return [2][2]TimeOfDay{{h.MorningStart, h.MorningEnd}, {h.AfternoonStart, h.AfternoonEnd}}
}

// DayKind says what an admin made of one date.
type DayKind string

const (
	// DayOff is an extra day off: a swapped day (ngày nghỉ hoán đổi) announced by the
	// government, or a holiday the defaults do not know.
	DayOff DayKind = "off"
	// DayWork is a make-up working day (ngày làm bù), usually a Saturday.
	DayWork DayKind = "work"
)

// DayOverride is one date an admin set as off or as a working day, which wins over the rules.
type DayOverride struct {
	Date Date
	Kind DayKind
	Note string
}

// WorkingDayCalendar decides which days are working days and does due-date arithmetic in
// working minutes.
//
// The rules (Bộ luật Lao động 2019, art. 111–112, applied to civil servants by Luật Cán bộ,
// công chức): Saturday and Sunday off; 1/1; Tết Nguyên đán five days; Giỗ Tổ Hùng Vương 10/3
// lunar; 30/4 and 1/5; Quốc khánh 2/9 plus one adjacent day. A holiday on a weekend is made up
// on the next working day (art. 111(3)). The Labour Code fixes five days of Tết but the Prime
// Minister picks which five each year; the default here is the last day of the old year and the
// first four of the new one, which is the usual choice, and admins correct a year with
// overrides. Likewise for the day adjacent to 2/9: the default takes the one that joins the
// holiday to a weekend.
type WorkingDayCalendar struct {
	Hours     OfficeHours
	Overrides map[Date]DayOverride

	mu       sync.Mutex
	holidays map[int]map[Date]string // year -> date -> name, computed on first use
}

// NewWorkingDayCalendar returns a calendar with the given office hours and admin overrides.
func NewWorkingDayCalendar(hours OfficeHours, overrides []DayOverride) *WorkingDayCalendar {
	c := &WorkingDayCalendar{Hours: hours, Overrides: map[Date]DayOverride{}, holidays: map[int]map[Date]string{}}
	for _, o := range overrides {
		c.Overrides[o.Date] = o
	}
	return c
}

// Holiday names, as they appear on staff pages.
const (
	holidayNewYear    = "Tết Dương lịch"
	holidayTet        = "Tết Nguyên đán"
	holidayHungKings  = "Giỗ Tổ Hùng Vương"
	holidayReunion    = "Ngày Chiến thắng"
	holidayLabour     = "Ngày Quốc tế Lao động"
	holidayNational   = "Quốc khánh"
	holidayCompensate = "Nghỉ bù"
)

// PublicHolidays returns the statutory days off of Gregorian year y by rule, with their names,
// including days made up for holidays that fell on a weekend. Admin overrides are not applied.
func PublicHolidays(y int) map[Date]string {
	days := map[Date]string{}
	add := func(d Date, name string) { days[d] = name }
	add(Date{y, time.January, 1}, holidayNewYear)
	tet := dateOfUTC(Tet(y))
	for i := -1; i <= 3; i++ {
		add(tet.AddDays(i), holidayTet)
	}
	// The Tết of the next year can begin on 31 December's eve only in theory (Tết is never
	// before 21 January), so one year's Tết stays within that year.
	add(dateOfUTC(HungKingsDay(y)), holidayHungKings)
	add(Date{y, time.April, 30}, holidayReunion)
	add(Date{y, time.May, 1}, holidayLabour)
	national := Date{y, time.September, 2}
	add(national, holidayNational)
	switch national.Weekday() {
	case time.Tuesday, time.Friday, time.Saturday:
		add(national.AddDays(-1), holidayNational) // Mon 1/9 joins the weekend; Fri 1/9 before a Sat holiday
	default:
		add(national.AddDays(1), holidayNational)
	}
	// Art. 111(3): a holiday on a weekly rest day is made up on the next working day.
	var onWeekend []Date
	for d := range days {
		if isWeekend(d) {
			onWeekend = append(onWeekend, d)
		}
	}
	sort.Slice(onWeekend, func(i, j int) bool { return onWeekend[i].Before(onWeekend[j]) })
	for _, d := range onWeekend {
		n := d.AddDays(1)
		for isWeekend(n) || days[n] != "" {
			n = n.AddDays(1)
		}
		add(n, holidayCompensate)
	}
	return days
}

func isWeekend(d Date) bool {
	wd := d.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// Holiday returns the name of the public holiday on d, or "".
func (c *WorkingDayCalendar) Holiday(d Date) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.holidays == nil {
		c.holidays = map[int]map[Date]string{}
	}
	year, ok := c.holidays[d.Year]
	if !ok {
		year = PublicHolidays(d.Year)
		c.holidays[d.Year] = year
	}
	return year[d]
}

// IsWorkingDay reports whether the office works on d.
func (c *WorkingDayCalendar) IsWorkingDay(d Date) bool {
	if o, ok := c.Overrides[d]; ok {
		return o.Kind == DayWork
	}
	return !isWeekend(d) && c.Holiday(d) == ""
}

// maxSearchDays bounds every walk over the calendar: a legal time is at most months long, and a
// calendar with no working day at all (every day overridden off) must fail, not loop.
const maxSearchDays = 3 * 366

// AddWorkingMinutes returns the instant that lies n working minutes after from. Time outside
// office hours does not count: a dossier received at 17:30 on Friday starts its clock at 07:30
// on the next working day. When n is 0 the result is from itself.
func (c *WorkingDayCalendar) AddWorkingMinutes(from time.Time, n int) (time.Time, error) {
	if n <= 0 {
		return from, nil
	}
	day := DateOf(from)
	minute := TimeOfDay(from.In(Vietnam).Hour()*60 + from.In(Vietnam).Minute())
	left := n
	for i := 0; i < maxSearchDays; i++ {
		if c.IsWorkingDay(day) {
			for _, s := range c.Hours.sessions() {
				start := max(s[0], minute)
				if start >= s[1] {
					continue
				}
				avail := int(s[1] - start)
				if left <= avail {
					return day.At(int(start) + left), nil
				}
				left -= avail
			}
		}
		day, minute = day.AddDays(1), 0
	}
	return time.Time{}, apperr.Conflict("calendar_without_working_days", "the calendar has no working days in the next three years")
}

// WorkingMinutesBetween counts the working minutes from a to b (0 when b is not after a).
func (c *WorkingDayCalendar) WorkingMinutesBetween(a, b time.Time) int {
	if !b.After(a) {
		return 0
	}
	total := 0
	day, end := DateOf(a), DateOf(b)
	for i := 0; i < 100*366 && !end.Before(day); i++ {
		if c.IsWorkingDay(day) {
			lo, hi := TimeOfDay(0), TimeOfDay(24*60)
			if day == DateOf(a) {
				lo = TimeOfDay(a.In(Vietnam).Hour()*60 + a.In(Vietnam).Minute())
			}
			if day == end {
				hi = TimeOfDay(b.In(Vietnam).Hour()*60 + b.In(Vietnam).Minute())
			}
			for _, s := range c.Hours.sessions() {
				if from, to := max(s[0], lo), min(s[1], hi); to > from {
					total += int(to - from)
				}
			}
		}
		day = day.AddDays(1)
	}
	return total
}

// NextWorkingDays returns the next n working days after d (for the intake form's hints).
func (c *WorkingDayCalendar) NextWorkingDays(d Date, n int) []Date {
	var out []Date
	for i := 0; i < maxSearchDays && len(out) < n; i++ {
		d = d.AddDays(1)
		if c.IsWorkingDay(d) {
			out = append(out, d)
		}
	}
	return out
}

// DaysOff lists the non-working weekdays and working weekend days of year y, for the admin page.
func (c *WorkingDayCalendar) DaysOff(y int) []DayOverride {
	var out []DayOverride
	for d := (Date{y, time.January, 1}); d.Year == y; d = d.AddDays(1) {
		working := c.IsWorkingDay(d)
		switch {
		case !working && !isWeekend(d):
			name := c.Holiday(d)
			if o, ok := c.Overrides[d]; ok {
				name = o.Note
			}
			out = append(out, DayOverride{Date: d, Kind: DayOff, Note: name})
		case working && isWeekend(d):
			out = append(out, DayOverride{Date: d, Kind: DayWork, Note: c.Overrides[d].Note})
		}
	}
	return slices.Clip(out)
}
