package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// Only these files are served; vendor.sh and VERSIONS stay in the source tree.
//
//go:embed static/*.css static/*.js static/*.svg
var staticFS embed.FS

// contentTypes is explicit rather than left to mime.TypeByExtension, whose answer depends on the
// /etc/mime.types of the image the service runs in.
var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
}

type asset struct {
	body, gzipped []byte
	version       string // first 12 hex digits of the SHA-256 of body
	contentType   string
}

func loadAssets() (map[string]*asset, error) {
	assets := map[string]*asset{}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		ct, ok := contentTypes[path.Ext(p)]
		if !ok {
			return fmt.Errorf("web: static file %s has no known content type", p)
		}
		sum := sha256.Sum256(body)
		// Compressed once at start: htmx shrinks from ~50 KB to ~16 KB, which counts on a
		// commune's mobile connection.
		var gz bytes.Buffer
		w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		_, _ = w.Write(body)
		if err := w.Close(); err != nil {
			return err
		}
		assets[strings.TrimPrefix(p, "static/")] = &asset{body: body, gzipped: gz.Bytes(),
			version: hex.EncodeToString(sum[:6]), contentType: ct}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: load static files: %w", err)
	}
	return assets, nil
}

// Asset is the URL of a static file with its content version, "/dossiers/static/app.css?v=…".
// Because the URL changes whenever the file does, browsers may keep it for a year.
func (s *Shell) Asset(name string) string {
	a, ok := s.assets[name]
	if !ok {
		return s.cfg.Prefix + "/static/" + name
	}
	return s.cfg.Prefix + "/static/" + name + "?v=" + a.version
}

// Mount serves the shell's static files at Prefix+"/static/" on r, the service's engine. When r
// is the engine itself (as bootstrap.Web.Pages and identity mount it), the shell also answers the
// routes nobody registered (NotFound): the one place every service gets its 404 page.
func (s *Shell) Mount(r gin.IRoutes) {
	p := s.cfg.Prefix + "/static/*file"
	r.GET(p, s.serveStatic)
	r.HEAD(p, s.serveStatic)
	if e, ok := r.(*gin.Engine); ok {
		e.NoRoute(s.NotFound)
	}
}

func (s *Shell) serveStatic(c *gin.Context) {
	name := strings.TrimPrefix(c.Param("file"), "/")
	a, ok := s.assets[name]
	if !ok {
		c.Data(http.StatusNotFound, "text/plain; charset=utf-8", []byte("Không tìm thấy tệp.\n"))
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Vary", "Accept-Encoding")
	if c.Query("v") == a.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		// An unversioned or stale URL (an old page still open after a deploy) must revalidate,
		// or it would pin the old file for a year.
		h.Set("Cache-Control", "no-cache")
	}
	body, etag := a.body, `"`+a.version+`"`
	if strings.Contains(c.GetHeader("Accept-Encoding"), "gzip") {
		body, etag = a.gzipped, `"`+a.version+`-gz"`
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", etag)
	http.ServeContent(c.Writer, c.Request, name, time.Time{}, bytes.NewReader(body))
}
