package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"golang.org/x/oauth2"
	"gorm.io/gorm"

	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
	"egov.vn/platform/services/identity/internal/service"
)

// Every mistake a caller can make gets a 4xx that says what is wrong.
func TestCallerErrorsGetClear4xx(t *testing.T) {
	h := startIdentity(t, storetest.SQLite(t))
	secret := h.webClient(t, "dossiers", rpRedirect)
	if _, _, _, err := h.ID.App.EnsureClient(context.Background(), "test", app.ClientInput{ClientID: "mobile", Name: "Ứng dụng di động",
		Type: domain.ClientPublic, RedirectURIs: []string{rpRedirect}, GrantTypes: []string{domain.GrantAuthorizationCode}}); err != nil {
		t.Fatal(err)
	}
	noFollow := browser("http")
	authorize := func(q url.Values) *http.Response {
		resp, err := noFollow.Get(h.Issuer + "/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	base := func(client string) url.Values {
		return url.Values{"client_id": {client}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpRedirect}, "state": {"s"}}
	}
	body := func(resp *http.Response) string {
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}

	t.Run("bad redirect URI", func(t *testing.T) {
		q := base("dossiers")
		q.Set("redirect_uri", "https://evil.example/steal")
		resp := authorize(q)
		b := body(resp)
		if resp.StatusCode != http.StatusBadRequest || strings.Contains(resp.Header.Get("Location"), "evil") || !strings.Contains(b, "redirect_uri") {
			t.Fatalf("bad redirect_uri: %d %q %s", resp.StatusCode, resp.Header.Get("Location"), b)
		}
	})
	t.Run("unknown client", func(t *testing.T) {
		resp := authorize(base("no-such-client"))
		if b := body(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, "client") {
			t.Fatalf("unknown client: %d %s", resp.StatusCode, b)
		}
	})
	t.Run("public client without PKCE", func(t *testing.T) {
		resp := authorize(base("mobile"))
		_ = body(resp)
		loc, _ := url.Parse(resp.Header.Get("Location"))
		// The redirect URI is the client's own, so RFC 6749 §4.1.2.1 returns the error there.
		if resp.StatusCode != http.StatusFound || loc.Query().Get("error") != "invalid_request" || !strings.Contains(loc.Query().Get("error_description"), "PKCE") {
			t.Fatalf("missing PKCE: %d %s", resp.StatusCode, loc)
		}
		// plain, named or implied by a missing method, is refused like a missing challenge.
		for _, method := range []string{"plain", ""} {
			q := base("mobile")
			q.Set("code_challenge", oauth2.GenerateVerifier())
			if method != "" {
				q.Set("code_challenge_method", method)
			}
			resp := authorize(q)
			_ = body(resp)
			loc, _ := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != http.StatusFound || loc.Query().Get("error") != "invalid_request" || !strings.Contains(loc.Query().Get("error_description"), "S256") {
				t.Fatalf("PKCE method %q: %d %s", method, resp.StatusCode, loc)
			}
		}
		q := base("mobile")
		q.Set("code_challenge", oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier()))
		q.Set("code_challenge_method", "S256")
		ok := authorize(q)
		_ = body(ok)
		if ok.StatusCode != http.StatusFound || !strings.Contains(ok.Header.Get("Location"), "/login") {
			t.Fatalf("with PKCE the public client goes to sign-in: %d %s", ok.StatusCode, ok.Header.Get("Location"))
		}
	})

	token := func(form url.Values, basic bool, raw []byte) (*http.Response, map[string]any) {
		var r io.Reader = strings.NewReader(form.Encode())
		if raw != nil {
			r = bytes.NewReader(raw)
		}
		req, _ := http.NewRequest(http.MethodPost, h.Issuer+"/oauth/token", r)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if basic {
			req.SetBasicAuth("dossiers", secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp, out
	}
	t.Run("malformed token request", func(t *testing.T) {
		resp, out := token(url.Values{"grant_type": {"authorization_code"}}, true, nil)
		if resp.StatusCode != http.StatusBadRequest || out["error"] != "invalid_request" {
			t.Fatalf("code grant without code: %d %v", resp.StatusCode, out)
		}
		resp, out = token(url.Values{"grant_type": {"password"}, "username": {"a"}, "password": {"b"}}, true, nil)
		if resp.StatusCode != http.StatusBadRequest || out["error"] != "unsupported_grant_type" {
			t.Fatalf("password grant: %d %v", resp.StatusCode, out)
		}
		resp, out = token(url.Values{"grant_type": {"authorization_code"}, "code": {"forged"}, "redirect_uri": {rpRedirect}}, true, nil)
		if resp.StatusCode != http.StatusBadRequest || out["error"] != "invalid_grant" {
			t.Fatalf("forged code: %d %v", resp.StatusCode, out)
		}
	})
	t.Run("wrong client secret", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, h.Issuer+"/oauth/token", strings.NewReader("grant_type=client_credentials"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(h.Operator.ID, "wrong-secret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b := body(resp)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(b, "invalid_client") {
			t.Fatalf("wrong secret: %d %s", resp.StatusCode, b)
		}
	})
	t.Run("too large body", func(t *testing.T) {
		big := append([]byte("grant_type=client_credentials&x="), bytes.Repeat([]byte("a"), 3<<20)...)
		resp, _ := token(nil, true, big)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("3 MiB token request: %d, want 413", resp.StatusCode)
		}
	})
}

// loginForm is the sign-in form of a fresh browser, ready to post with a username and password.
type loginForm struct {
	h      *harness
	c      *http.Client
	action string
	form   url.Values
}

func newLoginForm(t *testing.T, h *harness) *loginForm {
	t.Helper()
	c := browser("")
	resp, err := c.Get(h.Issuer + "/login?next=/auth/account")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	action, form := formFields(t, resp.Body, "/login")
	return &loginForm{h: h, c: c, action: action, form: form}
}

// signInAnswer is what a sign-in attempt got: the status (200 once signed in and on the account
// page), Retry-After and the page.
type signInAnswer struct {
	status     int
	retryAfter string
	body       string
}

func (f *loginForm) post(t *testing.T, username, password string) signInAnswer {
	t.Helper()
	form := url.Values{}
	for k, v := range f.form {
		form[k] = v
	}
	form.Set("username", username)
	form.Set("password", password)
	resp, err := f.c.PostForm(f.h.Origin+f.action, form)
	if err != nil {
		t.Error(err)
		return signInAnswer{}
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	return signInAnswer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), body: string(body)}
}

// wantSignedIn checks that the right password now works, from a browser of its own.
func wantSignedIn(t *testing.T, h *harness, username, why string) {
	t.Helper()
	if a := newLoginForm(t, h).post(t, username, h.Password); a.status != http.StatusOK || !strings.Contains(a.body, "<dd>"+username+"</dd>") {
		t.Fatalf("%s: the right password got %d, Retry-After %q; want signed in", why, a.status, a.retryAfter)
	}
}

// wantRetryAfter checks that Retry-After says the time left until the lock ends, in seconds
// rounded up (the harness clock is real time moved on, so a second or two may pass meanwhile).
func wantRetryAfter(t *testing.T, a signInAnswer, left time.Duration) {
	t.Helper()
	got, err := strconv.Atoi(a.retryAfter)
	if err != nil || time.Duration(got)*time.Second > left+time.Second || time.Duration(got)*time.Second < left-5*time.Second {
		t.Errorf("Retry-After %q, want the %v left", a.retryAfter, left)
	}
}

// Fifty parallel wrong passwords: at most MaxFailedSignIns of them are even checked; the rest
// are refused as locked, and then so is the right password. The lock has an end that refused
// attempts do not move; when it ends the right password works (issue 18, finding 2).
func TestLockoutHoldsUnderParallelAttempts(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		h.seedCommune(t, "hoa.nt", string(platform.RoleDossierReceive))
		lockout := app.DefaultConfig().UserLockout
		f := newLoginForm(t, h)

		var mu sync.Mutex
		statuses := map[int]int{}
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				a := f.post(t, "hoa.nt", "sai-mat-khau-123")
				mu.Lock()
				statuses[a.status]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if statuses[http.StatusUnauthorized] > 5 || statuses[http.StatusUnauthorized]+statuses[http.StatusTooManyRequests] != 50 {
			t.Fatalf("answers to 50 parallel wrong passwords: %v; want at most 5 × 401 and the rest 429", statuses)
		}
		a := f.post(t, "hoa.nt", h.Password)
		if a.status != http.StatusTooManyRequests {
			t.Fatalf("the right password during the lockout: %d, want 429", a.status)
		}
		wantRetryAfter(t, a, lockout)
		var lockedUntilMs int64
		if err := db.Raw("SELECT locked_until_ms FROM signin_counters WHERE signin_key = ?", domain.AccountKey("hoa.nt")).
			Scan(&lockedUntilMs).Error; err != nil || lockedUntilMs <= h.Clock.Now().UnixMilli() {
			t.Fatalf("no lock time written: locked_until_ms = %d (%v)", lockedUntilMs, err)
		}
		events, _ := h.ID.App.AuditLog(context.Background(), domain.AuditFilter{Action: domain.AuditLockedOut})
		if len(events) == 0 {
			t.Fatal("the lockout is not in the audit log")
		}

		h.Clock.Add(10 * time.Minute)
		a = f.post(t, "hoa.nt", h.Password)
		if a.status != http.StatusTooManyRequests {
			t.Fatalf("the right password ten minutes into the lockout: %d, want 429", a.status)
		}
		wantRetryAfter(t, a, lockout-10*time.Minute)

		h.Clock.Add(lockout - 10*time.Minute)
		wantSignedIn(t, h, "hoa.nt", "after the lock time passed")
	})
}

// The exact scenario of finding 2: attempts on a disabled account (right password or not) stop
// early; they still count, and reaching the limit writes a lock with an end. The answer is the
// one a wrong password gets, whatever the password. Once the administrator enables the account
// again, the right password works at once; an address that reached its limit on that locked
// account is freed when its own lock time passes.
func TestSignInLockAlwaysEnds(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db, func(c *service.Config) { c.MaxFailedPerAddress = 8 })
		h.seedCommune(t, "hoa.nt", string(platform.RoleDossierReceive))
		ctx := context.Background()
		setDisabled := func(v bool) {
			t.Helper()
			if _, err := h.ID.App.UpdateUser(ctx, "test", "hoa.nt", app.UserPatch{Disabled: &v}); err != nil {
				t.Fatal(err)
			}
		}
		setDisabled(true)
		f := newLoginForm(t, h)
		wrong := f.post(t, "hoa.nt", "sai-mat-khau-123")
		if wrong.status != http.StatusUnauthorized {
			t.Fatalf("a wrong password on a disabled account: %d, want 401", wrong.status)
		}
		for i := range 4 {
			if a := f.post(t, "hoa.nt", h.Password); a.status != wrong.status || !sameAlert(a.body, wrong.body) {
				t.Fatalf("attempt %d, the right password on a disabled account: %d; want the answer a wrong password gets", i+2, a.status)
			}
		}
		locked := f.post(t, "hoa.nt", h.Password)
		if locked.status != http.StatusTooManyRequests {
			t.Fatalf("after 5 attempts on a disabled account: %d, want 429", locked.status)
		}
		setDisabled(false)
		wantSignedIn(t, h, "hoa.nt", "after the administrator enabled the account")

		// The address had 5 failures (the refused attempt did not count): 3 more reach its limit
		// of 8 and lock it, with an end; when that passes the right password works.
		for i := range 3 {
			if a := f.post(t, "hoa.nt", "sai-mat-khau-123"); a.status != http.StatusUnauthorized {
				t.Fatalf("the address's failure %d: %d, want 401", 6+i, a.status)
			}
		}
		a := f.post(t, "hoa.nt", h.Password)
		if a.status != http.StatusTooManyRequests || !strings.Contains(a.body, "mạng bạn đang dùng") {
			t.Fatalf("after the address's 8th failure: %d; want 429 saying it is the network", a.status)
		}
		wantRetryAfter(t, a, app.DefaultConfig().AddressLockout)
		h.Clock.Add(app.DefaultConfig().AddressLockout)
		wantSignedIn(t, h, "hoa.nt", "after the address's lock time passed")
	})
}

// Spraying (finding 3): failures against many names from one address add up in the address's
// window, and a success in between does not wipe them; unknown and known names answer the same
// at every count.
func TestSprayingFromOneAddressIsLimited(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db, func(c *service.Config) { c.MaxFailedPerAddress = 30 })
		h.seedCommune(t, "hoa.nt", string(platform.RoleDossierReceive))
		f := newLoginForm(t, h)
		guess := func(i int) signInAnswer {
			t.Helper()
			return f.post(t, fmt.Sprintf("nguoi.%02d", i), "Mua-thu-2025")
		}
		for i := range 15 {
			if a := guess(i); a.status != http.StatusUnauthorized {
				t.Fatalf("guess %d: %d, want 401", i+1, a.status)
			}
		}
		wantSignedIn(t, h, "hoa.nt", "an officer signing in in between")
		for i := 15; i < 30; i++ {
			if a := guess(i); a.status != http.StatusUnauthorized {
				t.Fatalf("guess %d: %d, want 401", i+1, a.status)
			}
		}
		a := guess(30)
		if a.status != http.StatusTooManyRequests || !strings.Contains(a.body, "mạng bạn đang dùng") {
			t.Fatalf("the 31st guess from one address: %d; want 429 saying it is the network", a.status)
		}
		wantRetryAfter(t, a, app.DefaultConfig().AddressLockout)
	})
}

// Enumeration (finding 3): a name nobody has is counted and locked exactly as an existing one.
func TestKnownAndUnknownNamesAnswerTheSame(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		h.seedCommune(t, "hoa.nt", string(platform.RoleDossierReceive))
		known, unknown := newLoginForm(t, h), newLoginForm(t, h)
		for i := range 7 {
			k, u := known.post(t, "hoa.nt", "sai-mat-khau-123"), unknown.post(t, "khong.co.ai", "sai-mat-khau-123")
			if k.status != u.status || !sameAlert(k.body, u.body) || (k.retryAfter == "") != (u.retryAfter == "") {
				t.Fatalf("attempt %d: known name %d (Retry-After %q), unknown name %d (Retry-After %q); want the same answer",
					i+1, k.status, k.retryAfter, u.status, u.retryAfter)
			}
			want := http.StatusUnauthorized
			if i >= 5 {
				want = http.StatusTooManyRequests
			}
			if k.status != want {
				t.Fatalf("attempt %d: %d, want %d", i+1, k.status, want)
			}
		}
	})
}

var alertPattern = regexp.MustCompile(`role="alert">(.*?)</div>`)

// sameAlert reports whether two sign-in pages say the same thing.
func sameAlert(a, b string) bool {
	ma, mb := alertPattern.FindStringSubmatch(a), alertPattern.FindStringSubmatch(b)
	return ma != nil && mb != nil && ma[1] == mb[1]
}

func TestTOTPSecondFactor(t *testing.T) {
	h := startIdentity(t, storetest.SQLite(t))
	u := h.seedCommune(t, "hoa.nt", string(platform.RoleDossierReceive))
	ctx := context.Background()
	enrol, err := h.ID.App.BeginTOTP(ctx, u.ID, "Chính quyền điện tử")
	if err != nil {
		t.Fatal(err)
	}
	code, _ := totp.GenerateCode(enrol.Secret, h.Clock.Now().Add(-30*time.Second))
	if err := h.ID.App.ConfirmTOTP(ctx, u.ID, code, ""); err != nil {
		t.Fatal(err)
	}
	secret := h.webClient(t, "dossiers", rpRedirect)
	conf, _ := oauthConfig(t, h, "dossiers", secret)

	signInWithCode := func(code string) (*url.URL, int) {
		b := browser(rpRedirect)
		state, verifier := oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
		_, resp := h.signIn(t, b, conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), "hoa.nt", h.Password)
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.Path, "/login/totp") {
			t.Fatalf("after the password: %d at %s, want the TOTP page", resp.StatusCode, resp.Request.URL)
		}
		page, err := b.Get(resp.Request.URL.String())
		if err != nil {
			t.Fatal(err)
		}
		action, form := formFields(t, page.Body, "/login/totp")
		_ = page.Body.Close()
		form.Set("code", code)
		post, err := b.PostForm(h.Origin+action, form)
		if err != nil {
			t.Fatal(err)
		}
		_ = post.Body.Close()
		next, _ := url.Parse(post.Header.Get("Location"))
		return next, post.StatusCode
	}
	now, _ := totp.GenerateCode(enrol.Secret, h.Clock.Now())
	loc, status := signInWithCode(now)
	if loc == nil || loc.Query().Get("code") == "" {
		t.Fatalf("a right TOTP code: %d %v, want a redirect with a code", status, loc)
	}
	// The same code again (still within its 30 s) is refused: a code works once.
	if loc, status := signInWithCode(now); status != http.StatusUnauthorized {
		t.Fatalf("a reused TOTP code: %d %v, want 401", status, loc)
	}
	if _, status := signInWithCode("000000"); status != http.StatusUnauthorized {
		t.Fatalf("a wrong TOTP code: %d, want 401", status)
	}
}
