package service_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"egov.vn/platform/libs/devkit/browser"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/identity/identitytest"
)

// TestLifecycleInTheBrowser: the commune's leader assigns a dossier to a named handler picked
// from the unit's staff, sees it wait for the leader once the handler has done the steps (with
// who may approve), sends it back with a note the page then shows, approves the redone work,
// attaches the result document and marks the result ready; the result downloads from the page.
func TestLifecycleInTheBrowser(t *testing.T) {
	h := start(t, storetest.SQLite(t))
	h.provision("xa-dong-tan", "12700", "UBND xã Đông Tân", "commune", "huyen-dong-hung")
	h.IDP.Person(t, identitytest.Person{Tenant: "xa-dong-tan", Username: "lanh.dao", Name: "Phạm Văn Lãnh", Roles: []string{"dossier.receive", "dossier.approve"}})
	handler := h.token("xa-dong-tan", "chuyen.vien", "dossier.handle")
	h.IDP.Person(t, identitytest.Person{Tenant: "xa-dong-tan", Username: "chuyen.vien", Name: "Lê Thị Xử", Roles: []string{"dossier.handle"}})
	receiver := h.token("xa-dong-tan", "hoa.nt", "dossier.receive")
	var d dossierJSON
	if st := h.do("POST", "/dossiers", receiver, birthIntake(), &d); st != 201 {
		t.Fatalf("intake: %d", st)
	}

	// A handler must be one of the unit's people who handle dossiers.
	var p problem
	if st := h.do("POST", "/dossiers/"+d.ID+"/actions", receiver, map[string]any{"action": "assign", "version": d.Version, "handler": "khong-phai-can-bo"}, &p); st != 422 ||
		len(p.Errors) == 0 || p.Errors[0]["field"] != "handler" {
		t.Fatalf("assign to someone not in the unit's staff: %d %+v", st, p)
	}
	ctx := browser.Chromium(t, 120*time.Second, chromedp.WindowSize(1280, 1600))
	shot := screenshots(t, ctx, "dossiers-lifecycle-")
	page := h.Base + "/ho-so/" + d.ID
	if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "lanh.dao"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), h.IDP.Password),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#receipt-code`)),
	); err != nil {
		t.Fatalf("sign in and open the dossier: %v", err)
	}
	text := func() string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// The assign form offers the unit's handlers by name; the leader is not one of them.
	options, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`select[name="handler"]`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(options, "Lê Thị Xử (chuyen.vien)") || strings.Contains(options, "Phạm Văn Lãnh") {
		t.Fatalf("the handler picker offers %q", options)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.querySelector('select[name="handler"]');
		s.value = [...s.options].find(o => o.text.includes('chuyen.vien')).value; return true; })()`)); err != nil {
		t.Fatal(err)
	}
	shot("1-assign")
	browser.CheckAccessible(t, ctx, "the dossier with the assign form", shot)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form:has(input[value="assign"]) button`)), chromedp.WaitVisible(chromedp.CSS(`#handler`))); err != nil {
		t.Fatalf("assign: %v", err)
	}
	if got := text(); !strings.Contains(got, "Người xử lý\nLê Thị Xử") && !strings.Contains(got, "Lê Thị Xử") {
		t.Fatalf("the dossier does not name its handler: %q", got)
	}
	// The handler's own list shows it; the handler does the steps.
	var mine struct {
		Items []dossierJSON `json:"items"`
	}
	if st := h.do("GET", "/dossiers?inbox=mine", handler, nil, &mine); st != 200 || len(mine.Items) != 1 || mine.Items[0].ID != d.ID {
		t.Fatalf("the handler's list: %d %+v", st, mine)
	}
	steps := func() {
		t.Helper()
		h.do("GET", "/dossiers/"+d.ID, handler, nil, &d)
		for d.State != "in_process" || strings.Contains(strings.Join(d.AllowedActions, ","), "complete_step") {
			if st := h.do("POST", "/dossiers/"+d.ID+"/actions", handler, map[string]any{"action": "complete_step", "version": d.Version}, &d); st != 200 {
				t.Fatalf("complete a step: %d %+v", st, d)
			}
		}
	}
	steps()
	// Waiting for the leader, who is named; the leader's list has it.
	if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#waiting`))); err != nil {
		t.Fatalf("the dossier does not say it waits for the leader: %v", err)
	}
	if got := text(); !strings.Contains(got, "Chờ lãnh đạo phê duyệt") || !strings.Contains(got, "Phạm Văn Lãnh") {
		t.Fatalf("waiting page: %q", got)
	}
	shot("2-waiting-for-the-leader")
	browser.CheckAccessible(t, ctx, "the dossier waiting for the leader", shot)
	if err := chromedp.Do(ctx, chromedp.Navigate(h.Base+"/?inbox=awaiting_approval"), chromedp.WaitVisible(chromedp.CSS(`table`))); err != nil {
		t.Fatal(err)
	}
	if got := text(); !strings.Contains(got, d.ReceiptCode) || !strings.Contains(got, "Lê Thị Xử") {
		t.Fatalf("the leader's list of what waits: %q", got)
	}
	browser.CheckAccessible(t, ctx, "the list awaiting approval", shot)
	// Sent back with a note; the page shows the note until the step is redone.
	if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`form:has(input[value="send_back"])`)),
		chromedp.SendKeys(chromedp.CSS(`form:has(input[value="send_back"]) input[name="note"]`), "Ghi sai ngày sinh, sửa lại"),
		chromedp.Click(chromedp.CSS(`form:has(input[value="send_back"]) button`)),
		chromedp.WaitVisible(chromedp.CSS(`#sent-back`)),
	); err != nil {
		t.Fatalf("send back: %v", err)
	}
	if got := text(); !strings.Contains(got, "Ghi sai ngày sinh, sửa lại") || strings.Contains(got, "Chờ lãnh đạo phê duyệt:") {
		t.Fatalf("after sending back: %q", got)
	}
	shot("3-sent-back")
	steps()
	// Approve, then the result: no "result ready" before a result document is attached.
	// The waiting page already has the result form: wait for the page the approval leads to.
	if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`form:has(input[value="approve"]) button`)),
		chromedp.Evaluate[chromedp.Void](`document.body.dataset.stale = '1'`),
		chromedp.Click(chromedp.CSS(`form:has(input[value="approve"]) button`)),
		chromedp.WaitReady(chromedp.CSS(`body:not([data-stale])`)), chromedp.WaitVisible(chromedp.CSS(`#attach-result`))); err != nil {
		t.Fatalf("approve: %v", err)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('input[value="mark_result_ready"]').length`)); err != nil || n != 0 {
		t.Fatalf("result ready offered before a result exists (%d, %v)", n, err)
	}
	fill := func(summary string, then ...chromedp.Action[chromedp.Void]) []chromedp.Action[chromedp.Void] {
		return append([]chromedp.Action[chromedp.Void]{
			chromedp.SendKeys(chromedp.CSS(`#attach-result input[name="result_type"]`), "Trích lục"),
			chromedp.SendKeys(chromedp.CSS(`#attach-result input[name="result_summary"]`), summary),
			chromedp.SendKeys(chromedp.CSS(`#attach-result input[name="result_signer"]`), "Phạm Văn Lãnh")}, then...)
	}
	stale := chromedp.Evaluate[chromedp.Void](`document.body.dataset.stale = '1'`)
	newPage := chromedp.WaitReady(chromedp.CSS(`body:not([data-stale])`))
	// Without a file, the page can produce the result as a PDF of what was typed.
	if err := chromedp.Do(ctx, fill("Bản in trích lục khai sinh", stale, chromedp.Click(chromedp.CSS(`#generate-result`)), newPage,
		chromedp.WaitVisible(chromedp.CSS(`#result-file`)))...); err != nil {
		t.Fatalf("generate the result: %v", err)
	}
	if got := text(); !strings.Contains(got, "ket-qua-"+d.ReceiptCode+".pdf") || !strings.Contains(got, "Bản in trích lục khai sinh") {
		t.Fatalf("the generated result as the page shows it: %q", got)
	}
	generated, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector('#result-file').href).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil || !strings.HasPrefix(generated, "%PDF-") {
		t.Fatalf("download the generated result: %.40q, %v", generated, err)
	}
	// The signed scan then replaces it.
	pdf := filepath.Join(t.TempDir(), "trich-luc-khai-sinh.pdf")
	if err := os.WriteFile(pdf, resultPDF, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, fill("Trích lục khai sinh của Trần Thị Mai",
		chromedp.SetUploadFiles(`#attach-result input[type="file"]`, []string{pdf}))...); err != nil {
		t.Fatalf("fill the result form: %v", err)
	}
	shot("4-attach-result")
	browser.CheckAccessible(t, ctx, "the dossier with the result form", shot)
	if err := chromedp.Do(ctx, stale, chromedp.Click(chromedp.CSS(`#attach-result button`)), newPage, chromedp.WaitVisible(chromedp.CSS(`#result-file`))); err != nil {
		t.Fatalf("attach the result: %v", err)
	}
	if got := text(); !strings.Contains(got, "Trích lục khai sinh của Trần Thị Mai") || !strings.Contains(got, "trich-luc-khai-sinh.pdf") {
		t.Fatalf("the result as the page shows it: %q", got)
	}
	download, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector('#result-file').href).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil || download != string(resultPDF) {
		t.Fatalf("download the result: %q, %v", download, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form:has(input[value="mark_result_ready"]) button`)),
		chromedp.WaitVisible(chromedp.CSS(`form:has(input[value="return"])`))); err != nil {
		t.Fatalf("result ready: %v", err)
	}
	shot("5-result-ready")
	// A 403 answered to htmx shows its message instead of nothing: the leader is no unit admin
	// and may not edit the calendar.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { htmx.ajax('POST', '`+h.Base+`/lich-lam-viec',
		{source: document.body, target: 'main', values: {date: '2026-12-19', kind: 'work', note: 'Làm bù'}}); return true; })()`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#htmx-error .flash-error`))); err != nil {
		t.Fatalf("no message for a 403 answered to htmx: %v", err)
	}
	if got := text(); !strings.Contains(got, "Không có quyền") || !strings.Contains(got, "Trích lục khai sinh") {
		t.Fatalf("after a 403 to htmx the page shows %q: want the message, and the dossier still there", got)
	}
	shot("6-forbidden-htmx")
	browser.CheckAccessible(t, ctx, "the dossier with a 403 answered to htmx", shot)
	var after struct {
		dossierJSON
		Result map[string]any `json:"result"`
	}
	if st := h.do("GET", "/dossiers/"+d.ID, receiver, nil, &after); st != 200 || after.State != "result_ready" || after.Result["signer"] != "Phạm Văn Lãnh" {
		t.Fatalf("after the pages: %d %+v", st, after)
	}
	var sentBack bool
	for _, e := range after.History {
		sentBack = sentBack || (e["action"] == "send_back" && e["note"] == "Ghi sai ngày sinh, sửa lại")
	}
	if !sentBack {
		t.Fatalf("the history does not record the send-back with its note: %v", after.History)
	}
	// The handler, signed in, lands on their own list and is offered only what they may do: no
	// intake, and on a dossier whose result is ready (the desk returns it) no action at all.
	if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`form.logout button`)),
		chromedp.Click(chromedp.CSS(`form.logout button`)), chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.Navigate(h.Base+"/"), chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "chuyen.vien"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), h.IDP.Password),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table`))); err != nil {
		t.Fatalf("sign in as the handler: %v", err)
	}
	if got := text(); !strings.Contains(got, d.ReceiptCode) || strings.Contains(got, "Tiếp nhận hồ sơ") {
		t.Fatalf("the handler's start page: %q (want their dossier, no intake)", got)
	}
	if cur, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('nav[aria-label="Hộp hồ sơ"] [aria-current="page"]').textContent`)); err != nil || cur != "Giao cho tôi" {
		t.Fatalf("the handler lands on %q (%v), want their own list", cur, err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#result`))); err != nil {
		t.Fatal(err)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('form[action$="/hanh-dong"], #attach-result').length`)); err != nil || n != 0 {
		t.Fatalf("the handler is offered %d forms on a dossier the desk returns (%v)", n, err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(h.Base+"/tiep-nhan"), chromedp.WaitVisible(chromedp.CSS(`main`))); err != nil {
		t.Fatal(err)
	}
	if got := text(); !strings.Contains(got, "Không có quyền") || !strings.Contains(got, "dossier.receive") {
		t.Fatalf("the intake form for a handler: %q", got)
	}
	shot("7-handler-no-intake")
	browser.CheckAccessible(t, ctx, "the 403 page", shot)

	// The desk returns the result; the citizen looks the dossier up and rates the service.
	if st := h.do("POST", "/dossiers/"+d.ID+"/actions", receiver, map[string]any{"action": "return", "version": after.Version}, &d); st != 200 || d.State != "returned" {
		t.Fatalf("return: %d %+v", st, d)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(h.Base+"/tra-cuu?ma="+d.ReceiptCode), chromedp.WaitVisible(chromedp.CSS(`input[name="phone_last4"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="phone_last4"]`), "5678"),
		chromedp.Submit(chromedp.CSS(`form[action$="/tra-cuu"]`)), chromedp.WaitVisible(chromedp.CSS(`form[action$="/danh-gia"]`))); err != nil {
		t.Fatalf("the citizen's lookup of a returned dossier: %v", err)
	}
	shot("8-rating-form")
	browser.CheckAccessible(t, ctx, "the rating form", shot)
	browser.CheckKeyboard(t, ctx, "the rating form")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`input[name="rating"][value="satisfied"]`)),
		chromedp.Submit(chromedp.CSS(`form[action$="/danh-gia"]`)), chromedp.WaitNotPresent(chromedp.CSS(`form[action$="/danh-gia"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main`))); err != nil {
		t.Fatalf("rate: %v", err)
	}
	shot("9-rated")
	browser.CheckAccessible(t, ctx, "the page after rating", shot)

	// The sent-back event of services/EVENTS.md: the note and the step to redo.
	var rows []events.OutboxEvent
	h.DB.Where("subject = ?", "egov.xa-dong-tan.dossiers.dossier.sent-back").Find(&rows)
	if len(rows) != 1 {
		t.Fatalf("%d sent-back events, want 1", len(rows))
	}
	evt, err := events.Decode([]byte(rows[0].Payload))
	if err != nil {
		t.Fatal(err)
	}
	var data map[string]any
	if err := evt.DataAs(&data); err != nil || data["note"] != "Ghi sai ngày sinh, sửa lại" || data["step"] != float64(3) || data["state"] != "in_process" {
		t.Fatalf("sent-back event data %v (%v)", data, err)
	}
}
