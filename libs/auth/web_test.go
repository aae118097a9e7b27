package auth_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/libs/web"
)

const (
	clientID     = "dossiers-web"
	clientSecret = "s3cret-client"
	backchannel  = "http://schemas.openid.net/event/backchannel-logout"
)

var (
	hashKey  = bytes.Repeat([]byte("h"), 32)
	blockKey = bytes.Repeat([]byte("b"), 32)
)

// webFixture is a service with pages at /dossiers signing in through the test issuer. The test
// plays the person's browser (a cookie jar that does not follow redirects) and, at the token
// endpoint, identity's answer to the code it handed out.
type webFixture struct {
	ti     *testIssuer
	web    *auth.Web
	ended  *auth.GormEndedSessions
	srv    *httptest.Server
	base   string
	jar    http.CookieJar
	client *http.Client
	clock  *fakeClock
	logs   *testenv.Buffer

	mu    sync.Mutex
	codes map[string]authRequest // code → the authorization request it answers
}

type authRequest struct {
	challenge, nonce string
	idClaims         map[string]any // overrides of the ID token's claims
}

type fixtureOptions struct {
	config func(*auth.WebConfig)
	csrf   bool // mount the logout route behind a real web.Shell CSRF check
}

func newWebFixture(t *testing.T, opts fixtureOptions) *webFixture {
	t.Helper()
	f := &webFixture{ti: newTestIssuer(t), logs: &testenv.Buffer{}, codes: map[string]authRequest{},
		clock: newFakeClock(time.Now())}
	f.ti.SetTokenHandler(f.token)

	var handler http.Handler
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(f.srv.Close)
	f.base = f.srv.URL + "/dossiers"

	ended, err := auth.NewEndedSessions(t.Context(), storetest.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	f.ended = ended
	logger := slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := auth.WebConfig{
		Issuer: f.ti.Issuer, ClientID: clientID, ClientSecret: clientSecret, BaseURL: f.base,
		CookieHashKey: hashKey, CookieBlockKey: blockKey, InsecureHTTP: true, Ended: ended, Logger: logger,
	}
	if opts.config != nil {
		opts.config(&cfg)
	}
	f.web, err = auth.NewWeb(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	auth.SetWebClock(f.web, f.clock.Now)

	e := httpapi.NewEngine(httpapi.Options{Logger: logger})
	var guards []gin.HandlerFunc
	if opts.csrf {
		shell, err := web.New(web.Config{Service: "Một cửa", Prefix: "/dossiers", FlashKey: hashKey, InsecureHTTP: true, Logger: logger})
		if err != nil {
			t.Fatal(err)
		}
		guards = append(guards, shell.CSRF())
	}
	f.web.Mount(e, guards...)
	pages := e.Group("/dossiers", f.web.Session())
	pages.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "trang chủ") })
	private := pages.Group("", f.web.RequireSignIn())
	private.GET("/private", func(c *gin.Context) {
		claims, _ := auth.ClaimsFrom(c.Request.Context())
		viewer := web.ViewerFrom(c)
		c.JSON(http.StatusOK, gin.H{"sub": claims.Subject, "sid": claims.SessionID, "tenant": claims.Tenant,
			"name": claims.Name, "roles": claims.Roles, "viewer_name": viewer.Name, "viewer_tenant": viewer.Tenant.Slug})
	})
	handler = e

	f.jar, _ = cookiejar.New(nil)
	f.client = &http.Client{Jar: f.jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return f
}

// token is identity's token endpoint as far as these tests need it: client authentication,
// the code it handed out, PKCE (S256) and the redirect URI are checked; the answer carries an ID
// token with the authorization request's nonce.
func (f *webFixture) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	oauthError := func(status int, code, desc string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
	}
	if id, secret, ok := r.BasicAuth(); !ok || id != clientID || secret != clientSecret {
		oauthError(http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	f.mu.Lock()
	req, ok := f.codes[r.PostForm.Get("code")]
	delete(f.codes, r.PostForm.Get("code"))
	f.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case r.PostForm.Get("grant_type") != "authorization_code" || !ok:
		oauthError(http.StatusBadRequest, "invalid_grant", "unknown code")
		return
	case base64.RawURLEncoding.EncodeToString(sum[:]) != req.challenge:
		oauthError(http.StatusBadRequest, "invalid_grant", "PKCE verification failed")
		return
	case r.PostForm.Get("redirect_uri") != f.web.RedirectURL():
		oauthError(http.StatusBadRequest, "invalid_grant", "redirect_uri mismatch")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token": "opaque-access-token", "token_type": "Bearer", "expires_in": 300,
		"id_token": f.ti.Sign("k1", f.idClaims(req.nonce, req.idClaims)),
	})
}

func (f *webFixture) idClaims(nonce string, overrides map[string]any) map[string]any {
	now := time.Now()
	return apply(map[string]any{
		"iss": f.ti.Issuer, "sub": "u-hoa", "aud": []string{clientID}, "azp": clientID,
		"exp": now.Add(5 * time.Minute).Unix(), "iat": now.Unix(), "nonce": nonce,
		"sid": "sso-1", "name": "Nguyễn Thị Hoa", "tenant": "xa-dong-tan", "roles": []string{"dossier.receive"},
	}, overrides)
}

func (f *webFixture) do(t *testing.T, method, path string, form url.Values, header http.Header) (*http.Response, string) {
	t.Helper()
	target := path
	if strings.HasPrefix(path, "/") {
		target = f.srv.URL + path
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := f.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// login opens the sign-in route and returns identity's authorization request it redirects to.
func (f *webFixture) login(t *testing.T, next string) (*http.Response, url.Values) {
	t.Helper()
	res, body := f.do(t, http.MethodGet, "/dossiers/login?next="+url.QueryEscape(next), nil, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d %s", res.StatusCode, body)
	}
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return res, loc.Query()
}

// approve plays identity approving the authorization request q: it hands out a code and returns
// the callback URL the browser is sent to.
func (f *webFixture) approve(q url.Values, idClaims map[string]any) string {
	code := randomCode()
	f.mu.Lock()
	f.codes[code] = authRequest{challenge: q.Get("code_challenge"), nonce: q.Get("nonce"), idClaims: idClaims}
	f.mu.Unlock()
	return q.Get("redirect_uri") + "?" + url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
}

var codeCounter struct {
	sync.Mutex
	n int
}

func randomCode() string {
	codeCounter.Lock()
	defer codeCounter.Unlock()
	codeCounter.n++
	return fmt.Sprintf("code-%d", codeCounter.n)
}

// signIn runs the whole code flow and returns the callback's response.
func (f *webFixture) signIn(t *testing.T, next string, idClaims map[string]any) (*http.Response, string) {
	t.Helper()
	_, q := f.login(t, next)
	return f.do(t, http.MethodGet, f.approve(q, idClaims), nil, nil)
}

func cookieNamed(res *http.Response, name string) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (f *webFixture) sessionValue() string {
	u, _ := url.Parse(f.base + "/private")
	for _, c := range f.jar.Cookies(u) {
		if c.Name == auth.SessionCookie {
			return c.Value
		}
	}
	return ""
}

func TestSignInFlow(t *testing.T) {
	t.Parallel()
	f := newWebFixture(t, fixtureOptions{})
	if n := f.ti.DiscoveryHits.Load() + f.ti.JWKSHits.Load(); n != 0 {
		t.Fatalf("NewWeb called identity %d times; it must not at construction", n)
	}

	// A signed-out person asking for a page is sent to sign in, and back to the page after.
	res, _ := f.do(t, http.MethodGet, "/dossiers/private?tab=mine", nil, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/dossiers/login?next=%2Fdossiers%2Fprivate%3Ftab%3Dmine" {
		t.Fatalf("signed out: %d Location %q", res.StatusCode, res.Header.Get("Location"))
	}

	res, q := f.login(t, "/dossiers/private?tab=mine")
	if !strings.HasPrefix(res.Header.Get("Location"), f.ti.Issuer+"/authorize?") {
		t.Fatalf("login redirects to %q", res.Header.Get("Location"))
	}
	for k, want := range map[string]string{
		"response_type": "code", "client_id": clientID, "redirect_uri": f.base + "/auth/callback",
		"scope": "openid profile", "code_challenge_method": "S256",
	} {
		if q.Get(k) != want {
			t.Errorf("authorization request %s = %q, want %q", k, q.Get(k), want)
		}
	}
	if len(q.Get("state")) < 43 || len(q.Get("nonce")) < 43 || len(q.Get("code_challenge")) != 43 {
		t.Fatalf("state, nonce or PKCE challenge too short: %v", q)
	}
	lc := cookieNamed(res, auth.LoginCookie+q.Get("state"))
	if lc == nil || lc.Path != "/dossiers/auth/callback" || !lc.HttpOnly || lc.SameSite != http.SameSiteLaxMode || lc.MaxAge != 600 {
		t.Fatalf("sign-in state cookie %+v", lc)
	}
	if strings.Contains(lc.Value, q.Get("nonce")) {
		t.Fatal("the state cookie is readable; it must be encrypted")
	}

	res, body := f.do(t, http.MethodGet, f.approve(q, nil), nil, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/dossiers/private?tab=mine" {
		t.Fatalf("callback: %d %q %s", res.StatusCode, res.Header.Get("Location"), body)
	}
	sc := cookieNamed(res, auth.SessionCookie)
	if sc == nil || sc.Path != "/dossiers" || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Secure ||
		sc.MaxAge != int(auth.DefaultSessionLifetime/time.Second) {
		t.Fatalf("session cookie %+v", sc)
	}
	if c := cookieNamed(res, auth.LoginCookie+q.Get("state")); c == nil || c.MaxAge >= 0 {
		t.Fatalf("the sign-in state cookie was not cleared: %+v", c)
	}

	res, body = f.do(t, http.MethodGet, "/dossiers/private", nil, nil)
	var got map[string]any
	_ = json.Unmarshal([]byte(body), &got)
	if res.StatusCode != http.StatusOK || got["sub"] != "u-hoa" || got["sid"] != "sso-1" || got["tenant"] != "xa-dong-tan" ||
		got["viewer_name"] != "Nguyễn Thị Hoa" || got["viewer_tenant"] != "xa-dong-tan" || fmt.Sprint(got["roles"]) != "[dossier.receive]" {
		t.Fatalf("signed in: %d %s", res.StatusCode, body)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("a signed-in page has Cache-Control %q, want no-store", cc)
	}
	if n := f.ti.DiscoveryHits.Load(); n != 1 {
		t.Fatalf("discovery fetched %d times, want once", n)
	}

	// Sign-out: the cookie goes, and identity is asked to end the SSO session.
	stolen := f.sessionValue()
	res, _ = f.do(t, http.MethodPost, "/dossiers/logout", url.Values{}, nil)
	loc, _ := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || loc.Scheme+"://"+loc.Host+loc.Path != f.ti.Issuer+"/end_session" {
		t.Fatalf("logout: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	lq := loc.Query()
	if lq.Get("post_logout_redirect_uri") != f.base+"/" || lq.Get("client_id") != clientID || strings.Count(lq.Get("id_token_hint"), ".") != 2 {
		t.Fatalf("end-session request %v", lq)
	}
	if c := cookieNamed(res, auth.SessionCookie); c == nil || c.MaxAge >= 0 {
		t.Fatalf("session cookie not cleared: %+v", c)
	}
	if res, _ := f.do(t, http.MethodGet, "/dossiers/private", nil, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after logout: %d", res.StatusCode)
	}
	// A copy of the cookie taken before the logout is refused too (its sid is recorded as ended).
	res, _ = f.do(t, http.MethodGet, "/dossiers/private", nil, http.Header{"Cookie": {auth.SessionCookie + "=" + stolen}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("copied cookie after logout: %d", res.StatusCode)
	}

	// Nothing secret reached the logs.
	logs := f.logs.String()
	for _, secret := range []string{stolen, lq.Get("id_token_hint"), lc.Value, q.Get("nonce"), clientSecret} {
		if strings.Contains(logs, secret) {
			t.Fatalf("logs contain a token, cookie or secret:\n%s", logs)
		}
	}
}

func TestCallbackRefusals(t *testing.T) {
	t.Parallel()
	f := newWebFixture(t, fixtureOptions{})
	f.ti.AddKey("k-unpublished", false)

	assertRefusedPage := func(t *testing.T, res *http.Response, body string, status int, words string) {
		t.Helper()
		if res.StatusCode != status || !strings.Contains(body, words) {
			t.Fatalf("got %d, want %d with %q:\n%s", res.StatusCode, status, words, body)
		}
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("headers %v", res.Header)
		}
		if c := cookieNamed(res, auth.SessionCookie); c != nil && c.Value != "" {
			t.Fatal("a refused callback set a session")
		}
	}
	cases := []struct {
		name     string
		idClaims map[string]any
	}{
		{"nonce of another sign-in", map[string]any{"nonce": "not-the-nonce-we-sent"}},
		{"ID token for another client", map[string]any{"aud": []string{"archives-web"}}},
		{"ID token authorised for another client", map[string]any{"aud": []string{clientID, "archives-web"}, "azp": "archives-web"}},
		{"ID token from another issuer", map[string]any{"iss": "http://evil.test/auth"}},
		{"expired ID token", map[string]any{"exp": time.Now().Add(-time.Minute).Unix()}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, body := f.signIn(t, "/dossiers/", tc.idClaims)
			assertRefusedPage(t, res, body, http.StatusBadRequest, "Thông tin đăng nhập nhận được không hợp lệ")
		})
	}

	t.Run("ID token signed with an unknown key", func(t *testing.T) {
		_, q := f.login(t, "/dossiers/")
		// The token endpoint answers with a token signed by a key identity does not publish.
		f.ti.SetTokenHandler(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "a", "token_type": "Bearer",
				"id_token": f.ti.Sign("k-unpublished", f.idClaims(q.Get("nonce"), nil))})
		})
		defer f.ti.SetTokenHandler(f.token)
		res, body := f.do(t, http.MethodGet, f.approve(q, nil), nil, nil)
		assertRefusedPage(t, res, body, http.StatusBadRequest, "không hợp lệ")
	})

	t.Run("state that matches no sign-in", func(t *testing.T) {
		_, q := f.login(t, "/dossiers/")
		q.Set("state", strings.Repeat("A", 43))
		res, body := f.do(t, http.MethodGet, f.approve(q, nil), nil, nil)
		assertRefusedPage(t, res, body, http.StatusBadRequest, "Phiên đăng nhập đã hết hạn")
	})

	t.Run("state cookie (and PKCE verifier) missing", func(t *testing.T) {
		_, q := f.login(t, "/dossiers/")
		stranger := &http.Client{CheckRedirect: f.client.CheckRedirect} // another browser: no cookies
		res, err := stranger.Get(f.approve(q, nil))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		assertRefusedPage(t, res, string(body), http.StatusBadRequest, "Phiên đăng nhập đã hết hạn")
	})

	t.Run("code issued to another sign-in's PKCE challenge", func(t *testing.T) {
		_, mine := f.login(t, "/dossiers/")
		_, other := f.login(t, "/dossiers/")
		mine.Set("code_challenge", other.Get("code_challenge"))
		res, body := f.do(t, http.MethodGet, f.approve(mine, nil), nil, nil)
		assertRefusedPage(t, res, body, http.StatusBadRequest, "Không hoàn tất được đăng nhập")
	})

	t.Run("identity reports an error", func(t *testing.T) {
		loginRes, q := f.login(t, "/dossiers/")
		res, body := f.do(t, http.MethodGet, q.Get("redirect_uri")+"?"+url.Values{"error": {"access_denied"}, "state": {q.Get("state")}}.Encode(), nil, nil)
		assertRefusedPage(t, res, body, http.StatusBadRequest, "từ chối")
		if c := cookieNamed(res, auth.LoginCookie+q.Get("state")); c == nil || c.MaxAge >= 0 {
			t.Fatalf("the sign-in state cookie was not cleared: %+v (set: %v)", c, loginRes.Cookies())
		}
		res, body = f.do(t, http.MethodGet, "/dossiers/auth/callback?error=%3Cscript%3Ealert(1)%3C%2Fscript%3E", nil, nil)
		assertRefusedPage(t, res, body, http.StatusBadRequest, "mã lỗi")
		if strings.Contains(body, "<script>") {
			t.Fatalf("error code echoed unescaped:\n%s", body)
		}
	})

	t.Run("a state is used once", func(t *testing.T) {
		_, q := f.login(t, "/dossiers/")
		callback := f.approve(q, nil)
		if res, body := f.do(t, http.MethodGet, callback, nil, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("first use: %d %s", res.StatusCode, body)
		}
		res, body := f.do(t, http.MethodGet, callback, nil, nil)
		assertRefusedPage(t, res, body, http.StatusBadRequest, "Phiên đăng nhập đã hết hạn")
	})
}

func TestSessionTooLargeForACookieFailsClearly(t *testing.T) {
	t.Parallel()
	f := newWebFixture(t, fixtureOptions{})
	roles := make([]string, 150)
	for i := range roles {
		roles[i] = fmt.Sprintf("dossier.procedure-%03d.handle", i)
	}
	res, body := f.signIn(t, "/dossiers/", map[string]any{"roles": roles})
	if res.StatusCode != http.StatusInternalServerError || !strings.Contains(body, "quá lớn") {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	if c := cookieNamed(res, auth.SessionCookie); c != nil {
		t.Fatalf("an oversized session cookie was sent: %d bytes", len(c.Value))
	}
	if !strings.Contains(f.logs.String(), "does not fit in a cookie") {
		t.Fatalf("not logged:\n%s", f.logs.String())
	}
}

func TestSessionCookieRoundTripAndTampering(t *testing.T) {
	t.Parallel()
	f := newWebFixture(t, fixtureOptions{})
	get := func(cookie string) *http.Response {
		res, _ := f.do(t, http.MethodGet, "/dossiers/private", nil, http.Header{"Cookie": {auth.SessionCookie + "=" + cookie}})
		return res
	}
	ck, err := auth.NewSessionCookie(f.web, "u-hoa", "sso-9", []string{"dossier.receive"})
	if err != nil {
		t.Fatal(err)
	}
	if res := get(ck.Value); res.StatusCode != http.StatusOK {
		t.Fatalf("valid cookie: %d", res.StatusCode)
	}

	flipped := []byte(ck.Value)
	flipped[len(flipped)/2] ^= 0x01
	res := get(string(flipped))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("tampered cookie accepted: %d", res.StatusCode)
	}
	if c := cookieNamed(res, auth.SessionCookie); c == nil || c.MaxAge >= 0 {
		t.Fatal("a refused cookie is not cleared")
	}

	// A cookie made with other keys (another service, or keys that were rotated) is refused.
	other := newWebFixture(t, fixtureOptions{config: func(c *auth.WebConfig) {
		c.CookieHashKey = bytes.Repeat([]byte("x"), 32)
	}})
	foreign, err := auth.NewSessionCookie(other.web, "u-hoa", "sso-9", nil)
	if err != nil {
		t.Fatal(err)
	}
	if res := get(foreign.Value); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("cookie with other keys accepted: %d", res.StatusCode)
	}

	// The session ends after its lifetime even though the browser still sends the cookie.
	f.clock.Advance(auth.DefaultSessionLifetime + time.Second)
	if res := get(ck.Value); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("expired session accepted: %d", res.StatusCode)
	}
}

func TestRequireSignInForHTMX(t *testing.T) {
	t.Parallel()
	f := newWebFixture(t, fixtureOptions{})
	res, _ := f.do(t, http.MethodGet, "/dossiers/private", nil, http.Header{
		"Hx-Request": {"true"}, "Hx-Current-Url": {f.base + "/list?page=2"},
	})
	if res.StatusCode != http.StatusUnauthorized || res.Header.Get("HX-Redirect") != "/dossiers/login?next=%2Fdossiers%2Flist%3Fpage%3D2" {
		t.Fatalf("htmx: %d HX-Redirect %q", res.StatusCode, res.Header.Get("HX-Redirect"))
	}
}

func TestLogoutIsBehindTheServicesCSRFCheckAndBackchannelIsNot(t *testing.T) {
	t.Parallel()
	f := newWebFixture(t, fixtureOptions{csrf: true})
	if res, body := f.do(t, http.MethodPost, "/dossiers/logout", url.Values{}, nil); res.StatusCode != http.StatusForbidden {
		t.Fatalf("logout without a CSRF token: %d %s", res.StatusCode, body)
	}
	res, body := f.do(t, http.MethodPost, "/dossiers/auth/backchannel-logout",
		url.Values{"logout_token": {f.ti.Sign("k1", logoutClaims(f, nil))}}, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("back-channel logout behind CSRF: %d %s", res.StatusCode, body)
	}
}

func TestDiscoveryIsLazyAndRetried(t *testing.T) {
	t.Parallel()
	f := newWebFixture(t, fixtureOptions{})
	f.ti.FailNext(1) // identity is still starting
	res, body := f.do(t, http.MethodGet, "/dossiers/login", nil, nil)
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "Chưa kết nối được dịch vụ đăng nhập") {
		t.Fatalf("identity down: %d %s", res.StatusCode, body)
	}
	if res, body := f.signIn(t, "/dossiers/private", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("identity up: %d %s", res.StatusCode, body)
	}
}

func TestConfiguredEndpointsNeedNoDiscovery(t *testing.T) {
	t.Parallel()
	f := newWebFixture(t, fixtureOptions{config: func(c *auth.WebConfig) {
		c.AuthURL = c.Issuer + "/authorize"
		c.TokenURL = c.Issuer + "/oauth/token"
		c.EndSessionURL = c.Issuer + "/end_session?ui_locales=vi"
	}})
	if res, body := f.signIn(t, "/dossiers/", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	res, _ := f.do(t, http.MethodPost, "/dossiers/logout", url.Values{}, nil)
	loc, _ := url.Parse(res.Header.Get("Location"))
	if loc.Query().Get("ui_locales") != "vi" || loc.Query().Get("id_token_hint") == "" {
		t.Fatalf("end-session URL %s", loc)
	}
	if n := f.ti.DiscoveryHits.Load(); n != 0 {
		t.Fatalf("discovery fetched %d times although every endpoint is configured", n)
	}
}

func TestErrorPagesUseTheShellWhenGiven(t *testing.T) {
	t.Parallel()
	shell, err := web.New(web.Config{Service: "Một cửa", Prefix: "/dossiers", FlashKey: hashKey, InsecureHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	f := newWebFixture(t, fixtureOptions{config: func(c *auth.WebConfig) { c.Shell = shell }})
	res, body := f.do(t, http.MethodGet, "/dossiers/auth/callback?state=x", nil, nil)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Phiên đăng nhập đã hết hạn") || !strings.Contains(body, "Chính quyền điện tử") {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
}

func TestWebURLsAndRootPrefix(t *testing.T) {
	t.Parallel()
	ended, err := auth.NewEndedSessions(t.Context(), storetest.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	w, err := auth.NewWeb(t.Context(), auth.WebConfig{Issuer: "https://egov.example/auth", ClientID: clientID,
		BaseURL: "https://egov.example/dossiers", CookieHashKey: hashKey, CookieBlockKey: blockKey, Ended: ended})
	if err != nil {
		t.Fatal(err)
	}
	for got, want := range map[string]string{
		w.RedirectURL():              "https://egov.example/dossiers/auth/callback",
		w.BackchannelLogoutURL():     "https://egov.example/dossiers/auth/backchannel-logout",
		w.PostLogoutRedirectURL():    "https://egov.example/dossiers/",
		w.LoginURL("//evil.example"): "/dossiers/login?next=%2Fdossiers%2F",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}

	root, err := auth.NewWeb(t.Context(), auth.WebConfig{Issuer: "https://egov.example/auth", ClientID: clientID,
		BaseURL: "https://portal.example", CookieHashKey: hashKey, CookieBlockKey: blockKey, Ended: ended})
	if err != nil {
		t.Fatal(err)
	}
	ck, err := auth.NewSessionCookie(root, "u-1", "s-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if ck.Path != "/" || !ck.Secure || root.PostLogoutRedirectURL() != "https://portal.example/" {
		t.Fatalf("root-mounted service: cookie %+v, post-logout %q", ck, root.PostLogoutRedirectURL())
	}
}

func TestNewWebChecksConfig(t *testing.T) {
	t.Parallel()
	ended, err := auth.NewEndedSessions(t.Context(), storetest.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	valid := func() auth.WebConfig {
		return auth.WebConfig{Issuer: "http://localhost:8080/auth", ClientID: clientID, BaseURL: "http://localhost:8080/dossiers",
			CookieHashKey: hashKey, CookieBlockKey: blockKey, InsecureHTTP: true, Ended: ended}
	}
	if _, err := auth.NewWeb(t.Context(), valid()); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	cases := map[string]func(*auth.WebConfig){
		"Issuer":          func(c *auth.WebConfig) { c.Issuer = "" },
		"ClientID":        func(c *auth.WebConfig) { c.ClientID = " " },
		"BaseURL":         func(c *auth.WebConfig) { c.BaseURL = "/dossiers" },
		"InsecureHTTP":    func(c *auth.WebConfig) { c.InsecureHTTP = false },
		"CookieHashKey":   func(c *auth.WebConfig) { c.CookieHashKey = []byte("short") },
		"CookieBlockKey":  func(c *auth.WebConfig) { c.CookieBlockKey = bytes.Repeat([]byte("b"), 24) },
		"Ended":           func(c *auth.WebConfig) { c.Ended = nil },
		"SessionLifetime": func(c *auth.WebConfig) { c.SessionLifetime = 30 * 24 * time.Hour },
		"TokenURL":        func(c *auth.WebConfig) { c.TokenURL = "oauth/token" },
		"JWKSURL":         func(c *auth.WebConfig) { c.JWKSURL = "keys" },
	}
	for field, mod := range cases {
		cfg := valid()
		mod(&cfg)
		if _, err := auth.NewWeb(t.Context(), cfg); err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: error %v, want one naming it", field, err)
		}
	}
}
