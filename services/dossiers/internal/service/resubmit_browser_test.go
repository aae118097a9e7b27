package service_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"egov.vn/platform/libs/devkit/browser"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/identity/identitytest"
)

// TestResubmittedIntakeFormReceivesOnce sends the desk's filled intake form three times from the
// signed-in browser, as a double click and a resend after a timeout would: two at once, then one
// more. Every submission carries the form's idempotency_key, so each lands on the same dossier
// page and the unit has one dossier with one receipt code.
func TestResubmittedIntakeFormReceivesOnce(t *testing.T) {
	h := start(t, storetest.SQLite(t))
	h.provision("xa-dong-tan", "12700", "UBND xã Đông Tân", "commune", "huyen-dong-hung")
	h.IDP.Person(t, identitytest.Person{Tenant: "xa-dong-tan", Username: "hoa.nt", Name: "Nguyễn Thị Hoa", Roles: []string{"dossier.receive"}})
	ctx := browser.Chromium(t, 90*time.Second)
	if err := chromedp.Do(ctx, chromedp.Navigate(h.Base+"/tiep-nhan"), chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "hoa.nt"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), h.IDP.Password),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-procedure_code`)),
	); err != nil {
		t.Fatalf("sign in and reach the intake form: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.querySelector('#f-procedure_code'); s.value = '1.001193';
		s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`)); err != nil {
		t.Fatalf("choose the procedure: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#f-doc_1`)),
		chromedp.Click(chromedp.CSS(`#f-doc_0`)), chromedp.Click(chromedp.CSS(`#f-doc_1`)),
		chromedp.SendKeys(chromedp.CSS(`#f-applicant_name`), "Trần Văn Nam"),
		chromedp.SendKeys(chromedp.CSS(`#f-applicant_id_number`), "034090001234"),
		chromedp.SendKeys(chromedp.CSS(`#f-applicant_phone`), "0912345678"),
		chromedp.SendKeys(chromedp.CSS(`#f-applicant_address`), "Thôn Đồng Nhân, xã Đông Tân"),
	); err != nil {
		t.Fatalf("fill the form: %v", err)
	}
	landed, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
		const form = document.querySelector('#receive').form;
		const body = new URLSearchParams(new FormData(form));
		const send = () => fetch(form.action, {method: 'POST', body, credentials: 'same-origin'}).then(r => r.status + ' ' + r.url);
		const both = await Promise.all([send(), send()]);
		return [...both, await send()].join('\n');
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("submit the form three times: %v", err)
	}
	pages := strings.Split(landed, "\n")
	if len(pages) != 3 || pages[0] != pages[1] || pages[1] != pages[2] || !strings.HasPrefix(pages[0], "200 "+h.Base+"/ho-so/") {
		t.Fatalf("the three submissions landed on %q, want one dossier page", pages)
	}
	var codes []string
	if err := h.DB.Table("dossiers").Pluck("receipt_code", &codes).Error; err != nil {
		t.Fatal(err)
	}
	if len(codes) != 1 || !strings.HasSuffix(codes[0], "-0001") {
		t.Fatalf("receipt codes after three submissions: %v, want one", codes)
	}
}
