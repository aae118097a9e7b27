// Package identitytest runs the real identity service inside another module's tests: its own
// loopback listener, the production engine, a SQLite database in the test's temporary folder. It
// gives the other services what they need from identity in a test: an issuer to verify against,
// people's access tokens from a real authorization-code flow, client-credentials tokens, and the
// services' own OIDC clients. Nothing here fakes a token: every one is issued by identity.
package identitytest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace/noop"
	"golang.org/x/net/html"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/config"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/identity/internal/adapters"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
	"egov.vn/platform/services/identity/internal/service"
)

// Password is the password of the bootstrap administrator and of every person the tests make.
const Password = "Mật-khẩu-thử-2026"

// Services are the audiences of the operator's and the services' clients.
var Services = []string{"identity", "dossiers", "archives", "hr", "reporting"}

// Tenant is a unit to ensure.
type Tenant struct{ Slug, Code, Name, Kind, Parent string }

// Person is a staff account to ensure. A username keeps its tenant; Token brings its roles,
// name and staff id in line with the latest call.
type Person struct {
	Tenant, Username, Name string
	Roles                  []string
	StaffID                string
}

// Server is identity running for a test.
type Server struct {
	Origin   string // http://127.0.0.1:port
	Issuer   string // Origin + "/auth"
	Password string
	// Operator is a client-credentials client with platform.admin and every service audience.
	Operator struct{ ID, Secret string }

	id  *service.Service
	srv *http.Server

	mu      sync.Mutex
	clients map[string]string // test public clients by audience set
}

// Option tunes Start.
type Option func(*options)

type options struct{ addr string }

// Listen makes identity listen on addr ("127.0.0.1:port") instead of a free port: a test that
// starts a service before identity reserves the address first.
func Listen(addr string) Option { return func(o *options) { o.addr = addr } }

// Start runs identity until the test ends. The tree is the root province tinh-thai-binh (34) with
// the district huyen-dong-hung (341) and its communes xa-dong-tan (12700) and xa-dong-la (12703).
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	o := options{addr: "127.0.0.1:0"}
	for _, f := range opts {
		f(&o)
	}
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", o.addr)
	if err != nil {
		t.Fatalf("identitytest: listen: %v", err)
	}
	origin := "http://" + ln.Addr().String()
	s := &Server{Origin: origin, Issuer: origin + "/auth", Password: Password, clients: map[string]string{}}
	s.Operator.ID, s.Operator.Secret = "platform-operator", randomHex()
	cfg := service.Config{
		Common: config.Common{HTTPAddr: ln.Addr().String(), PublicBaseURL: s.Issuer, LogLevel: slog.LevelInfo,
			ShutdownTimeout: 5 * time.Second},
		SecretKey:       randomHex(),
		Argon2MemoryKiB: 1024, Argon2Iterations: 1, Argon2Parallelism: 1, // cheap in tests; production uses 19 MiB × 2
		KeyRotation: 24 * time.Hour, AccessTokenLifetime: 10 * time.Minute, IDTokenLifetime: time.Hour,
		RefreshTokenLifetime: 12 * time.Hour, SessionLifetime: 10 * time.Hour,
		MaxFailedSignIns: 5, Lockout: 15 * time.Minute, MaxFailedPerAddress: 1000,
		RootTenantSlug: "tinh-thai-binh", RootTenantCode: "34", RootTenantName: "UBND tỉnh Thái Bình", RootTenantKind: "province",
		BootstrapAdminUsername: "admin", BootstrapAdminPassword: Password,
		OperatorClientID: s.Operator.ID, OperatorClientSecret: s.Operator.Secret, OperatorAudiences: Services,
		DevMode: true,
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	// The bootstrap migrates before New in a real start; here it is done by hand.
	db := storetest.SQLite(t)
	if err := adapters.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	s.id, err = service.New(context.Background(), cfg, bootstrap.Deps{DB: db, Log: log,
		Tracer: noop.NewTracerProvider().Tracer("identitytest")})
	if err != nil {
		_ = ln.Close()
		t.Fatalf("identitytest: start identity: %v", err)
	}
	engine := httpapi.NewEngine(httpapi.Options{Logger: log})
	s.id.Routes(engine)
	s.srv = &http.Server{Handler: engine, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	t.Cleanup(s.Stop)
	for _, u := range []Tenant{
		{Slug: "huyen-dong-hung", Code: "341", Name: "UBND huyện Đông Hưng", Kind: "district", Parent: "tinh-thai-binh"},
		{Slug: "xa-dong-tan", Code: "12700", Name: "UBND xã Đông Tân", Kind: "commune", Parent: "huyen-dong-hung"},
		{Slug: "xa-dong-la", Code: "12703", Name: "UBND xã Đông La", Kind: "commune", Parent: "huyen-dong-hung"},
	} {
		s.Tenant(t, u)
	}
	return s
}

// Stop shuts identity down (a test of "identity is away"); it also runs when the test ends.
func (s *Server) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
}

// Tenant ensures a unit.
func (s *Server) Tenant(t testing.TB, u Tenant) {
	t.Helper()
	_, _, err := s.id.App.EnsureTenant(context.Background(), "test", app.TenantInput{Slug: u.Slug, Code: u.Code, Name: u.Name,
		Kind: platform.TenantKind(u.Kind), Parent: u.Parent})
	if err != nil {
		t.Fatalf("identitytest: tenant %s: %v", u.Slug, err)
	}
}

// Person ensures a staff account with Password, and brings its roles, name and staff id in line.
func (s *Server) Person(t testing.TB, p Person) {
	t.Helper()
	ctx := context.Background()
	name := p.Name
	if name == "" {
		name = p.Username
	}
	_, _, created, err := s.id.App.EnsureUser(ctx, "test", app.UserInput{Tenant: p.Tenant, Username: p.Username, Name: name,
		Roles: p.Roles, Password: Password})
	if err != nil {
		t.Fatalf("identitytest: person %s: %v", p.Username, err)
	}
	if !created || p.StaffID != "" {
		roles := slices.Clone(p.Roles)
		patch := app.UserPatch{Name: &name, Roles: &roles}
		if p.StaffID != "" {
			patch.StaffID = &p.StaffID
		}
		if _, err := s.id.App.UpdateUser(ctx, "test", p.Username, patch); err != nil {
			t.Fatalf("identitytest: person %s: %v", p.Username, err)
		}
	}
}

// ServiceClient ensures a service's own confidential client, as the platform chart registers it:
// the code flow for its pages under baseURL (origin + prefix), back-channel logout, and client
// credentials with the service role and every service audience. The secret is the same on every
// call for one id.
func (s *Server) ServiceClient(t testing.TB, id, baseURL string) (clientID, secret string) {
	t.Helper()
	base := strings.TrimSuffix(baseURL, "/")
	secret = fixedSecret(id)
	_, _, _, err := s.id.App.EnsureClient(context.Background(), "test", app.ClientInput{ClientID: id, Name: "Dịch vụ " + id,
		Tenant: "tinh-thai-binh", Type: domain.ClientConfidential, RedirectURIs: []string{base + "/auth/callback"},
		PostLogoutRedirectURIs: []string{base + "/"}, BackchannelLogoutURI: base + "/auth/backchannel-logout",
		GrantTypes: []string{domain.GrantAuthorizationCode, domain.GrantRefreshToken, domain.GrantClientCredentials},
		Roles:      []string{string(platform.RoleService)}, Audiences: Services, Secret: secret})
	if err != nil {
		t.Fatalf("identitytest: client %s: %v", id, err)
	}
	return id, secret
}

// ServiceToken returns a client-credentials access token of a client in tenant with roles, meant
// for audiences (the client is made or brought in line on the first call for its id).
func (s *Server) ServiceToken(t testing.TB, clientID, tenant string, roles []string, audiences ...string) string {
	t.Helper()
	secret := fixedSecret(clientID)
	_, _, _, err := s.id.App.EnsureClient(context.Background(), "test", app.ClientInput{ClientID: clientID, Name: "Máy khách " + clientID,
		Tenant: tenant, Type: domain.ClientConfidential, GrantTypes: []string{domain.GrantClientCredentials}, Roles: roles,
		Audiences: audiences, Secret: secret})
	if err != nil {
		t.Fatalf("identitytest: client %s: %v", clientID, err)
	}
	cc := clientcredentials.Config{ClientID: clientID, ClientSecret: secret, TokenURL: s.Issuer + "/oauth/token"}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatalf("identitytest: client credentials for %s: %v", clientID, err)
	}
	return tok.AccessToken
}

// Token signs p in through identity's sign-in page (authorization code + PKCE, as a browser
// would) and returns the access token, meant for audiences.
func (s *Server) Token(t testing.TB, p Person, audiences ...string) string {
	t.Helper()
	s.Person(t, p)
	conf := oauth2.Config{ClientID: s.testClient(t, audiences), RedirectURL: testRedirect,
		Endpoint: oauth2.Endpoint{AuthURL: s.Issuer + "/authorize", TokenURL: s.Issuer + "/oauth/token", AuthStyle: oauth2.AuthStyleInParams},
		Scopes:   []string{"openid", "profile"}}
	verifier := oauth2.GenerateVerifier()
	state := oauth2.GenerateVerifier()
	code, err := s.signIn(conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), p.Username, state)
	if err != nil {
		t.Fatalf("identitytest: sign in %s: %v", p.Username, err)
	}
	tok, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("identitytest: code exchange for %s: %v", p.Username, err)
	}
	return tok.AccessToken
}

// testRedirect is where the test clients are sent back; nothing listens there, the sign-in stops
// at the redirect and reads the code from it.
const testRedirect = "http://127.0.0.1:9/callback"

// testClient ensures a public client whose tokens are meant for audiences.
func (s *Server) testClient(t testing.TB, audiences []string) string {
	t.Helper()
	key := strings.Join(audiences, ",")
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.clients[key]; ok {
		return id
	}
	sum := sha256.Sum256([]byte(key))
	id := "test-" + hex.EncodeToString(sum[:6])
	_, _, _, err := s.id.App.EnsureClient(context.Background(), "test", app.ClientInput{ClientID: id, Name: "Thử " + key,
		Type: domain.ClientPublic, RedirectURIs: []string{testRedirect}, GrantTypes: []string{domain.GrantAuthorizationCode},
		Audiences: audiences})
	if err != nil {
		t.Fatalf("identitytest: test client: %v", err)
	}
	s.clients[key] = id
	return id
}

// signIn follows authURL through the sign-in form and returns the code from the redirect.
func (s *Server) signIn(authURL, username, state string) (string, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), testRedirect) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	get, err := http.NewRequestWithContext(context.Background(), http.MethodGet, authURL, nil)
	if err != nil {
		return "", err
	}
	resp, err := c.Do(get)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("sign-in page answered %d", resp.StatusCode)
	}
	action, vals, err := loginForm(resp.Body)
	if err != nil {
		return "", err
	}
	vals.Set("username", username)
	vals.Set("password", Password)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, s.Origin+action, strings.NewReader(vals.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.Origin) // the pages' CSRF check wants it, as browsers send it
	post, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer func() { _ = post.Body.Close() }()
	loc, err := post.Location()
	if err != nil || !strings.HasPrefix(loc.String(), testRedirect) {
		b, _ := io.ReadAll(post.Body)
		return "", fmt.Errorf("sign-in did not finish: %d %.300s", post.StatusCode, b)
	}
	if loc.Query().Get("state") != state {
		return "", fmt.Errorf("state does not match")
	}
	return loc.Query().Get("code"), nil
}

// loginForm reads the sign-in form's action and hidden fields.
func loginForm(body io.Reader) (string, url.Values, error) {
	doc, err := html.Parse(body)
	if err != nil {
		return "", nil, err
	}
	var action string
	vals := url.Values{}
	var walk func(n *html.Node, inForm bool)
	walk = func(n *html.Node, inForm bool) {
		if n.Type == html.ElementNode && n.Data == "form" && action == "" && strings.Contains(attr(n, "action"), "/login") {
			action, inForm = attr(n, "action"), true
		}
		if inForm && n.Type == html.ElementNode && n.Data == "input" && attr(n, "name") != "" {
			vals.Set(attr(n, "name"), attr(n, "value"))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inForm)
		}
	}
	walk(doc, false)
	if action == "" {
		return "", nil, fmt.Errorf("no sign-in form on the page")
	}
	return action, vals, nil
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func randomHex() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// fixedSecret is a client's secret in tests: derived from its id so repeated calls agree.
func fixedSecret(id string) string {
	sum := sha256.Sum256([]byte("identitytest client " + id))
	return hex.EncodeToString(sum[:])
}
