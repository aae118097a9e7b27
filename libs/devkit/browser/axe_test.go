package browser_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"egov.vn/platform/libs/devkit/browser"
)

// TestAxeFindsWhatBlocksPeople serves two pages under a CSP as strict as the shell's: one with a
// button that has no name and grey-on-white text, one without. axe-core must be injected despite
// the CSP, name both faults on the first with their selectors, and find nothing on the second.
func TestAxeFindsWhatBlocksPeople(t *testing.T) {
	ctx := browser.Chromium(t, 60*time.Second, chromedp.WindowSize(1000, 700))
	pages := map[string]string{
		"/bad": `<!doctype html><html lang="vi"><head><title>Lỗi</title></head><body><main>
<h1>Trang lỗi</h1><button id="nameless"></button><p id="faint" style="color:#ccc">Chữ mờ</p></main></body></html>`,
		"/good": `<!doctype html><html lang="vi"><head><title>Tốt</title></head><body><main>
<h1>Trang tốt</h1><button type="button">Lưu</button><p>Chữ rõ</p></main></body></html>`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// style-src 'unsafe-inline' only so that the faint text shows; scripts stay strict.
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'unsafe-inline'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(pages[r.URL.Path]))
	}))
	defer srv.Close()

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/bad")); err != nil {
		t.Fatal(err)
	}
	found, err := browser.Axe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	report := browser.FormatViolations(found)
	for _, want := range []string{"button-name (critical) at #nameless", "color-contrast (serious) at #faint"} {
		if !strings.Contains(report, want) {
			t.Errorf("axe report lacks %q:\n%s", want, report)
		}
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/good")); err != nil {
		t.Fatal(err)
	}
	if found, err := browser.Axe(ctx); err != nil || len(found) != 0 {
		t.Errorf("clean page: %v (err %v)", browser.FormatViolations(found), err)
	}
	// The check at both widths passes, and leaves the tab at its window's width.
	browser.CheckAccessible(t, ctx, "the clean page", nil)
	if w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`innerWidth`)); err != nil || w != 1000 {
		t.Errorf("after the check the page is %d px wide (err %v), want the window's 1000", w, err)
	}
}

// TestErrorsAnnounced: a form whose errors a screen reader hears passes; one whose summary is
// silent and whose field does not point at its message fails, naming both.
func TestErrorsAnnounced(t *testing.T) {
	ctx := browser.Chromium(t, 60*time.Second)
	pages := map[string]string{
		"/heard": `<!doctype html><html lang="vi"><title>x</title><main>
<div class="error-summary" role="alert"><ul><li><a href="#f-name">Nhập họ tên</a></li></ul></div>
<label for="f-name">Họ tên</label><p class="field-error" id="f-name-error">Nhập họ tên</p>
<input id="f-name" aria-invalid="true" aria-describedby="f-name-error"></main>`,
		"/silent": `<!doctype html><html lang="vi"><title>x</title><main>
<div class="error-summary"><ul><li><a href="#f-nam">Nhập họ tên</a></li></ul></div>
<label for="f-name">Họ tên</label><p class="field-error" id="f-name-error">Nhập họ tên</p>
<input id="f-name" aria-invalid="true"></main>`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(pages[r.URL.Path]))
	}))
	defer srv.Close()

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/heard")); err != nil {
		t.Fatal(err)
	}
	browser.CheckErrorsAnnounced(t, ctx, "the heard form")

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/silent")); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{TB: t}
	browser.CheckErrorsAnnounced(rec, ctx, "the silent form")
	for _, want := range []string{`neither role="alert" nor focused`, "links #f-nam", "#f-name is invalid but aria-describedby", "#f-name-error is described by no field"} {
		if !strings.Contains(rec.failure, want) {
			t.Errorf("the failure does not say %q:\n%s", want, rec.failure)
		}
	}
}

// recorder keeps a check's failure instead of failing the test.
type recorder struct {
	testing.TB
	failure string
}

func (r *recorder) Helper()                           {}
func (r *recorder) Errorf(format string, args ...any) { r.failure += fmt.Sprintf(format, args...) }

// TestKeyboard: on a page with a skip link, a field that hides its focus and a field that traps
// Tab, the check names the hidden focus and what the trap keeps out of reach; on a clean page it
// finds nothing.
func TestKeyboard(t *testing.T) {
	ctx := browser.Chromium(t, 60*time.Second)
	const head = `<!doctype html><html lang="vi"><title>x</title><style>.skip-link{position:absolute;top:-10rem}.skip-link:focus{top:0}
:focus-visible{outline:3px solid #000}#hidden:focus{outline:none}</style><a class="skip-link" href="#main">Bỏ qua</a><main id="main" tabindex="-1">`
	pages := map[string]string{
		"/clean": head + `<label for="a">A</label><input id="a"><button type="button">Lưu</button></main>`,
		"/faulty": head + `<label for="hidden">A</label><input id="hidden"><label for="trap">B</label><input id="trap">
<button type="button" id="beyond">Lưu</button></main><script>document.getElementById("trap").addEventListener("keydown", e => { if (e.key === "Tab") e.preventDefault(); });</script>`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(pages[r.URL.Path]))
	}))
	defer srv.Close()

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/clean")); err != nil {
		t.Fatal(err)
	}
	browser.CheckKeyboard(t, ctx, "the clean page")

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/faulty")); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{TB: t}
	browser.CheckKeyboard(rec, ctx, "the faulty page")
	for _, want := range []string{"the focus on input#hidden", "Tab never reaches button#beyond"} {
		if !strings.Contains(rec.failure, want) {
			t.Errorf("the failure does not say %q:\n%s", want, rec.failure)
		}
	}
}
