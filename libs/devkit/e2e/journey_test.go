//go:build e2e

package e2e_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"egov.vn/platform/libs/devkit/browser"
	"egov.vn/platform/libs/devkit/devstack"
	"egov.vn/platform/libs/devkit/e2e"
	"egov.vn/platform/libs/platform"
)

// TestE2EJourney runs the journey of a citizen's dossier across the real services of `make run`,
// in Chromium, on each database: the desk of xa-dong-tan receives a dossier from the onboarded
// catalogue and prints its receipt, assigns it, the specialist does every step, the leader
// approves and marks the result ready, the desk returns it, the citizen looks it up and rates;
// every demo person of the commune reaches the start page of each of their roles; one sign-out
// ends the session in every service. Screenshots go to the test artifacts.
func TestE2EJourney(t *testing.T) {
	for _, db := range e2e.DBs {
		t.Run(string(db), func(t *testing.T) {
			s := e2e.Start(t, db)
			journey(t, s)
		})
	}
}

const commune = "xa-dong-tan"

// staffWith is the first demo person of the unit holding role.
func staffWith(t *testing.T, s *e2e.Stack, tenant string, role platform.Role) devstack.StaffMember {
	t.Helper()
	for _, m := range s.Staff {
		if m.Tenant == tenant && m.Has(role) {
			return m
		}
	}
	t.Fatalf("infra/dev/staff.yaml gives nobody in %s the role %s", tenant, role)
	return devstack.StaffMember{}
}

func journey(t *testing.T, s *e2e.Stack) {
	ctx := browser.Chromium(t, 15*time.Minute, chromedp.WindowSize(1280, 1400))
	b := browser.NewSession(t, ctx, s.Origin, fmt.Sprintf("e2e-%s-", s.DB))
	receiver := staffWith(t, s, commune, platform.RoleDossierReceive)
	handler := staffWith(t, s, commune, platform.RoleDossierHandle)
	leader := staffWith(t, s, commune, platform.RoleDossierApprove)

	// 1. The receiver signs in once and finds the commune's catalogue on the intake form.
	b.SignIn("/dossiers/tiep-nhan", receiver.Username, s.Password, "#f-procedure_code")
	if n := browser.Eval[int](b, `document.querySelectorAll('#f-procedure_code option:not([value=""])').length`); n == 0 {
		b.Shot("empty-catalogue")
		t.Fatal("the procedure list at /dossiers/tiep-nhan is empty: the commune was not provisioned in dossiers")
	}
	b.Shot("intake-form")

	// 2. Receive a birth registration (or the first procedure) and get its receipt.
	browser.Eval[bool](b, `(() => { const s = document.querySelector('#f-procedure_code');
		const birth = [...s.options].find(o => o.value === '1.001193');
		s.value = birth ? birth.value : [...s.options].find(o => o.value).value;
		s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`)
	b.Do("checklist", chromedp.WaitVisible(chromedp.CSS(`#f-doc_0`)))
	browser.Eval[bool](b, `(() => { document.querySelectorAll('#checklist input[type=checkbox]').forEach(c => c.checked = true); return true; })()`)
	b.Fill(`#f-applicant_name`, "Trần Văn Nam")
	b.Fill(`#f-applicant_id_number`, "034090001234")
	b.Fill(`#f-applicant_phone`, "0912345678")
	b.Fill(`#f-applicant_address`, "Thôn Đồng Nhân, xã Đông Tân")
	b.Click(`#receive`, `#receipt-code`)
	code := strings.TrimSpace(b.Text(`#receipt-code`))
	if code == "" {
		t.Fatal("no receipt code after receiving")
	}
	if href := browser.Eval[string](b, `document.querySelector('#print-receipt')?.getAttribute('href') || ''`); href == "" {
		t.Error("the dossier page offers no receipt (form 01) to print")
	}
	b.Shot("received")
	loc, err := url.Parse(b.Location())
	if err != nil {
		t.Fatal(err)
	}
	dossier := loc.Path
	t.Logf("dossier %s at %s", code, dossier)

	state := func() string { t.Helper(); return b.Text(`dl .tag`) }
	act := func(action string) {
		t.Helper()
		form := `form:has(input[name="action"][value="` + action + `"])`
		b.Do(action, chromedp.WaitVisible(chromedp.CSS(form+` button`)), chromedp.Click(chromedp.CSS(form+` button`)),
			chromedp.WaitVisible(chromedp.CSS(`.flash`)), chromedp.WaitVisible(chromedp.CSS(`#receipt-code`)))
		if f := b.Text(`.flash`); !strings.Contains(f, "Đã cập nhật") {
			b.Shot(action + "-refused")
			t.Fatalf("%s: the page says %q", action, f)
		}
	}
	offers := func(action string) bool {
		return browser.Eval[bool](b, `!!document.querySelector('form:has(input[name="action"][value="`+action+`"])')`)
	}

	// 3. Assign it to the unit that handles it.
	b.Fill(`form:has(input[name="action"][value="assign"]) input[name="unit"]`, "Tư pháp - Hộ tịch")
	act("assign")
	if st := state(); st != "Đã phân công" {
		t.Errorf("after assignment the dossier is %q", st)
	}
	b.Shot("assigned")
	b.SignOut()

	// 4. The specialist does every step.
	b.SignIn(dossier, handler.Username, s.Password, "#receipt-code")
	steps := 0
	for ; offers("complete_step") && steps < 20; steps++ {
		act("complete_step")
	}
	if steps == 0 {
		b.Shot("no-steps")
		t.Fatalf("%s (%s) is offered no step to complete", handler.Username, handler.Roles)
	}
	if st := state(); st != "Đang xử lý" {
		t.Errorf("after %d steps the dossier is %q", steps, st)
	}
	b.Shot("steps-done")
	b.SignOut()

	// 5. The leader approves and marks the result ready.
	b.SignIn(dossier, leader.Username, s.Password, "#receipt-code")
	act("approve")
	if st := state(); st != "Đã phê duyệt" {
		t.Errorf("after approval the dossier is %q", st)
	}
	act("mark_result_ready")
	if st := state(); st != "Có kết quả" {
		t.Errorf("after marking the result ready the dossier is %q", st)
	}
	b.Shot("approved")

	// One sign-in serves every service: the leader's reports open without a second sign-in; one
	// sign-out ends the session in every service.
	if leader.Has(platform.RoleReportView) {
		b.Open(devstack.RolePage(platform.RoleReportView), "main")
		if signInForm(b) {
			t.Errorf("%s signed in at dossiers is asked to sign in again at reports", leader.Username)
		}
		b.Shot("reports-same-session")
		b.Open(dossier, "#receipt-code")
		b.SignOut()
		for _, page := range []string{devstack.RolePage(platform.RoleReportView), dossier} {
			b.Open(page, "body")
			if !signInForm(b) {
				b.Shot("still-signed-in")
				t.Errorf("after signing out at dossiers, %s still opens without signing in", page)
			}
		}
	} else {
		b.SignOut()
	}

	// 6. The desk returns the result.
	b.SignIn(dossier, receiver.Username, s.Password, "#receipt-code")
	act("return")
	if st := state(); st != "Đã trả kết quả" {
		t.Errorf("after return the dossier is %q", st)
	}
	if history := b.Text(`.timeline`); !strings.Contains(history, "Trả kết quả") || !strings.Contains(history, "Phê duyệt") {
		t.Errorf("the history does not name the steps: %q", history)
	}
	b.Shot("returned")
	b.SignOut()

	// 7. The citizen looks the dossier up and rates it, without an account.
	b.Open("/dossiers/tra-cuu", `input[name="receipt_code"]`)
	b.Fill(`input[name="receipt_code"]`, code)
	b.Fill(`input[name="phone_last4"]`, "5678")
	b.Click(`form[action$="/tra-cuu"] button`, "main h2")
	if body := b.Text("main"); !strings.Contains(body, code) || !strings.Contains(body, "Đã trả kết quả") {
		t.Errorf("the citizen's lookup shows %q", body)
	}
	b.Shot("lookup")
	if browser.Eval[bool](b, `!!document.querySelector('input[name="rating"]')`) {
		b.Do("rate", chromedp.Click(chromedp.CSS(`input[name="rating"][value="satisfied"]`)),
			chromedp.Click(chromedp.CSS(`form[action$="/danh-gia"] button`)), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
		b.Shot("rated")
	} else {
		t.Error("the citizen is not offered a rating for a returned dossier")
	}

	// 8. Every demo person of the commune reaches the start page of each of their roles.
	for _, m := range s.Staff {
		if m.Tenant != commune {
			continue
		}
		first := devstack.RolePage(m.Roles[0])
		b.SignIn(first, m.Username, s.Password, "main")
		for _, r := range m.Roles {
			page := devstack.RolePage(r)
			b.Open(page, "main")
			if signInForm(b) {
				t.Errorf("%s (%s): %s asks to sign in again", m.Username, r, page)
			}
			if st := browser.Eval[int](b, `(() => { const x = new XMLHttpRequest(); x.open('GET', location.href, false); x.send(); return x.status; })()`); st != 200 {
				t.Errorf("%s (%s): %s answers %d", m.Username, r, page, st)
			}
			b.Shot("home-" + m.Username + "-" + strings.ReplaceAll(string(r), ".", "-"))
		}
		b.Open(first, "main")
		b.SignOut()
	}
}

// signInForm reports whether the page is identity's sign-in form.
func signInForm(b *browser.Session) bool {
	return browser.Eval[bool](b, `!!document.querySelector('input[name="username"]') && !!document.querySelector('input[name="password"]')`)
}
