// Package webtest is a small service page set built on the shell the way a service builds its
// own: one shell, the CSRF middleware on the page group, a form that comes back with its errors
// or redirects with a flash. The shell's own tests and its browser test (in the dev-tooling
// module) both drive it, as net/http/httptest serves net/http's.
package webtest

import (
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/web"
)

// all: keeps the partials whose names start with "_" (embed leaves them out otherwise).
//
//go:embed all:pages
var pages embed.FS

// Key is the flash key of the demo: test-only, never a real secret.
var Key = []byte("0123456789abcdef0123456789abcdef-test-only")

// Row is one line of the demo's list.
type Row struct {
	Code, Name string
	Due        time.Time
	Fee        int64
}

// Data is what the demo form page shows.
type Data struct {
	Received     time.Time
	Fee          int64
	Satisfaction float64
	Count        int
	Procedures   []web.Option
	Recent       []Row
}

// SampleData is the demo's data, with times chosen to show the Vietnamese formats.
func SampleData() Data {
	due := time.Date(2026, 12, 4, 0, 0, 0, 0, web.Location())
	return Data{
		Received:     time.Date(2026, 11, 27, 2, 5, 0, 0, time.UTC), // 09:05 in Hà Nội
		Fee:          1250000,
		Satisfaction: 83.5,
		Count:        12480,
		Procedures: []web.Option{
			{Value: "1.001", Label: "Đăng ký khai sinh"},
			{Value: "1.002", Label: "Cấp bản sao trích lục hộ tịch"},
		},
		Recent: []Row{
			{Code: "000.00.25.H12-261127-0001", Name: "Trần Văn Đức", Due: due, Fee: 0},
			{Code: "000.00.25.H12-261127-0002", Name: "Lê Thị Ngọc Hường", Due: due, Fee: 1250000},
		},
	}
}

// Options change the demo.
type Options struct {
	SignedOut bool // no viewer on the pages
	Insecure  bool // plain HTTP, for httptest.Server and the browser
}

// App returns the demo's shell and engine, with the shell's log in t's log.
func App(t testing.TB, o Options) (*web.Shell, *gin.Engine) {
	t.Helper()
	sub, err := fs.Sub(pages, "pages")
	if err != nil {
		t.Fatal(err)
	}
	shell, err := web.New(web.Config{
		Service:      "Một cửa",
		Prefix:       "/dossiers",
		Pages:        sub,
		FlashKey:     Key,
		InsecureHTTP: o.Insecure,
		Logger:       slog.New(slog.NewTextHandler(testLog{t}, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	shell.Mount(r)
	g := r.Group("/dossiers")
	g.Use(func(c *gin.Context) {
		if !o.SignedOut {
			web.SetViewer(c, &web.Viewer{Name: "Nguyễn Thị Hoa", Role: "Chuyên viên Bộ phận một cửa",
				Tenant: web.Tenant{Slug: "xa-dong-tan", Name: "UBND xã Đông Tân"}})
		}
	}, shell.CSRF())
	g.GET("", func(c *gin.Context) {
		shell.Render(c, http.StatusOK, web.Page{Title: "Hồ sơ đã tiếp nhận", Content: "list"})
	})
	g.GET("/new", func(c *gin.Context) {
		shell.Render(c, http.StatusOK, web.Page{Title: "Tiếp nhận hồ sơ", Content: "demo",
			Data: SampleData(), Form: web.NewForm(nil), Fragment: "rows"})
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
				Data: SampleData(), Form: form})
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
type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
