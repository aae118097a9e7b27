package service_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"gorm.io/gorm"

	chromium "egov.vn/platform/libs/devkit/browser"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/testenv"
)

// A commune's administrator in Chromium imports a list: finds the import from the
// administration page, sends a file with an error (a sibling commune) and reads it by line, sends
// the fixed file, creates the accounts and gets the printable sheet of one-time passwords, once.
func TestBulkImportInChromium(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) { bulkImportInChromium(t, db) })
}

func bulkImportInChromium(t *testing.T, db *gorm.DB) {
	h := startIdentity(t, db)
	tr := h.seedTree(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	lines := importHeader +
		"lan.pt,Phạm Thị Lan,lan.pt@dongtan.gov.vn,dossier.receive,xa-dong-tan,\n" +
		"minh.lv,Lê Văn Minh,,dossier.handle;dossier.approve,xa-dong-tan,CB-12700-0002\n"
	bad := write("danh-sach-loi.csv", lines+"nga.tt,Trần Thị Nga,,dossier.receive,xa-dong-hoa,\n")
	// The role by its Vietnamese name holds a comma: quoted, as a spreadsheet program writes it.
	good := write("danh-sach.csv", lines+"nga.tt,Trần Thị Nga,,\"Văn thư, lưu trữ\",xa-dong-tan,\n")

	ctx := chromium.Chromium(t, 120*time.Second, chromedp.WindowSize(1280, 900))
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
	axe := func(page string) {
		t.Helper()
		if db.Name() == "sqlite" {
			chromium.CheckAccessible(t, ctx, page, nil)
		}
	}
	html := func() string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	// 1. From the administration page to the import page.
	if err := chromedp.Do(ctx, chromedp.Navigate(h.Issuer+"/admin"),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), tr.admins["xa-dong-tan"].Username),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), h.Password),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#admin-import`)),
		chromedp.Click(chromedp.CSS(`#admin-import`)),
		chromedp.WaitVisible(chromedp.CSS(`input[type="file"]`)),
	); err != nil {
		t.Fatalf("import page: %v (at %s)", err, location())
	}
	page := html()
	for _, want := range []string{"xa-dong-tan", "dossier.receive", "Tiếp nhận hồ sơ", "template.xlsx", "template.csv"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the import page does not show %q", want)
		}
	}
	if strings.Contains(page, "xa-dong-hoa") || strings.Contains(page, "platform.admin") {
		t.Fatal("the import page offers a unit or a role out of the administrator's reach")
	}
	shot("nhap-1-trang-nhap.png")
	axe("the import page")

	// 2. A file with an error: the report names line 4, column don_vi; nothing is created.
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`input[type="file"]`), []string{bad}),
		chromedp.Click(chromedp.CSS(`#import-check`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-errors`)),
	); err != nil {
		t.Fatalf("dry run of the file with an error: %v (at %s)", err, location())
	}
	row, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#import-errors tbody tr`)))
	if err != nil || !strings.Contains(row, "4") || !strings.Contains(row, "don_vi") || !strings.Contains(row, "xa-dong-hoa") {
		t.Fatalf("the error row: %q %v", row, err)
	}
	if n := countUsers(t, db, "lan.pt"); n != 0 {
		t.Fatalf("a dry run created %d accounts", n)
	}
	shot("nhap-2-loi-theo-dong.png")
	axe("the dry run with an error")

	// 3. The fixed file: the accounts to be made, then the commit and the sheet.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#import-again`)),
		chromedp.WaitVisible(chromedp.CSS(`input[type="file"]`)),
		chromedp.SetUploadFiles(chromedp.CSS(`input[type="file"]`), []string{good}),
		chromedp.Click(chromedp.CSS(`#import-check`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-accounts`)),
	); err != nil {
		t.Fatalf("dry run of the fixed file: %v (at %s)", err, location())
	}
	shot("nhap-3-san-sang.png")
	axe("the dry run of a clean file")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#import-commit`)), chromedp.WaitVisible(chromedp.CSS(`section.slip`))); err != nil {
		t.Fatalf("commit: %v (at %s)", err, location())
	}
	passwords, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('section.slip code.secret')).map(e => e.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(passwords) != 3 {
		t.Fatalf("%d slips, want 3", len(passwords))
	}
	for _, p := range passwords {
		if len(p) != 16 {
			t.Fatalf("one-time password %q", p)
		}
	}
	if n := countUsers(t, db, "nga.tt"); n != 1 {
		t.Fatalf("nga.tt: %d accounts", n)
	}
	shot("nhap-4-phieu-in.png")
	axe("the sheet of one-time passwords")

	// 4. Nowhere again: the accounts list and the import page do not hold them.
	for _, u := range []string{h.Issuer + "/admin", h.Issuer + "/admin/import", h.Issuer + "/admin/accounts/nga.tt"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
			t.Fatal(err)
		}
		page := html()
		for _, p := range passwords {
			if strings.Contains(page, p) {
				t.Fatalf("%s shows a one-time password again", u)
			}
		}
	}
}
