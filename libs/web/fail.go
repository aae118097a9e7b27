package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
)

// Fail is the one way a page answers a failed use case: the error's kind picks the status and a
// Vietnamese title, and the person reads the error's own message where the use case wrote one for
// them (a rule that was broken, a conflict, a missing role), or a plain explanation of the kind.
// Failures of ours (no kind) are logged and shown as a 500 without details.
func (s *Shell) Fail(c *gin.Context, err error) {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		s.RenderError(c, http.StatusRequestEntityTooLarge, "Tệp quá lớn",
			fmt.Sprintf("Nội dung gửi lên vượt quá giới hạn %s MB; hãy chọn tệp nhỏ hơn.", FormatInt(tooLarge.Limit>>20)))
		return
	}
	e := apperr.As(err)
	if e == nil {
		s.logger.ErrorContext(c.Request.Context(), "web: page failed", "error", err.Error(), "path", c.Request.URL.Path)
		s.RenderError(c, http.StatusInternalServerError, "Đã có lỗi xảy ra",
			"Hệ thống gặp sự cố ngoài dự kiến. Vui lòng thử lại; nếu lỗi vẫn còn, hãy báo cho bộ phận công nghệ thông tin.")
		return
	}
	message := e.Message
	switch e.Kind {
	case apperr.KindNotFound:
		s.RenderError(c, http.StatusNotFound, "Không tìm thấy", "Không có mục này trong đơn vị của bạn, hoặc bạn không được xem.")
	case apperr.KindForbidden:
		// The service's home may be refused just the same: the way on is the person's own page.
		s.renderError(c, http.StatusForbidden, "Không có quyền", orDefault(message, "Bạn không có quyền thực hiện việc này; hãy liên hệ quản trị đơn vị."),
			&NavItem{Label: "Về trang tài khoản của bạn", Href: AccountPage})
	case apperr.KindUnauthenticated:
		s.RenderError(c, http.StatusUnauthorized, "Cần đăng nhập", "Phiên làm việc đã hết; vui lòng đăng nhập lại.")
	case apperr.KindConflict:
		s.RenderError(c, http.StatusConflict, "Không thực hiện được", orDefault(message, "Dữ liệu vừa được người khác thay đổi; vui lòng tải lại trang."))
	case apperr.KindInvalid, apperr.KindMalformed:
		s.RenderError(c, http.StatusUnprocessableEntity, "Thông tin chưa hợp lệ", orDefault(reasons(e), message))
	case apperr.KindUnavailable:
		s.RenderError(c, http.StatusServiceUnavailable, "Tạm thời gián đoạn", "Một thành phần của hệ thống đang bận hoặc chưa sẵn sàng; vui lòng thử lại sau ít phút.")
	default:
		s.logger.ErrorContext(c.Request.Context(), "web: page failed", "error", err.Error(), "path", c.Request.URL.Path)
		s.RenderError(c, http.StatusInternalServerError, "Đã có lỗi xảy ra", "Hệ thống gặp sự cố ngoài dự kiến. Vui lòng thử lại sau.")
	}
}

// reasons joins the fields' reasons of an invalid-input error.
func reasons(e *apperr.Error) string {
	out := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		out = append(out, f.Reason)
	}
	return strings.Join(out, "; ")
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
