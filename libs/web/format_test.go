package web_test

import (
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"egov.vn/platform/libs/web"
)

func TestVietnameseDates(t *testing.T) {
	t.Parallel()
	// 02:05 UTC is 09:05 in Hà Nội; 20:00 UTC on the 26th is already the 27th there.
	utc := time.Date(2026, 11, 27, 2, 5, 0, 0, time.UTC)
	late := time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC)
	cases := []struct{ got, want string }{
		{web.FormatDate(utc), "27/11/2026"},
		{web.FormatDate(late), "27/11/2026"},
		{web.FormatDateTime(utc), "09:05 27/11/2026"},
		{web.FormatLongDate(utc), "ngày 27 tháng 11 năm 2026"},
		{web.FormatLongDate(time.Date(2026, 2, 5, 12, 0, 0, 0, web.Location())), "ngày 05 tháng 02 năm 2026"},
		{web.FormatLongDate(time.Date(2026, 3, 9, 12, 0, 0, 0, web.Location())), "ngày 09 tháng 3 năm 2026"},
		{web.FormatLongDate(time.Date(2026, 1, 15, 12, 0, 0, 0, web.Location())), "ngày 15 tháng 01 năm 2026"},
		{web.FormatDate(time.Time{}), ""},
		{web.Location().String(), "Asia/Ho_Chi_Minh"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestTodayIsTheVietnameseDay(t *testing.T) {
	t.Parallel()
	// 23:30 UTC on 6 December is 06:30 on 7 December in Vietnam: today is the 7th there.
	cases := []struct {
		now  time.Time
		want time.Time
	}{
		{time.Date(2025, 12, 6, 23, 30, 0, 0, time.UTC), time.Date(2025, 12, 7, 0, 0, 0, 0, time.UTC)},
		{time.Date(2025, 12, 7, 16, 59, 0, 0, time.UTC), time.Date(2025, 12, 7, 0, 0, 0, 0, time.UTC)},
		{time.Date(2025, 12, 7, 17, 0, 0, 0, time.UTC), time.Date(2025, 12, 8, 0, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		if got := web.Today(c.now); !got.Equal(c.want) || got.Location() != time.UTC {
			t.Errorf("Today(%s) = %s, want %s", c.now, got, c.want)
		}
	}
	day := time.Date(2025, 12, 7, 0, 0, 0, 0, time.UTC)
	if got := web.DateInput(day); got != "2025-12-07" {
		t.Errorf("DateInput(%s) = %q", day, got)
	}
	if got := web.FormatDate(day); got != "07/12/2025" {
		t.Errorf("FormatDate(%s) = %q", day, got)
	}
	if got := web.DateInput(time.Time{}); got != "" {
		t.Errorf("DateInput(zero) = %q", got)
	}
}

func TestVietnameseNumbers(t *testing.T) {
	t.Parallel()
	cases := []struct{ got, want string }{
		{web.FormatInt(1250000), "1.250.000"},
		{web.FormatInt(999), "999"},
		{web.FormatInt(1000), "1.000"},
		{web.FormatInt(-1250000), "-1.250.000"},
		{web.FormatNumber(1234567.891), "1.234.567,89"},
		{web.FormatNumber(1250), "1.250"},
		{web.FormatNumber(0.5), "0,5"},
		{web.FormatDecimal(1234.5, 2), "1.234,50"},
		{web.FormatDecimal(3, 1), "3,0"},
		{web.FormatMoney(1250000), "1.250.000 đ"},
		{web.FormatMoney(0), "0 đ"},
		{web.FormatPercent(83.5), "83,5 %"},
		{web.FormatPercent(80), "80 %"},
		{web.FormatPercent(83.333), "83,3 %"},
		{web.FormatPercent(100), "100 %"},
		{web.FormatPercent(math.NaN()), "—"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// The template funcs give the same strings inside a real page.
func TestFormattingFuncsInTemplates(t *testing.T) {
	t.Parallel()
	_, r := demoApp(t, demoOpts{})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/dossiers/new", nil))
	mustContain(t, w.Body.String(),
		`<dd id="received">09:05 27/11/2026</dd>`,
		`<dd id="long-date">Đông Tân, ngày 27 tháng 11 năm 2026</dd>`,
		`<dd id="fee">1.250.000 đ</dd>`,
		`<dd id="rate">83,5 %</dd>`,
		`<dd id="count">12.480</dd>`,
		`<td>04/12/2026</td>`,
		`<td class="num">0 đ</td>`,
	)
}

// A handler writes numbers in its page's language; a Translator of no language writes them the
// Vietnamese way instead of failing.
func TestTranslatorNumbers(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		tr           web.Translator
		decimal, pct string
	}{
		{web.NewTranslator(web.LangVI, nil), "1.234,50", "83,5 %"},
		{web.NewTranslator(web.LangEN, nil), "1,234.50", "83.5 %"},
		{web.Translator{}, "1.234,50", "83,5 %"},
	} {
		if got := c.tr.Decimal(1234.5, 2); got != c.decimal {
			t.Errorf("%q: Decimal = %q, want %q", c.tr.Lang(), got, c.decimal)
		}
		if got := c.tr.Percent(83.5); got != c.pct {
			t.Errorf("%q: Percent = %q, want %q", c.tr.Lang(), got, c.pct)
		}
	}
}
