package domain

import (
	"strings"
	"time"
)

// DateLayout is how dates travel in JSON, CSV and forms: ISO 8601 calendar dates.
const DateLayout = "2006-01-02"

// Day truncates t to its calendar day in UTC. Every effective date in HR is a whole day: an
// assignment starts on a day and a query "as of" a day sees what was true at the end of it.
func Day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ParseDate reads an ISO date (2006-01-02); it also accepts the Vietnamese dd/mm/yyyy that staff
// type into spreadsheets.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(DateLayout, s); err == nil {
		return t, nil
	}
	t, err := time.Parse("02/01/2006", s)
	if err != nil {
		return time.Time{}, err
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
