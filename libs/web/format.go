package web

import (
	"fmt"
	"math"
	"strconv"
	"time"

	// Embedded zone data: minimal images (distroless, scratch) carry no /usr/share/zoneinfo, and a
	// missing zone must not silently turn every date into UTC, seven hours off.
	_ "time/tzdata"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// vietnam is the zone every date on a page is shown in, whatever zone the server runs in. It is a
// value, not configuration: the platform serves Vietnamese units only, and with time/tzdata
// embedded the lookup cannot fail.
var vietnam = mustLoadLocation("Asia/Ho_Chi_Minh")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("web: time zone %s missing although time/tzdata is embedded: %v", name, err))
	}
	return loc
}

// Location is Asia/Ho_Chi_Minh, the zone pages show times in.
func Location() *time.Location { return vietnam }

// vi formats numbers the Vietnamese way: "." groups thousands, "," marks decimals. A Printer is
// safe for concurrent use (each call takes its own state from a pool).
var vi = message.NewPrinter(language.Vietnamese)

// FormatDate gives the short date staff write on forms: 27/11/2026. The zero time gives "".
func FormatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(vietnam).Format("02/01/2006")
}

// Today is the calendar day it is at now in Vietnam, as midnight UTC: the civil date a page
// offers by default ("Tại ngày", "Ngày hiệu lực") and that date-only fields store. It is not
// now's UTC date, which is still yesterday before 07:00 in Vietnam.
func Today(now time.Time) time.Time {
	y, m, d := now.In(vietnam).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// DateInput gives a date as an <input type="date"> needs its value: 2026-11-27, whatever the
// browser then shows. Date-only values (midnight UTC) keep their day; the zero time gives "".
func DateInput(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(vietnam).Format("2006-01-02")
}

// FormatDateTime gives hour and date as shown in registers and receipts: 09:05 27/11/2026.
func FormatDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(vietnam).Format("15:04 02/01/2006")
}

// FormatLongDate gives the date line of an administrative document: "ngày 05 tháng 02 năm 2026",
// "ngày 27 tháng 11 năm 2026". Following Decree 30/2020/NĐ-CP (Appendix I), a day below 10 and the
// months 1 and 2 get a leading zero, other months do not (so "tháng 3", never "tháng 03").
func FormatLongDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(vietnam)
	month := strconv.Itoa(int(t.Month()))
	if t.Month() <= time.February {
		month = "0" + month
	}
	return fmt.Sprintf("ngày %02d tháng %s năm %d", t.Day(), month, t.Year())
}

// FormatInt groups thousands with dots: 1.250.000.
func FormatInt(n int64) string { return vi.Sprint(n) }

// FormatDecimal shows x with exactly places decimals: FormatDecimal(1234.5, 2) is "1.234,50".
func FormatDecimal(x float64, places int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "—"
	}
	return vi.Sprint(number.Decimal(x, number.Scale(places)))
}

// FormatNumber shows x with at most two decimals and no trailing zeros: 1.234,5; 1.250.
func FormatNumber(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "—"
	}
	return vi.Sprint(number.Decimal(x, number.MaxFractionDigits(2)))
}

// FormatMoney shows an amount of đồng, which has no minor unit: 1.250.000 đ.
func FormatMoney(dong int64) string { return FormatInt(dong) + " đ" }

// FormatPercent shows a percentage (83.5 means 83,5 %, not 0.835) with at most one decimal and the
// space Vietnamese typography puts before the sign: 83,5 %; 80 %.
func FormatPercent(pct float64) string {
	if math.IsNaN(pct) || math.IsInf(pct, 0) {
		return "—"
	}
	return vi.Sprint(number.Decimal(pct, number.MaxFractionDigits(1))) + " %"
}

// The template funcs below accept the types services actually hold (time.Time or a nullable
// *time.Time; any integer or float) so templates need no conversions, and fail the render on any
// other type rather than print something misleading.

func timeArg(v any) (time.Time, bool, error) {
	switch t := v.(type) {
	case time.Time:
		return t, true, nil
	case *time.Time:
		if t == nil {
			return time.Time{}, false, nil
		}
		return *t, true, nil
	case nil:
		return time.Time{}, false, nil
	}
	return time.Time{}, false, fmt.Errorf("web: a date needs time.Time or *time.Time, got %T", v)
}

func timeFunc(f func(time.Time) string) func(any) (string, error) {
	return func(v any) (string, error) {
		t, ok, err := timeArg(v)
		if err != nil || !ok {
			return "", err
		}
		return f(t), nil
	}
}

func floatArg(v any) (float64, error) {
	switch n := v.(type) {
	case int:
		return float64(n), nil
	case int8:
		return float64(n), nil
	case int16:
		return float64(n), nil
	case int32:
		return float64(n), nil
	case int64:
		return float64(n), nil
	case uint:
		return float64(n), nil
	case uint8:
		return float64(n), nil
	case uint16:
		return float64(n), nil
	case uint32:
		return float64(n), nil
	case uint64:
		return float64(n), nil
	case float32:
		return float64(n), nil
	case float64:
		return n, nil
	}
	return 0, fmt.Errorf("web: a number needs an integer or float, got %T", v)
}

// intArg keeps integers exact: float64 loses digits above 2^53.
func intArg(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint:
		return int64(n), n <= math.MaxInt64
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		return int64(n), n <= math.MaxInt64
	}
	return 0, false
}

// en formats numbers for pages shown in English: "," groups thousands, "." marks decimals, as an
// English reader would otherwise read 1.250 as one and a quarter.
var en = message.NewPrinter(language.English)

// FormatLongDateEN is FormatLongDate for a page in English: "27 November 2026". Legal forms and
// their PDFs keep the Vietnamese date line whatever the page's language.
func FormatLongDateEN(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(vietnam).Format("2 January 2006")
}

func longDateIn(l Lang) func(time.Time) string {
	if l == LangEN {
		return FormatLongDateEN
	}
	return FormatLongDate
}

// numberFormat is the number template funcs for one language's pages.
type numberFormat struct{ p *message.Printer }

var numberFormats = map[Lang]numberFormat{LangVI: {vi}, LangEN: {en}}

// numbersIn is the number formats of l; a language without its own (a zero Translator's) writes
// numbers the Vietnamese way.
func numbersIn(l Lang) numberFormat {
	if f, ok := numberFormats[l]; ok {
		return f
	}
	return numberFormats[LangVI]
}

func (f numberFormat) decimalOf(x float64, opt number.Option) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "—"
	}
	return f.p.Sprint(number.Decimal(x, opt))
}

func (f numberFormat) number(v any) (string, error) {
	if n, ok := intArg(v); ok {
		return f.p.Sprint(n), nil
	}
	x, err := floatArg(v)
	if err != nil {
		return "", err
	}
	return f.decimalOf(x, number.MaxFractionDigits(2)), nil
}

func (f numberFormat) decimal(v any, places int) (string, error) {
	x, err := floatArg(v)
	if err != nil {
		return "", err
	}
	return f.decimalOf(x, number.Scale(places)), nil
}

// money is always in đồng, the only currency the platform handles, written "đ" in both languages.
func (f numberFormat) money(v any) (string, error) {
	n, ok := intArg(v)
	if !ok {
		x, err := floatArg(v)
		if err != nil {
			return "", err
		}
		n = int64(math.Round(x))
	}
	return f.p.Sprint(n) + " đ", nil
}

func (f numberFormat) percent(v any) (string, error) {
	x, err := floatArg(v)
	if err != nil {
		return "", err
	}
	return f.decimalOf(x, number.MaxFractionDigits(1)) + " %", nil
}

// Decimal is FormatDecimal in the translator's language: 1.234,5 in Vietnamese, 1,234.5 in
// English, for numbers a handler writes into a page's text.
func (t Translator) Decimal(x float64, places int) string {
	s, _ := numbersIn(t.lang).decimal(x, places) // a float64 always formats
	return s
}

// Percent is FormatPercent in the translator's language: 83,5 % in Vietnamese, 83.5 % in English.
func (t Translator) Percent(pct float64) string {
	s, _ := numbersIn(t.lang).percent(pct) // a float64 always formats
	return s
}
