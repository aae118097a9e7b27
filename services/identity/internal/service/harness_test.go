package service_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace/noop"
	"golang.org/x/net/html"
	"gorm.io/gorm"

	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/config"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/httpapi/openapitest"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/services/identity/api"
	"egov.vn/platform/services/identity/internal/adapters"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
	"egov.vn/platform/services/identity/internal/service"
)

// clock is a movable clock for the use cases and the key ring; tokens it stamps are checked by
// verifiers against real time, which is how the tests make expired tokens.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// harness is identity running for real: its own listener, the gin engine of production, and a
// real database (SQLite file or PostgreSQL).
type harness struct {
	ID       *service.Service
	Origin   string // http://127.0.0.1:port
	Issuer   string // Origin + "/auth"
	Clock    *clock
	DB       *gorm.DB
	Operator struct{ ID, Secret string }
	Password string // of the bootstrap admin and every test user

	// answers records every answer the engine gives under /auth/api/v1, whichever client asked,
	// for checkContract.
	answers *openapitest.Recorder
}

const testPassword = "Mật-khẩu-thử-2026"

func startIdentity(t testing.TB, db *gorm.DB, tune ...func(*service.Config)) *harness {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	origin := "http://" + ln.Addr().String()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	h := &harness{Origin: origin, Issuer: origin + "/auth", Clock: &clock{}, DB: db, Password: testPassword,
		answers: openapitest.NewRecorder("/auth/api/v1")}
	h.Operator.ID, h.Operator.Secret = "platform-operator", hex.EncodeToString(key)
	cfg := service.Config{
		Common: config.Common{HTTPAddr: ln.Addr().String(), PublicBaseURL: h.Issuer, LogLevel: slog.LevelInfo,
			ShutdownTimeout: 5 * time.Second},
		SecretKey:       hex.EncodeToString(key),
		Argon2MemoryKiB: 1024, Argon2Iterations: 1, Argon2Parallelism: 1, // cheap in tests; production uses 19 MiB × 2
		KeyRotation: 24 * time.Hour, AccessTokenLifetime: 10 * time.Minute, IDTokenLifetime: time.Hour,
		RefreshTokenLifetime: 12 * time.Hour, SessionLifetime: 10 * time.Hour,
		MaxFailedSignIns: 5, Lockout: 15 * time.Minute, MaxFailedPerAddress: 30,
		RootTenantSlug: "tinh-thai-binh", RootTenantCode: "34", RootTenantName: "UBND tỉnh Thái Bình", RootTenantKind: "province",
		BootstrapAdminUsername: "admin", BootstrapAdminPassword: testPassword,
		OperatorClientID: h.Operator.ID, OperatorClientSecret: h.Operator.Secret,
	}
	for _, f := range tune {
		f(&cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h.DB = db
	// The bootstrap migrates before New in production; the harness does it by hand.
	if err := adapters.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	h.ID, err = service.New(context.Background(), cfg, bootstrap.Deps{DB: db, Log: log, Tracer: noop.NewTracerProvider().Tracer("test"),
		Now: h.Clock.Now})
	if err != nil {
		t.Fatalf("start identity: %v", err)
	}
	engine := httpapi.NewEngine(httpapi.Options{Logger: log})
	engine.Use(h.answers.Middleware()) // before the routes, so that the answers of authentication are recorded too
	h.ID.Routes(engine)
	srv := &http.Server{Handler: engine, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return h
}

// checkContract validates every API answer recorded so far against api/openapi.yaml
// (libs/httpapi/openapitest): the route and status are documented, and a JSON body matches the
// documented schema. atLeast guards against a harness that stopped recording.
func (h *harness) checkContract(t testing.TB, atLeast int) {
	t.Helper()
	h.answers.Validate(t, api.OpenAPI, atLeast)
}

// seedCommune makes a district and a commune under the root, and a user of the commune.
func (h *harness) seedCommune(t testing.TB, username string, roles ...string) domain.User {
	t.Helper()
	ctx := context.Background()
	if _, _, err := h.ID.App.EnsureTenant(ctx, "test", app.TenantInput{Slug: "huyen-dong-hung", Code: "342", Name: "UBND huyện Đông Hưng", Kind: platform.KindDistrict, Parent: "tinh-thai-binh"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.ID.App.EnsureTenant(ctx, "test", app.TenantInput{Slug: "xa-dong-tan", Code: "12700", Name: "UBND xã Đông Tân", Kind: platform.KindCommune, Parent: "huyen-dong-hung"}); err != nil {
		t.Fatal(err)
	}
	u, _, _, err := h.ID.App.EnsureUser(ctx, "test", app.UserInput{Tenant: "xa-dong-tan", Username: username, Name: "Nguyễn Thị Hoa", Roles: roles, Password: h.Password})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// webClient makes a confidential client with the code and refresh grants.
func (h *harness) webClient(t testing.TB, id, redirect string, extra ...func(*app.ClientInput)) string {
	t.Helper()
	in := app.ClientInput{ClientID: id, Name: "Ứng dụng " + id, Type: domain.ClientConfidential, RedirectURIs: []string{redirect},
		GrantTypes: []string{domain.GrantAuthorizationCode, domain.GrantRefreshToken}}
	for _, f := range extra {
		f(&in)
	}
	_, secret, _, err := h.ID.App.EnsureClient(context.Background(), "test", in)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// browser is an HTTP client with cookies that stops at redirects to stopAt (the relying party's
// redirect URI, which nothing serves in these tests).
func browser(stopAt string) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second, Transport: originTransport{}, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if stopAt != "" && strings.HasPrefix(req.URL.String(), stopAt) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// originTransport sends Origin on form posts as browsers do; the pages' CSRF check wants it.
type originTransport struct{}

func (originTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && r.Header.Get("Origin") == "" {
		r = r.Clone(r.Context())
		r.Header.Set("Origin", r.URL.Scheme+"://"+r.URL.Host)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// formFields returns the named inputs of the first form whose action contains action.
func formFields(t testing.TB, body io.Reader, action string) (string, url.Values) {
	t.Helper()
	doc, err := html.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	var form *html.Node
	var find func(*html.Node)
	find = func(n *html.Node) {
		if form != nil {
			return
		}
		if n.Type == html.ElementNode && n.Data == "form" && strings.Contains(attr(n, "action"), action) {
			form = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	if form == nil {
		t.Fatalf("no form posting to %q on the page", action)
	}
	vals := url.Values{}
	var collect func(*html.Node)
	collect = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "input" && attr(n, "name") != "" {
			vals.Set(attr(n, "name"), attr(n, "value"))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			collect(c)
		}
	}
	collect(form)
	return attr(form, "action"), vals
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

// signIn follows an authorization URL through identity's sign-in form and returns the redirect
// to the relying party (with code and state), or the last response when sign-in did not finish.
func (h *harness) signIn(t testing.TB, c *http.Client, authURL, username, password string) (*url.URL, *http.Response) {
	t.Helper()
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	if loc := resp.Header.Get("Location"); resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusSeeOther {
		_ = resp.Body.Close()
		u, _ := url.Parse(loc)
		return u, resp // single sign-on: straight back to the relying party
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("sign-in page: %d %s", resp.StatusCode, b)
	}
	action, vals := formFields(t, resp.Body, "/login")
	vals.Set("username", username)
	vals.Set("password", password)
	post, err := c.PostForm(h.Origin+action, vals)
	if err != nil {
		t.Fatal(err)
	}
	_ = post.Body.Close()
	if loc := post.Header.Get("Location"); loc != "" {
		u, err := url.Parse(loc)
		if err != nil {
			t.Fatal(err)
		}
		return u, post
	}
	return nil, post
}
