package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

//go:embed templates/*.html
var templateFS embed.FS

// Config is what a service tells the shell about itself. Service, Prefix and FlashKey are
// required; the rest has defaults that fit the platform as deployed.
type Config struct {
	// Service is the service's name as staff know it, shown in the browser tab: "Một cửa". The
	// catalogue's "service" message, when there is one, names it in the page's language.
	Service string
	// Prefix is the path the service is mounted under, "/dossiers"; static files are served under
	// Prefix+"/static/" and flash messages are scoped to it. "" mounts at the root.
	Prefix string
	// Pages holds the service's page templates. Each file matching PagePatterns (default
	// "*.html") is one page, named by its file name without extension ("list.html" is "list"), and
	// must define "content". Files whose name starts with "_" are partials available to every page.
	Pages        fs.FS
	PagePatterns []string
	// FlashKey signs flash-message cookies (HMAC-SHA256), at least 32 bytes. Every replica of a
	// service must use the same key, or a message set by one is lost on another.
	FlashKey []byte
	// SiteName names the platform, shown with the unit's name. Default the catalogue's "web.site",
	// "Chính quyền điện tử" in Vietnamese.
	SiteName string
	// Nav lists the services in the navigation bar. Default DefaultNav().
	Nav []NavItem
	// LoginURL is where the "Đăng nhập" link goes; the current path is added as ?next=.
	// Default Prefix+"/login" (each service is its own OIDC relying party).
	LoginURL string
	// LogoutURL receives the sign-out form (POST with CSRF token). Default "/auth/logout", the
	// identity service, which ends the single sign-on session and every service's session.
	LogoutURL string
	// Messages is the service's catalogue, read by {{t "id"}} in its templates and by
	// Translator in its handlers, beside the shell's own ("web.…" ids).
	Messages Catalogue
	// InsecureHTTP allows plain-HTTP cookies and origins, for local development only.
	InsecureHTTP bool
	// Logger receives render and CSRF failures. Default slog.Default().
	Logger *slog.Logger
}

// NavItem is one service in the navigation bar. ID, when set, is the message id of its label,
// so it follows the page's language; Label is then only the Vietnamese fallback.
type NavItem struct {
	Label string
	Href  string
	ID    string
}

// DefaultNav is the platform's services, in the order staff meet them in a working day.
func DefaultNav() []NavItem {
	return []NavItem{
		{Label: "Một cửa", Href: "/dossiers", ID: "web.nav.dossiers"},
		{Label: "Văn thư – Lưu trữ", Href: "/archives", ID: "web.nav.archives"},
		{Label: "Nhân sự", Href: "/hr", ID: "web.nav.hr"},
		{Label: "Báo cáo", Href: "/reports", ID: "web.nav.reports"},
		{Label: "Tài khoản", Href: AccountPage, ID: "web.nav.account"},
	}
}

// AccountPage is the signed-in person's own page at identity, which every account may open:
// where a refusal sends them, since the refusing service's home may be refused just the same
// (a person without report.view sent from /reports back to /reports).
const AccountPage = "/auth/account"

// Tenant is the administrative unit whose data a page shows.
type Tenant struct {
	Slug string // stable DNS label, "xa-dong-tan"
	Name string // official name shown in the header, "UBND xã Đông Tân"
}

// Viewer is the signed-in person as the page shows them. The auth middleware fills it from the
// session (SetViewer); no Viewer means signed out.
type Viewer struct {
	Name   string // "Nguyễn Thị Hoa"
	Role   string // role as a person reads it, "Chuyên viên Bộ phận một cửa"
	Tenant Tenant // the unit the person works for
}

const (
	viewerKey = "egov.web.viewer"
	tenantKey = "egov.web.tenant"
	publicKey = "egov.web.public"
	// noAccountKey marks a request whose page must not guess whether the person is signed in.
	noAccountKey = "egov.web.no_account"
)

// SetViewer records the signed-in person for the pages of this request.
func SetViewer(c *gin.Context, v *Viewer) { c.Set(viewerKey, v) }

// ViewerFrom returns the signed-in person, or nil when signed out.
func ViewerFrom(c *gin.Context) *Viewer {
	v, _ := c.Get(viewerKey)
	p, _ := v.(*Viewer)
	return p
}

// SetTenant records the unit a page is about when nobody is signed in, e.g. a citizen looking up a
// dossier on the unit's public page. When a Viewer is set, its Tenant is used unless this is set.
func SetTenant(c *gin.Context, t Tenant) { c.Set(tenantKey, t) }

// SetPublic makes every page of this request a citizen's page (Page.Public, with links as its
// PublicLinks), error pages included: a middleware on a service's public routes calls it, so a
// citizen who meets a 404 or a failure is not shown the staff menu and a sign-in button either.
func SetPublic(c *gin.Context, links []NavItem) { c.Set(publicKey, links) }

// Page is one page to render: the layout around the service's template named Content.
type Page struct {
	Title   string // the page's h1 and the start of the <title>
	Content string // name of the service's page template, "list" for list.html
	Data    any    // whatever the page template needs, as .Data
	Form    *Form  // values and errors of the page's form, as .Form; nil for none
	// Fragment names a template of the page to render alone for htmx requests (HX-Request set,
	// not a boosted navigation), e.g. the rows of a table being filtered. Empty renders the page.
	Fragment string
	// SwitchURL is the page's GET address for the language switch when it differs from the
	// request's (a page answering a POST); empty is the request's own address.
	SwitchURL string
	// Public marks a page for citizens (a dossier lookup, a unit's procedures): the layout shows
	// the unit and the service but no staff menu and no sign-in button, which only confuse
	// someone who has no account, and links PublicLinks instead.
	Public bool
	// PublicLinks are the citizen's pages of the service, shown in a public page's header.
	PublicLinks []NavItem
}

// NavLink is a NavItem as rendered, knowing whether it is the current service.
type NavLink struct {
	NavItem
	Current bool
}

// View is the data every template gets as ".": the Page (so .Title, .Data, .Form) and what the
// layout shows. Page templates use .Data and .Form; inside range or with, use $ for the View.
//
// Lang is the page's language (Shell.Lang), which becomes <html lang> so screen readers pick the
// right voice and browsers the right hyphenation; Switch is the link to the other language.
type View struct {
	Page
	Lang      Lang
	Switch    LangSwitch
	SiteName  string
	Service   string
	Prefix    string
	UnitName  string
	Viewer    *Viewer
	Nav       []NavLink
	Flashes   []Flash
	CSRFToken string
	LoginURL  string
	LogoutURL string
	// Back, on an error page, is where its button leads instead of the service's home.
	Back *NavItem
	// NoAccount leaves out the header's sign-in or sign-out: on a page answered before the
	// session was read (an unknown address), either could be wrong.
	NoAccount bool
}

// HXHeaders is the value of <body hx-headers>, carrying the CSRF token on htmx requests.
func (v *View) HXHeaders() string { return hxHeaders(v.CSRFToken) }

// Shell renders pages in the platform layout and serves its static files. It is safe for
// concurrent use and built once per process with New.
type Shell struct {
	cfg        Config
	logger     *slog.Logger
	cookiePath string
	messages   map[Lang]Messages
	// pages holds each page parsed once per language, with {{t}} and the dates' words bound to
	// it: a request picks its language's set instead of cloning templates per request.
	pages   map[Lang]map[string]*template.Template
	assets  map[string]*asset
	uploads uploadLimits // page routes that take a file (PostUpload)
}

// errorPage is the built-in page for RenderError. The "/" cannot occur in a service page's name.
const errorPage = "web/error"

// New checks the configuration and parses the layout and the service's pages, so a broken
// template stops the service at start, not at a person's first click.
func New(cfg Config) (*Shell, error) {
	if cfg.Service == "" {
		return nil, errors.New("web: Config.Service is required")
	}
	if cfg.Prefix != "" && (!strings.HasPrefix(cfg.Prefix, "/") || strings.HasSuffix(cfg.Prefix, "/")) {
		return nil, fmt.Errorf("web: Config.Prefix %q must start with / and not end with one", cfg.Prefix)
	}
	if len(cfg.FlashKey) < 32 {
		return nil, errors.New("web: Config.FlashKey must be at least 32 bytes")
	}
	if cfg.Nav == nil {
		cfg.Nav = DefaultNav()
	}
	if cfg.LoginURL == "" {
		cfg.LoginURL = cfg.Prefix + "/login"
	}
	if cfg.LogoutURL == "" {
		cfg.LogoutURL = "/auth/logout"
	}
	if len(cfg.PagePatterns) == 0 {
		cfg.PagePatterns = []string{"*.html"}
	}
	s := &Shell{cfg: cfg, logger: cfg.Logger, cookiePath: cfg.Prefix, pages: map[Lang]map[string]*template.Template{}}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if s.cookiePath == "" {
		s.cookiePath = "/"
	}
	var err error
	if s.messages, err = mergeCatalogues(shellCatalogue, cfg.Messages); err != nil {
		return nil, err
	}
	if s.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	for _, l := range Langs {
		s.pages[l] = map[string]*template.Template{}
		base, err := s.parseBase(l)
		if err != nil {
			return nil, err
		}
		if err := s.addPage(l, base, errorPage, templateFS, nil, "templates/error.html"); err != nil {
			return nil, err
		}
		if cfg.Pages != nil {
			if err := s.parsePages(l, base, cfg.Pages, cfg.PagePatterns); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

// parseBase parses the layout and the field templates for pages in l.
func (s *Shell) parseBase(l Lang) (*template.Template, error) {
	tr := Translator{lang: l, msgs: s.messages[l]}
	nf := numbersIn(l)
	langFuncs := template.FuncMap{
		// t is a message of the catalogue in the page's language: {{t "intake.title"}},
		// {{t "inbox.count" .Data.Total}}.
		"t": tr.T,
	}
	fields, err := template.New("fields").Funcs(langFuncs).ParseFS(templateFS, "templates/fields.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse field templates: %w", err)
	}
	funcs := template.FuncMap{
		"t":     tr.T,
		"asset": s.Asset,
		"href":  func(p string) string { return s.cfg.Prefix + p },
		"csrfField": func(v *View) template.HTML {
			if v == nil || v.CSRFToken == "" {
				return ""
			}
			return template.HTML(`<input type="hidden" name="` + CSRFFieldName + `" value="` +
				template.HTMLEscapeString(v.CSRFToken) + `">` + idempotencyField())
		},
		"date":     timeFunc(FormatDate),
		"longDate": timeFunc(longDateIn(l)),
		"dateTime": timeFunc(FormatDateTime),
		"number":   nf.number,
		"decimal":  nf.decimal,
		"money":    nf.money,
		"percent":  nf.percent,
	}
	for k, v := range formFuncs(fields) {
		funcs[k] = v
	}
	base, err := template.New("layout").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	return base, nil
}

// parsePages gives each page its own copy of the layout, so every page can define "content"
// without clashing, and the service's partials ("_row.html") are shared by all.
func (s *Shell) parsePages(l Lang, base *template.Template, fsys fs.FS, patterns []string) error {
	var files, partials []string
	seen := map[string]bool{}
	for _, p := range patterns {
		m, err := fs.Glob(fsys, p)
		if err != nil {
			return fmt.Errorf("web: page pattern %q: %w", p, err)
		}
		for _, f := range m {
			if seen[f] {
				continue
			}
			seen[f] = true
			if strings.HasPrefix(path.Base(f), "_") {
				partials = append(partials, f)
			} else {
				files = append(files, f)
			}
		}
	}
	if len(files) == 0 {
		return fmt.Errorf("web: no page templates match %q", patterns)
	}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), path.Ext(f))
		if _, dup := s.pages[l][name]; dup {
			return fmt.Errorf("web: two page templates are named %q", name)
		}
		if err := s.addPage(l, base, name, fsys, partials, f); err != nil {
			return err
		}
	}
	return nil
}

func (s *Shell) addPage(l Lang, base *template.Template, name string, fsys fs.FS, partials []string, file string) error {
	t, err := base.Clone()
	if err != nil {
		return fmt.Errorf("web: page %s: %w", name, err)
	}
	if t, err = t.ParseFS(fsys, append(append([]string{}, partials...), file)...); err != nil {
		return fmt.Errorf("web: page %s: %w", name, err)
	}
	if t.Lookup("content") == nil {
		return fmt.Errorf("web: page %s (%s) does not define \"content\"", name, file)
	}
	s.pages[l][name] = t
	return nil
}

// Render writes the page in the layout with the given status. A page that fails to render is
// logged and replaced by an error page; the person never sees half a page. Render must run
// behind the CSRF middleware for forms (and the sign-out button) to carry a token.
func (s *Shell) Render(c *gin.Context, status int, p Page) {
	t, ok := s.pages[s.Lang(c)][p.Content]
	if !ok {
		s.renderFailed(c, fmt.Errorf("web: no page template named %q", p.Content))
		return
	}
	v := s.view(c, p)
	name := "layout"
	c.Writer.Header().Add("Vary", "HX-Request") // Add: nosurf has put "Cookie" there
	if p.Fragment != "" && c.GetHeader("HX-Request") == "true" && c.GetHeader("HX-Boosted") == "" {
		name = p.Fragment
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, v); err != nil {
		s.renderFailed(c, fmt.Errorf("web: render page %s: %w", p.Content, err))
		return
	}
	s.write(c, status, buf.Bytes())
}

// RenderError shows a message a person can act on, in the layout, with the given status: the
// pages for 403, 404 and 500 of every service.
//
// An htmx request gets the message alone, retargeted into the layout's #htmx-error box: htmx
// would otherwise put an error page into the part of the page it meant to refresh, or (its
// default) show nothing at all, leaving the person's click without an answer. The layout's
// htmx-config lets 4xx and 5xx answers be swapped for this.
func (s *Shell) RenderError(c *gin.Context, status int, title, message string) {
	s.renderError(c, status, title, message, nil)
}

// renderError is RenderError whose button leads to back, when set, on a staff page.
func (s *Shell) renderError(c *gin.Context, status int, title, message string, back *NavItem) {
	if c.GetHeader("HX-Request") == "true" && c.GetHeader("HX-Boosted") == "" {
		c.Writer.Header().Add("Vary", "HX-Request")
		c.Header("HX-Retarget", "#htmx-error")
		c.Header("HX-Reswap", "innerHTML")
		s.write(c, status, []byte(`<div class="flash flash-error" role="alert"><strong>`+template.HTMLEscapeString(title)+
			`:</strong> `+template.HTMLEscapeString(message)+`</div>`))
		return
	}
	var buf bytes.Buffer
	v := s.view(c, Page{Title: title, Content: errorPage, Data: message})
	if !v.Public {
		v.Back = back
	}
	if err := s.pages[v.Lang][errorPage].ExecuteTemplate(&buf, "layout", v); err != nil {
		// The built-in page is tested; if it still fails, plain text is better than nothing.
		s.logger.ErrorContext(c.Request.Context(), "web: render error page", "error", err.Error())
		c.Data(status, "text/plain; charset=utf-8", []byte(title+"\n"+message+"\n"))
		return
	}
	s.write(c, status, buf.Bytes())
}

func (s *Shell) renderFailed(c *gin.Context, err error) {
	s.logger.ErrorContext(c.Request.Context(), "web: page failed to render", "error", err.Error(), "path", c.Request.URL.Path)
	tr := s.Translator(c)
	s.RenderError(c, http.StatusInternalServerError, tr.T("web.render.title"), tr.T("web.render"))
}

// write sends a rendered page with the headers every page carries. Pages hold personal data and
// a CSRF token, so no cache may keep them. The CSP allows only the shell's own files: no inline
// script or style, which is why htmx's injected indicator style is turned off in the layout.
func (s *Shell) write(c *gin.Context, status int, body []byte) {
	h := c.Writer.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	// Same-origin referrers keep CSRF's Referer fallback working, while dossier codes in our URLs
	// never leak to other sites.
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'")
	c.Data(status, "text/html; charset=utf-8", body)
}

func (s *Shell) view(c *gin.Context, p Page) *View {
	tr := s.Translator(c)
	if links, ok := c.Get(publicKey); ok {
		p.Public = true
		if p.PublicLinks == nil {
			p.PublicLinks, _ = links.([]NavItem)
		}
	}
	v := &View{
		Page:      p,
		Lang:      tr.Lang(),
		Switch:    s.langSwitch(c, tr.Lang(), p.SwitchURL),
		SiteName:  s.cfg.SiteName,
		Service:   s.cfg.Service,
		Prefix:    s.cfg.Prefix,
		Viewer:    ViewerFrom(c),
		Flashes:   s.takeFlashes(c),
		CSRFToken: csrfToken(c.Request),
		LogoutURL: s.cfg.LogoutURL,
		LoginURL:  s.cfg.LoginURL + "?next=" + url.QueryEscape(c.Request.URL.RequestURI()),
		NoAccount: c.GetBool(noAccountKey),
	}
	if v.SiteName == "" {
		v.SiteName = tr.T("web.site")
	}
	if tr.Has("service") {
		v.Service = tr.T("service")
	}
	if t, ok := c.Get(tenantKey); ok {
		v.UnitName = t.(Tenant).Name
	} else if v.Viewer != nil {
		v.UnitName = v.Viewer.Tenant.Name
	}
	nav := s.cfg.Nav
	if p.Public {
		nav = p.PublicLinks
	}
	for _, item := range nav {
		current := underPath(c.Request.URL.Path, item.Href)
		if p.Public {
			current = c.Request.URL.Path == item.Href // "Thủ tục" is not under "Tra cứu"
		}
		if item.ID != "" {
			item.Label = tr.T(item.ID)
		}
		v.Nav = append(v.Nav, NavLink{NavItem: item, Current: current})
	}
	return v
}

// underPath reports whether p is href or below it, so /dossiers/123 marks "Một cửa" but
// /dossiers-old does not.
func underPath(p, href string) bool {
	return p == href || strings.HasPrefix(p, strings.TrimSuffix(href, "/")+"/")
}
