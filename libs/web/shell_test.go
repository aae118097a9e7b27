package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/web"
)

func TestRenderShowsUnitViewerNavigationAndCSRF(t *testing.T) {
	t.Parallel()
	_, r := demoApp(t, demoOpts{})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/dossiers/new", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	body := w.Body.String()
	mustContain(t, body,
		`<html lang="vi">`,
		`<meta name="viewport" content="width=device-width, initial-scale=1">`,
		`<title>Tiếp nhận hồ sơ – Một cửa – UBND xã Đông Tân</title>`,
		`<a class="skip-link" href="#main">`,
		`<main id="main"`,
		`<span class="brand-unit">UBND xã Đông Tân</span>`,
		`<span class="viewer-name">Nguyễn Thị Hoa</span>`,
		`<span class="viewer-role">Chuyên viên Bộ phận một cửa</span>`,
		`<a href="/dossiers" aria-current="page">Một cửa</a>`,
		`<a href="/archives">Văn thư – Lưu trữ</a>`,
		`<a href="/hr">Nhân sự</a>`,
		`<a href="/reports">Báo cáo</a>`,
		`<a href="/auth/account">Tài khoản</a>`,
		`<form class="logout" method="post" action="/auth/logout"><input type="hidden" name="csrf_token" value="`,
		`>Đăng xuất</button>`,
		`<h1>Tiếp nhận hồ sơ</h1>`,
		`/dossiers/static/app.css?v=`,
		`/dossiers/static/htmx.min.js?v=`,
		`hx-headers='{&#34;X-CSRF-Token&#34;:&#34;`,
	)
	if n := strings.Count(body, `aria-current="page"`); n != 1 {
		t.Errorf("%d navigation items marked current, want 1", n)
	}
	if strings.Contains(body, "Đăng nhập") {
		t.Error("signed-in page offers to sign in")
	}
	// Both forms on the page carry the same masked token for this response.
	if n := strings.Count(body, `name="csrf_token" value="`+csrfTokenIn(t, body)+`"`); n != 2 {
		t.Errorf("%d forms carry the token, want 2 (sign-out and the page's form)", n)
	}
	h := w.Header()
	for k, want := range map[string]string{
		"Content-Type":           "text/html; charset=utf-8",
		"Cache-Control":          "no-store",
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
}

func TestRenderSignedOutOffersSignIn(t *testing.T) {
	t.Parallel()
	_, r := demoApp(t, demoOpts{SignedOut: true})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/dossiers?trang=2", nil))
	body := w.Body.String()
	mustContain(t, body,
		`<a class="button button-light" href="/dossiers/login?next=%2Fdossiers%3Ftrang%3D2">Đăng nhập</a>`,
		`<span class="brand-unit">Chính quyền điện tử</span>`,
		`<title>Hồ sơ đã tiếp nhận – Một cửa – Chính quyền điện tử</title>`,
	)
	if strings.Contains(body, "Đăng xuất") {
		t.Error("signed-out page offers to sign out")
	}
}

func TestFormComesBackWithErrorsNextToFields(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(must(demoApp(t, demoOpts{Insecure: true})))
	defer srv.Close()
	c := newClient(t, srv)
	_, page := c.get("/dossiers/new")
	resp, body := c.post("/dossiers/new", url.Values{
		"csrf_token": {csrfTokenIn(t, page)},
		"full_name":  {"  "},
		"phone":      {`0912"><script>alert(1)</script>`},
		"procedure":  {"1.002"},
	})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", resp.StatusCode)
	}
	mustContain(t, body,
		// The error summary links to the field.
		`<div class="error-summary" role="alert" aria-labelledby="error-summary-title">`,
		`<a href="#f-full_name">Nhập họ và tên người nộp hồ sơ</a>`,
		// Label, hint and error, with the input pointing at both.
		`<div class="field field-invalid"><label for="f-full_name">Họ và tên người nộp <span class="required" aria-hidden="true">*</span></label>`,
		`<p class="field-hint" id="f-full_name-hint">Ghi đầy đủ, có dấu, ví dụ: Nguyễn Thị Ánh Tuyết</p>`,
		`<p class="field-error" id="f-full_name-error"><span class="visually-hidden">Lỗi: </span>Nhập họ và tên người nộp hồ sơ</p>`,
		`<input type="text" id="f-full_name" name="full_name" required aria-describedby="f-full_name-hint f-full_name-error" aria-invalid="true" value="  " autocomplete="name">`,
		// What the person typed comes back, escaped.
		`value="0912&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`,
		`<option value="1.002" selected>Cấp bản sao trích lục hộ tịch</option>`,
	)
	if strings.Contains(body, "<script>alert(1)") {
		t.Error("typed value was not escaped")
	}
	if strings.Contains(body, `id="f-phone" name="phone" aria-invalid`) {
		t.Error("a valid field is marked invalid")
	}
}

func TestHTMXRequestGetsOnlyTheFragment(t *testing.T) {
	t.Parallel()
	_, r := demoApp(t, demoOpts{})
	req := httptest.NewRequest(http.MethodGet, "/dossiers/new", nil)
	req.Header.Set("HX-Request", "true")
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	body := w.Body.String()
	if !strings.HasPrefix(strings.TrimSpace(body), "<table>") || strings.Contains(body, "<html") {
		t.Fatalf("fragment is not just the table:\n%s", body)
	}
	mustContain(t, body, "<td>000.00.25.H12-261127-0002</td>", `<td class="num">1.250.000 đ</td>`, "<td>04/12/2026</td>")
	if v := strings.Join(w.Header().Values("Vary"), ", "); !strings.Contains(v, "HX-Request") || !strings.Contains(v, "Cookie") {
		t.Errorf("Vary = %q, want HX-Request and Cookie in it", v)
	}
}

func TestUnknownPageShowsVietnameseErrorPage(t *testing.T) {
	t.Parallel()
	_, r := demoApp(t, demoOpts{})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/dossiers/broken", nil))
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", w.Code)
	}
	mustContain(t, w.Body.String(), "<h1>Đã có lỗi xảy ra</h1>", "Vui lòng thử lại sau ít phút", `<a class="button" href="/dossiers">Về trang chính của Một cửa</a>`)
}

func TestNewRefusesBadConfigAndTemplates(t *testing.T) {
	t.Parallel()
	ok := web.Config{Service: "Nhân sự", Prefix: "/hr", FlashKey: testKey}
	cases := map[string]func(*web.Config){
		"no service":     func(c *web.Config) { c.Service = "" },
		"short key":      func(c *web.Config) { c.FlashKey = []byte("short") },
		"prefix slash":   func(c *web.Config) { c.Prefix = "/hr/" },
		"prefix no root": func(c *web.Config) { c.Prefix = "hr" },
		"no content": func(c *web.Config) {
			c.Pages = fstest.MapFS{"a.html": {Data: []byte(`{{define "other"}}x{{end}}`)}}
		},
		"syntax error": func(c *web.Config) {
			c.Pages = fstest.MapFS{"a.html": {Data: []byte(`{{define "content"}}{{.X{{end}}`)}}
		},
		"unknown func": func(c *web.Config) {
			c.Pages = fstest.MapFS{"a.html": {Data: []byte(`{{define "content"}}{{nosuch .}}{{end}}`)}}
		},
		"no pages": func(c *web.Config) { c.Pages = fstest.MapFS{"_only-partial.html": {Data: []byte(`x`)}} },
	}
	if _, err := web.New(ok); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	for name, mutate := range cases {
		cfg := ok
		mutate(&cfg)
		if _, err := web.New(cfg); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
}

func TestRootPrefixAndCustomNav(t *testing.T) {
	t.Parallel()
	shell, err := web.New(web.Config{Service: "Tài khoản", FlashKey: testKey,
		Nav:   []web.NavItem{{Label: "Tài khoản", Href: "/auth/account"}},
		Pages: fstest.MapFS{"home.html": {Data: []byte(`{{define "content"}}<p>{{.Data}}</p>{{end}}`)}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := shell.Asset("app.css"); !strings.HasPrefix(got, "/static/app.css?v=") {
		t.Errorf("Asset = %q", got)
	}
}

func must[T any](_ *web.Shell, v T) T { return v }

// A citizen's page shows the unit and the service's public links, never the staff menu or a
// sign-in button: the citizen has no account, and "Đăng nhập" only sends them astray.
func TestPublicPageHasNoStaffMenuNorSignIn(t *testing.T) {
	t.Parallel()
	shell, r := demoApp(t, demoOpts{})
	r.GET("/dossiers/tra-cuu", func(c *gin.Context) {
		web.SetTenant(c, web.Tenant{Slug: "xa-dong-tan", Name: "UBND xã Đông Tân"})
		shell.Render(c, http.StatusOK, web.Page{Title: "Tra cứu hồ sơ", Content: "list", Public: true,
			PublicLinks: []web.NavItem{{Label: "Tra cứu hồ sơ", Href: "/dossiers/tra-cuu"}, {Label: "Thủ tục hành chính", Href: "/dossiers/thu-tuc"}}})
	})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/dossiers/tra-cuu", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	body := w.Body.String()
	mustContain(t, body, `<body class="public"`, `<span class="brand-unit">UBND xã Đông Tân</span>`,
		`<a href="/dossiers/tra-cuu" aria-current="page">Tra cứu hồ sơ</a>`, `<a href="/dossiers/thu-tuc">Thủ tục hành chính</a>`)
	for _, staff := range []string{"Đăng nhập", "Văn thư – Lưu trữ", "Nhân sự", "Báo cáo", "Tài khoản", "Đăng xuất"} {
		if strings.Contains(body, staff) {
			t.Errorf("the citizen's page shows %q", staff)
		}
	}
}

// A failure on a public route is shown in the public layout too, with a way back to the
// citizen's pages rather than to the staff's.
func TestErrorOnPublicRouteKeepsThePublicLayout(t *testing.T) {
	t.Parallel()
	shell, r := demoApp(t, demoOpts{})
	r.GET("/dossiers/tra-cuu/loi", func(c *gin.Context) {
		web.SetPublic(c, []web.NavItem{{Label: "Tra cứu hồ sơ", Href: "/dossiers/tra-cuu"}})
		shell.RenderError(c, http.StatusNotFound, "Không tìm thấy", "Không có trang này.")
	})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/dossiers/tra-cuu/loi", nil))
	body := w.Body.String()
	if w.Code != http.StatusNotFound {
		t.Fatalf("status %d", w.Code)
	}
	mustContain(t, body, `<body class="public"`, `<a class="button" href="/dossiers/tra-cuu">Về trang Tra cứu hồ sơ</a>`)
	for _, staff := range []string{"Đăng nhập", "Nhân sự", "Về trang chính của"} {
		if strings.Contains(body, staff) {
			t.Errorf("the citizen's error page shows %q", staff)
		}
	}
}
