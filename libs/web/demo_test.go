package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/web"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode) // once, before any test runs in parallel: it writes a global
	os.Exit(m.Run())
}

var testKey = []byte("0123456789abcdef0123456789abcdef-test-only")

type row struct {
	Code, Name string
	Due        time.Time
	Fee        int64
}

type demoData struct {
	Received     time.Time
	Fee          int64
	Satisfaction float64
	Count        int
	Procedures   []web.Option
	Recent       []row
}

func sampleData() demoData {
	due := time.Date(2026, 12, 4, 0, 0, 0, 0, web.Location())
	return demoData{
		Received:     time.Date(2026, 11, 27, 2, 5, 0, 0, time.UTC), // 09:05 in Hà Nội
		Fee:          1250000,
		Satisfaction: 83.5,
		Count:        12480,
		Procedures: []web.Option{
			{Value: "1.001", Label: "Đăng ký khai sinh"},
			{Value: "1.002", Label: "Cấp bản sao trích lục hộ tịch"},
		},
		Recent: []row{
			{Code: "000.00.25.H12-261127-0001", Name: "Trần Văn Đức", Due: due, Fee: 0},
			{Code: "000.00.25.H12-261127-0002", Name: "Lê Thị Ngọc Hường", Due: due, Fee: 1250000},
		},
	}
}

type demoOpts struct {
	signedOut bool
	insecure  bool // plain HTTP, for httptest.Server and the browser
}

// demoApp is a service as a service would write it: one shell, the CSRF middleware on the page
// group, a form page that comes back with errors or redirects with a flash.
func demoApp(t *testing.T, o demoOpts) (*web.Shell, *gin.Engine) {
	t.Helper()
	shell, err := web.New(web.Config{
		Service:      "Một cửa",
		Prefix:       "/dossiers",
		Pages:        os.DirFS("testdata/pages"),
		FlashKey:     testKey,
		InsecureHTTP: o.insecure,
		Logger:       slog.New(slog.NewTextHandler(testLog{t}, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	shell.Mount(r)
	g := r.Group("/dossiers")
	g.Use(func(c *gin.Context) {
		if !o.signedOut {
			web.SetViewer(c, &web.Viewer{Name: "Nguyễn Thị Hoa", Role: "Chuyên viên Bộ phận một cửa",
				Tenant: web.Tenant{Slug: "xa-dong-tan", Name: "UBND xã Đông Tân"}})
		}
	}, shell.CSRF())
	g.GET("", func(c *gin.Context) {
		shell.Render(c, http.StatusOK, web.Page{Title: "Hồ sơ đã tiếp nhận", Content: "list"})
	})
	g.GET("/new", func(c *gin.Context) {
		shell.Render(c, http.StatusOK, web.Page{Title: "Tiếp nhận hồ sơ", Content: "demo",
			Data: sampleData(), Form: web.NewForm(nil), Fragment: "rows"})
	})
	g.POST("/new", func(c *gin.Context) {
		_ = c.Request.ParseForm() // already parsed by the CSRF check; harmless again
		form := web.NewForm(c.Request.PostForm)
		if strings.TrimSpace(form.Values.Get("full_name")) == "" {
			form.Errors.Add("full_name", "Nhập họ và tên người nộp hồ sơ")
		}
		if form.Values.Get("procedure") == "" {
			form.Errors.Add("procedure", "Chọn thủ tục")
		}
		if form.Errors.Any() {
			shell.Render(c, http.StatusUnprocessableEntity, web.Page{Title: "Tiếp nhận hồ sơ", Content: "demo",
				Data: sampleData(), Form: form})
			return
		}
		shell.AddFlash(c, web.FlashSuccess, "Đã tiếp nhận hồ sơ của "+form.Values.Get("full_name")+".")
		c.Redirect(http.StatusSeeOther, "/dossiers")
	})
	g.POST("/ping", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	g.GET("/broken", func(c *gin.Context) {
		shell.Render(c, http.StatusOK, web.Page{Title: "Không có", Content: "missing"})
	})
	return shell, r
}

// testLog sends the shell's log lines to the test's log, shown only when a test fails or with -v.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// client is a browser stand-in for tests over a real listener: it keeps cookies and sends the
// Origin header a browser would.
type client struct {
	t      *testing.T
	base   string
	http   *http.Client
	origin string
}

func newClient(t *testing.T, srv *httptest.Server) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	hc := srv.Client()
	hc.Jar = jar
	return &client{t: t, base: srv.URL, http: hc, origin: srv.URL}
}

// on is the same client reporting to a subtest, whose t may be the only one to call Fatal there.
func (c *client) on(t *testing.T) *client {
	cc := *c
	cc.t = t
	return &cc
}

func (c *client) get(path string) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequestWithContext(c.t.Context(), http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, readBody(c.t, resp)
}

func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequestWithContext(c.t.Context(), http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if c.origin != "" {
		req.Header.Set("Origin", c.origin)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, readBody(c.t, resp)
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var tokenRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func csrfTokenIn(t *testing.T, body string) string {
	t.Helper()
	m := tokenRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF field in page:\n%s", body)
	}
	return m[1]
}

func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("page:\n%s", body)
	}
}
