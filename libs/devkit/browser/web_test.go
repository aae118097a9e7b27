package browser_test

import (
	"context"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"egov.vn/platform/libs/devkit/browser"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/libs/web"
	"egov.vn/platform/libs/web/webtest"
)

// TestShellInRealBrowser opens libs/web's demo page (webtest) in headless Chromium at phone sizes:
// the page must not scroll sideways, the form must submit with its CSRF token, and the flash must
// show. It leaves
// screenshots in $TEST_ARTIFACTS_DIR, or testdata/screenshots (gitignored), for a person to look at.
func TestShellInRealBrowser(t *testing.T) {
	ctx := browser.Chromium(t, 60*time.Second)
	_, app := webtest.App(t, webtest.Options{Insecure: true})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(app)
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	defer srv.Close()

	// Record every Content-Security-Policy violation from the first byte of each page: the shell
	// promises pages that work under its CSP, htmx included.
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `window.__csp = []; document.addEventListener("securitypolicyviolation",
				e => window.__csp.push(e.violatedDirective + " " + e.blockedURI));`,
		})
		return err
	})); err != nil {
		t.Fatal(err)
	}
	checkCSP := func(where string) {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__csp`))
		if err != nil || len(v) > 0 {
			t.Errorf("%s: CSP violations %v (err %v)", where, v, err)
		}
	}

	for _, width := range []int64{375, 360} {
		if err := chromedp.Do(ctx,
			chromedp.EmulateViewport(width, 812, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2)),
			chromedp.Navigate(srv.URL+"/dossiers/new"),
			chromedp.WaitVisible(chromedp.CSS("#f-full_name")),
		); err != nil {
			t.Fatalf("open form at %dpx: %v", width, err)
		}
		overflow, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](
			`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
		if err != nil {
			t.Fatal(err)
		}
		if overflow[0] > overflow[1] {
			t.Errorf("at %dpx the page scrolls sideways: scrollWidth %d > clientWidth %d", width, overflow[0], overflow[1])
		}
		checkCSP("form page")
		// The viewport meta must hold: a phone lays the page out at its own width, not 980 px.
		if overflow[1] != int(width) {
			t.Errorf("at %dpx the layout viewport is %d px wide", width, overflow[1])
		}
	}

	// htmx loaded from the embedded copy, under the CSP (no inline script, no eval).
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof htmx === "object" && htmx.version.startsWith("2.0.")`)); err != nil || !ok {
		t.Errorf("htmx not loaded (err %v)", err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	testenv.WriteArtifact(t, "web-form-360.png", png)

	// Keyboard users see where they are: tabbing onto the skip link shows it.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Navigate(srv.URL+"/dossiers/new"), chromedp.WaitVisible(chromedp.CSS("#f-full_name"))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\t")); err != nil {
		t.Fatal(err)
	}
	skipTop, err := chromedp.Run(ctx, chromedp.Evaluate[float64](
		`document.activeElement.className === "skip-link" ? document.activeElement.getBoundingClientRect().top : -1`))
	if err != nil || skipTop < 0 {
		t.Errorf("Tab does not bring the skip link on screen (top %v, err %v)", skipTop, err)
	}
	browser.CheckAccessible(t, ctx, "the shell's form", nil)
	browser.CheckKeyboard(t, ctx, "the shell's form")

	// Submit empty: the errors come back next to the field, nothing is lost.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[type="submit"]:not(.logout button)`)),
		chromedp.WaitVisible(chromedp.CSS("#f-full_name-error")),
	); err != nil {
		t.Fatalf("submit empty form: %v", err)
	}
	png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	testenv.WriteArtifact(t, "web-form-errors-375.png", png)
	browser.CheckErrorsAnnounced(t, ctx, "the shell's form with errors")
	browser.CheckAccessible(t, ctx, "the shell's form with errors", nil)

	// Fill it in and submit: the CSRF token in the page gets the POST through, the redirect
	// lands on the list with the success message.
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#f-full_name"), "Nguyễn Thị Ánh Tuyết"),
		evalVoid(`document.querySelector("#f-procedure").value = "1.001"`),
		chromedp.Click(chromedp.CSS(`form:not(.logout) button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash-success")),
	); err != nil {
		t.Fatalf("submit form: %v", err)
	}
	flash, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".flash-success")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(flash, "Đã tiếp nhận hồ sơ của Nguyễn Thị Ánh Tuyết.") {
		t.Errorf("flash text %q", flash)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.HasSuffix(loc, "/dossiers") {
		t.Errorf("after submit the browser is at %q (err %v), want /dossiers", loc, err)
	}
	png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	testenv.WriteArtifact(t, "web-flash-375.png", png)
	checkCSP("page after redirect")
	browser.CheckAccessible(t, ctx, "the shell's list with a flash", nil)

	// The flash is gone on reload.
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#list"))); err != nil {
		t.Fatal(err)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".flash").length`)); err != nil || n != 0 {
		t.Errorf("%d flashes after reload (err %v), want 0", n, err)
	}

	// A form whose CSRF token no longer matches lands on the shell's error page, which must be
	// as usable as any other.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/dossiers/new"), chromedp.WaitVisible(chromedp.CSS("#f-full_name")),
		evalVoid(`document.querySelector('form:not(.logout) input[name="`+web.CSRFFieldName+`"]').value = "het-han"`),
		chromedp.SendKeys(chromedp.CSS("#f-full_name"), "Nguyễn Văn Bình"),
		chromedp.Click(chromedp.CSS(`form:not(.logout) button[type="submit"]`)),
		// The form page has a main h1 too: wait for the form to go, or the check below may read
		// the page the click is leaving.
		chromedp.WaitNotPresent(chromedp.CSS("#f-full_name")),
		chromedp.WaitVisible(chromedp.CSS("main h1")),
	); err != nil {
		t.Fatalf("submit with a stale CSRF token: %v", err)
	}
	if body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main"))); err != nil || !strings.Contains(body, "Biểu mẫu đã hết hạn") {
		t.Fatalf("the CSRF page says %q (err %v)", body, err)
	}
	browser.CheckAccessible(t, ctx, "the CSRF error page", nil)
}

func evalVoid(js string) chromedp.Action[chromedp.Void] { return chromedp.Evaluate[chromedp.Void](js) }
