//go:build e2e

package e2e_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"egov.vn/platform/libs/devkit/browser"
	"egov.vn/platform/libs/devkit/e2e"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/web"
	"egov.vn/platform/libs/web/webtest"
)

// TestE2ELanguage: a person chooses English once, with ?lang=en on one service's page, and every
// service's pages then come in English (identity's sign-in and account, dossiers, archives, hr,
// reports): the shell's header and menu, the page's title, headings, labels and buttons. The
// choice outlives signing out and in as someone else. The switch in the header brings the
// platform back to Vietnamese, again everywhere. The language does not depend on the database,
// so the stack runs on SQLite only.
func TestE2ELanguage(t *testing.T) {
	s := e2e.Start(t, e2e.SQLite)
	ctx := browser.Chromium(t, 10*time.Minute, chromedp.WindowSize(1280, 1000))
	b := browser.NewSession(t, ctx, s.Origin, "e2e-lang-")
	leader := e2e.StaffWith(t, s.Site(), commune, platform.RoleDossierApprove) // also report.view
	clerk := e2e.StaffWith(t, s.Site(), commune, platform.RoleArchiveClerk)
	hr := e2e.StaffWith(t, s.Site(), commune, platform.RoleHROfficer)

	// The choice is made on a citizen's page of dossiers, before anyone signs in.
	b.Open("/dossiers/tra-cuu?lang=en", "main")
	english(t, b, "dossiers' lookup (?lang=en)")

	// The sign-in page at identity, then each service, without ?lang= again.
	b.Open("/auth/login", `input[name="username"]`)
	english(t, b, "identity's sign-in page")
	b.SignIn("/dossiers/", leader.Username, s.Password, "main")
	english(t, b, "dossiers' list")
	b.Open("/reports/", "main")
	english(t, b, "reporting's start page")
	b.Open("/auth/account", "main")
	english(t, b, "identity's account page")
	b.SignOut()

	b.SignIn("/archives/", clerk.Username, s.Password, "main")
	english(t, b, "archives' start page")
	b.SignOut()

	b.SignIn("/hr/staff", hr.Username, s.Password, "main")
	english(t, b, "hr's staff list")
	b.Open("/hr/units", "main")
	english(t, b, "hr's units")

	// Back to Vietnamese with the header's switch, once, on hr: every service follows.
	b.Do("switch to Vietnamese", e2e.MarkStale(), chromedp.Click(chromedp.CSS(`nav.lang-switch a[hreflang="vi"]`)),
		e2e.WaitNewPage(), chromedp.WaitVisible(chromedp.CSS("main")))
	vietnamese(t, b, "hr's units after the switch")
	for _, page := range []string{"/hr/staff", "/auth/account", "/dossiers/tra-cuu"} {
		b.Open(page, "main")
		vietnamese(t, b, page+" after the switch")
	}
	b.SignOut()
	b.SignIn("/dossiers/", leader.Username, s.Password, "main")
	vietnamese(t, b, "dossiers' list after the switch")
	b.Open("/reports/", "main")
	vietnamese(t, b, "reporting's start page after the switch")
	b.SignOut()
}

// vietnameseLetters are the letters only Vietnamese of the two languages writes (with a tone or a
// vowel mark): an English heading, label or button holding one was not translated.
var vietnameseLetters = regexp.MustCompile(`[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]`)

// pageWords are the texts of a page that come from a catalogue, not from data: the header (the
// unit's name aside), the menu, the title, headings, table headings, labels, buttons and the
// footer's service name.
const pageWords = `(() => {
	const out = [];
	const push = (where, el) => { const s = (el.innerText || el.value || '').trim(); if (s) out.push(where + ': ' + s); };
	document.querySelectorAll('nav.site-nav a, .skip-link, header .account button, header .account > a').forEach(e => push('header', e));
	document.querySelectorAll('main h1, main h2, main h3, main th, main label, main legend, main button, main .hint').forEach(e => push(e.tagName.toLowerCase(), e));
	return out;
})()`

// english fails t for what on the current page is not English.
func english(t *testing.T, b *browser.Session, where string) {
	t.Helper()
	b.Shot(shotName(where))
	// The served <html lang>, as EnglishPage reads it: a page's script may add attributes of its
	// own to <html> (reporting's charts mark themselves ready there).
	html := browser.Eval[string](b, `'<html lang="' + document.documentElement.lang + '">' + document.documentElement.innerHTML`)
	webtest.EnglishPage(t, where, html)
	webtest.NoVietnameseLeft(t, where, html, web.Catalogue{})
	for _, w := range browser.Eval[[]string](b, pageWords) {
		if vietnameseLetters.MatchString(w) && !isData(w) {
			t.Errorf("%s: still Vietnamese in English: %q", where, w)
		}
	}
}

// vietnamese fails t unless the current page is in Vietnamese, with the shell's menu in it.
func vietnamese(t *testing.T, b *browser.Session, where string) {
	t.Helper()
	if lang := browser.Eval[string](b, `document.documentElement.lang`); lang != "vi" {
		b.Shot(shotName(where))
		t.Errorf("%s: <html lang=%q>, want vi", where, lang)
	}
	if skip := strings.TrimSpace(browser.Eval[string](b, `document.querySelector('.skip-link')?.textContent || ''`)); skip != "Bỏ qua, đến nội dung chính" {
		t.Errorf("%s: the skip link says %q, want the Vietnamese", where, skip)
	}
}

// isData is a text of a page that names a person or a unit (a select's first option is a
// label, the others are data; a table heading never is).
func isData(w string) bool {
	for _, name := range []string{"UBND", "Nguyễn", "Trần", "Lê", "Phạm", "Bùi", "Đỗ", "Hoàng", "Vũ", "Đặng", "Tiếng Việt"} {
		if strings.Contains(w, name) {
			return true
		}
	}
	return false
}

func shotName(where string) string {
	return strings.Trim(regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(where), "-"), "-")
}
