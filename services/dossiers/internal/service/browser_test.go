package service_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"egov.vn/platform/libs/devkit/browser"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/services/identity/identitytest"
)

// TestDeskIntakeInTheBrowser signs a reception officer in through identity, receives a birth
// registration at the desk form (procedure, checklist, applicant) and prints the receipt
// (form 01), with screenshots of each step.
func TestDeskIntakeInTheBrowser(t *testing.T) {
	h := start(t, storetest.SQLite(t))
	h.provision("xa-dong-tan", "12700", "UBND xã Đông Tân", "commune", "huyen-dong-hung")
	h.IDP.Person(t, identitytest.Person{Tenant: "xa-dong-tan", Username: "hoa.nt", Name: "Nguyễn Thị Hoa", Roles: []string{"dossier.receive"}})
	ctx := browser.Chromium(t, 90*time.Second, chromedp.WindowSize(1280, 1400))
	shot := screenshots(t, ctx, "dossiers-")
	if err := chromedp.Do(ctx, chromedp.Navigate(h.Base+"/tiep-nhan"), chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`))); err != nil {
		t.Fatalf("sign-in page: %v", err)
	}
	browser.CheckAccessible(t, ctx, "the sign-in page", shot)
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "hoa.nt"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), h.IDP.Password),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-procedure_code`)),
	); err != nil {
		t.Fatalf("sign in and reach the intake form: %v", err)
	}
	// Sent empty (the browser's own check of required fields taken off, as an older browser
	// would): the errors are announced, the form keeps its place.
	if err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('form [required]').forEach(e => e.removeAttribute('required'))`),
		chromedp.Click(chromedp.CSS(`#receive`)), chromedp.WaitVisible(chromedp.CSS(`.error-summary`))); err != nil {
		t.Fatalf("send the intake form empty: %v", err)
	}
	browser.CheckErrorsAnnounced(t, ctx, "the intake form with errors")
	browser.CheckAccessible(t, ctx, "the intake form with errors", shot)
	// Choosing the procedure loads its checklist (htmx).
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.querySelector('#f-procedure_code'); s.value = '1.001193';
		s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`)); err != nil {
		t.Fatalf("choose the procedure: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#f-doc_1`))); err != nil {
		t.Fatalf("checklist: %v", err)
	}
	checklist, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#checklist`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(checklist, "Giấy chứng sinh") || !strings.Contains(checklist, "hẹn trả") {
		t.Fatalf("checklist shows %q", checklist)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#f-doc_0`)), chromedp.Click(chromedp.CSS(`#f-doc_1`)),
		chromedp.SendKeys(chromedp.CSS(`#f-applicant_name`), "Trần Văn Nam"),
		chromedp.SendKeys(chromedp.CSS(`#f-applicant_id_number`), "034090001234"),
		chromedp.SendKeys(chromedp.CSS(`#f-applicant_phone`), "0912345678"),
		chromedp.SendKeys(chromedp.CSS(`#f-applicant_address`), "Thôn Đồng Nhân, xã Đông Tân"),
	); err != nil {
		t.Fatalf("fill the form: %v", err)
	}
	shot("1-intake-form")
	browser.CheckAccessible(t, ctx, "the intake form", shot)
	browser.CheckKeyboard(t, ctx, "the intake form")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#receive`)), chromedp.WaitVisible(chromedp.CSS(`#receipt-code`))); err != nil {
		t.Fatalf("receive: %v", err)
	}
	code, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#receipt-code`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(code, "UBXDT-") || !strings.HasSuffix(code, "-0001") {
		t.Fatalf("receipt code %q", code)
	}
	shot("2-dossier")
	browser.CheckAccessible(t, ctx, "the dossier page", shot)
	// A dossier that does not exist: the 404 page.
	dossierPage, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(h.Base+"/ho-so/00000000-0000-0000-0000-000000000000"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatalf("an unknown dossier: %v", err)
	}
	browser.CheckAccessible(t, ctx, "the 404 page", shot)
	if err := chromedp.Do(ctx, chromedp.Navigate(dossierPage), chromedp.WaitVisible(chromedp.CSS(`#print-receipt`))); err != nil {
		t.Fatalf("back to the dossier: %v", err)
	}
	attr, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#print-receipt`), "href"))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(strings.TrimSuffix(h.Base, "/dossiers")+attr.Value)); err != nil {
		t.Fatalf("receipt slip: %v", err)
	}
	slip, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`body`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", code, "Trần Văn Nam", "Giấy chứng sinh", "Nguyễn Thị Hoa"} {
		if !strings.Contains(slip, want) {
			t.Errorf("the printed receipt does not show %q", want)
		}
	}
	shot("3-receipt-slip")
	// The unit's inbox and the ledger (form 07's page) list the new dossier.
	for i, page := range []string{"/?inbox=unit", "/so-theo-doi"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(h.Base+page), chromedp.WaitVisible(chromedp.CSS("table"))); err != nil {
			t.Fatalf("%s: %v", page, err)
		}
		body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(body, code) {
			t.Errorf("%s does not list %s", page, code)
		}
		shot(fmt.Sprintf("%d-%s", 4+i, strings.Trim(strings.NewReplacer("/", "", "?inbox=", "inbox-").Replace(page), "-")))
		browser.CheckAccessible(t, ctx, page, shot)
	}
	// The ledger's spreadsheet (libs/sheet), fetched with the officer's session: the byte-order
	// mark Excel needs to show Vietnamese, the header and the new dossier.
	ledger, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch('`+h.Base+`/so-theo-doi?format=csv').then(r => r.arrayBuffer()).then(b => {
		const u8 = new Uint8Array(b); return (u8[0] === 0xEF && u8[1] === 0xBB && u8[2] === 0xBF ? 'BOM ' : '') + new TextDecoder().decode(u8); })`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ledger, "BOM STT,Mã hồ sơ,") || !strings.Contains(ledger, code) || !strings.Contains(ledger, "Trần Văn Nam") {
		t.Errorf("the ledger's CSV: %q", ledger)
	}
}

// TestCalendarAdminInTheBrowser: the unit's admin sees 2026's statutory days off (Tết by the lunar
// calendar for UTC+7), is told what to fix when the basis is missing, records a make-up working
// Saturday and removes a day recorded by mistake; a reception officer sees the calendar without
// the forms.
func TestCalendarAdminInTheBrowser(t *testing.T) {
	h := start(t, storetest.SQLite(t))
	h.provision("xa-dong-tan", "12700", "UBND xã Đông Tân", "commune", "huyen-dong-hung")
	h.IDP.Person(t, identitytest.Person{Tenant: "xa-dong-tan", Username: "lan.pt", Name: "Phạm Thị Lan", Roles: []string{"tenant.admin", "dossier.receive"}})
	h.IDP.Person(t, identitytest.Person{Tenant: "xa-dong-tan", Username: "hoa.nt", Name: "Nguyễn Thị Hoa", Roles: []string{"dossier.receive"}})
	ctx := browser.Chromium(t, 90*time.Second, chromedp.WindowSize(1280, 1600))
	shot := screenshots(t, ctx, "dossiers-calendar-")
	signIn := func(user string) {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.Navigate(h.Base+"/lich-lam-viec?year=2026"),
			chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), user),
			chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), h.IDP.Password),
			chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#days-off`)),
		); err != nil {
			t.Fatalf("%s signs in and opens the calendar: %v", user, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	signIn("lan.pt")
	// Tết Bính Ngọ: the first lunar day is 17/02/2026 in Vietnam.
	if days := text(`#days-off`); !strings.Contains(days, "17/02/2026") || !strings.Contains(days, "Tết Nguyên đán") {
		t.Fatalf("2026's days off do not show Tết on 17/02/2026:\n%s", days)
	}
	shot("1-year")
	browser.CheckAccessible(t, ctx, "the working calendar", shot)
	browser.CheckKeyboard(t, ctx, "the working calendar")
	// The unit's log of reads of personal data, the administrator's too.
	if err := chromedp.Do(ctx, chromedp.Navigate(h.Base+"/nhat-ky-truy-cap"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatalf("the access log: %v", err)
	}
	browser.CheckAccessible(t, ctx, "the access log", shot)
	if err := chromedp.Do(ctx, chromedp.Navigate(h.Base+"/lich-lam-viec?year=2026"), chromedp.WaitVisible(chromedp.CSS(`#days-off`))); err != nil {
		t.Fatalf("back to the calendar: %v", err)
	}

	// No basis given: the page says what to fill in, and keeps what was typed. (The browser
	// itself stops an empty required field; the attribute is taken off to reach the server's
	// check, which is what a script or an older browser meets.)
	setDate := func(d string) chromedp.Action[chromedp.Void] {
		return chromedp.SetValue(chromedp.CSS(`#f-date`), d)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#f-note').removeAttribute('required') === undefined`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, setDate("2026-12-12"), chromedp.SetValue(chromedp.CSS(`#f-kind`), "work"),
		chromedp.Click(chromedp.CSS(`#save-day`)), chromedp.WaitVisible(chromedp.CSS(`.error-summary`))); err != nil {
		t.Fatalf("submit without a basis: %v", err)
	}
	if s := text(`.error-summary`); !strings.Contains(s, "Ghi căn cứ") {
		t.Fatalf("error summary %q", s)
	}
	if v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#f-date`))); err != nil || v != "2026-12-12" {
		t.Fatalf("the date typed was lost: %q %v", v, err)
	}
	shot("2-missing-basis")
	browser.CheckErrorsAnnounced(t, ctx, "the calendar without a basis")
	browser.CheckAccessible(t, ctx, "the calendar without a basis", shot)

	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#f-note`), "Làm bù cho ngày nghỉ 31/12"),
		chromedp.Click(chromedp.CSS(`#save-day`)), chromedp.WaitVisible(chromedp.CSS(`.flash`))); err != nil {
		t.Fatalf("record a make-up day: %v", err)
	}
	if s := text(`#edits`); !strings.Contains(s, "12/12/2026") || !strings.Contains(s, "Ngày làm bù") {
		t.Fatalf("the unit's edits show %q", s)
	}
	if s := text(`#days-off`); !strings.Contains(s, "12/12/2026") {
		t.Fatalf("12/12/2026 (a Saturday) is not listed as a working day:\n%s", s)
	}
	shot("3-make-up-day")

	// A day recorded by mistake is removed again.
	if err := chromedp.Do(ctx, setDate("2026-12-19"), chromedp.SetValue(chromedp.CSS(`#f-kind`), "work"),
		chromedp.SendKeys(chromedp.CSS(`#f-note`), "nhầm"), chromedp.Click(chromedp.CSS(`#save-day`)),
		chromedp.WaitVisible(chromedp.CSS(`#edits form:has(input[value="2026-12-19"]) button`)),
		chromedp.Click(chromedp.CSS(`#edits form:has(input[value="2026-12-19"]) button`)),
		// The page that recorded 19/12 already shows a flash, so waiting for one would race the
		// removal; the removal is done when 19/12's form is gone.
		chromedp.WaitNotPresent(chromedp.CSS(`#edits form:has(input[value="2026-12-19"])`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`))); err != nil {
		t.Fatalf("record and remove 19/12: %v", err)
	}
	if s := text(`#edits`); strings.Contains(s, "19/12/2026") || !strings.Contains(s, "12/12/2026") {
		t.Fatalf("after removing 19/12 the unit's edits show %q", s)
	}

	// The other officer sees the edit, without the forms.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("form.logout button")), chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`))); err != nil {
		t.Fatalf("sign out: %v", err)
	}
	signIn("hoa.nt")
	if s := text(`#edits`); !strings.Contains(s, "12/12/2026") {
		t.Fatalf("a reception officer does not see the edit: %q", s)
	}
	if forms, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#calendar-day, #edits form').length`)); err != nil || forms != 0 {
		t.Fatalf("a reception officer is offered %d calendar forms (%v)", forms, err)
	}
}

// screenshots returns a function that saves the whole page as an artifact named prefix+name.
func screenshots(t *testing.T, ctx context.Context, prefix string) func(name string) {
	return func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		testenv.WriteArtifact(t, prefix+name+".png", png)
	}
}
