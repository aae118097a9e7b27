package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/web"
	"egov.vn/platform/libs/web/webtest"
)

func TestShellCatalogueIsComplete(t *testing.T) {
	t.Parallel()
	webtest.CatalogueComplete(t, web.ShellCatalogue())
}

// Check finds what a translator leaves out: a key one language lacks, an empty text, a message
// whose arguments would print wrongly.
func TestCatalogueCheckFindsGaps(t *testing.T) {
	t.Parallel()
	err := web.Catalogue{
		web.LangVI: {"a": "Một", "b": "Hồ sơ %s", "c": "Ba", "d": "%[1]s và %[2]d"},
		web.LangEN: {"a": "One", "b": "Dossier %d", "c": " ", "d": "%[2]d and %[1]s", "e": "Extra", "error.x": "Reason"},
	}.Check()
	if err == nil {
		t.Fatal("Check found nothing")
	}
	for _, want := range []string{`vi lacks "e"`, `en has "c" empty`, `"b" has verbs "%d" in en but "%s" in vi`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Check did not say %s: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), `"d"`) {
		t.Errorf("Check refused reordered verbs with explicit indexes: %v", err)
	}
	if strings.Contains(err.Error(), `"error.x"`) {
		t.Errorf("Check wants a Vietnamese text for an error the use case words itself: %v", err)
	}
}

// ?lang=en shows the page, the shell's header and menu included, in English, and remembers the
// choice for a year on path "/", so every service on the host reads it; without a choice the
// page is Vietnamese, whatever the browser's Accept-Language says.
func TestLanguageChoiceIsRememberedAndShellFollowsIt(t *testing.T) {
	t.Parallel()
	_, r := demoApp(t, demoOpts{})
	w := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/dossiers/new?lang=en", nil)
	req.Header.Set("Accept-Language", "vi")
	r.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	body := w.Body.String()
	webtest.EnglishPage(t, "/dossiers/new?lang=en", body)
	mustContain(t, body, `>Sign out</button>`, `>Skip to main content</a>`, `>Records and archives</a>`,
		`<a href="/dossiers/new?lang=vi" hreflang="vi" lang="vi">Tiếng Việt</a>`, `>— Choose —</option>`,
		"12,480") // numbers as an English reader reads them
	var ck *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == web.LangCookie {
			ck = c
		}
	}
	if ck == nil || ck.Value != "en" || ck.Path != "/" || ck.MaxAge < 364*24*3600 || !ck.HttpOnly {
		t.Fatalf("language cookie %+v, want en on / for a year, HttpOnly", ck)
	}

	w = httptest.NewRecorder()
	req = httptest.NewRequest(http.MethodGet, "/dossiers", nil)
	req.AddCookie(ck)
	r.ServeHTTP(w, req)
	webtest.EnglishPage(t, "/dossiers with the cookie", w.Body.String())

	w = httptest.NewRecorder()
	req = httptest.NewRequest(http.MethodGet, "/dossiers", nil)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	r.ServeHTTP(w, req)
	mustContain(t, w.Body.String(), `<html lang="vi">`, `>Đăng xuất</button>`,
		`<a href="/dossiers?lang=en" hreflang="en" lang="en">English</a>`)
}

// A page answering a POST switches language on the page the form was on, not on the POST's
// address, which has no page of its own to GET.
func TestLanguageSwitchOfAPostLeadsToTheFormsPage(t *testing.T) {
	t.Parallel()
	shell, err := web.New(web.Config{Service: "Một cửa", Prefix: "/dossiers", FlashKey: testKey,
		Pages:    fstest.MapFS{"home.html": {Data: []byte(`{{define "content"}}<p>{{t "hello" .Data}}</p>{{end}}`)}},
		Messages: web.Catalogue{web.LangVI: {"hello": "Chào %s", "service": "Một cửa"}, web.LangEN: {"hello": "Hello %s", "service": "One-stop shop"}}})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(http.MethodPost, "http://example.test/dossiers/ho-so/7/hanh-dong?lang=en", nil)
	c.Request.Header.Set("Referer", "http://example.test/dossiers/ho-so/7")
	shell.Render(c, http.StatusOK, web.Page{Title: "x", Content: "home", Data: "Hoa"})
	mustContain(t, w.Body.String(), `<p>Hello Hoa</p>`, `<a href="/dossiers/ho-so/7?lang=vi"`, `<title>x – One-stop shop – E-government</title>`)
}

// A service message id that is also the shell's would hide one of the two: refused at start.
func TestServiceMessageMayNotShadowTheShells(t *testing.T) {
	t.Parallel()
	_, err := web.New(web.Config{Service: "x", FlashKey: testKey,
		Messages: web.Catalogue{web.LangVI: {"web.sign_out": "Thoát"}, web.LangEN: {"web.sign_out": "Leave"}}})
	if err == nil || !strings.Contains(err.Error(), "web.sign_out") {
		t.Fatalf("New accepted a service id that shadows the shell's: %v", err)
	}
}

// NoVietnameseLeft finds a Vietnamese message a page in English still shows, and passes the
// data the caller names.
func TestNoVietnameseLeftFindsALeak(t *testing.T) {
	t.Parallel()
	cat := web.Catalogue{web.LangVI: {"save": "Lưu hồ sơ", "unit": "Văn phòng"}, web.LangEN: {"save": "Save the record", "unit": "Office"}}
	rec := &recorder{TB: t}
	webtest.NoVietnameseLeft(rec, "page", `<button>Lưu hồ sơ</button> <td>Văn phòng HĐND</td>`, cat, "Văn phòng")
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "Lưu hồ sơ") {
		t.Fatalf("findings %q, want the button's Vietnamese only", rec.errors)
	}
}

// recorder is a testing.TB that keeps the errors a helper reports instead of failing.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
