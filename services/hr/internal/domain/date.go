package domain

import (
	"errors"
	"strings"
	"time"

	// Embedded zone data, so Today is right in images without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// DateLayout is how dates travel in JSON, CSV and forms: ISO 8601 calendar dates.
const DateLayout = "2006-01-02"

// Day truncates t to its calendar day in UTC. Every effective date in HR is a whole day: an
// assignment starts on a day and a query "as of" a day sees what was true at the end of it.
func Day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// vietnam is where HR's days are counted: an officer's "today" is the Vietnamese one.
var vietnam = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic("hr: time zone Asia/Ho_Chi_Minh missing although time/tzdata is embedded: " + err.Error())
	}
	return loc
}()

// Today is the calendar day it is at now in Vietnam, as midnight UTC (like every HR date). It
// is not now's UTC day, which is still yesterday before 07:00 in Vietnam. The pages use the
// same rule from libs/web (web.Today); the domain keeps its own copy so as not to import the web
// layer.
func Today(now time.Time) time.Time {
	y, m, d := now.In(vietnam).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// FirstYear is the earliest year HR takes in a date. No civil servant in service was born, hired or
// trained before 1900, and a year 0001 is what an empty date looks like once written out
// (time.Time's zero): read back, it would silently mean "no date".
const FirstYear = 1900

// ErrDateTooEarly is ParseDate's answer to a well-formed date before FirstYear; its message is
// the one a person fixes the date with.
var ErrDateTooEarly = errors.New("năm phải từ 1900 trở đi; kiểm tra lại ngày, tháng, năm")

// ParseDate reads an ISO date (2006-01-02); it also accepts the Vietnamese dd/mm/yyyy that staff
// type into spreadsheets. A date before FirstYear is ErrDateTooEarly, never the zero time.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		if t, err = time.Parse("02/01/2006", s); err != nil {
			return time.Time{}, err
		}
	}
	if t.Year() < FirstYear {
		return time.Time{}, ErrDateTooEarly
	}
	return t, nil
}

// FormatDate writes d as 2006-01-02, or "" for the zero time.
func FormatDate(d time.Time) string {
	if d.IsZero() {
		return ""
	}
	return d.Format(DateLayout)
}

// SpokenDate writes a civil date as people read it in a message: 07/12/2025.
func SpokenDate(d time.Time) string { return d.Format("02/01/2006") }

// FormatDatePtr is FormatDate for an optional date.
func FormatDatePtr(d *time.Time) string {
	if d == nil {
		return ""
	}
	return FormatDate(*d)
}
