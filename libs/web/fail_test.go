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
	}
}
