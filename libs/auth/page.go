package auth

import (
	"bytes"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"
)

// errorTemplate is the sign-in flow's error page when no web.Shell is configured: plain, with a
// way back.
var errorTemplate = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="vi">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Title}}</title></head>
<body>
<main>
<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
<p><a href="{{.Login}}">Đăng nhập lại</a> · <a href="{{.Home}}">Về trang chủ</a></p>
</main>
</body>
</html>
`))

// errorPage answers a person whose sign-in went wrong, in Vietnamese, and stops the chain.
func (w *Web) errorPage(c *gin.Context, status int, title, message string) {
	defer c.Abort()
	if w.cfg.Shell != nil {
		w.cfg.Shell.RenderError(c, status, title, message)
		return
	}
	var buf bytes.Buffer
	err := errorTemplate.Execute(&buf, map[string]string{
		"Title": title, "Message": message, "Login": w.prefix + loginPath, "Home": w.prefix + "/",
	})
	if err != nil { // cannot happen with these string fields; plain text is better than nothing
		c.Data(status, "text/plain; charset=utf-8", []byte(title+"\n"+message+"\n"))
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// internalError logs a failure of ours (never the values involved) and shows a 500 page.
func (w *Web) internalError(c *gin.Context, msg string, err error) {
	ctx := c.Request.Context()
	w.logger(ctx).ErrorContext(ctx, msg, "error", err.Error())
	w.errorPage(c, http.StatusInternalServerError, "Đã có lỗi xảy ra",
		"Hệ thống chưa hoàn tất được việc đăng nhập. Vui lòng thử lại; nếu lỗi vẫn còn, hãy báo cho bộ phận công nghệ thông tin.")
}
