package pages_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/ports/pages"
)

func TestSignInSetsSSOCookieAndGoesToNext(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db, worldOpts{})
		u, _ := w.user("hoa.nt", password)
		b := w.browser()

		r := b.get("/auth/login?next=/auth/account")
		wantStatus(t, r, http.StatusOK)
		mustContain(t, r.body,
			`<html lang="vi">`,
			`<h1>Đăng nhập</h1>`,
			`<label for="f-username">Tên đăng nhập`,
			`autocomplete="username"`,
			`<label for="f-password">Mật khẩu`,
			`type="password"`,
			`autocomplete="current-password"`,
			`<input type="hidden" name="next" value="/auth/account">`,
			`hreflang="en" lang="en">English</a>`,
		)
		if got := r.header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("login page Cache-Control %q, want no-store", got)
		}

		// Phones capitalise the first letter of the username; that must not matter.
		r = b.submit("/auth/login?next=/auth/account", "/auth/login", url.Values{
			"username": {"Hoa.nt "}, "password": {password}, "next": {"/auth/account"}})
		wantRedirect(t, r, "/auth/account")
		sso := setCookieHeader(r.header, pages.SSOCookie)
		for _, attr := range []string{"Path=/auth", "Max-Age=36000", "HttpOnly", "SameSite=Lax"} {
			if !strings.Contains(sso, attr) {
				t.Errorf("SSO cookie %q lacks %s", sso, attr)
			}
		}
		if strings.Contains(sso, "Secure") {
			t.Errorf("SSO cookie %q is Secure although InsecureHTTP is set", sso)
		}

		r = b.get("/auth/account")
		wantStatus(t, r, http.StatusOK)
		mustContain(t, r.body,
			`<h1>Tài khoản của tôi</h1>`,
			`<span class="viewer-name">Nguyễn Thị Hoa</span>`,
			`<dd>hoa.nt</dd>`,
			`<dd>`+tenantName+`</dd>`,
			`Tiếp nhận hồ sơ tại bộ phận một cửa <span class="muted">(dossier.receive)</span>`,
			`Xem báo cáo, chỉ số cải cách hành chính`,
			`Bật xác thực hai bước`,
			`<span class="tag tag-ok">Phiên này</span>`,
			`<form class="logout" method="post" action="/auth/logout">`,
		)
		if got := r.header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("account page Cache-Control %q, want no-store", got)
		}
		sessions := w.activeSessions(u.ID)
		if len(sessions) != 1 || strings.Join(sessions[0].AMR, " ") != "pwd" || sessions[0].Address != "127.0.0.1" {
			t.Fatalf("sessions %+v, want one with amr pwd from 127.0.0.1", sessions)
		}

		// The OIDC part reads the same cookie.
		req := requestWithCookies(t, w, b)
		sess, user, err := w.pages.SessionFromRequest(req)
		if err != nil || sess.ID != sessions[0].ID || user.ID != u.ID {
			t.Errorf("SessionFromRequest = %s, %s, %v", sess.ID, user.ID, err)
		}

		// Signed in already: the sign-in page sends on at once.
		wantRedirect(t, b.get("/auth/login?next=/auth/account%3Ftab%3D1"), "/auth/account?tab=1")
		// next is kept on identity's own pages.
		for _, next := range []string{"https://evil.example/", "//evil.example/x", "/dossiers", "/auth/../dossiers"} {
			wantRedirect(t, b.get("/auth/login?next="+url.QueryEscape(next)), "/auth/account")
		}
	})
}

// requestWithCookies is a request to identity carrying the browser's cookies.
func requestWithCookies(t *testing.T, w *world, b *browser) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, w.srv.URL+"/auth/authorize", nil)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(w.srv.URL + "/auth/")
	for _, c := range b.client.Jar.Cookies(u) {
		req.AddCookie(c)
	}
	return req
}

func TestCookiesAreSecureOverHTTPS(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storetest.SQLite(t), worldOpts{tls: true})
	w.user("hoa.nt", password)
	b := w.browser()
	r := b.submit("/auth/login?lang=vi", "/auth/login", url.Values{"username": {"hoa.nt"}, "password": {password}})
	wantRedirect(t, r, "/auth/account")
	sso := setCookieHeader(r.header, pages.SSOCookie)
	for _, attr := range []string{"Secure", "HttpOnly", "SameSite=Lax", "Path=/auth"} {
		if !strings.Contains(sso, attr) {
			t.Errorf("SSO cookie %q lacks %s", sso, attr)
		}
	}
	wantStatus(t, b.get("/auth/account"), http.StatusOK)
}

func TestWrongPasswordAndUnknownUserGetTheSameAnswer(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db, worldOpts{})
		w.user("hoa.nt", password)
		b := w.browser()

		alert := `<div class="flash flash-error" role="alert"><strong>Lỗi:</strong> Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản không dùng được.`
		wrong := b.submit("/auth/login", "/auth/login", url.Values{"username": {"hoa.nt"}, "password": {"sai-mat-khau-123"}})
		wantStatus(t, wrong, http.StatusUnauthorized)
		mustContain(t, wrong.body, alert, `value="hoa.nt"`)
		mustNotContain(t, wrong.body, "sai-mat-khau-123") // a password is never sent back

		unknown := b.submit("/auth/login", "/auth/login", url.Values{"username": {"khong.co.ai"}, "password": {"sai-mat-khau-123"}})
		wantStatus(t, unknown, http.StatusUnauthorized)
		mustContain(t, unknown.body, alert)
		if b.cookie(pages.SSOCookie) != nil {
			t.Error("a failed sign-in set the SSO cookie")
		}

		empty := b.submit("/auth/login", "/auth/login", url.Values{"username": {""}, "password": {""}})
		wantStatus(t, empty, http.StatusUnprocessableEntity)
		mustContain(t, empty.body,
			`<div class="error-summary" role="alert"`,
			`<p class="field-error" id="f-username-error"><span class="visually-hidden">Lỗi: </span>Nhập tên đăng nhập</p>`,
			`id="f-username" name="username" required aria-describedby="f-username-error" aria-invalid="true"`,
			`Nhập mật khẩu</p>`,
		)
	})
}

// A known and an unknown name answer the same at every count (status, message, Retry-After); the
// lock has an honest end that refused attempts do not move, and when it ends the right password
// works (issue 18, findings 2 and 3).
func TestLockoutAfterFiveFailures(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storetest.SQLite(t), worldOpts{})
	w.user("hoa.nt", password)
	lockout := app.DefaultConfig().UserLockout
	known, unknown := w.browser(), w.browser()
	try := func(b *browser, username, pw string) response {
		t.Helper()
		return b.submit("/auth/login", "/auth/login", url.Values{"username": {username}, "password": {pw}})
	}
	for i := range 5 {
		pw := "doan-mo-" + string(rune('a'+i)) + "123"
		k, u := try(known, "hoa.nt", pw), try(unknown, "khong.co.ai", pw)
		wantStatus(t, k, http.StatusUnauthorized)
		wantStatus(t, u, http.StatusUnauthorized)
		if k.header.Get("Retry-After") != "" || u.header.Get("Retry-After") != "" {
			t.Fatalf("attempt %d: Retry-After %q and %q before any lock", i+1, k.header.Get("Retry-After"), u.header.Get("Retry-After"))
		}
	}
	// Locked: even the right password is refused, and the page says until when, in Vietnam time.
	until := web.FormatDateTime(w.clock.Now().Add(lockout))
	msg := "Tên đăng nhập này tạm thời không đăng nhập được vì đã nhập sai nhiều lần. Vui lòng thử lại sau " + until
	for _, r := range []response{try(known, "hoa.nt", password), try(unknown, "khong.co.ai", password)} {
		wantStatus(t, r, http.StatusTooManyRequests)
		mustContain(t, r.body, msg, "liên hệ quản trị viên của đơn vị")
		wantRetryAfter(t, r, lockout)
	}
	if known.cookie(pages.SSOCookie) != nil {
		t.Error("a locked account got a session")
	}

	// Ten minutes on, the lock still ends when it said: Retry-After is the time left.
	w.clock.Advance(10 * time.Minute)
	r := try(known, "hoa.nt", password)
	wantStatus(t, r, http.StatusTooManyRequests)
	mustContain(t, r.body, msg)
	wantRetryAfter(t, r, lockout-10*time.Minute)

	// After the lockout the right password works again.
	w.clock.Advance(lockout - 10*time.Minute)
	known.signIn("hoa.nt", password)
}

// wantRetryAfter checks that Retry-After is the time left, in whole seconds rounded up: never
// sooner than the lock ends, and at most a second later (locks are stored to the millisecond).
func wantRetryAfter(t *testing.T, r response, left time.Duration) {
	t.Helper()
	got, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || time.Duration(got)*time.Second < left-time.Millisecond || time.Duration(got)*time.Second > left+time.Second {
		t.Errorf("Retry-After %q, want the %v left", r.header.Get("Retry-After"), left)
	}
}

func TestAddressLockoutSaysItIsTheNetwork(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storetest.SQLite(t), worldOpts{config: func(c *app.Config) { c.MaxAddressAttempts = 3 }})
	b := w.browser()
	for range 3 {
		wantStatus(t, b.submit("/auth/login", "/auth/login", url.Values{"username": {"ai.do"}, "password": {"x1234567890"}}), http.StatusUnauthorized)
	}
	r := b.submit("/auth/login", "/auth/login", url.Values{"username": {"ai.do"}, "password": {"x1234567890"}})
	wantStatus(t, r, http.StatusTooManyRequests)
	mustContain(t, r.body, "Có quá nhiều lần đăng nhập sai từ mạng bạn đang dùng")

	b.get("/auth/login?lang=en") // the person chooses English
	r = b.submit("/auth/login", "/auth/login", url.Values{"username": {"ai.do"}, "password": {"x1234567890"}})
	wantStatus(t, r, http.StatusTooManyRequests)
	mustContain(t, r.body, "Too many failed sign-ins came from the network you are on", "(Vietnam time)")
}

// A disabled account answers as a wrong password does, whatever the password, so the answer
// confirms neither the password nor the name. Attempts on it count; when the administrator enables
// it again the right password works at once, even after it was locked (issue 18, finding 2).
func TestDisabledAccountAnswersAsAWrongPassword(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storetest.SQLite(t), worldOpts{})
	w.user("hoa.nt", password)
	setDisabled := func(v bool) {
		t.Helper()
		if _, err := w.app.UpdateUser(context.Background(), "test", "hoa.nt", app.UserPatch{Disabled: &v}); err != nil {
			t.Fatal(err)
		}
	}
	setDisabled(true)
	b := w.browser()
	alert := "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản không dùng được."
	for _, pw := range []string{password, "sai-mat-khau-123", password, "sai-mat-khau-456", password} {
		r := b.submit("/auth/login", "/auth/login", url.Values{"username": {"hoa.nt"}, "password": {pw}})
		wantStatus(t, r, http.StatusUnauthorized)
		mustContain(t, r.body, alert)
	}
	r := b.submit("/auth/login", "/auth/login", url.Values{"username": {"hoa.nt"}, "password": {password}})
	wantStatus(t, r, http.StatusTooManyRequests)

	setDisabled(false)
	b.signIn("hoa.nt", password)
}

func TestOneTimePasswordMustBeReplaced(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db, worldOpts{})
		u, oneTime := w.user("lan.pt", "")
		b := w.browser()

		r := b.submit("/auth/login", "/auth/login", url.Values{"username": {"lan.pt"}, "password": {oneTime}})
		wantRedirect(t, r, "/auth/login/new-password")
		pending := setCookieHeader(r.header, "egov_login")
		for _, attr := range []string{"Path=/auth/login", "Max-Age=300", "HttpOnly", "SameSite=Lax"} {
			if !strings.Contains(pending, attr) {
				t.Errorf("pending cookie %q lacks %s", pending, attr)
			}
		}
		if b.cookie(pages.SSOCookie) != nil {
			t.Fatal("a one-time password opened a session before it was replaced")
		}
		// The account page is out of reach until the password is replaced.
		wantRedirect(t, b.get("/auth/account"), "/auth/login?next=%2Fauth%2Faccount")

		page := b.get("/auth/login/new-password")
		wantStatus(t, page, http.StatusOK)
		mustContain(t, page.body, `<h1>Đặt mật khẩu mới</h1>`, `autocomplete="new-password"`,
			`value="lan.pt" autocomplete="username" hidden`, `Ít nhất 10 ký tự`)

		for _, c := range []struct{ next, confirm, want string }{
			{"ngan-1", "ngan-1", "Mật khẩu mới phải có ít nhất 10 ký tự"},
			{"matkhau1234", "matkhau1234", "Mật khẩu này quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác"},
			{"lan.pt-2026-mới", "lan.pt-2026-mới", "Mật khẩu mới không được chứa tên đăng nhập"},
			{"aaaaaaaaaaaa", "aaaaaaaaaaaa", "Mật khẩu mới cần có cả chữ và chữ số hoặc ký hiệu"},
			{password, password + "x", "Hai lần nhập mật khẩu mới chưa giống nhau"},
			{"", "", "Nhập mật khẩu mới"},
		} {
			r := b.submit("/auth/login/new-password", "/auth/login/new-password", url.Values{
				"new_password": {c.next}, "confirm_password": {c.confirm}})
			wantStatus(t, r, http.StatusUnprocessableEntity)
			mustContain(t, r.body, c.want, `aria-invalid="true"`, `class="field-error"`)
			if c.next != "" {
				mustNotContain(t, r.body, `value="`+c.next+`"`)
			}
		}

		r = b.submit("/auth/login/new-password", "/auth/login/new-password", url.Values{
			"new_password": {password}, "confirm_password": {password}})
		wantRedirect(t, r, "/auth/account")
		r = b.get("/auth/account")
		wantStatus(t, r, http.StatusOK)
		mustContain(t, r.body, "Đã đặt mật khẩu mới.")
		if got, _ := w.app.User(context.Background(), u.ID); got.MustChangePassword {
			t.Error("the account still must change its password")
		}
		// The sign-in state is gone: the step cannot be replayed.
		wantRedirect(t, w.browser().get("/auth/login/new-password"), "/auth/login")

		// The one-time password is spent; the new one works.
		other := w.browser()
		wantStatus(t, other.submit("/auth/login", "/auth/login", url.Values{"username": {"lan.pt"}, "password": {oneTime}}), http.StatusUnauthorized)
		other.signIn("lan.pt", password)
	})
}

func TestPendingSignInNeedsItsCookie(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storetest.SQLite(t), worldOpts{})
	b := w.browser()
	// No cookie, and then a forged one: both start the sign-in again, with a notice.
	wantRedirect(t, b.get("/auth/login/totp"), "/auth/login")
	mustContain(t, b.get("/auth/login").body, "Phiên đăng nhập đã quá thời gian chờ")
	b.setCookie(&http.Cookie{Name: "egov_login", Value: "eyJ1IjoiYWRtaW4iLCJtIjpbInB3ZCJdfQ", Path: "/auth/login"})
	wantRedirect(t, b.get("/auth/login/totp"), "/auth/login")
	wantRedirect(t, b.get("/auth/login/new-password"), "/auth/login")
	r := b.submit("/auth/login", "/auth/login/totp", url.Values{"code": {"123456"}})
	wantRedirect(t, r, "/auth/login")
}

func TestPostWithoutCSRFTokenIsRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storetest.SQLite(t), worldOpts{})
	u, _ := w.user("hoa.nt", password)
	b := w.browser()
	b.get("/auth/login") // the browser has the token cookie, the attacker's form has no token

	r := b.post("/auth/login", url.Values{"username": {"hoa.nt"}, "password": {password}})
	wantStatus(t, r, http.StatusForbidden)
	if b.cookie(pages.SSOCookie) != nil {
		t.Error("a sign-in without CSRF token set the SSO cookie")
	}

	b.signIn("hoa.nt", password)
	r = b.post("/auth/logout", url.Values{})
	wantStatus(t, r, http.StatusForbidden)
	r = b.post("/auth/account/totp/begin", url.Values{"csrf_token": {"forged"}})
	wantStatus(t, r, http.StatusForbidden)
	if len(w.activeSessions(u.ID)) != 1 {
		t.Error("a cross-site sign-out ended the session")
	}
	if got, _ := w.app.User(context.Background(), u.ID); got.TOTPSecret != "" {
		t.Error("a forged form began a TOTP set-up")
	}
}

func TestAccountNeedsASession(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storetest.SQLite(t), worldOpts{})
	b := w.browser()
	wantRedirect(t, b.get("/auth/account"), "/auth/login?next=%2Fauth%2Faccount")
	wantRedirect(t, b.get("/auth/account/totp/qr.png"), "/auth/login?next=%2Fauth%2Faccount%2Ftotp%2Fqr.png")
	// A form posted after the session ended is not carried out; the person is told why.
	r := b.submit("/auth/login", "/auth/account/password", url.Values{"current_password": {"x"}})
	wantRedirect(t, r, "/auth/login?next=%2Fauth%2Faccount")
	mustContain(t, b.get("/auth/login?next=%2Fauth%2Faccount").body, "Phiên đăng nhập đã kết thúc")
	// A cookie naming no session is as good as none, and is removed.
	b.setCookie(&http.Cookie{Name: pages.SSOCookie, Value: "not-a-session", Path: "/auth"})
	r = b.get("/auth/account")
	wantRedirect(t, r, "/auth/login?next=%2Fauth%2Faccount")
	if b.cookie(pages.SSOCookie) != nil {
		t.Error("a stale SSO cookie was kept")
	}
}

var (
	sessionActionRE = regexp.MustCompile(`action="/auth/account/sessions/([^/"]+)/end"`)
	currentRowRE    = regexp.MustCompile(`(?s)<tr class="current">.*?action="/auth/account/sessions/([^/"]+)/end"`)
)

func TestEndingSessionsFromTheAccountPage(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storetest.SQLite(t), worldOpts{})
	u, _ := w.user("hoa.nt", password)
	other, _ := w.user("minh.lv", password)
	desk, phone, stranger := w.browser(), w.browser(), w.browser()
	desk.signIn("hoa.nt", password)
	phone.signIn("hoa.nt", password)
	stranger.signIn("minh.lv", password)

	page := desk.get("/auth/account")
	wantStatus(t, page, http.StatusOK)
	ids := sessionActionRE.FindAllStringSubmatch(page.body, -1)
	cur := currentRowRE.FindStringSubmatch(page.body)
	if len(ids) != 2 || cur == nil || strings.Count(page.body, "Phiên này</span>") != 1 {
		t.Fatalf("want two sessions, one marked as this one:\n%s", page.body)
	}
	mine := cur[1]
	phoneSID := ids[0][1]
	if phoneSID == mine {
		phoneSID = ids[1][1]
	}

	// Someone else's session cannot be ended from here, nor even confirmed to exist.
	theirs := w.activeSessions(other.ID)[0].ID
	r := desk.submit("/auth/account", "/auth/account/sessions/"+theirs+"/end", nil)
	wantRedirect(t, r, "/auth/account#sessions")
	mustContain(t, desk.get("/auth/account").body, "Không tìm thấy phiên đăng nhập này")
	if len(w.activeSessions(other.ID)) != 1 {
		t.Fatal("another person's session was ended")
	}

	r = desk.submit("/auth/account", "/auth/account/sessions/"+phoneSID+"/end", nil)
	wantRedirect(t, r, "/auth/account#sessions")
	page = desk.get("/auth/account")
	mustContain(t, page.body, "Đã kết thúc phiên đăng nhập.")
	if n := len(sessionActionRE.FindAllString(page.body, -1)); n != 1 {
		t.Errorf("%d sessions listed after ending one, want 1", n)
	}
	wantRedirect(t, phone.get("/auth/account"), "/auth/login?next=%2Fauth%2Faccount")

	// Ending this browser's own session signs it out.
	r = desk.submit("/auth/account", "/auth/account/sessions/"+mine+"/end", nil)
	wantRedirect(t, r, "/auth/login?next=%2Fauth%2Faccount")
	if desk.cookie(pages.SSOCookie) != nil {
		t.Error("ending the current session kept its cookie")
	}
	mustContain(t, desk.get("/auth/login?next=%2Fauth%2Faccount").body, "Đã kết thúc phiên này")
	if s := w.activeSessions(u.ID); len(s) != 0 {
		t.Errorf("%d sessions still active", len(s))
	}
}

func TestLogoutEndsTheSession(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storetest.SQLite(t), worldOpts{})
	u, _ := w.user("hoa.nt", password)
	b := w.browser()
	b.signIn("hoa.nt", password)

	page := b.get("/auth/logout")
	wantStatus(t, page, http.StatusOK)
	mustContain(t, page.body, `<h1>Đăng xuất khỏi tất cả các dịch vụ</h1>`, `hoa.nt`,
		`<form method="post" action="/auth/logout">`)
	if len(w.activeSessions(u.ID)) != 1 {
		t.Fatal("GET /logout signed out")
	}

	r := b.submit("/auth/logout", "/auth/logout", nil)
	wantStatus(t, r, http.StatusOK)
	mustContain(t, r.body, `<h1>Bạn đã đăng xuất</h1>`, `href="/auth/login">Đăng nhập lại</a>`)
	if n := len(w.activeSessions(u.ID)); n != 0 {
		t.Errorf("%d sessions active after sign-out", n)
	}
	if b.cookie(pages.SSOCookie) != nil {
		t.Error("the SSO cookie survived sign-out")
	}
	wantRedirect(t, b.get("/auth/account"), "/auth/login?next=%2Fauth%2Faccount")

	// Signing out again (another tab) just says so.
	r = b.submit("/auth/login", "/auth/logout", nil)
	wantStatus(t, r, http.StatusOK)
	mustContain(t, r.body, "Bạn đã đăng xuất")
}
