package web

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/httpapi"
)

// Page routes that take a file have their own body limit, far above the engine's 1 MiB for
// everything else. It has to be in force before the CSRF check: for a plain form post (no
// JavaScript, the token in a form field) nosurf reads the whole form to find its token, and a
// limit set by the route's own handlers comes too late. Under the engine's 1 MiB cap that read
// failed, and a 5 MB scan was refused as an expired form. So a page route declares its limit
// with Shell.PostUpload, and CSRF applies it, then reads the form itself, strictly.

// uploadMemory is how much of a plain form's files is kept in memory; the rest goes to disk.
const uploadMemory = 1 << 20

// uploadLimits are the page routes that take a file, by "METHOD /full/path" as gin matched it.
type uploadLimits struct{ m sync.Map }

func (u *uploadLimits) set(method, fullPath string, limit int64) {
	u.m.Store(method+" "+fullPath, limit)
}

func (u *uploadLimits) get(method, fullPath string) (int64, bool) {
	v, ok := u.m.Load(method + " " + fullPath)
	if !ok {
		return 0, false
	}
	return v.(int64), true
}

// PostUpload registers a POST page route on r whose body, a multipart form with a file, may be
// up to limit bytes (the file plus the form around it). The CSRF check applies that limit before
// it reads the form: a larger body is refused with the 413 page before any of it is used. r
// must be a *gin.RouterGroup (or anything else with its BasePath) behind this shell's CSRF.
func (s *Shell) PostUpload(r gin.IRoutes, path string, limit int64, handlers ...gin.HandlerFunc) {
	if limit <= 0 {
		panic("web.PostUpload: the limit must be positive")
	}
	g, ok := r.(interface{ BasePath() string })
	if !ok {
		panic(fmt.Sprintf("web.PostUpload: %T does not tell its base path; pass the *gin.RouterGroup", r))
	}
	s.uploads.set(http.MethodPost, joinPath(g.BasePath(), path), limit)
	r.POST(path, handlers...)
}

// joinPath is gin's joining of a group's base path and a route's.
func joinPath(base, path string) string {
	if path == "" {
		return base
	}
	joined := strings.TrimSuffix(base, "/") + "/" + strings.TrimPrefix(path, "/")
	if strings.HasSuffix(path, "/") && !strings.HasSuffix(joined, "/") {
		joined += "/"
	}
	return joined
}

// applyUploadLimit runs before the CSRF check on a route registered with PostUpload: it puts the
// route's limit on the body and, for a plain form post, reads the form (see readUploadForm). It
// reports false when it has answered the request already (413 or 400). done removes the files
// the form spooled to disk; call it when the request is over.
func (s *Shell) applyUploadLimit(c *gin.Context) (ok bool, done func()) {
	done = func() {}
	limit, found := s.uploads.get(c.Request.Method, c.FullPath())
	if !found {
		return true, done
	}
	if err := httpapi.LimitBody(c, limit); err != nil {
		s.Fail(c, err)
		return false, done
	}
	ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if ct != "multipart/form-data" || c.GetHeader(CSRFHeaderName) != "" {
		// A token in the header (htmx, scripts) leaves the body unread for the handler to
		// stream; it reads under the limit just set.
		return true, done
	}
	if err := httpapi.ParseMultipartForm(c.Request, uploadMemory); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.Fail(c, err)
			return false, done
		}
		s.logger.WarnContext(c.Request.Context(), "web: upload form refused", "path", c.Request.URL.Path, "error", err.Error())
		tr := s.Translator(c)
		s.RenderError(c, http.StatusBadRequest, tr.T("web.unreadable_form.title"), tr.T("web.unreadable_form"))
		return false, done
	}
	form := c.Request.MultipartForm
	return true, func() { _ = form.RemoveAll() }
}
