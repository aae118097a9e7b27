package domain

import (
	"math"
	"time"
)

// The Vietnamese lunisolar calendar, computed with Hồ Ngọc Đức's algorithm
// (https://www.informatik.uni-leipzig.de/~duc/amlich/calrules.html) for the time zone UTC+7.
// Chinese libraries compute for UTC+8, and the new moon that starts a month sometimes falls
// before midnight in Hà Nội but after midnight in Beijing: Tết 2007 was 17 February in Vietnam
// and 18 February in China. Hence this small, well-known algorithm rather than a Chinese library.

// vietnamTZ is the time zone, in hours east of UTC, in which lunar months are reckoned.
const vietnamTZ = 7.0

// julianDay returns the Julian day number of a Gregorian date.
func julianDay(d time.Time) int {
	y, m, day := d.Date()
	a := (14 - int(m)) / 12
	yy := y + 4800 - a
	mm := int(m) + 12*a - 3
	return day + (153*mm+2)/5 + 365*yy + yy/4 - yy/100 + yy/400 - 32045
}

// dateOfJulianDay is the inverse of julianDay (as a UTC midnight).
func dateOfJulianDay(jd int) time.Time {
	return time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, jd-2440588)
}

// newMoon returns the Julian day (fractional, UT) of the k-th new moon after 1 January 1900.
func newMoon(k float64) float64 {
	t := k / 1236.85
	t2, t3 := t*t, t*t*t
	dr := math.Pi / 180
	jd1 := 2415020.75933 + 29.53058868*k + 0.0001178*t2 - 0.000000155*t3
	jd1 += 0.00033 * math.Sin((166.56+132.87*t-0.009173*t2)*dr)
	m := 359.2242 + 29.10535608*k - 0.0000333*t2 - 0.00000347*t3
	mpr := 306.0253 + 385.81691806*k + 0.0107306*t2 + 0.00001236*t3
	f := 21.2964 + 390.67050646*k - 0.0016528*t2 - 0.00000239*t3
	c1 := (0.1734-0.000393*t)*math.Sin(m*dr) + 0.0021*math.Sin(2*dr*m)
	c1 = c1 - 0.4068*math.Sin(mpr*dr) + 0.0161*math.Sin(dr*2*mpr)
	c1 -= 0.0004 * math.Sin(dr*3*mpr)
	c1 = c1 + 0.0104*math.Sin(dr*2*f) - 0.0051*math.Sin(dr*(m+mpr))
	c1 = c1 - 0.0074*math.Sin(dr*(m-mpr)) + 0.0004*math.Sin(dr*(2*f+m))
	c1 = c1 - 0.0004*math.Sin(dr*(2*f-m)) - 0.0006*math.Sin(dr*(2*f+mpr))
	c1 = c1 + 0.0010*math.Sin(dr*(2*f-mpr)) + 0.0005*math.Sin(dr*(2*mpr+m))
	var deltaT float64
	if t < -11 {
		deltaT = 0.001 + 0.000839*t + 0.0002261*t2 - 0.00000845*t3 - 0.000000081*t*t3
	} else {
		deltaT = -0.000278 + 0.000265*t + 0.000262*t2
	}
	return jd1 + c1 - deltaT
}

// sunLongitude returns the sun's ecliptic longitude in radians at Julian day jdn (UT).
func sunLongitude(jdn float64) float64 {
	t := (jdn - 2451545.0) / 36525
	t2 := t * t
	dr := math.Pi / 180
	m := 357.52910 + 35999.05030*t - 0.0001559*t2 - 0.00000048*t*t2
	l0 := 280.46645 + 36000.76983*t + 0.0003032*t2
	dl := (1.914600 - 0.004817*t - 0.000014*t2) * math.Sin(dr*m)
	dl += (0.019993-0.000101*t)*math.Sin(dr*2*m) + 0.000290*math.Sin(dr*3*m)
	l := (l0 + dl) * dr
	return l - math.Pi*2*math.Floor(l/(math.Pi*2))
}

// newMoonDay is the local day on which the k-th new moon falls.
func newMoonDay(k int) int {
	return int(math.Floor(newMoon(float64(k)) + 0.5 + vietnamTZ/24))
}

// sunSector is which of the 12 sectors of 30° the sun is in at the start of local day jd.
func sunSector(jd int) int {
	return int(math.Floor(sunLongitude(float64(jd)-0.5-vietnamTZ/24) / math.Pi * 6))
}

// lunarMonth11 is the first day of the 11th lunar month (the one holding the winter solstice)
// of year y.
func lunarMonth11(y int) int {
	off := julianDay(time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)) - 2415021
	k := int(math.Floor(float64(off) / 29.530588853))
	nm := newMoonDay(k)
	if sunSector(nm) >= 9 {
		nm = newMoonDay(k - 1)
	}
	return nm
}

// leapMonthOffset is the offset, from month 11, of the leap month of a 13-month year.
func leapMonthOffset(a11 int) int {
	k := int(math.Floor((float64(a11)-2415021.076998695)/29.530588853 + 0.5))
	i := 1
	arc := sunSector(newMoonDay(k + i))
	for {
		last := arc
		i++
		arc = sunSector(newMoonDay(k + i))
		if arc == last || i >= 14 {
			break
		}
	}
	return i - 1
}

// LunarToSolar returns the Gregorian date (UTC midnight) of day/month of lunar year y in
// Vietnam (leap months are not asked for: the public holidays fall in months 1 and 3, which are
// never preceded by a leap month of the same number in the computation below).
func LunarToSolar(day, month, year int) time.Time {
	var a11, b11 int
	if month < 11 {
		a11, b11 = lunarMonth11(year-1), lunarMonth11(year)
	} else {
		a11, b11 = lunarMonth11(year), lunarMonth11(year+1)
	}
	k := int(math.Floor(0.5 + (float64(a11)-2415021.076998695)/29.530588853))
	off := month - 11
	if off < 0 {
		off += 12
	}
	if b11-a11 > 365 && off >= leapMonthOffset(a11) {
		off++
	}
	return dateOfJulianDay(newMoonDay(k+off) + day - 1)
}

// Tet returns the first day of the lunar year that starts in Gregorian year y.
func Tet(y int) time.Time { return LunarToSolar(1, 1, y) }

// HungKingsDay returns the 10th day of the 3rd lunar month of year y (Giỗ Tổ Hùng Vương).
func HungKingsDay(y int) time.Time { return LunarToSolar(10, 3, y) }
