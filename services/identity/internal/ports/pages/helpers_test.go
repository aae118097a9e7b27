package pages_test

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/pquerna/otp/totp"
	"go.opentelemetry.io/otel/trace/noop"
	"gorm.io/gorm"

	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/identity/internal/adapters"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
	"egov.vn/platform/services/identity/internal/ports/pages"
	"egov.vn/platform/services/identity/internal/ports/pages/i18n"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode) // once, before any parallel test: it writes a global
	os.Exit(m.Run())
}

// clock is the use cases' clock, moved by hand so TOTP codes of the next 30-second step can be
// tested without waiting.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type logoutCall struct{ ClientID, URI, Sub, SID string }

// logoutRecorder stands in for the back-channel sender: the HTTP delivery is adapters' concern
// and tested there; here what matters is who was told.
type logoutRecorder struct {
	mu    sync.Mutex
	calls []logoutCall
}

func (r *logoutRecorder) Send(_ context.Context, clientID, uri, sub, sid string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, logoutCall{clientID, uri, sub, sid})
	return nil
}

func (r *logoutRecorder) Calls() []logoutCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

const (
	tenantSlug = "xa-dong-tan"
	tenantName = "UBND xã Đông Tân"
	password   = "Đông Tân mùa lúa 2026"
)

// world is identity's pages served over real HTTP on a real database.
type world struct {
	t       *testing.T
	app     *app.App
	pages   *pages.Pages
	srv     *httptest.Server
	clock   *clock
	logouts *logoutRecorder
}

type worldOpts struct {
	tls    bool // HTTPS with Secure cookies, as in production
	config func(*app.Config)
}

func newWorld(t *testing.T, db *gorm.DB, o worldOpts) *world {
	t.Helper()
	ctx := context.Background()
	if err := adapters.Migrate(ctx, db); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	cfg := app.DefaultConfig()
	if o.config != nil {
		o.config(&cfg)
	}
	w := &world{t: t, clock: &clock{now: time.Now().UTC()}, logouts: &logoutRecorder{}}
	w.app = app.New(app.Deps{
		Store:   adapters.NewStore(db),
		Hasher:  adapters.NewPasswordHasher(1024, 1, 1), // cheap: these tests are not about argon2
		Secrets: adapters.Secrets{},
		Logout:  w.logouts,
		Tracer:  noop.NewTracerProvider().Tracer("test"),
		Log:     slog.New(slog.DiscardHandler),
		Now:     w.clock.Now,
	}, cfg)
	p, err := pages.New(w.app, pages.Config{
		Prefix: "/auth",
		Issuer: "http://localhost:8080/auth",
		CallbackURL: func(_ context.Context, id string) string {
			return "/auth/authorize/callback?id=" + id
		},
		CookieHashKey:  []byte("0123456789abcdef0123456789abcdef-hash"),
		CookieBlockKey: []byte("0123456789abcdef0123456789abcdef"),
		InsecureHTTP:   !o.tls,
		Shell:          newShell(t, "/auth", []byte("0123456789abcdef0123456789abcdef-flash"), !o.tls),
		Logger:         slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatalf("pages.New: %v", err)
	}
	w.pages = p
	r := gin.New()
	p.Routes(r)
	if o.tls {
		w.srv = httptest.NewTLSServer(r)
	} else {
		w.srv = httptest.NewServer(r)
	}
	t.Cleanup(w.srv.Close)

	if _, _, err := w.app.EnsureTenant(ctx, "test", app.TenantInput{Slug: "ha-noi", Code: "01", Name: "Thành phố Hà Nội", Kind: platform.KindProvince}); err != nil {
		t.Fatalf("seed province: %v", err)
	}
	if _, _, err := w.app.EnsureTenant(ctx, "test", app.TenantInput{Slug: tenantSlug, Code: "26734", Name: tenantName, Kind: platform.KindCommune, Parent: "ha-noi"}); err != nil {
		t.Fatalf("seed commune: %v", err)
	}
	return w
}

// user seeds a staff account; an empty password makes a one-time password, returned.
func (w *world) user(username, pw string) (domain.User, string) {
	w.t.Helper()
	u, oneTime, _, err := w.app.EnsureUser(context.Background(), "test", app.UserInput{Tenant: tenantSlug,
		Username: username, Name: "Nguyễn Thị Hoa", Email: username + "@dongtan.gov.vn",
		Roles: []string{string(platform.RoleDossierReceive), string(platform.RoleReportView)}, Password: pw})
	if err != nil {
		w.t.Fatalf("seed user: %v", err)
	}
	if oneTime != "" {
		return u, oneTime
	}
	return u, pw
}

func (w *world) activeSessions(userID string) []domain.Session {
	w.t.Helper()
	s, err := w.app.Sessions(context.Background(), userID)
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

func (w *world) code(secret string) string {
	w.t.Helper()
	c, err := totp.GenerateCode(secret, w.clock.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// browser is one person's browser: its own cookie jar, no automatic redirects (the tests look at
// each 303), and the Origin header a browser sends with a form.
type browser struct {
	t        *testing.T
	w        *world
	client   *http.Client
	language string // Accept-Language
}

func (w *world) browser() *browser {
	w.t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		w.t.Fatal(err)
	}
	// A client of its own: srv.Client() is one shared client, and a jar set on it would be
	// every browser's.
	c := &http.Client{Transport: w.srv.Client().Transport, Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &browser{t: w.t, w: w, client: c}
}

type response struct {
	code     int
	body     string
	header   http.Header
	location string
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	if b.language != "" {
		req.Header.Set("Accept-Language", b.language)
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer func() { _ = res.Body.Close() }()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	r := response{code: res.StatusCode, body: string(body), header: res.Header, location: res.Header.Get("Location")}
	// Every page, in either language, must find each of its strings in the catalogue.
	page := strings.HasPrefix(res.Header.Get("Content-Type"), "text/html")
	if page && (strings.Contains(r.body, "[[") || strings.Contains(r.body, "%!")) {
		b.t.Errorf("%s %s: a message is missing or misformatted:\n%s", req.Method, req.URL.Path, r.body)
	}
	return r
}

func (b *browser) get(path string) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.w.srv.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post sends a form as the browser would, with whatever token the values carry.
func (b *browser) post(path string, values url.Values) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.w.srv.URL+path, strings.NewReader(values.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.w.srv.URL)
	return b.do(req)
}

var tokenRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// submit loads page, takes the CSRF token from its form, and posts values to action.
func (b *browser) submit(page, action string, values url.Values) response {
	b.t.Helper()
	r := b.get(page)
	m := tokenRE.FindStringSubmatch(r.body)
	if m == nil {
		b.t.Fatalf("GET %s (%d) has no form with a CSRF token:\n%s", page, r.code, r.body)
	}
	if values == nil {
		values = url.Values{}
	}
	values.Set("csrf_token", html.UnescapeString(m[1]))
	return b.post(action, values)
}

// signIn signs in on the direct sign-in page and expects to land on next.
func (b *browser) signIn(username, pw string) {
	b.t.Helper()
	r := b.submit("/auth/login?next=/auth/account", "/auth/login", url.Values{
		"username": {username}, "password": {pw}, "next": {"/auth/account"}})
	if r.code != http.StatusSeeOther || r.location != "/auth/account" {
		b.t.Fatalf("sign-in: %d → %q, want 303 → /auth/account\n%s", r.code, r.location, r.body)
	}
}

func (b *browser) cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.w.srv.URL + "/auth/")
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// setCookie plants a cookie, as an attacker or an old browser state would.
func (b *browser) setCookie(c *http.Cookie) {
	u, _ := url.Parse(b.w.srv.URL + c.Path)
	b.client.Jar.SetCookies(u, []*http.Cookie{c})
}

func mustContain(t *testing.T, body string, want ...string) {
	t.Helper()
	failed := false
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
			failed = true
		}
	}
	if failed {
		t.Logf("page:\n%s", body)
	}
}

func mustNotContain(t *testing.T, body string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(body, u) {
			t.Errorf("page contains %q", u)
		}
	}
}

func wantStatus(t *testing.T, r response, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("status %d, want %d (Location %q)\n%s", r.code, code, r.location, r.body)
	}
}

func wantRedirect(t *testing.T, r response, location string) {
	t.Helper()
	if r.code != http.StatusSeeOther || r.location != location {
		t.Fatalf("%d → %q, want 303 → %q\n%s", r.code, r.location, location, r.body)
	}
}

// setCookieHeader returns the Set-Cookie header that sets name, for checking its attributes.
func setCookieHeader(h http.Header, name string) string {
	for _, v := range h.Values("Set-Cookie") {
		if strings.HasPrefix(v, name+"=") {
			return v
		}
	}
	return ""
}

// newShell builds the shell as identity's composition root does (bootstrap.NewShell).
func newShell(t testing.TB, prefix string, flashKey []byte, insecure bool) *web.Shell {
	t.Helper()
	templates, err := pages.Templates()
	if err != nil {
		t.Fatal(err)
	}
	shell, err := bootstrap.NewShell(prefix, flashKey, insecure, bootstrap.Deps{Log: slog.New(slog.DiscardHandler)},
		bootstrap.WebOptions{Title: pages.Title, Pages: templates, Messages: i18n.Catalogue()})
	if err != nil {
		t.Fatalf("shell: %v", err)
	}
	return shell
}
