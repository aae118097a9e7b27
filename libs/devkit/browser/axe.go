package browser

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/libs/workspace"
)

// AxePackage is the folder, below the repository root, whose package.json pins axe-core;
// infra/test-deps.sh installs it there with `npm ci`, and infra/test-env.sh passes the script's
// path on as TEST_AXE_JS.
const AxePackage = "libs/devkit/browser/axe"

// The widths every page is checked at: a desktop and a common phone (iPhone 12 to 15).
var axeSizes = []struct {
	name          string
	width, height int64
	phone         bool
}{
	{"desktop 1280 px", 1280, 900, false},
	{"phone 390 px", 390, 844, true},
}

// Violation is one axe-core rule a page breaks, with the elements that break it.
type Violation struct {
	Rule   string    `json:"id"`
	Impact string    `json:"impact"`
	Help   string    `json:"help"`
	URL    string    `json:"helpUrl"`
	Nodes  []AxeNode `json:"nodes"`
}

// AxeNode is one element that breaks a rule: its CSS selector and what axe says to fix.
type AxeNode struct {
	Target  string `json:"target"`
	Summary string `json:"summary"`
}

var axeScript struct {
	once sync.Once
	src  string
	err  error
}

// axeSource reads axe.min.js once per test binary.
func axeSource() (string, error) {
	axeScript.once.Do(func() {
		path := os.Getenv("TEST_AXE_JS")
		if path == "" {
			root, err := workspace.Root()
			if err != nil {
				axeScript.err = err
				return
			}
			path = filepath.Join(root, AxePackage, "node_modules", "axe-core", "axe.min.js")
		}
		b, err := os.ReadFile(path)
		if err != nil {
			axeScript.err = fmt.Errorf("axe-core is not installed (make test-deps runs npm ci in %s): %w", AxePackage, err)
			return
		}
		axeScript.src = string(b)
	})
	return axeScript.src, axeScript.err
}

// axeRun runs every axe-core rule over the document and answers the serious and critical
// violations only: minor and moderate ones (best practices such as a heading level skipped) are
// worth a look but do not stop a person from using the page.
const axeRun = `(async () => {
	const r = await axe.run(document, {resultTypes: ["violations"]});
	return r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => ({
		id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
		nodes: v.nodes.map(n => ({target: n.target.map(String).join(" >> "),
			summary: (n.failureSummary || "").replace(/\s+/g, " ").trim()})),
	}));
})()`

// Axe injects axe-core into the tab's current page (once per page) and answers the serious and
// critical violations it finds at the current viewport.
func Axe(ctx context.Context) ([]Violation, error) {
	src, err := axeSource()
	if err != nil {
		return nil, err
	}
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if err != nil {
		return nil, err
	}
	if !loaded {
		// Evaluated through DevTools, so the page's Content-Security-Policy does not apply.
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
			return nil, fmt.Errorf("inject axe-core: %w", err)
		}
	}
	return chromedp.Run(ctx, chromedp.Evaluate[[]Violation](axeRun, chromedp.EvalAwaitPromise))
}

// Accessible checks the current page with axe-core at desktop and phone widths and fails the
// test (without stopping it) with each serious or critical violation: its rule, impact, the
// element's selector and what to fix. page names the page in the failure. The tab is left at its
// window size. Without axe-core installed the check fails under CI and is skipped, with a line in
// the log, elsewhere.
func (s *Session) Accessible(page string) {
	s.t.Helper()
	CheckAccessible(s.t, s.ctx, page, s.Shot)
}

// CheckAccessible is Session.Accessible for a test that drives a tab without a Session. shot,
// when not nil, saves a screenshot of a page that fails.
func CheckAccessible(t testing.TB, ctx context.Context, page string, shot func(name string)) {
	t.Helper()
	if _, err := axeSource(); err != nil {
		if testenv.InCI() {
			t.Fatal(err)
		}
		t.Logf("accessibility check of %s skipped: %v", page, err)
		return
	}
	defer func() {
		if err := chromedp.Do(ctx, clearViewport); err != nil {
			t.Errorf("back to the window size after checking %s: %v", page, err)
		}
	}()
	for _, size := range axeSizes {
		opts := []chromedp.EmulateViewportOption{}
		if size.phone {
			opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(size.width, size.height, opts...)); err != nil {
			t.Errorf("%s at %s: %v", page, size.name, err)
			return
		}
		found, err := Axe(ctx)
		if err != nil {
			t.Errorf("axe-core on %s at %s: %v", page, size.name, err)
			return
		}
		if len(found) == 0 {
			continue
		}
		if shot != nil {
			shot("axe-" + strings.ReplaceAll(size.name, " ", "-"))
		}
		t.Errorf("%s at %s: %s", page, size.name, FormatViolations(found))
	}
}

// clearViewport ends the emulated viewport and touch, back to the window's own size
// (chromedp.ResetViewport leaves the last emulated width in place).
var clearViewport chromedp.Action[chromedp.Void] = func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
	if _, err := cdp.Call(ctx, t, emulation.ClearDeviceMetricsOverride, cdp.Empty{}); err != nil {
		return chromedp.Void{}, err
	}
	_, err := cdp.Call(ctx, t, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{Enabled: false})
	return chromedp.Void{}, err
}

// FormatViolations lists violations one element a line, for a test failure.
func FormatViolations(found []Violation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d serious or critical accessibility violations (axe-core):", len(found))
	for _, v := range found {
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n  %s (%s) at %s: %s; %s", v.Rule, v.Impact, n.Target, v.Help, n.Summary)
		}
		fmt.Fprintf(&b, "\n    see %s", v.URL)
	}
	return b.String()
}

// errorsAnnounced answers what keeps a form's errors from being announced: no summary a screen
// reader reads out (role="alert", or focus moved into it), an invalid field not marked
// aria-invalid or not pointing at its message, a summary link to no field.
const errorsAnnounced = `(() => {
	const faults = [];
	const summary = document.querySelector(".error-summary");
	if (!summary) {
		faults.push("no error summary (.error-summary)");
	} else if (summary.getAttribute("role") !== "alert" && !summary.contains(document.activeElement)) {
		faults.push("the error summary is neither role=\"alert\" nor focused");
	}
	for (const a of document.querySelectorAll(".error-summary a[href^='#']")) {
		if (!document.getElementById(decodeURIComponent(a.hash.slice(1)))) {
			faults.push("the summary links " + a.hash + ", which is on no element");
		}
	}
	const invalid = document.querySelectorAll("[aria-invalid='true']");
	if (invalid.length === 0) {
		faults.push("no field is marked aria-invalid=\"true\"");
	}
	for (const f of invalid) {
		const ids = (f.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
		const said = ids.map(id => document.getElementById(id)).filter(Boolean).map(e => e.textContent.trim()).join(" ");
		if (said === "") {
			faults.push("#" + f.id + " is invalid but aria-describedby names no message");
		}
	}
	for (const e of document.querySelectorAll(".field-error")) {
		if (!document.querySelector("[aria-describedby~='" + e.id + "']")) {
			faults.push("the message " + (e.id ? "#" + e.id : JSON.stringify(e.textContent.trim())) + " is described by no field");
		}
	}
	return faults;
})()`

// ErrorsAnnounced checks that the form errors on the current page reach a screen reader: an
// error summary with role="alert" (or focus in it) whose links lead to the fields, and each
// invalid field marked aria-invalid with aria-describedby naming its message. It fails the test,
// without stopping it, with each fault.
func (s *Session) ErrorsAnnounced(page string) {
	s.t.Helper()
	CheckErrorsAnnounced(s.t, s.ctx, page)
}

// CheckErrorsAnnounced is Session.ErrorsAnnounced for a test that drives a tab without a Session.
func CheckErrorsAnnounced(t testing.TB, ctx context.Context, page string) {
	t.Helper()
	faults, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](errorsAnnounced))
	if err != nil {
		t.Errorf("errors on %s: %v", page, err)
		return
	}
	if len(faults) > 0 {
		t.Errorf("the errors on %s are not announced:\n  %s", page, strings.Join(faults, "\n  "))
	}
}
