package service_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"gorm.io/gorm"

	chromium "egov.vn/platform/libs/devkit/browser"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/testenv"
)

// A commune's administrator in Chromium: from the administration page, create a reception
// officer's account and read the one-time password on the slip, once; reset it; disable it.
func TestAdministrationInChromium(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) { administrationInChromium(t, db) })
}

func administrationInChromium(t *testing.T, db *gorm.DB) {
	h := startIdentity(t, db)
	tr := h.seedTree(t)
	ctx := chromium.Chromium(t, 90*time.Second, chromedp.WindowSize(1280, 900))
	location := func() string {
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		testenv.WriteArtifact(t, db.Name()+"-"+name, png)
	}
	// axe-core runs on one database's walk: the pages are the same on both.
	axe := func(page string) {
		t.Helper()
		if db.Name() == "sqlite" {
			chromium.CheckAccessible(t, ctx, page, nil)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v (at %s)", sel, err, location())
		}
		return strings.TrimSpace(s)
	}

	// 1. The administration page asks for a sign-in, then opens.
	if err := chromedp.Do(ctx, chromedp.Navigate(h.Issuer+"/admin"),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), tr.admins["xa-dong-tan"].Username),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), h.Password),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a.button[href*="/admin/accounts/new"]`)),
	); err != nil {
		t.Fatalf("administration page: %v (at %s)", err, location())
	}
	shot("qtdv-1-danh-sach.png")
	axe("the accounts list")
	if err := chromedp.Do(ctx, chromedp.Navigate(h.Issuer+"/admin/audit"), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
		t.Fatalf("audit page: %v (at %s)", err, location())
	}
	axe("the sign-in audit")
	if err := chromedp.Do(ctx, chromedp.Navigate(h.Issuer+"/account"), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
		t.Fatalf("account page: %v (at %s)", err, location())
	}
	axe("the person's own account page")
	if err := chromedp.Do(ctx, chromedp.Navigate(h.Issuer+"/admin"), chromedp.WaitVisible(chromedp.CSS(`a.button[href*="/admin/accounts/new"]`))); err != nil {
		t.Fatalf("administration page: %v (at %s)", err, location())
	}

	// 2. Create a reception officer: the slip shows the one-time password.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a.button[href*="/admin/accounts/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`))); err != nil {
		t.Fatalf("the new account form: %v (at %s)", err, location())
	}
	axe("the new account form")
	if db.Name() == "sqlite" {
		chromium.CheckKeyboard(t, ctx, "the new account form")
		// Sent empty (the browser's own check of required fields taken off): the errors are
		// announced.
		if err := chromedp.Do(ctx,
			chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('form [required]').forEach(e => e.removeAttribute('required'))`),
			chromedp.Submit(chromedp.CSS(`input[name="username"]`)), chromedp.WaitVisible(chromedp.CSS(`.error-summary`))); err != nil {
			t.Fatalf("the new account form sent empty: %v (at %s)", err, location())
		}
		chromium.CheckErrorsAnnounced(t, ctx, "the new account form with errors")
		axe("the new account form with errors")
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`select[name="unit"]`), "xa-dong-tan"),
		chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "Phạm Thị Lan"),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "lan.pt"),
		chromedp.Click(chromedp.CSS(`input[name="roles"][value="dossier.receive"]`)),
		chromedp.Submit(chromedp.CSS(`input[name="username"]`)),
		chromedp.WaitVisible(chromedp.CSS("#one-time-password")),
	); err != nil {
		t.Fatalf("creating the account: %v (at %s)", err, location())
	}
	first := text("#one-time-password")
	if len(first) != 16 || text("#slip-username") != "lan.pt" {
		t.Fatalf("slip: password %q, username %q", first, text("#slip-username"))
	}
	shot("qtdv-2-phieu-giao-tai-khoan.png")
	axe("the account slip")

	// 3. The account page never shows it again.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a.button[href$="/admin/accounts/lan.pt"]`)),
		chromedp.WaitVisible(chromedp.CSS("#account-state"))); err != nil {
		t.Fatalf("account page: %v (at %s)", err, location())
	}
	page, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(page, first) {
		t.Fatal("the one-time password is shown again on the account page")
	}
	axe("an account's administration page")

	// 4. Reset: a new one-time password on a new slip.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action$="/reset"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#one-time-password"))); err != nil {
		t.Fatalf("reset: %v (at %s)", err, location())
	}
	if second := text("#one-time-password"); len(second) != 16 || second == first {
		t.Fatalf("reset gave %q after %q", second, first)
	}
	shot("qtdv-3-cap-lai-mat-khau.png")

	// 5. Disable.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a.button[href$="/admin/accounts/lan.pt"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/disable"] button`)),
		chromedp.Click(chromedp.CSS(`form[action$="/disable"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/enable"] button`)),
	); err != nil {
		t.Fatalf("disable: %v (at %s)", err, location())
	}
	if st := text("#account-state"); st != "Đã vô hiệu hóa" {
		t.Fatalf("state after disabling: %q", st)
	}
	shot("qtdv-4-vo-hieu-hoa.png")
}
