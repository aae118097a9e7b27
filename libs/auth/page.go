package auth

import (
	"bytes"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/web"
)

// errorTemplate is the sign-in flow's error page when no web.Shell is configured: plain, in
// Vietnamese, with a way back.
var errorTemplate = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="vi">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Title}}</title></head>
<body>
<main>
<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
<p><a href="{{.Login}}">{{.Again}}</a> · <a href="{{.Home}}">{{.HomeLabel}}</a></p>
</main>
</body>
</html>
`))

// message is an id of the shell's catalogue (web.ShellCatalogue, "web.signin.*") with its
// arguments: the sign-in flow's words live there, so a service's pages show them in the person's
// language.
type message struct {
	id   string
	args []any
}

// words is the catalogue in this request's language: the shell's choice when the service has a
// shell, else Vietnamese.
func (w *Web) words(c *gin.Context) web.Translator {
	if w.cfg.Shell != nil {
		return w.cfg.Shell.Translator(c)
	}
	return web.NewTranslator(web.LangVI, web.ShellCatalogue())
}

// errorPage answers a person whose sign-in went wrong, in their language, and stops the chain.
// msg is a message id (string) or a message with arguments.
func (w *Web) errorPage(c *gin.Context, status int, titleID string, msg any) {
	defer c.Abort()
	tr := w.words(c)
	title := tr.T(titleID)
	var text string
	switch m := msg.(type) {
	case message:
		text = tr.T(m.id, m.args...)
	case string:
		text = tr.T(m)
	}
	if w.cfg.Shell != nil {
		w.cfg.Shell.RenderError(c, status, title, text)
		return
	}
	var buf bytes.Buffer
	err := errorTemplate.Execute(&buf, map[string]string{
		"Title": title, "Message": text, "Login": w.prefix + loginPath, "Home": w.prefix + "/",
		"Again": tr.T("web.signin.again"), "HomeLabel": tr.T("web.signin.home"),
	})
	if err != nil { // cannot happen with these string fields; plain text is better than nothing
		c.Data(status, "text/plain; charset=utf-8", []byte(title+"\n"+text+"\n"))
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// internalError logs a failure of ours (never the values involved) and shows a 500 page.
func (w *Web) internalError(c *gin.Context, msg string, err error) {
	ctx := c.Request.Context()
	w.logger(ctx).ErrorContext(ctx, msg, "error", err.Error())
	w.errorPage(c, http.StatusInternalServerError, "web.internal.title", "web.signin.internal")
}
