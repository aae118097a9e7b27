package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
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

// Fifty parallel wrong passwords: at most MaxFailedSignIns of them are even checked; the rest
// are refused as locked, and then so is the right password.
func TestLockoutHoldsUnderParallelAttempts(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		h.seedCommune(t, "hoa.nt", string(platform.RoleDossierReceive))
		c := browser("")
		resp, err := c.Get(h.Issuer + "/login?next=/auth/account")
		if err != nil {
			t.Fatal(err)
		}
		action, form := formFields(t, resp.Body, "/login")
		_ = resp.Body.Close()
		form.Set("username", "hoa.nt")
		form.Set("password", "sai-mat-khau-123")

		var wg sync.WaitGroup
		var mu sync.Mutex
		statuses := map[int]int{}
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := c.PostForm(h.Origin+action, form)
				if err != nil {
					t.Error(err)
					return
				}
				_ = resp.Body.Close()
				mu.Lock()
				statuses[resp.StatusCode]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if statuses[http.StatusUnauthorized] > 5 || statuses[http.StatusUnauthorized]+statuses[http.StatusTooManyRequests] != 50 {
			t.Fatalf("answers to 50 parallel wrong passwords: %v; want at most 5 × 401 and the rest 429", statuses)
		}
		form.Set("password", h.Password)
		resp, err = c.PostForm(h.Origin+action, form)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("the right password during the lockout: %d, want 429", resp.StatusCode)
		}
		var attempts int
		if err := db.Raw("SELECT failed_attempts FROM users WHERE username = ?", "hoa.nt").Scan(&attempts).Error; err != nil || attempts != 5 {
			t.Fatalf("counted attempts = %d (%v), want exactly 5", attempts, err)
		}
		events, _ := h.ID.App.AuditLog(context.Background(), domain.AuditFilter{Action: domain.AuditLockedOut})
		if len(events) == 0 {
			t.Fatal("the lockout is not in the audit log")
		}
	})
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
