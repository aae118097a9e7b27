package service_test

import (
	"context"
	"crypto/rand"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/auth"
	chromium "egov.vn/platform/libs/devkit/browser"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
)

// relyingParty is a small service with one page behind sign-in, built the way every platform
// service builds its pages: libs/web's shell and libs/auth's Web.
type relyingParty struct {
	URL  string // origin + prefix
	name string
}

func startRelyingParty(t *testing.T, h *harness, clientID, prefix, title string) *relyingParty {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String() + prefix
	key := func() []byte { b := make([]byte, 32); _, _ = rand.Read(b); return b }
	shell, err := web.New(web.Config{
		Service: title, Prefix: prefix, FlashKey: key(), InsecureHTTP: true, LogoutURL: prefix + "/logout", LoginURL: prefix + "/login",
		Pages: fstest.MapFS{"home.html": {Data: []byte(`{{define "content"}}<p id="welcome">Xin chào {{$.Viewer.Name}}, đơn vị {{$.Viewer.Tenant.Slug}}</p>{{end}}`)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ended, err := auth.NewEndedSessions(context.Background(), storetest.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	rpWeb, err := auth.NewWeb(context.Background(), auth.WebConfig{Issuer: h.Issuer, ClientID: clientID, BaseURL: base,
		CookieHashKey: key(), CookieBlockKey: key(), InsecureHTTP: true, Ended: ended, Shell: shell})
	if err != nil {
		t.Fatal(err)
	}
	_, secret, _, err := h.ID.App.EnsureClient(context.Background(), "test", app.ClientInput{ClientID: clientID, Name: title,
		RedirectURIs: []string{rpWeb.RedirectURL()}, PostLogoutRedirectURIs: []string{rpWeb.PostLogoutRedirectURL()},
		BackchannelLogoutURI: rpWeb.BackchannelLogoutURL(), GrantTypes: []string{domain.GrantAuthorizationCode}})
	if err != nil {
		t.Fatal(err)
	}
	// The secret exists only now, so the Web is built again with it (a service reads both from
	// its configuration at start).
	rpWeb, err = auth.NewWeb(context.Background(), auth.WebConfig{Issuer: h.Issuer, ClientID: clientID, ClientSecret: secret, BaseURL: base,
		CookieHashKey: key(), CookieBlockKey: key(), InsecureHTTP: true, Ended: ended, Shell: shell})
	if err != nil {
		t.Fatal(err)
	}
	r := httpapi.NewEngine(httpapi.Options{})
	shell.Mount(r)
	rpWeb.Mount(r, shell.CSRF())
	pages := r.Group(prefix, rpWeb.Session(), rpWeb.RequireSignIn(), shell.CSRF())
	pages.GET("/", func(c *gin.Context) { shell.Render(c, http.StatusOK, web.Page{Title: title, Content: "home"}) })
	srv := &http.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return &relyingParty{URL: base, name: clientID}
}

// TestSingleSignOnInChromium: one sign-in at identity serves two services; signing out of one
// signs out of both (back-channel logout). Screenshots go to testenv.ArtifactsDir for review.
func TestSingleSignOnInChromium(t *testing.T) {
	h := startIdentity(t, storetest.SQLite(t))
	h.seedCommune(t, "hoa.nt", string(platform.RoleDossierReceive))
	dossiers := startRelyingParty(t, h, "dossiers", "/dossiers", "Một cửa")
	archives := startRelyingParty(t, h, "archives", "/archives", "Văn thư – Lưu trữ")

	ctx := chromium.Chromium(t, 90*time.Second, chromedp.WindowSize(412, 915))

	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		testenv.WriteArtifact(t, name, png)
	}
	location := func() string {
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}

	// 1. Opening the first service leads to identity's sign-in page.
	if err := chromedp.Do(ctx, chromedp.Navigate(dossiers.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`))); err != nil {
		t.Fatalf("sign-in page: %v (at %s)", err, location())
	}
	if loc := location(); !strings.HasPrefix(loc, h.Issuer+"/login") {
		t.Fatalf("the first service sent the browser to %s, want identity's sign-in page", loc)
	}
	shot("sso-1-dang-nhap.png")
	chromium.CheckAccessible(t, ctx, "the sign-in page", nil)
	chromium.CheckKeyboard(t, ctx, "the sign-in page")
	// A wrong password: the page says so.
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "hoa.nt"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "sai-mat-khau"),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[role="alert"]`)),
	); err != nil {
		t.Fatalf("a wrong password: %v (at %s)", err, location())
	}
	chromium.CheckAccessible(t, ctx, "the sign-in page after a wrong password", nil)
	if err := chromedp.Do(ctx, chromedp.Navigate(dossiers.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`))); err != nil {
		t.Fatalf("sign-in page: %v (at %s)", err, location())
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "hoa.nt"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), h.Password),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS("#welcome")),
	); err != nil {
		t.Fatalf("signing in: %v (at %s)", err, location())
	}
	welcome, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#welcome")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(welcome, "Nguyễn Thị Hoa") || !strings.Contains(welcome, "xa-dong-tan") || !strings.HasPrefix(location(), dossiers.URL) {
		t.Fatalf("after sign-in: %q at %s", welcome, location())
	}
	shot("sso-2-mot-cua.png")

	// 2. The second service: no sign-in form, straight to its page.
	if err := chromedp.Do(ctx, chromedp.Navigate(archives.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#welcome"))); err != nil {
		t.Fatalf("second service: %v (at %s)", err, location())
	}
	if welcome, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#welcome"))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(welcome, "Nguyễn Thị Hoa") || !strings.HasPrefix(location(), archives.URL) {
		t.Fatalf("second service without a new sign-in: %q at %s", welcome, location())
	}
	shot("sso-3-van-thu.png")

	// 3. Sign out of the second service: identity ends the session and tells both services.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("form.logout button")),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`))); err != nil {
		t.Fatalf("signing out: %v (at %s)", err, location())
	}
	shot("sso-4-da-dang-xuat.png")
	if err := chromedp.Do(ctx, chromedp.Navigate(h.Issuer+"/logout"), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
		t.Fatalf("the sign-out page: %v (at %s)", err, location())
	}
	chromium.CheckAccessible(t, ctx, "the sign-out page", nil)

	// 4. Both services now demand a sign-in again.
	for _, rp := range []*relyingParty{dossiers, archives} {
		if err := chromedp.Do(ctx, chromedp.Navigate(rp.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`))); err != nil {
			t.Fatalf("%s after sign-out: %v (at %s)", rp.name, err, location())
		}
		if loc := location(); !strings.HasPrefix(loc, h.Issuer+"/login") {
			t.Fatalf("%s after sign-out is at %s, want identity's sign-in page", rp.name, loc)
		}
	}
	shot("sso-5-dang-nhap-lai.png")
}
