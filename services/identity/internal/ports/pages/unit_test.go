package pages

import (
	"context"
	"strings"
	"testing"
	"time"

	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
	"egov.vn/platform/services/identity/internal/ports/pages/i18n"
)

func TestSafeNextKeepsRedirectsOnIdentity(t *testing.T) {
	t.Parallel()
	p := &Pages{cfg: Config{Prefix: "/auth"}}
	for next, want := range map[string]string{
		"":                             "/auth/account",
		"/auth/account":                "/auth/account",
		"/auth/account?tab=totp":       "/auth/account?tab=totp",
		"/auth/login?authRequestID=ab": "/auth/login?authRequestID=ab",
		"/auth":                        "/auth",
		"/authx":                       "/auth/account",
		"/dossiers":                    "/auth/account",
		"https://evil.example/auth/x":  "/auth/account",
		"//evil.example/auth/x":        "/auth/account",
		"/\\evil.example":              "/auth/account",
		"/auth/../dossiers":            "/auth/account",
		"/auth/%2e%2e/dossiers":        "/auth/account",
		"/%2F%2Fevil.example":          "/auth/account",
		"auth/account":                 "/auth/account",
		"javascript:alert(1)":          "/auth/account",
		"/auth/account\r\nSet-Cookie:": "/auth/account",
	} {
		if got := p.safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
	root := &Pages{cfg: Config{Prefix: ""}}
	if got := root.safeNext("/anything"); got != "/anything" {
		t.Errorf("root prefix: safeNext = %q", got)
	}
	if got := root.safeNext("//evil.example"); got != "/account" {
		t.Errorf("root prefix: safeNext(//evil) = %q", got)
	}
}

func TestUILocalesPickTheFirstLanguageWeHave(t *testing.T) {
	t.Parallel()
	if l, ok := fromUILocales([]string{"fr", "en-US", "vi"}); !ok || l != web.LangEN {
		t.Errorf("ui_locales fr en-US vi: %q, want en (its first language we have)", l)
	}
}

var (
	langVI = Lang{web.NewTranslator(web.LangVI, i18n.Catalogue())}
	langEN = Lang{web.NewTranslator(web.LangEN, i18n.Catalogue())}
)

// Every role and every refused password has its own words in both languages (the catalogue's
// completeness is i18n's test).
func TestRolesAndPasswordProblemsHaveTheirOwnWords(t *testing.T) {
	t.Parallel()
	for _, r := range platform.Roles() {
		for _, l := range []Lang{langVI, langEN} {
			if got := l.roleDescription(string(r.Name)); got == string(r.Name) {
				t.Errorf("%s: role %s has no description", l.Lang(), r.Name)
			}
		}
		if got := langVI.roleDescription(string(r.Name)); got != r.Description {
			t.Errorf("role %s reads %q in Vietnamese, platform.Roles says %q", r.Name, got, r.Description)
		}
	}
	policy := domain.DefaultPasswordPolicy()
	for _, p := range []domain.PasswordProblem{domain.PasswordTooShort, domain.PasswordTooLong, domain.PasswordTooSimple,
		domain.PasswordHasUsername, domain.PasswordCommon, domain.PasswordSameAsBefore} {
		for _, l := range []Lang{langVI, langEN} {
			if msg := l.passwordProblem(p, policy); msg == l.T("pwproblem.other") || strings.Contains(msg, "%!") {
				t.Errorf("%s: problem %s has no message of its own: %q", l.Lang(), p, msg)
			}
		}
	}
}

func TestLockoutMessageSaysWhoAndUntilWhenInVietnamTime(t *testing.T) {
	t.Parallel()
	until := time.Date(2026, 11, 27, 2, 20, 0, 0, time.UTC) // 09:20 in Hà Nội
	if got := lockoutMessage(langVI, &app.LockedOutError{Until: until}); !strings.Contains(got, "Tên đăng nhập này") || !strings.Contains(got, "09:20 27/11/2026") {
		t.Errorf("account lockout: %q", got)
	}
	if got := lockoutMessage(langEN, &app.LockedOutError{Until: until, Address: true}); !strings.Contains(got, "network") || !strings.Contains(got, "09:20 27/11/2026 (Vietnam time)") {
		t.Errorf("address lockout: %q", got)
	}
	if web.FormatDateTime(until) != "09:20 27/11/2026" {
		t.Fatal("web.FormatDateTime changed; fix the test's expectation")
	}
}

func TestDescribeBrowser(t *testing.T) {
	t.Parallel()
	for ua, want := range map[string]string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36":                           "Chrome trên Windows",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0":             "Microsoft Edge trên Windows",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) coc_coc_browser/133.0.196 Chrome/127.0.0.0 Safari/537.36": "Cốc Cốc trên Windows",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1":   "Safari trên iOS",
		"Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36":                    "Chrome trên Android",
		"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0":                                                                    "Firefox trên Linux",
		"Go-http-client/1.1": "Go-http-client/1.1",
		"":                   "Không rõ",
	} {
		if got := describeBrowser(langVI, ua); got != want {
			t.Errorf("%q: %q, want %q", ua, got, want)
		}
	}
	if got := describeBrowser(langEN, "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"); got != "Firefox on Linux" {
		t.Errorf("English: %q", got)
	}
}

func TestGroupSecretAndNormaliseCode(t *testing.T) {
	t.Parallel()
	if got := groupSecret("JBSWY3DPEHPK3PXPAB"); got != "JBSW Y3DP EHPK 3PXP AB" {
		t.Errorf("groupSecret = %q", got)
	}
	for in, want := range map[string]string{"123456": "123456", "123 456": "123456", "123-456": "123456", " 12 34 56 ": "123456"} {
		if got := normaliseCode(in); got != want {
			t.Errorf("normaliseCode(%q) = %q", in, got)
		}
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	a := app.New(app.Deps{}, app.DefaultConfig())
	templates, err := Templates()
	if err != nil {
		t.Fatal(err)
	}
	shell, err := bootstrap.NewShell("/auth", make([]byte, 32), true, bootstrap.Deps{}, bootstrap.WebOptions{Title: Title, Pages: templates, Messages: i18n.Catalogue()})
	if err != nil {
		t.Fatal(err)
	}
	ok := Config{Prefix: "/auth", Issuer: "http://localhost:8080/auth", CallbackURL: func(_ context.Context, id string) string { return id },
		CookieHashKey: make([]byte, 32), CookieBlockKey: make([]byte, 32), Shell: shell}
	if _, err := New(a, ok); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	for name, mutate := range map[string]func(*Config){
		"no callback":      func(c *Config) { c.CallbackURL = nil },
		"short hash key":   func(c *Config) { c.CookieHashKey = make([]byte, 16) },
		"bad block key":    func(c *Config) { c.CookieBlockKey = make([]byte, 20) },
		"no shell":         func(c *Config) { c.Shell = nil },
		"bad prefix":       func(c *Config) { c.Prefix = "auth/" },
		"issuer elsewhere": func(c *Config) { c.Issuer = "http://localhost:8080/identity" },
	} {
		cfg := ok
		mutate(&cfg)
		if _, err := New(a, cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := New(nil, ok); err == nil {
		t.Error("nil app accepted")
	}
	// The flash key is the shell's: bootstrap.NewShell refuses a short one.
	if _, err := bootstrap.NewShell("/auth", make([]byte, 8), true, bootstrap.Deps{}, bootstrap.WebOptions{Title: Title}); err == nil {
		t.Error("short flash key: accepted")
	}
}
