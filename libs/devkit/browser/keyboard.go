package browser

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// keyboardMark numbers the controls a keyboard must reach (those on screen, enabled, not taken
// out of the tab order; of a group of radio buttons only one is in the order) and puts a
// focusable starting point before everything, so that the first Tab goes where a fresh page's
// would: to the skip link.
const keyboardMark = `(() => {
	const sel = 'a[href], button:not([disabled]), input:not([type="hidden"]):not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
	const radioGroups = new Set();
	let n = 0;
	for (const e of document.querySelectorAll(sel)) {
		delete e.dataset.kb;
		const st = getComputedStyle(e);
		if (e.getClientRects().length === 0 || st.visibility === "hidden" || e.closest("[inert]")) continue;
		if (e.type === "radio") {
			if (radioGroups.has(e.name)) continue;
			radioGroups.add(e.name);
		}
		e.dataset.kb = String(n++);
	}
	let start = document.getElementById("kb-start");
	if (!start) {
		start = document.createElement("span");
		start.id = "kb-start";
		start.tabIndex = -1;
		document.body.prepend(start);
	}
	start.focus();
	return n;
})()`

// keyboardFocused says which control has the focus and whether a person sees where it is: an
// outline or a ring (box-shadow) drawn around it.
const keyboardFocused = `(() => {
	const e = document.activeElement;
	if (!e || e === document.body || e.id === "kb-start") return {mark: "", name: "", seen: true};
	const st = getComputedStyle(e);
	const outline = st.outlineStyle !== "none" && parseFloat(st.outlineWidth) > 0;
	const ring = st.boxShadow !== "none";
	const r = e.getBoundingClientRect();
	const onScreen = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
	const name = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.name ? "[name=" + e.name + "]" : "") +
		(e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "") +
		" " + JSON.stringify((e.textContent || e.value || "").trim().slice(0, 40));
	return {mark: e.dataset.kb || "", name, seen: (outline || ring) && onScreen};
})()`

const keyboardMissed = `[...document.querySelectorAll("[data-kb]")].filter(e => !window.__kbReached || !window.__kbReached.has(e.dataset.kb)).map(e =>
	e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.name ? "[name=" + e.name + "]" : "") + " " + JSON.stringify((e.textContent || e.value || "").trim().slice(0, 40)))`

type focused struct {
	Mark string `json:"mark"`
	Name string `json:"name"`
	Seen bool   `json:"seen"`
}

// Keyboard checks the current page as a keyboard user meets it: Tab reaches every control on
// screen, each shows where the focus is, and the skip link is the first stop and moves the focus
// to the main content. It fails the test, without stopping it, with each fault. It leaves the
// focus in the main content (and #main in the address, when the skip link was followed).
func (s *Session) Keyboard(page string) {
	s.t.Helper()
	CheckKeyboard(s.t, s.ctx, page)
}

// CheckKeyboard is Session.Keyboard for a test that drives a tab without a Session.
func CheckKeyboard(t testing.TB, ctx context.Context, page string) {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](keyboardMark))
	if err != nil {
		t.Errorf("keyboard on %s: %v", page, err)
		return
	}
	var faults []string
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.__kbReached = new Set()`)); err != nil {
		t.Errorf("keyboard on %s: %v", page, err)
		return
	}
	first := ""
	reached := map[string]bool{}
	// Tab until every control was reached or the focus leaves the page; a date field takes one
	// stop per part (day, month, year), hence the room.
	for i := 0; i < 4*n+10 && len(reached) < n; i++ {
		if err := chromedp.Do(ctx, chromedp.KeyEvent("\t")); err != nil {
			t.Errorf("keyboard on %s: Tab: %v", page, err)
			return
		}
		f, err := chromedp.Run(ctx, chromedp.Evaluate[focused](keyboardFocused))
		if err != nil {
			t.Errorf("keyboard on %s: %v", page, err)
			return
		}
		if i == 0 {
			first = f.Name
		}
		if f.Name == "" && i > 0 {
			break
		}
		if f.Mark != "" && !reached[f.Mark] {
			reached[f.Mark] = true
			if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.__kbReached.add(`+fmt.Sprintf("%q", f.Mark)+`)`)); err != nil {
				t.Errorf("keyboard on %s: %v", page, err)
				return
			}
			if !f.Seen {
				faults = append(faults, "the focus on "+f.Name+" is not visible (no outline or ring on screen)")
			}
		}
	}
	missed, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](keyboardMissed))
	if err != nil {
		t.Errorf("keyboard on %s: %v", page, err)
		return
	}
	for _, m := range missed {
		faults = append(faults, "Tab never reaches "+m)
	}
	if !strings.Contains(first, ".skip-link") {
		faults = append(faults, "the first Tab goes to "+first+", not the skip link")
	} else {
		// Back to the start: Tab, Enter on the skip link, and the focus is in the main content.
		err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("kb-start").focus()`),
			chromedp.KeyEvent("\t"), chromedp.KeyEvent("\r"))
		if err != nil {
			t.Errorf("keyboard on %s: the skip link: %v", page, err)
			return
		}
		at, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const m = document.querySelector("main");
			return m && (m === document.activeElement || m.contains(document.activeElement)) ? "main" : (document.activeElement || document.body).tagName; })()`))
		if err != nil || at != "main" {
			faults = append(faults, fmt.Sprintf("the skip link leaves the focus on %s (%v), not in the main content", at, err))
		}
	}
	if len(faults) > 0 {
		t.Errorf("%s is not usable by keyboard:\n  %s", page, strings.Join(faults, "\n  "))
	}
}
