package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/httpapi"
)

// NotFound answers a request that no route matched. A person who typed or followed a wrong
// address in a browser gets the shell's 404 page in their language, with the button back to the
// service's start page, instead of a JSON document they cannot read. A program gets what it
// always got, httpapi.NotFound's problem+json: any path under an "/api/" segment, any method but
// GET and HEAD, and any request that does not accept HTML (a fetch or curl without a browser's
// Accept header).
func (s *Shell) NotFound(c *gin.Context) {
	if !wantsPage(c.Request) {
		httpapi.NotFound(c)
		return
	}
	// No route means no session middleware ran: the header would offer a signed-in person
	// "Đăng nhập", which leads back to this very address. It offers neither.
	c.Set(noAccountKey, true)
	tr := s.Translator(c)
	s.RenderError(c, http.StatusNotFound, tr.T("web.no_page.title"), tr.T("web.no_page"))
}

// wantsPage reports whether r is a browser's navigation to a page. Browsers send
// "text/html,application/xhtml+xml,…" on navigations; API clients send application/json or */*.
func wantsPage(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if strings.Contains(r.URL.Path+"/", "/api/") {
		return false
	}
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}
