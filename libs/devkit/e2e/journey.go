package e2e

import (
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"egov.vn/platform/libs/devkit/browser"
	"egov.vn/platform/libs/devkit/devstack"
	"egov.vn/platform/libs/platform"
)

// Site is a running, onboarded platform as the journey needs it: where it is, who works there
// and with which password, and its units. Both `make run`'s stack (Stack.Site) and the trial
// profile in the real cluster (libs/devkit/clustertest) give one.
type Site struct {
	Origin   string
	Password string
	Staff    []devstack.StaffMember
	Tenants  []devstack.DemoTenant
	// ShotPrefix names the journey's screenshots ("e2e-sqlite-", "cluster-").
	ShotPrefix string
}

// Commune is the unit whose desk the journey starts at; its parent is the district it passes
// dossiers on to.
const Commune = "xa-dong-tan"

// StaffWith is the first demo person of the unit holding role.
func StaffWith(t *testing.T, s Site, tenant string, role platform.Role) devstack.StaffMember {
	t.Helper()
	for _, m := range s.Staff {
		if m.Tenant == tenant && m.Has(role) {
			return m
		}
	}
	t.Fatalf("infra/dev/staff.yaml gives nobody in %s the role %s", tenant, role)
	return devstack.StaffMember{}
}

// Journey walks the whole life of a citizen's dossier at site, in Chromium, as the people who do
// it (see TestE2EJourney): the desk of xa-dong-tan receives, a handler handles, the leader sends
// back once and approves, the desk returns, the citizen looks it up and rates, the result is
// archived and counted on the dashboard, every person of the commune reaches each of their start
// pages, and a dossier passed on to the district comes back. The cluster test walks it too,
// through the cluster's front proxy.
func Journey(t *testing.T, s Site) {
	ctx := browser.Chromium(t, 15*time.Minute, chromedp.WindowSize(1280, 1400))
	b := browser.NewSession(t, ctx, s.Origin, s.ShotPrefix)
	receiver := StaffWith(t, s, Commune, platform.RoleDossierReceive)
	handler := StaffWith(t, s, Commune, platform.RoleDossierHandle)
	leader := StaffWith(t, s, Commune, platform.RoleDossierApprove)
	// accessible runs axe-core (desktop and 390 px) on the page the journey is at, once per kind
	// of page: the same page met again in another state or by another person adds time, not cover.
	checked := map[string]bool{}
	accessible := func(page string) {
		t.Helper()
		if !checked[page] {
			checked[page] = true
			b.Accessible(page)
		}
	}

	// 1. The receiver signs in once and finds the commune's catalogue on the intake form.
	b.SignIn("/dossiers/tiep-nhan", receiver.Username, s.Password, "#f-procedure_code")
	if n := browser.Eval[int](b, `document.querySelectorAll('#f-procedure_code option:not([value=""])').length`); n == 0 {
		b.Shot("empty-catalogue")
		t.Fatal("the procedure list at /dossiers/tiep-nhan is empty: the commune was not provisioned in dossiers")
	}
	b.Shot("intake-form")
	accessible("the intake form with a procedure's checklist")

	// 2. Receive a birth registration (or the first procedure) and get its receipt.
	code := Receive(t, b, BirthRegistration, true,
		Applicant{Name: "Trần Văn Nam", IDNumber: "034090001234", Phone: "0912345678", Address: "Thôn Đồng Nhân, xã Đông Tân"})
	if href := browser.Eval[string](b, `document.querySelector('#print-receipt')?.getAttribute('href') || ''`); href == "" {
		t.Error("the dossier page offers no receipt (form 01) to print")
	}
	b.Shot("received")
	accessible("the dossier page just received")
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
		b.Do(action, chromedp.WaitVisible(chromedp.CSS(form+` button`)), MarkStale(), chromedp.Click(chromedp.CSS(form+` button`)),
			WaitNewPage(), chromedp.WaitVisible(chromedp.CSS(`.flashes .flash`)), chromedp.WaitVisible(chromedp.CSS(`#receipt-code`)))
		if f := b.Text(`.flashes .flash`); !strings.Contains(f, "Đã cập nhật") {
			b.Shot(action + "-refused")
			t.Fatalf("%s: the page says %q", action, f)
		}
	}
	offers := func(action string) bool {
		return browser.Eval[bool](b, `!!document.querySelector('form:has(input[name="action"][value="`+action+`"])')`)
	}

	// 3. Assign it to a named handler picked from the commune's staff.
	assign := func(to devstack.StaffMember) {
		t.Helper()
		form := `form:has(input[name="action"][value="assign"])`
		b.Fill(form+` input[name="unit"]`, "Tư pháp - Hộ tịch")
		if !browser.Eval[bool](b, `(() => { const s = document.querySelector('`+form+` select[name="handler"]');
			const o = [...s.options].find(o => o.text.includes('(`+to.Username+`)')); if (!o) return false; s.value = o.value; return true; })()`) {
			b.Shot("no-handler-" + to.Username)
			t.Fatalf("the assign form does not offer %s (%s) as handler", to.Name, to.Username)
		}
		act("assign")
		if got := b.Text(`#handler`); got != to.Name {
			t.Errorf("after assignment the dossier names its handler %q, want %q", got, to.Name)
		}
	}
	assign(handler)
	if st := state(); st != "Đã phân công" {
		t.Errorf("after assignment the dossier is %q", st)
	}
	b.Shot("assigned")
	b.SignOut()

	// 4. The handler finds it in their own list and does every step; then it waits for the leader,
	// and the page names who may approve.
	doSteps := func(who devstack.StaffMember, code, dossier string) {
		t.Helper()
		b.SignIn("/dossiers/?inbox=mine", who.Username, s.Password, "table")
		if !strings.Contains(b.Text("main"), code) {
			b.Shot("not-in-my-list-" + who.Username)
			t.Errorf("%s's own list does not show %s", who.Username, code)
		}
		accessible("a handler's own list")
		b.Open(dossier, "#receipt-code")
		accessible("the dossier page with a step to complete")
		steps := 0
		for ; offers("complete_step") && steps < 20; steps++ {
			act("complete_step")
		}
		if steps == 0 {
			b.Shot("no-steps")
			t.Fatalf("%s (%s) is offered no step to complete", who.Username, who.Roles)
		}
		if st := state(); st != "Chờ lãnh đạo phê duyệt" {
			t.Errorf("after %d steps the dossier is %q, want it waiting for the leader", steps, st)
		}
	}
	doSteps(handler, code, dossier)
	if waiting := b.Text(`#waiting`); !strings.Contains(waiting, leader.Name) {
		t.Errorf("the waiting dossier does not name its approver %s: %q", leader.Name, waiting)
	}
	b.Shot("steps-done")
	accessible("the dossier page waiting for the leader")
	b.SignOut()

	// 5. The leader finds it waiting, sends it back once with a note; the handler reads the note
	// and redoes the last step; the leader approves, attaches the result and marks it ready.
	const note = "Kiểm tra lại ngày sinh ghi trong dự thảo trích lục"
	b.SignIn("/dossiers/?inbox=awaiting_approval", leader.Username, s.Password, "table")
	if !strings.Contains(b.Text("main"), code) {
		b.Shot("not-awaiting")
		t.Errorf("the leader's list of what waits does not show %s", code)
	}
	b.Open(dossier, "#receipt-code")
	b.Fill(`form:has(input[name="action"][value="send_back"]) input[name="note"]`, note)
	act("send_back")
	b.Shot("sent-back")
	b.SignOut()
	b.SignIn(dossier, handler.Username, s.Password, "#receipt-code")
	if got := b.Text(`#sent-back`); !strings.Contains(got, note) {
		t.Errorf("the handler does not see the leader's note: %q", got)
	}
	b.Shot("handler-reads-note")
	accessible("the dossier page sent back with a note")
	act("complete_step")
	if st := state(); st != "Chờ lãnh đạo phê duyệt" {
		t.Errorf("after the redo the dossier is %q", st)
	}
	b.SignOut()
	b.SignIn(dossier, leader.Username, s.Password, "#receipt-code")
	approveWithResult := func(signer devstack.StaffMember, summary string) {
		t.Helper()
		act("approve")
		if st := state(); st != "Đã phê duyệt" {
			t.Errorf("after approval the dossier is %q", st)
		}
		if offers("mark_result_ready") {
			t.Error("result ready is offered before a result document is attached")
		}
		attachResult(t, b, signer.Name, summary)
		act("mark_result_ready")
		if st := state(); st != "Có kết quả" {
			t.Errorf("after marking the result ready the dossier is %q", st)
		}
	}
	approveWithResult(leader, "Trích lục khai sinh của Trần Văn Nam")
	b.Shot("approved")
	accessible("the dossier page with its result ready")

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
	// returnResult has the desk return the dossier whose page is open, then checks its state and
	// that its history says each of wants.
	returnResult := func(what string, wants ...string) {
		t.Helper()
		act("return")
		if st := state(); st != "Đã trả kết quả" {
			t.Errorf("after %s the dossier is %q", what, st)
		}
		history := b.Text(`.timeline`)
		for _, want := range wants {
			if !strings.Contains(history, want) {
				t.Errorf("the history after %s does not say %q: %q", what, want, history)
			}
		}
	}
	returnResult("the return", "Trả kết quả", "Phê duyệt", "Trả lại để xử lý lại", note, "Hoàn thành bước 1", "Phân công cho "+handler.Name, "Đính kèm kết quả")
	b.Shot("returned")
	accessible("the dossier page returned, with its history")
	b.SignOut()

	// 7. The citizen looks the dossier up and rates it, without an account.
	b.Open("/dossiers/tra-cuu", `input[name="receipt_code"]`)
	accessible("the citizen's lookup form")
	b.Fill(`input[name="receipt_code"]`, code)
	b.Fill(`input[name="phone_last4"]`, "5678")
	b.Click(`form[action$="/tra-cuu"] button`, "main h2")
	if body := b.Text("main"); !strings.Contains(body, code) || !strings.Contains(body, "Đã trả kết quả") {
		t.Errorf("the citizen's lookup shows %q", body)
	}
	b.Shot("lookup")
	accessible("the citizen's lookup result with the rating form")
	if browser.Eval[bool](b, `!!document.querySelector('input[name="rating"]')`) {
		b.Do("rate", chromedp.Click(chromedp.CSS(`input[name="rating"][value="satisfied"]`)),
			chromedp.Click(chromedp.CSS(`form[action$="/danh-gia"] button`)), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
		b.Shot("rated")
		accessible("the citizen's lookup after rating")
	} else {
		t.Error("the citizen is not offered a rating for a returned dossier")
	}

	// 8. The result is archived: within seconds the dossier page links the outgoing document the
	// hand-off registered, and the commune's clerk finds it in the archives, naming the dossier.
	clerk := StaffWith(t, s, Commune, platform.RoleArchiveClerk)
	b.SignIn(dossier, receiver.Username, s.Password, "#receipt-code")
	record := eventually(t, b, dossier, "#receipt-code", `document.querySelector('#archive-record')?.getAttribute('href') || ''`)
	if record == "" {
		b.Shot("not-archived")
		t.Fatalf("a minute after the return the dossier page links no archive record of its result")
	}
	b.Shot("archive-link")
	b.SignOut()
	b.SignIn(record, clerk.Username, s.Password, "main")
	if body := b.Text("main"); !strings.Contains(body, code) || !strings.Contains(body, "Trích lục khai sinh của Trần Văn Nam") {
		b.Shot("archive-record-wrong")
		t.Errorf("the archive record of the result does not name the dossier %s and its summary: %q", code, body)
	}
	if back := browser.Eval[string](b, `[...document.querySelectorAll('main a')].map(a => a.getAttribute('href')).find(h => h && h.includes('/dossiers/ho-so/')) || ''`); back != dossier {
		t.Errorf("the archive record links the dossier at %q, want %q", back, dossier)
	}
	b.Shot("archive-record")
	accessible("the archive record of the result")
	b.SignOut()

	// 9. The leader's dashboard counts the returned result, archived, within seconds of the hand-off.
	if leader.Has(platform.RoleReportView) {
		unitPage := "/reports/units/" + Commune
		b.SignIn(unitPage, leader.Username, s.Password, "#figures")
		figure := func(code string) string {
			return `(() => { const a = [...document.querySelectorAll('#figures a')].find(a => new URL(a.href).searchParams.get('figure') === '` + code + `');
				return a ? a.closest('tr').querySelector('td.num').textContent.trim() : ''; })()`
		}
		if got := eventually(t, b, unitPage, "#figures", `(() => { const r = `+figure("returned")+`, n = `+figure("returned_not_archived")+`;
			return r !== '' && r !== '0' && n === '0' ? r : ''; })()`); got == "" {
			b.Shot("dashboard-stale")
			t.Errorf("a minute after the return the dashboard of %s shows returned %q, not archived %q", Commune,
				browser.Eval[string](b, figure("returned")), browser.Eval[string](b, figure("returned_not_archived")))
		}
		b.Shot("dashboard")
		accessible("the unit's reform dashboard")
		b.SignOut()
	}

	// 10. Every demo person of the commune reaches the start page of each of their roles.
	for _, m := range s.Staff {
		if m.Tenant != Commune {
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
			accessible("the start page " + page)
		}
		b.Open(first, "main")
		b.SignOut()
	}

	// 11. Liên thông: a district-level procedure received at the commune goes up to the district,
	// where its own handler and leader handle and approve it; the result comes back to the
	// commune's desk, which returns it.
	district, ok := parentOf(s, Commune)
	if !ok {
		t.Fatalf("infra/dev/tenants.yaml gives %s no parent unit", Commune)
	}
	dHandler := StaffWith(t, s, district, platform.RoleDossierHandle)
	dLeader := StaffWith(t, s, district, platform.RoleDossierApprove)
	b.SignIn("/dossiers/tiep-nhan", receiver.Username, s.Password, "#f-procedure_code")
	// A district-level procedure (marriage with a foreigner), which the commune passes on.
	code2 := Receive(t, b, "1.000688", false,
		Applicant{Name: "Phạm Thị Lan", IDNumber: "034190005678", Phone: "0987654321", Address: "Thôn Đông Thành, xã Đông Tân"})
	loc2, err := url.Parse(b.Location())
	if err != nil {
		t.Fatal(err)
	}
	dossier2 := loc2.Path
	t.Logf("liên thông dossier %s at %s", code2, dossier2)
	act("transfer")
	if main := b.Text("main"); !strings.Contains(main, nameOf(s, district)) || offers("assign") {
		b.Shot("transfer-not-handed-over")
		t.Errorf("after the transfer the commune's page shows %q: want the district holding it and no action left here", main)
	}
	b.Shot("lien-thong-transferred")
	accessible("the dossier page after a transfer to the district")
	b.SignOut()

	b.SignIn(dossier2, dLeader.Username, s.Password, "#receipt-code")
	assign(dHandler)
	b.Shot("lien-thong-assigned")
	b.SignOut()
	doSteps(dHandler, code2, dossier2)
	b.Shot("lien-thong-steps-done")
	b.SignOut()
	b.SignIn(dossier2, dLeader.Username, s.Password, "#receipt-code")
	approveWithResult(dLeader, "Giấy chứng nhận kết hôn của Phạm Thị Lan")
	if main := b.Text("main"); !strings.Contains(main, nameOf(s, Commune)) {
		t.Errorf("after the district's result the dossier is not back at %s: %q", Commune, main)
	}
	b.Shot("lien-thong-result-ready")
	b.SignOut()

	b.SignIn(dossier2, receiver.Username, s.Password, "#receipt-code")
	returnResult("the commune returned the district's result", "Chuyển liên thông", nameOf(s, district), "Phân công cho "+dHandler.Name, "Phê duyệt", "Trả kết quả")
	b.Shot("lien-thong-returned")
	b.SignOut()
}

// BirthRegistration is the procedure code of a birth registration (đăng ký khai sinh).
const BirthRegistration = "1.001193"

// Applicant is the person a dossier is received for, as the intake form asks.
type Applicant struct{ Name, IDNumber, Phone, Address string }

// Receive fills the intake form the page shows for procedure (when orFirst, the catalogue's first
// procedure should it lack that one), ticks every document of its checklist, receives the
// dossier and returns its receipt code, the dossier's page being open. A catalogue without the
// procedure, or no receipt code, fails the test.
func Receive(t testing.TB, b *browser.Session, procedure string, orFirst bool, a Applicant) string {
	t.Helper()
	if !browser.Eval[bool](b, `(() => { const s = document.querySelector('#f-procedure_code');
		let o = [...s.options].find(o => o.value === '`+procedure+`');
		if (!o && `+strconv.FormatBool(orFirst)+`) o = [...s.options].find(o => o.value);
		if (!o) return false;
		s.value = o.value; s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`) {
		b.Shot("no-procedure-" + procedure)
		t.Fatalf("the catalogue at %s has no procedure %s to receive", b.Location(), procedure)
	}
	b.Do("checklist", chromedp.WaitVisible(chromedp.CSS(`#f-doc_0`)))
	browser.Eval[bool](b, `(() => { document.querySelectorAll('#checklist input[type=checkbox]').forEach(c => c.checked = true); return true; })()`)
	b.Fill(`#f-applicant_name`, a.Name)
	b.Fill(`#f-applicant_id_number`, a.IDNumber)
	b.Fill(`#f-applicant_phone`, a.Phone)
	b.Fill(`#f-applicant_address`, a.Address)
	b.Click(`#receive`, `#receipt-code`)
	code := strings.TrimSpace(b.Text(`#receipt-code`))
	if code == "" {
		t.Fatal("no receipt code after receiving")
	}
	return code
}

// eventually reloads path (waiting for sel) until js gives a non-empty string, for at most a
// minute, and returns it ("" when it never did): what another service does after an event shows
// up in a page a moment later, not at once.
func eventually(t *testing.T, b *browser.Session, path, sel, js string) string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		if got := browser.Eval[string](b, js); got != "" || time.Now().After(deadline) {
			return got
		}
		time.Sleep(500 * time.Millisecond)
		b.Open(path, sel)
	}
}

// parentOf is the slug of the unit above slug in the onboarded tree.
func parentOf(s Site, slug string) (string, bool) {
	for _, t := range s.Tenants {
		if t.Slug == slug && t.Parent != "" {
			return t.Parent, true
		}
	}
	return "", false
}

// nameOf is the name pages show for the unit slug ("UBND huyện Đông Hưng"), or the slug when the
// onboarded tree has no such unit (which the checks using it then report).
func nameOf(s Site, slug string) string {
	for _, t := range s.Tenants {
		if t.Slug == slug {
			return t.Name
		}
	}
	return slug
}

// attachResult fills the dossier page's result form with a small PDF and submits it.
func attachResult(t *testing.T, b *browser.Session, signer, summary string) {
	t.Helper()
	pdf := filepath.Join(t.TempDir(), "ket-qua.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.Do("fill the result form", chromedp.WaitVisible(chromedp.CSS(`#attach-result`)))
	b.Fill(`#attach-result input[name="result_type"]`, "Trích lục")
	b.Fill(`#attach-result input[name="result_summary"]`, summary)
	b.Fill(`#attach-result input[name="result_signer"]`, signer)
	b.Do("choose the result file", chromedp.SetUploadFiles(`#attach-result input[type="file"]`, []string{pdf}))
	b.Shot("result-form")
	b.Do("attach the result", MarkStale(), chromedp.Click(chromedp.CSS(`#attach-result button`)), WaitNewPage(),
		chromedp.WaitVisible(chromedp.CSS(`.flashes .flash`)))
	if f := b.Text(`.flashes .flash`); !strings.Contains(f, "Đã đính kèm") {
		b.Shot("result-refused")
		t.Fatalf("attach the result: the page says %q", f)
	}
	if got := b.Text(`#result`); !strings.Contains(got, summary) || !strings.Contains(got, signer) {
		t.Errorf("the attached result shows %q", got)
	}
}

// MarkStale marks the page in the tab, so that WaitNewPage can tell the page a click leads to
// from the one it was made on (which may show the very element the test waits for).
func MarkStale() chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`document.body.dataset.stale = '1'`)
}

// WaitNewPage waits until the page marked by MarkStale has been replaced.
func WaitNewPage() chromedp.Action[chromedp.Void] {
	return chromedp.WaitReady(chromedp.CSS(`body:not([data-stale])`))
}

// signInForm reports whether the page is identity's sign-in form.
func signInForm(b *browser.Session) bool {
	return browser.Eval[bool](b, `!!document.querySelector('input[name="username"]') && !!document.querySelector('input[name="password"]')`)
}
