package pages_test

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/web"
	"egov.vn/platform/libs/web/webtest"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
	"egov.vn/platform/services/identity/internal/ports/pages"
)

var secretRE = regexp.MustCompile(`<code class="secret" translate="no">([A-Z2-7 ]+)</code>`)

// wrongCode is a well-formed code that is not code.
func wrongCode(code string) string {
	b := []byte(code)
	b[0] = '0' + (b[0]-'0'+5)%10
	return string(b)
}

func TestTOTPEnrolmentAndSignIn(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db, worldOpts{})
		u, _ := w.user("hoa.nt", password)
		b := w.browser()
		b.signIn("hoa.nt", password)

		// Set-up on the account page: begin, scan (or type) the secret, confirm with a code.
		mustContain(t, b.get("/auth/account").body, `action="/auth/account/totp/begin"`, "Bật xác thực hai bước")
		wantRedirect(t, b.submit("/auth/account", "/auth/account/totp/begin", nil), "/auth/account#totp")
		page := b.get("/auth/account")
		mustContain(t, page.body,
			`<img class="qr-code" src="/auth/account/totp/qr.png" width="240" height="240" alt="Mã QR`,
			`inputmode="numeric" pattern="[0-9]{6}"`, `autocomplete="one-time-code"`,
		)
		m := secretRE.FindStringSubmatch(page.body)
		if m == nil {
			t.Fatalf("no secret on the page:\n%s", page.body)
		}
		if groups := strings.Fields(m[1]); len(groups) < 4 || len(groups[0]) != 4 {
			t.Errorf("secret %q is not grouped in fours", m[1])
		}
		secret := strings.ReplaceAll(m[1], " ", "")

		qr := b.get("/auth/account/totp/qr.png")
		wantStatus(t, qr, http.StatusOK)
		if qr.header.Get("Content-Type") != "image/png" || qr.header.Get("Cache-Control") != "no-store" {
			t.Errorf("QR headers %v", qr.header)
		}
		img, err := png.Decode(bytes.NewReader([]byte(qr.body)))
		if err != nil || img.Bounds().Dx() != 240 || img.Bounds().Dy() != 240 {
			t.Errorf("QR code is not a 240×240 PNG (%v)", err)
		}

		r := b.submit("/auth/account", "/auth/account/totp/confirm", url.Values{"totp_code": {wrongCode(w.code(secret))}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		mustContain(t, r.body, `id="f-totp_code-error"`, "Mã chưa đúng", `aria-describedby="f-totp_code-hint f-totp_code-error" aria-invalid="true"`)
		r = b.submit("/auth/account", "/auth/account/totp/confirm", url.Values{"totp_code": {"12a"}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		mustContain(t, r.body, "Nhập mã gồm 6 chữ số")

		first := w.code(secret)
		r = b.submit("/auth/account", "/auth/account/totp/confirm", url.Values{"totp_code": {first[:3] + " " + first[3:]}})
		wantRedirect(t, r, "/auth/account#totp")
		page = b.get("/auth/account")
		mustContain(t, page.body, "Đã bật xác thực hai bước.", "Đang bật.", `action="/auth/account/totp/disable"`)
		mustNotContain(t, page.body, `class="secret"`)
		wantStatus(t, b.get("/auth/account/totp/qr.png"), http.StatusNotFound) // no secret on show once on

		// Sign in again: password, then the code. The code used to confirm is spent.
		wantStatus(t, b.submit("/auth/logout", "/auth/logout", nil), http.StatusOK)
		r = b.submit("/auth/login?next=/auth/account", "/auth/login", url.Values{
			"username": {"hoa.nt"}, "password": {password}, "next": {"/auth/account"}})
		wantRedirect(t, r, "/auth/login/totp")
		if b.cookie(pages.SSOCookie) != nil {
			t.Fatal("a session was opened before the second factor")
		}
		page = b.get("/auth/login/totp")
		wantStatus(t, page, http.StatusOK)
		mustContain(t, page.body, `<h1>Xác thực hai bước</h1>`, `<label for="f-code">Mã xác thực</label>`,
			`inputmode="numeric" pattern="[0-9]{6}"`, `autocomplete="one-time-code"`, `aria-describedby="f-code-hint"`)

		r = b.submit("/auth/login/totp", "/auth/login/totp", url.Values{"code": {first}})
		wantStatus(t, r, http.StatusUnauthorized)
		mustContain(t, r.body, "Mã xác thực không đúng hoặc đã được dùng", `aria-invalid="true"`)

		w.clock.Advance(30 * time.Second)
		r = b.submit("/auth/login/totp", "/auth/login/totp", url.Values{"code": {w.code(secret)}})
		wantRedirect(t, r, "/auth/account")
		sessions := w.activeSessions(u.ID)
		if len(sessions) != 1 || !slices.Equal(sessions[0].AMR, []string{"pwd", "otp"}) {
			t.Fatalf("sessions %+v, want one with amr pwd+otp", sessions)
		}
		wantRedirect(t, w.browser().get("/auth/login/totp"), "/auth/login") // the state went with the sign-in

		// A one-time password on an account with a second factor: the code first, then the new password.
		oneTime, err := w.app.ResetPassword(context.Background(), "admin", "hoa.nt")
		if err != nil {
			t.Fatal(err)
		}
		desk := w.browser()
		r = desk.submit("/auth/login", "/auth/login", url.Values{"username": {"hoa.nt"}, "password": {oneTime}})
		wantRedirect(t, r, "/auth/login/totp")
		wantRedirect(t, desk.get("/auth/login/new-password"), "/auth/login/totp")
		w.clock.Advance(30 * time.Second)
		r = desk.submit("/auth/login/totp", "/auth/login/totp", url.Values{"code": {w.code(secret)}})
		wantRedirect(t, r, "/auth/login/new-password")
		r = desk.submit("/auth/login/new-password", "/auth/login/new-password", url.Values{
			"new_password": {"Lúa chín vàng đồng 2027"}, "confirm_password": {"Lúa chín vàng đồng 2027"}})
		wantRedirect(t, r, "/auth/account")

		// Turning it off needs the password.
		r = desk.submit("/auth/account", "/auth/account/totp/disable", url.Values{"disable_password": {"sai-mat-khau-1"}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		mustContain(t, r.body, "Mật khẩu không đúng")
		r = desk.submit("/auth/account", "/auth/account/totp/disable", url.Values{"disable_password": {"Lúa chín vàng đồng 2027"}})
		wantRedirect(t, r, "/auth/account#totp")
		mustContain(t, desk.get("/auth/account").body, "Đã tắt xác thực hai bước.", "Bật xác thực hai bước")
	})
}

func TestChangePasswordOnTheAccountPage(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storetest.SQLite(t), worldOpts{})
	w.user("hoa.nt", password)
	b := w.browser()
	b.signIn("hoa.nt", password)

	const next = "Sông Hồng chảy ra biển 99"
	for _, c := range []struct {
		values url.Values
		want   string
	}{
		{url.Values{"current_password": {"sai-mat-khau-1"}, "new_password": {next}, "confirm_password": {next}}, "Mật khẩu hiện tại không đúng"},
		{url.Values{"current_password": {password}, "new_password": {password}, "confirm_password": {password}}, "Mật khẩu mới phải khác mật khẩu hiện tại"},
		{url.Values{"current_password": {password}, "new_password": {"ngan"}, "confirm_password": {"ngan"}}, "Mật khẩu mới phải có ít nhất 10 ký tự"},
		{url.Values{"current_password": {""}, "new_password": {next}, "confirm_password": {next}}, "Nhập mật khẩu hiện tại"},
	} {
		r := b.submit("/auth/account", "/auth/account/password", c.values)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		mustContain(t, r.body, c.want, `<h2 id="error-summary-title">`)
		mustNotContain(t, r.body, `value="`+next+`"`, `value="`+password+`"`)
	}
	r := b.submit("/auth/account", "/auth/account/password", url.Values{
		"current_password": {password}, "new_password": {next}, "confirm_password": {next}})
	wantRedirect(t, r, "/auth/account")
	mustContain(t, b.get("/auth/account").body, "Đã đổi mật khẩu.")
	w.browser().signIn("hoa.nt", next)
}

func TestEnglishOnRequest(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storetest.SQLite(t), worldOpts{})
	w.user("hoa.nt", password)
	b := w.browser()

	r := b.get("/auth/login?lang=en")
	wantStatus(t, r, http.StatusOK)
	webtest.EnglishPage(t, "/auth/login?lang=en", r.body)
	mustContain(t, r.body, `<html lang="en">`, `<h1>Sign in</h1>`, `<label for="f-username">Username`,
		`<label for="f-password">Password`, `hreflang="vi" lang="vi">Tiếng Việt</a>`, `href="/auth/login?lang=vi&amp;next=%2Fauth%2Faccount" hreflang="vi"`)
	if ck := setCookieHeader(r.header, web.LangCookie); !strings.Contains(ck, "egov_lang=en") || !strings.Contains(ck, "Path=/;") {
		t.Errorf("language cookie %q", ck)
	}
	// Remembered without the parameter, through a failed sign-in and onto the account page.
	mustContain(t, b.get("/auth/login").body, `<html lang="en">`)
	r = b.submit("/auth/login", "/auth/login", url.Values{"username": {"hoa.nt"}, "password": {"wrong-password-1"}})
	wantStatus(t, r, http.StatusUnauthorized)
	mustContain(t, r.body, "The username or password is wrong, or the account cannot be used.", `href="/auth/login?lang=vi&amp;next=%2Fauth%2Faccount" hreflang="vi"`)
	b.signIn("hoa.nt", password)
	r = b.get("/auth/account")
	mustContain(t, r.body, `<h1>My account</h1>`, "Receives dossiers at the one-stop-shop desk", "This session",
		"Turn on two-step verification")

	// And back.
	mustContain(t, b.get("/auth/account?lang=vi").body, `<html lang="vi">`, `<h1>Tài khoản của tôi</h1>`)

	// Without a choice the page is Vietnamese, whatever the browser's language.
	for header, want := range map[string]string{
		"en-US,en;q=0.9":        `<html lang="vi">`,
		"fr-FR, en;q=0.5":       `<html lang="vi">`,
		"en, vi":                `<html lang="vi">`,
		"vi-VN,vi;q=0.9,en;q=1": `<html lang="vi">`,
		"":                      `<html lang="vi">`,
	} {
		fresh := w.browser()
		fresh.language = header
		mustContain(t, fresh.get("/auth/login").body, want)
	}
}

func TestOIDCRequestAndSingleSignOn(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db, worldOpts{})
		ctx := context.Background()
		u, _ := w.user("hoa.nt", password)
		if _, _, _, err := w.app.EnsureClient(ctx, "test", app.ClientInput{ClientID: "dossiers", Name: "Một cửa",
			Type: domain.ClientConfidential, RedirectURIs: []string{"http://localhost:8081/dossiers/callback"},
			BackchannelLogoutURI: "http://localhost:8081/dossiers/backchannel-logout",
			GrantTypes:           []string{domain.GrantAuthorizationCode, domain.GrantRefreshToken}}); err != nil {
			t.Fatal(err)
		}
		newRequest := func(edit func(*domain.AuthRequest)) string {
			t.Helper()
			a := domain.AuthRequest{ClientID: "dossiers", RedirectURI: "http://localhost:8081/dossiers/callback",
				Scopes: []string{"openid", "profile"}, ResponseType: "code", State: "s", Nonce: "n"}
			if edit != nil {
				edit(&a)
			}
			a, err := w.app.NewAuthRequest(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			return a.ID
		}
		callback := func(id string) string { return "/auth/authorize/callback?id=" + id }
		done := func(id string) domain.AuthRequest {
			t.Helper()
			a, err := w.app.AuthRequest(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}

		// First service: the form, with the service's name, then back to the provider.
		b := w.browser()
		first := newRequest(func(a *domain.AuthRequest) { a.LoginHint = "hoa.nt" })
		page := b.get("/auth/login?authRequestID=" + first)
		wantStatus(t, page, http.StatusOK)
		mustContain(t, page.body, `Đăng nhập để tiếp tục đến Một cửa.`,
			`<input type="hidden" name="authRequestID" value="`+first+`">`, `value="hoa.nt"`)
		r := b.submit("/auth/login?authRequestID="+first, "/auth/login", url.Values{
			"authRequestID": {first}, "username": {"hoa.nt"}, "password": {password}})
		wantRedirect(t, r, callback(first))
		a := done(first)
		if !a.Done || a.UserID != u.ID || a.SessionID == "" || !slices.Equal(a.AMR, []string{"pwd"}) {
			t.Fatalf("request after sign-in: %+v", a)
		}

		// Second service, same browser: single sign-on, no form.
		second := newRequest(nil)
		wantRedirect(t, b.get("/auth/login?authRequestID="+second), callback(second))
		if s := done(second); !s.Done || s.SessionID != a.SessionID {
			t.Errorf("SSO request: %+v, want done in session %s", s, a.SessionID)
		}
		// A reload after it was answered goes on to the provider again.
		wantRedirect(t, b.get("/auth/login?authRequestID="+second), callback(second))

		// prompt=login and an exceeded max_age ask for the password again.
		login := newRequest(func(a *domain.AuthRequest) { a.Prompt = []string{"login"} })
		wantStatus(t, b.get("/auth/login?authRequestID="+login), http.StatusOK)
		zero := int64(0)
		fresh := newRequest(func(a *domain.AuthRequest) { a.MaxAgeSeconds = &zero })
		w.clock.Advance(time.Second)
		wantStatus(t, b.get("/auth/login?authRequestID="+fresh), http.StatusOK)
		hour := int64(3600)
		recent := newRequest(func(a *domain.AuthRequest) { a.MaxAgeSeconds = &hour })
		wantRedirect(t, b.get("/auth/login?authRequestID="+recent), callback(recent))

		// prompt=none without a session: straight back, unanswered (the provider says login_required).
		other := w.browser()
		silent := newRequest(func(a *domain.AuthRequest) { a.Prompt = []string{"none"} })
		wantRedirect(t, other.get("/auth/login?authRequestID="+silent), callback(silent))
		if done(silent).Done {
			t.Error("prompt=none without a session completed the request")
		}
		// ui_locales from the service picks the language.
		english := newRequest(func(a *domain.AuthRequest) { a.UILocales = []string{"en-GB", "vi"} })
		mustContain(t, other.get("/auth/login?authRequestID="+english).body, `<html lang="en">`, "Sign in to continue to Một cửa.")

		// An unknown or expired request: a page saying to start again from the service.
		r = other.get("/auth/login?authRequestID=00000000-0000-0000-0000-000000000000")
		wantStatus(t, r, http.StatusBadRequest)
		mustContain(t, r.body, "Không thể tiếp tục đăng nhập", "quay lại dịch vụ bạn đang dùng")
		r = other.submit("/auth/login", "/auth/login", url.Values{"authRequestID": {"nope"}, "username": {"hoa.nt"}, "password": {password}})
		wantStatus(t, r, http.StatusBadRequest)
		if other.cookie(pages.SSOCookie) != nil {
			t.Error("a sign-in for an unknown request opened a session")
		}

		// Signing out tells the service the person used (back-channel logout).
		wantStatus(t, b.submit("/auth/logout", "/auth/logout", nil), http.StatusOK)
		calls := w.logouts.Calls()
		want := logoutCall{ClientID: "dossiers", URI: "http://localhost:8081/dossiers/backchannel-logout", Sub: u.ID, SID: a.SessionID}
		if len(calls) != 1 || calls[0] != want {
			t.Errorf("back-channel logouts %+v, want [%+v]", calls, want)
		}
		if _, _, err := w.pages.SessionFromRequest(requestWithCookies(t, w, b)); err == nil {
			t.Error("SessionFromRequest still finds a session after sign-out")
		}
	})
}

func TestSignInAsAnotherPersonEndsThePreviousSession(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storetest.SQLite(t), worldOpts{})
	hoa, _ := w.user("hoa.nt", password)
	minh, _ := w.user("minh.lv", password)
	desk := w.browser() // one computer at the one-stop-shop desk, two officers in a day
	desk.signIn("hoa.nt", password)
	if _, _, _, err := w.app.EnsureClient(context.Background(), "test", app.ClientInput{ClientID: "dossiers", Name: "Một cửa",
		RedirectURIs: []string{"http://localhost:8081/cb"}, GrantTypes: []string{domain.GrantAuthorizationCode}}); err != nil {
		t.Fatal(err)
	}
	req, err := w.app.NewAuthRequest(context.Background(), domain.AuthRequest{ClientID: "dossiers",
		RedirectURI: "http://localhost:8081/cb", Scopes: []string{"openid"}, ResponseType: "code", Prompt: []string{"login"}})
	if err != nil {
		t.Fatal(err)
	}
	r := desk.submit("/auth/login?authRequestID="+req.ID, "/auth/login", url.Values{
		"authRequestID": {req.ID}, "username": {"minh.lv"}, "password": {password}})
	wantRedirect(t, r, "/auth/authorize/callback?id="+req.ID)
	if n := len(w.activeSessions(hoa.ID)); n != 0 {
		t.Errorf("the previous officer still has %d sessions on the desk's browser", n)
	}
	if n := len(w.activeSessions(minh.ID)); n != 1 {
		t.Errorf("the new officer has %d sessions, want 1", n)
	}
}

func TestUILocalesCarryThroughTheSignInSteps(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storetest.SQLite(t), worldOpts{})
	ctx := context.Background()
	_, oneTime := w.user("lan.pt", "")
	if _, _, _, err := w.app.EnsureClient(ctx, "test", app.ClientInput{ClientID: "hr", Name: "Nhân sự",
		RedirectURIs: []string{"http://localhost:8083/hr/callback"}, GrantTypes: []string{domain.GrantAuthorizationCode}}); err != nil {
		t.Fatal(err)
	}
	a, err := w.app.NewAuthRequest(ctx, domain.AuthRequest{ClientID: "hr", RedirectURI: "http://localhost:8083/hr/callback",
		Scopes: []string{"openid"}, ResponseType: "code", UILocales: []string{"en"}})
	if err != nil {
		t.Fatal(err)
	}
	b := w.browser()
	r := b.submit("/auth/login?authRequestID="+a.ID, "/auth/login", url.Values{
		"authRequestID": {a.ID}, "username": {"lan.pt"}, "password": {"wrong-password-1"}})
	wantStatus(t, r, http.StatusUnauthorized)
	mustContain(t, r.body, `<html lang="en">`, "The username or password is wrong, or the account cannot be used.")
	r = b.submit("/auth/login?authRequestID="+a.ID, "/auth/login", url.Values{
		"authRequestID": {a.ID}, "username": {"lan.pt"}, "password": {oneTime}})
	wantRedirect(t, r, "/auth/login/new-password")
	mustContain(t, b.get("/auth/login/new-password").body, `<html lang="en">`, "<h1>Choose a new password</h1>")
	r = b.submit("/auth/login/new-password", "/auth/login/new-password", url.Values{
		"new_password": {"short1"}, "confirm_password": {"short1"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r.body, "The new password must have at least 10 characters")
	r = b.submit("/auth/login/new-password", "/auth/login/new-password", url.Values{
		"new_password": {password}, "confirm_password": {password}})
	wantRedirect(t, r, "/auth/authorize/callback?id="+a.ID)
}
