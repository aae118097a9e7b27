package service_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

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
	ctx := testenv.Chromium(t, 90*time.Second, chromedp.WindowSize(1280, 1400))
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		testenv.WriteArtifact(t, "dossiers-"+name+".png", png)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(h.Base+"/tiep-nhan"), chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`))); err != nil {
		t.Fatalf("sign-in page: %v", err)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "hoa.nt"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), h.IDP.Password),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-procedure_code`)),
	); err != nil {
		t.Fatalf("sign in and reach the intake form: %v", err)
	}
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
	}
}
