package domain

import (
	"testing"
	"time"
)

func TestTetMatchesPublishedVietnameseDates(t *testing.T) {
	t.Parallel()
	// Published Tết dates in Vietnam. 2007 and 1985 are the years where the Vietnamese and
	// Chinese calendars disagree (China: 18 Feb 2007 and 20 Feb 1985), because the new moon fell
	// on different sides of midnight in UTC+7 and UTC+8.
	cases := map[int]string{
		1985: "1985-01-21", 2007: "2007-02-17", 2008: "2008-02-07", 2020: "2020-01-25", 2021: "2021-02-12",
		2022: "2022-02-01", 2023: "2023-01-22", 2024: "2024-02-10", 2025: "2025-01-29",
		2026: "2026-02-17", 2027: "2027-02-06",
	}
	for year, want := range cases {
		if got := Tet(year).Format(time.DateOnly); got != want {
			t.Errorf("Tết %d = %s, want %s", year, got, want)
		}
	}
}

func TestHungKingsDay(t *testing.T) {
	t.Parallel()
	// 10/3 lunar: 2023 followed a leap 2nd month, which the computation must skip.
	cases := map[int]string{2023: "2023-04-29", 2024: "2024-04-18", 2025: "2025-04-07", 2026: "2026-04-26"}
	for year, want := range cases {
		if got := HungKingsDay(year).Format(time.DateOnly); got != want {
			t.Errorf("Giỗ Tổ %d = %s, want %s", year, got, want)
		}
	}
}

func date(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestPublicHolidaysByRule(t *testing.T) {
	t.Parallel()
	cal := NewWorkingDayCalendar(DefaultOfficeHours, nil)
	off := []string{
		"2026-01-01",                                                         // Thursday
		"2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", // 30 Tết Mon … 4 Tết Fri
		"2026-04-27",               // Giỗ Tổ on Sunday 26/4, made up on Monday
		"2026-04-30", "2026-05-01", // Thu, Fri
		"2025-09-01", "2025-09-02", // 2/9 on Tuesday: Monday joins it (as decided for 2025)
		"2024-09-02", "2024-09-03", // 2/9 on Monday: Tuesday (as decided for 2024)
	}
	for _, s := range off {
		if cal.IsWorkingDay(date(t, s)) {
			t.Errorf("%s should be a day off", s)
		}
	}
	work := []string{"2026-02-13", "2026-02-23", "2026-04-28", "2026-04-29", "2025-09-03", "2024-09-04", "2026-01-02"}
	for _, s := range work {
		if !cal.IsWorkingDay(date(t, s)) {
			t.Errorf("%s should be a working day", s)
		}
	}
	if cal.IsWorkingDay(date(t, "2026-02-21")) {
		t.Error("a Saturday should be off")
	}
}

// TestCalendar2024WithOverrides reproduces the calendar the government announced for Tết 2024
// (Thông báo 6150/TB-LĐTBXH: civil servants off 8–14 February) from the rules plus the admin's
// two corrections: 8 February (29 tháng Chạp) off, 15 February working.
func TestCalendar2024WithOverrides(t *testing.T) {
	t.Parallel()
	cal := NewWorkingDayCalendar(DefaultOfficeHours, []DayOverride{
		{Date: date(t, "2024-02-08"), Kind: DayOff, Note: "Tết (theo thông báo)"},
		{Date: date(t, "2024-02-15"), Kind: DayWork, Note: "đi làm theo thông báo"},
	})
	for d := date(t, "2024-02-08"); d.Before(date(t, "2024-02-15")); d = d.AddDays(1) {
		if cal.IsWorkingDay(d) {
			t.Errorf("%s should be off in the announced 2024 Tết break", d)
		}
	}
	for _, s := range []string{"2024-02-07", "2024-02-15", "2024-02-16"} {
		if !cal.IsWorkingDay(date(t, s)) {
			t.Errorf("%s should be a working day", s)
		}
	}
	// 2025: 2 May off, Saturday 26 April made up (the 2025 swap).
	cal25 := NewWorkingDayCalendar(DefaultOfficeHours, []DayOverride{
		{Date: date(t, "2025-05-02"), Kind: DayOff}, {Date: date(t, "2025-04-26"), Kind: DayWork},
	})
	if cal25.IsWorkingDay(date(t, "2025-05-02")) || !cal25.IsWorkingDay(date(t, "2025-04-26")) {
		t.Error("the 2025 swap of 2 May for 26 April is not applied")
	}
}

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, Vietnam)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestAddWorkingMinutes(t *testing.T) {
	t.Parallel()
	cal := NewWorkingDayCalendar(DefaultOfficeHours, nil)
	day := DefaultOfficeHours.MinutesPerDay()
	cases := []struct {
		name, from string
		minutes    int
		want       string
	}{
		{"same morning", "2026-11-23 08:00", 60, "2026-11-23 09:00"},
		{"over lunch", "2026-11-23 11:00", 60, "2026-11-23 13:30"},
		{"exactly to the end of the day", "2026-11-23 13:00", 240, "2026-11-23 17:00"},
		{"after hours starts next morning", "2026-11-23 18:00", 30, "2026-11-24 08:00"},
		{"three days over a weekend", "2026-11-26 09:00", 3 * day, "2026-12-01 09:00"},
		{"before opening", "2026-11-23 06:00", 30, "2026-11-23 08:00"},
		{"over Tết 2026", "2026-02-13 10:00", day, "2026-02-23 10:00"},
		{"over 30/4–1/5 2026", "2026-04-29 15:00", day, "2026-05-04 15:00"},
		{"eight working hours", "2026-11-27 14:00", 8 * 60, "2026-11-30 14:00"},
	}
	for _, c := range cases {
		got, err := cal.AddWorkingMinutes(at(t, c.from), c.minutes)
		if err != nil {
			t.Fatal(err)
		}
		if want := at(t, c.want); !got.Equal(want) {
			t.Errorf("%s: %s + %d min = %s, want %s", c.name, c.from, c.minutes, got.In(Vietnam).Format("2006-01-02 15:04"), c.want)
		}
		if back := cal.WorkingMinutesBetween(at(t, c.from), got); back != c.minutes {
			t.Errorf("%s: minutes between = %d, want %d", c.name, back, c.minutes)
		}
	}
}

func TestCalendarWithoutWorkingDaysFails(t *testing.T) {
	t.Parallel()
	var all []DayOverride
	start := date(t, "2026-01-01")
	for i := 0; i < 4*366; i++ {
		all = append(all, DayOverride{Date: start.AddDays(i), Kind: DayOff})
	}
	cal := NewWorkingDayCalendar(DefaultOfficeHours, all)
	if _, err := cal.AddWorkingMinutes(at(t, "2026-01-01 08:00"), 60); err == nil {
		t.Fatal("a calendar with no working day must fail instead of looping")
	}
}

func TestOfficeHoursValidate(t *testing.T) {
	t.Parallel()
	if err := DefaultOfficeHours.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := OfficeHours{MorningStart: 600, MorningEnd: 500, AfternoonStart: 700, AfternoonEnd: 800}
	if bad.Validate() == nil {
		t.Fatal("sessions out of order must be refused")
	}
	if DefaultOfficeHours.MinutesPerDay() != 480 {
		t.Fatalf("default day = %d minutes, want 480", DefaultOfficeHours.MinutesPerDay())
	}
}
