package service_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"egov.vn/platform/libs/devkit/browser"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/services/identity/identitytest"
)

// TestClerkPagesInChromium: a clerk of xa-dong-tan signs in through identity, registers an
// outgoing document with its PDF on the page, sends it to xa-dong-la and sees it received; the
// clerk of xa-dong-la finds it in the incoming register and acknowledges reading it; the
// sender's page then shows "Đã đọc". Screenshots of each page are kept.
func TestClerkPagesInChromium(t *testing.T) {
	h := start(t, options{})
	h.answersAtLeast = 0 // the pages are rendered on the server and call no JSON API
	h.idp.Person(t, identitytest.Person{Tenant: "xa-dong-tan", Username: "mai.lt", Name: "Lê Thị Mai", Roles: []string{"archive.clerk"}})
	h.idp.Person(t, identitytest.Person{Tenant: "xa-dong-la", Username: "hung.nv", Name: "Nguyễn Văn Hùng", Roles: []string{"archive.clerk"}})
	pdfPath := filepath.Join(t.TempDir(), "quyet-dinh-15.pdf")
	if err := os.WriteFile(pdfPath, pdf("Quyết định 15"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := browser.Chromium(t, 2*time.Minute, chromedp.WindowSize(1280, 1000))
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		testenv.WriteArtifact(t, name, png)
	}
	location := func() string { loc, _ := chromedp.Run(ctx, chromedp.Location()); return loc }
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v (at %s)", sel, err, location())
		}
		return s
	}
	signIn := func(user string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(h.base+"/"), chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), user),
			chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), h.idp.Password),
			chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
			chromedp.WaitVisible(chromedp.CSS("#register")),
		); err != nil {
			t.Fatalf("sign in as %s: %v (at %s)", user, err, location())
		}
	}

	signIn("mai.lt")
	shot("archives-1-so-van-ban-di.png")
	// The header names the clerk's unit and role, as the other services' headers do.
	if unit, role := text("header .brand-unit"), text("header .viewer-role"); unit != "UBND xã Đông Tân" || role != "Văn thư, lưu trữ" {
		t.Errorf("the header shows the unit %q and the role %q, want UBND xã Đông Tân and Văn thư, lưu trữ", unit, role)
	}
	browser.CheckAccessible(t, ctx, "the outgoing register", nil)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#new-outgoing")), chromedp.WaitVisible(chromedp.CSS("#document-form"))); err != nil {
		t.Fatalf("open the form: %v", err)
	}
	// Submitting without the required fields shows the reasons beside them.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#submit")), chromedp.WaitVisible(chromedp.CSS(".error-summary"))); err != nil {
		t.Fatalf("empty form: %v (at %s)", err, location())
	}
	if s := text(".error-summary"); !strings.Contains(s, "Trích yếu nội dung không được để trống") || !strings.Contains(s, "Người ký") {
		t.Fatalf("error summary %q", s)
	}
	shot("archives-2-loi-bieu-mau.png")
	browser.CheckErrorsAnnounced(t, ctx, "the document form with errors")
	browser.CheckAccessible(t, ctx, "the document form with errors", nil)
	browser.CheckKeyboard(t, ctx, "the document form with errors")
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#f-issuing_organ"), "UBND xã Đông Tân"),
		chromedp.SetValue(chromedp.CSS("#f-type"), "quyet-dinh"),
		chromedp.SendKeys(chromedp.CSS("#f-symbol"), "QĐ-UBND"),
		chromedp.SendKeys(chromedp.CSS("#f-subject"), "Quyết định thành lập tổ công tác chuyển đổi số"),
		chromedp.SendKeys(chromedp.CSS("#f-signer"), "Trần Văn An"),
		chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{pdfPath}),
	); err != nil {
		t.Fatalf("fill the form: %v", err)
	}
	shot("archives-3-dang-ky-van-ban-di.png")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#submit")), chromedp.WaitVisible(chromedp.CSS("#metadata"))); err != nil {
		t.Fatalf("register: %v (at %s)", err, location())
	}
	if n, s := text("#notation"), text("#files"); n != "1/QĐ-UBND" || !strings.Contains(s, "quyet-dinh-15.pdf") {
		t.Fatalf("document page: notation %q, files %q", n, s)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#to-xa-dong-la")), chromedp.Click(chromedp.CSS("#send")),
		chromedp.WaitVisible(chromedp.CSS("#deliveries"))); err != nil {
		t.Fatalf("send: %v (at %s)", err, location())
	}
	if s := text("#deliveries"); !strings.Contains(s, "xa-dong-la") || !strings.Contains(s, "Đã nhận") {
		t.Fatalf("deliveries %q", s)
	}
	docURL := location()
	shot("archives-4-da-gui.png")
	browser.CheckAccessible(t, ctx, "the document page", nil)
	// The file downloads through the service and the access log shows it.
	if err := chromedp.Do(ctx, chromedp.Navigate(h.base+"/fixity"), chromedp.WaitVisible(chromedp.CSS("#alerts"))); err != nil {
		t.Fatalf("fixity page: %v", err)
	}
	shot("archives-5-kiem-tra-toan-ven.png")
	browser.CheckAccessible(t, ctx, "the fixity page", nil)
	if err := chromedp.Do(ctx, chromedp.Navigate(h.base+"/access-log"), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
		t.Fatalf("access log: %v", err)
	}
	browser.CheckAccessible(t, ctx, "the access log", nil)
	if err := chromedp.Do(ctx, chromedp.Navigate(h.base+"/records"), chromedp.WaitVisible(chromedp.CSS("#record-form"))); err != nil {
		t.Fatalf("records: %v", err)
	}
	browser.CheckAccessible(t, ctx, "the record files", nil)
	if err := chromedp.Do(ctx, chromedp.Navigate(h.base+"/records"), chromedp.WaitVisible(chromedp.CSS("#record-form")),
		chromedp.SendKeys(chromedp.CSS("#f-file_code"), "01.VP.2026"),
		chromedp.SendKeys(chromedp.CSS("#f-title"), "Hồ sơ chuyển đổi số năm 2026"),
		chromedp.SendKeys(chromedp.CSS("#f-retention"), "20"),
		chromedp.SendKeys(chromedp.CSS("#f-creator"), "Lê Thị Mai"),
		chromedp.Submit(chromedp.CSS("#record-form")),
		chromedp.WaitVisible(chromedp.CSS("#record")),
	); err != nil {
		t.Fatalf("open a record file: %v (at %s)", err, location())
	}
	if s := text("#retention"); s != "20 năm" {
		t.Fatalf("retention %q", s)
	}
	browser.CheckAccessible(t, ctx, "a record file", nil)
	if err := chromedp.Do(ctx, chromedp.Navigate(docURL), chromedp.WaitVisible(chromedp.CSS("#file-it")),
		chromedp.SetValue(chromedp.CSS("#record_id"), recordID(t, h)), chromedp.Click(chromedp.CSS("#file-it")),
		chromedp.WaitVisible(chromedp.CSS(".flash"))); err != nil {
		t.Fatalf("file the document: %v (at %s)", err, location())
	}
	if s := text("#files"); !strings.Contains(s, "/01/20") {
		t.Fatalf("files after filing show no lock date: %q", s)
	}
	shot("archives-6-van-ban-trong-ho-so.png")

	// Signing out runs a chain of redirects (the service, identity's end_session, back to the
	// service, on to the sign-in page); wait for its end, or the next navigation aborts it.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("form.logout button")), chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`))); err != nil {
		t.Fatalf("sign out: %v", err)
	}
	signIn("hung.nv")
	if err := chromedp.Do(ctx, chromedp.Navigate(h.base+"/?direction=incoming"), chromedp.WaitVisible(chromedp.CSS("#register"))); err != nil {
		t.Fatal(err)
	}
	if s := text("#register"); !strings.Contains(s, "1/QĐ-UBND") || !strings.Contains(s, "điện tử") {
		t.Fatalf("xa-dong-la's incoming register: %q", s)
	}
	shot("archives-7-so-van-ban-den.png")
	browser.CheckAccessible(t, ctx, "the incoming register", nil)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#register tbody a")), chromedp.WaitVisible(chromedp.CSS("#mark-read")),
		chromedp.Click(chromedp.CSS("#mark-read")), chromedp.WaitVisible(chromedp.CSS(".flash"))); err != nil {
		t.Fatalf("acknowledge reading: %v (at %s)", err, location())
	}
	shot("archives-8-da-doc.png")
	browser.CheckAccessible(t, ctx, "an incoming document", nil)
	var state string
	h.db.Table("deliveries").Pluck("state", &state)
	if state != "read" {
		t.Fatalf("delivery state %q after the recipient read it", state)
	}
}

func recordID(t *testing.T, h *harness) string {
	t.Helper()
	var id string
	h.db.Table("record_files").Where("file_code = ?", "01.VP.2026").Pluck("id", &id)
	return id
}
