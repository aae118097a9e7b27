package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	chromium "egov.vn/platform/libs/devkit/browser"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/identity/internal/app"
)

// TestSignInStepsInChromium walks the whole sign-in of a new account with a second factor: the
// one-time password, the TOTP page, the first-password page (a mismatch first, then a good one).
// Each page is the public layout of the sign-in (no services' menu, no "Đăng nhập" button: the
// person is not signed in yet) and passes axe-core at desktop and 390 px; screenshots of both
// sizes go to the test artifacts.
func TestSignInStepsInChromium(t *testing.T) {
	h := startIdentity(t, storetest.SQLite(t))
	h.seedCommune(t, "hoa.nt", string(platform.RoleDossierReceive))
	ctx := context.Background()
	u, oneTime, _, err := h.ID.App.EnsureUser(ctx, "test", app.UserInput{Tenant: "xa-dong-tan", Username: "lan.pt",
		Name: "Phạm Thị Lan", Roles: []string{string(platform.RoleDossierReceive)}})
	if err != nil || oneTime == "" {
		t.Fatalf("a new account with a one-time password: %q, %v", oneTime, err)
	}
	enrol, err := h.ID.App.BeginTOTP(ctx, u.ID, "Chính quyền điện tử")
	if err != nil {
		t.Fatal(err)
	}
	first, _ := totp.GenerateCode(enrol.Secret, h.Clock.Now().Add(-30*time.Second))
	if err := h.ID.App.ConfirmTOTP(ctx, u.ID, first, ""); err != nil {
		t.Fatal(err)
	}

	s := chromium.NewSession(t, chromium.Chromium(t, 300*time.Second, chromedp.WindowSize(1280, 900)), h.Origin, "dang-nhap-")
	// publicLayout checks what a person who is not signed in sees around the page.
	publicLayout := func(page string) {
		t.Helper()
		if n := chromium.Eval[int](s, `document.querySelectorAll('header .account, header a[href*="/login?next="], nav.site-nav:not(.site-nav-public)').length`); n != 0 {
			t.Errorf("%s shows the staff menu or a sign-in button (%d elements), want the public layout", page, n)
		}
		if !chromium.Eval[bool](s, `document.body.classList.contains('public')`) {
			t.Errorf("%s is not in the public layout", page)
		}
	}
	look := func(page, name string) {
		t.Helper()
		publicLayout(page)
		s.Shot(name)
		s.ShotPhone(name)
		s.Accessible(page)
	}

	// An address identity does not have: the shell's 404 page, with a way back, not a JSON error.
	s.Open("/auth/khong-co-trang-nay", "main h1")
	if h1 := s.Text("main h1"); h1 != "Không tìm thấy trang" {
		t.Errorf("an unknown address at identity shows %q, want the shell's 404 page", h1)
	}
	if n := chromium.Eval[int](s, `document.querySelectorAll('main a.button[href="/auth"]').length`); n != 1 {
		t.Errorf("the 404 page offers no way back to identity's start page")
	}
	s.Shot("khong-tim-thay")
	s.Accessible("the 404 page")

	s.Open("/auth/login", `input[name="username"]`)
	look("the sign-in page", "mat-khau")
	s.Fill(`input[name="username"]`, "lan.pt")
	s.Fill(`input[name="password"]`, oneTime)
	s.Click(`form button[type="submit"]`, `input[name="code"]`)
	if loc := s.Location(); !strings.Contains(loc, "/auth/login/totp") {
		t.Fatalf("after the one-time password: at %s, want the TOTP page", loc)
	}
	look("the TOTP page", "ma-xac-thuc")

	code, _ := totp.GenerateCode(enrol.Secret, h.Clock.Now())
	s.Fill(`input[name="code"]`, code)
	s.Click(`form button[type="submit"]`, `input[name="new_password"]`)
	if loc := s.Location(); !strings.Contains(loc, "/auth/login/new-password") {
		t.Fatalf("after the code: at %s, want the new-password page", loc)
	}
	look("the new-password page", "mat-khau-moi")

	// Two passwords that differ: the page comes back with the error tied to the field.
	s.Fill(`input[name="new_password"]`, "Dong-Tan-mua-lua-2026")
	s.Fill(`input[name="confirm_password"]`, "Dong-Tan-mua-lua-2027")
	s.Click(`form button[type="submit"]`, `[aria-invalid="true"]`)
	look("the new-password page with an error", "mat-khau-moi-loi")
	s.ErrorsAnnounced("the new-password page with an error")

	s.Fill(`input[name="new_password"]`, "Dong-Tan-mua-lua-2026")
	s.Fill(`input[name="confirm_password"]`, "Dong-Tan-mua-lua-2026")
	s.Do("set the new password", chromedp.Click(chromedp.CSS(`form button[type="submit"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`form[action$="/login/new-password"]`)), chromedp.WaitVisible(chromedp.CSS(`main`)))
	if !chromium.Eval[bool](s, `document.querySelector('header .account') !== null`) {
		t.Errorf("signed in at %s, but the header does not show the account", s.Location())
	}
	s.Shot("da-dang-nhap")
}
