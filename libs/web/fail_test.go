package web_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
)

// TestFailAnswersEachKindWithItsStatus: a failed use case reaches a person as the status of its
// kind, with a Vietnamese title and the use case's own message where it wrote one.
func TestFailAnswersEachKindWithItsStatus(t *testing.T) {
	shell, r := demoApp(t, demoOpts{})
	cases := map[string]struct {
		err    error
		status int
		says   string
	}{
		"notfound":  {apperr.NotFound("dossier", "x"), http.StatusNotFound, "Không tìm thấy"},
		"forbidden": {apperr.Forbidden("Việc phê duyệt cần vai trò lãnh đạo (dossier.approve)."), http.StatusForbidden, "dossier.approve"},
		"conflict":  {apperr.Conflict("x", "Hồ sơ đã được trả kết quả."), http.StatusConflict, "Hồ sơ đã được trả kết quả."},
		"invalid":   {apperr.Invalid("phone", "Số điện thoại phải có 10 chữ số"), http.StatusUnprocessableEntity, "10 chữ số"},
		"down":      {apperr.Unavailable("archives", errors.New("dial")), http.StatusServiceUnavailable, "Tạm thời gián đoạn"},
		"ours":      {errors.New("nil map"), http.StatusInternalServerError, "Đã có lỗi xảy ra"},
	}
	for name, tc := range cases {
		r.GET("/dossiers/fail/"+name, func(c *gin.Context) { shell.Fail(c, tc.err) })
	}
	for name, tc := range cases {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/dossiers/fail/"+name, nil))
		if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.says) {
			t.Errorf("%s: %d, want %d saying %q", name, w.Code, tc.status, tc.says)
		}
		if name == "ours" && strings.Contains(w.Body.String(), "nil map") {
			t.Error("a failure of ours shows its details to the person")
		}
		// A refusal's way on is the person's own page: the service's home may be refused too
		// (issue 16: the reports' 403 button led back to the same 403). Other errors keep it.
		back := `<a class="button" href="/auth/account">Về trang tài khoản của bạn</a>`
		if home := `href="/dossiers">Về trang chính của Một cửa</a>`; name == "forbidden" {
			if !strings.Contains(w.Body.String(), back) || strings.Contains(w.Body.String(), home) {
				t.Errorf("the 403 page does not lead to the account page:\n%s", w.Body.String())
			}
		} else if strings.Contains(w.Body.String(), back) || !strings.Contains(w.Body.String(), home) {
			t.Errorf("%s: the error page does not lead to the service's home", name)
		}
	}
}

// TestFailAnswersHTMXWithAMessageWhereThePersonSeesIt: htmx shows nothing of an error answer by
// default; a failed htmx request gets the Vietnamese message alone, retargeted into the layout's
// #htmx-error box, and the layout lets htmx swap 4xx and 5xx answers so that it appears.
func TestFailAnswersHTMXWithAMessageWhereThePersonSeesIt(t *testing.T) {
	shell, r := demoApp(t, demoOpts{})
	r.GET("/dossiers/fail/htmx", func(c *gin.Context) {
		shell.Fail(c, apperr.Forbidden("Việc phê duyệt cần vai trò lãnh đạo <dossier.approve>."))
	})
	req := httptest.NewRequest(http.MethodGet, "/dossiers/fail/htmx", nil)
	req.Header.Set("HX-Request", "true")
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	body := w.Body.String()
	if w.Code != http.StatusForbidden || w.Header().Get("HX-Retarget") != "#htmx-error" || w.Header().Get("HX-Reswap") != "innerHTML" {
		t.Fatalf("htmx 403: %d, retarget %q, reswap %q", w.Code, w.Header().Get("HX-Retarget"), w.Header().Get("HX-Reswap"))
	}
	want := `<div class="flash flash-error" role="alert"><strong>Không có quyền:</strong> Việc phê duyệt cần vai trò lãnh đạo &lt;dossier.approve&gt;.</div>`
	if body != want {
		t.Fatalf("htmx 403 body:\n%s\nwant:\n%s", body, want)
	}
	// The same failure on a plain request is the whole error page, which has the box and the
	// htmx configuration that swaps error answers.
	w = httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/dossiers/fail/htmx", nil))
	page := w.Body.String()
	for _, s := range []string{`<div id="htmx-error" aria-live="assertive"></div>`, `{"code":"[45]..","swap":true,"error":true}`, "<h1>Không có quyền</h1>"} {
		if !strings.Contains(page, s) {
			t.Errorf("the error page lacks %s", s)
		}
	}
	if w.Header().Get("HX-Retarget") != "" {
		t.Error("a plain request was retargeted")
	}
}
