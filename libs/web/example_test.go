package web_test

import (
	"net/http"
	"os"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/web"
)

// A service builds one Shell at start, mounts its static files, puts the CSRF middleware on its
// page routes and renders pages whose templates define only "content".
func Example() {
	shell, err := web.New(web.Config{
		Service:  "Một cửa",
		Prefix:   "/dossiers",
		Pages:    os.DirFS("internal/ports/templates"), // list.html, receive.html, _row.html …
		FlashKey: []byte(os.Getenv("DOSSIERS_FLASH_KEY")),
	})
	if err != nil {
		return // a real main logs and exits: config fails fast
	}
	r := gin.New()
	shell.Mount(r) // /dossiers/static/…
	pages := r.Group("/dossiers", shell.CSRF())
	pages.GET("/receive", func(c *gin.Context) {
		shell.Render(c, http.StatusOK, web.Page{Title: "Tiếp nhận hồ sơ", Content: "receive", Form: web.NewForm(nil)})
	})
	pages.POST("/receive", func(c *gin.Context) {
		form := web.NewForm(c.Request.PostForm)
		if form.Values.Get("full_name") == "" {
			form.Errors.Add("full_name", "Nhập họ và tên người nộp hồ sơ")
			shell.Render(c, http.StatusUnprocessableEntity, web.Page{Title: "Tiếp nhận hồ sơ", Content: "receive", Form: form})
			return
		}
		shell.AddFlash(c, web.FlashSuccess, "Đã tiếp nhận hồ sơ.")
		c.Redirect(http.StatusSeeOther, "/dossiers")
	})
}
