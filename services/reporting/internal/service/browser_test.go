package service_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"egov.vn/platform/libs/devkit/browser"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/services/identity/identitytest"
)

// TestDashboardInChromium: a district leader signs in through identity, sees the district's
// indicators against their targets with the trend chart drawn by Chart.js, opens the ranking,
// drills down to a commune and to the dossiers behind a figure. Screenshots go to
// testenv.ArtifactsDir for review.
func TestDashboardInChromium(t *testing.T) {
	h := start(t)
	h.answersAtLeast = 0 // the dashboard is rendered on the server and calls no JSON API
	h.seed()
	h.idp.Person(t, identitytest.Person{Tenant: "huyen-dong-hung", Username: "lanh.dao.huyen", Name: "Trần Văn Bình", Roles: []string{"report.view"}})

	ctx := browser.Chromium(t, 120*time.Second, chromedp.WindowSize(1280, 1400))
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		testenv.WriteArtifact(t, name, png)
	}
	location := func() string {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		return loc
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v (at %s)", sel, err, location())
		}
		return s
	}

	// Opening the reports leads to identity's sign-in page, and back to the district's dashboard.
	if err := chromedp.Do(ctx, chromedp.Navigate(h.base+"/?period=2026"), chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`))); err != nil {
		t.Fatalf("sign-in page: %v (at %s)", err, location())
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "lanh.dao.huyen"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), h.idp.Password),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS("#indicators")),
	); err != nil {
		t.Fatalf("signing in: %v (at %s)", err, location())
	}
	if loc := location(); !strings.Contains(loc, "/reports/units/huyen-dong-hung") {
		t.Fatalf("after sign-in the browser is at %s, want the district's dashboard", loc)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(h.base+"/units/huyen-dong-hung?period=2026"),
		chromedp.WaitVisible(chromedp.CSS(`html[data-charts="ready"]`))); err != nil {
		t.Fatalf("the charts were not drawn: %v", err)
	}
	sat := text(`#indicators tr[data-indicator="satisfaction"]`)
	if !strings.Contains(sat, "66,7 %") || !strings.Contains(sat, "trên 80 %") || !strings.Contains(sat, "Chưa đạt") {
		t.Errorf("satisfaction row: %q, want 66,7 %% against above 80 %%, not met", sat)
	}
	children := text("#children")
	if !strings.Contains(children, "UBND xã Đông Tân") || !strings.Contains(children, "UBND xã Đông La") {
		t.Errorf("communes table: %q", children)
	}
	shot("reporting-1-tong-hop-huyen.png")
	browser.CheckAccessible(t, ctx, "the district's dashboard", nil)
	browser.CheckKeyboard(t, ctx, "the district's dashboard")

	// Ranking: Đông La (every dossier on time) before Đông Tân.
	if err := chromedp.Do(ctx, chromedp.Navigate(h.base+"/units/huyen-dong-hung/ranking?period=2026&indicator=on_time_rate"),
		chromedp.WaitVisible(chromedp.CSS("#ranking"))); err != nil {
		t.Fatal(err)
	}
	rows := text("#ranking tbody")
	if i, j := strings.Index(rows, "Đông La"), strings.Index(rows, "Đông Tân"); i < 0 || j < 0 || i > j {
		t.Errorf("ranking: %q, want Đông La first", rows)
	}
	shot("reporting-2-xep-hang.png")
	browser.CheckAccessible(t, ctx, "the ranking", nil)

	// Drill down: the commune, then the dossiers it received.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#ranking a[href*="/units/xa-dong-tan"]`)), chromedp.WaitVisible(chromedp.CSS("#figures"))); err != nil {
		t.Fatalf("commune dashboard: %v (at %s)", err, location())
	}
	if loc := location(); !strings.Contains(loc, "/units/xa-dong-tan") {
		t.Fatalf("drill-down went to %s", loc)
	}
	browser.CheckAccessible(t, ctx, "the commune's dashboard", nil)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#figures a[href$="figure=received"]`)), chromedp.WaitVisible(chromedp.CSS("#dossiers"))); err != nil {
		t.Fatalf("dossiers page: %v (at %s)", err, location())
	}
	list := text("#dossiers tbody")
	for _, code := range []string{"UBXDT-260310-0001", "UBXDT-260310-0002", "UBXDT-260310-0003"} {
		if !strings.Contains(list, code) {
			t.Errorf("dossier %s missing from the drill-down: %q", code, list)
		}
	}
	if strings.Contains(list, "UBXDL") {
		t.Errorf("Đông La's dossiers appear under Đông Tân: %q", list)
	}
	shot("reporting-3-ho-so.png")
	browser.CheckAccessible(t, ctx, "the dossiers behind a figure", nil)

	// A unit outside the leader's subtree: the error page.
	if err := chromedp.Do(ctx, chromedp.Navigate(h.base+"/units/tinh?period=2026"), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
		t.Fatalf("another unit's dashboard: %v", err)
	}
	browser.CheckAccessible(t, ctx, "the error page for another unit", nil)

	// On a 390 px phone the trend chart keeps a plot one can read: not squashed to half its
	// width under a legend that wraps over four lines (issue 16).
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(h.base+"/units/huyen-dong-hung?period=2026"),
		chromedp.WaitVisible(chromedp.CSS(`html[data-charts="ready"]`))); err != nil {
		t.Fatalf("the dashboard on a phone: %v", err)
	}
	plot, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](`(() => {
		const c = Chart.getChart(document.getElementById("trend-chart"));
		return {width: c.width, plot: c.chartArea.bottom - c.chartArea.top, page: document.documentElement.scrollWidth};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("trend chart on a 390 px phone: %.0f px plot in a %.0f px wide chart", plot["plot"], plot["width"])
	if plot["plot"] < 0.6*plot["width"] || plot["page"] > 390 {
		t.Errorf("trend chart on a phone: %v px plot in a %v px wide chart, page %v px wide; want a plot at least 0.6 of the width and no sideways scroll",
			plot["plot"], plot["width"], plot["page"])
	}
	shot("reporting-4-dien-thoai.png")
	if png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(".chart-box"))); err == nil {
		testenv.WriteArtifact(t, "reporting-5-dien-thoai-bieu-do.png", png)
	}
}
