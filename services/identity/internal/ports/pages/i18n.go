package pages

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"

	"egov.vn/platform/libs/platform"
	"egov.vn/platform/services/identity/internal/domain"
)

// Lang is a language the pages are written in: Vietnamese first, English for the people (foreign
// experts, auditors) who need it.
type Lang string

const (
	LangVI Lang = "vi"
	LangEN Lang = "en"
)

// LangCookie remembers a language picked with ?lang=. Its path is "/" so that a choice made at
// sign-in also holds on the other services' pages once they are translated.
const LangCookie = "egov_lang"

func parseLang(s string) (Lang, bool) {
	switch Lang(strings.ToLower(strings.TrimSpace(s))) {
	case LangVI:
		return LangVI, true
	case LangEN:
		return LangEN, true
	}
	return "", false
}

// other is the language the switch link offers.
func (l Lang) other() Lang {
	if l == LangEN {
		return LangVI
	}
	return LangEN
}

// name is the language's name written in itself, as a language switch shows it.
func (l Lang) name() string {
	if l == LangEN {
		return "English"
	}
	return "Tiếng Việt"
}

// T returns the message id in l, formatted with args. A missing id shows as [[id]], which the
// tests look for on every page, rather than failing the page in front of a person.
func (l Lang) T(id string, args ...any) string {
	m, ok := catalogue[id]
	if !ok {
		m, ok = adminCatalogue[id]
	}
	if !ok {
		return "[[" + id + "]]"
	}
	s := m.vi
	if l == LangEN {
		s = m.en
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// roleDescription is what a role lets a person do, in l. Vietnamese comes from domain.Roles, the
// one list the admin API shows too; English from the catalogue.
func (l Lang) roleDescription(role string) string {
	if l == LangEN {
		if m, ok := catalogue["role."+role]; ok {
			return m.en
		}
	}
	for _, r := range platform.Roles() {
		if string(r.Name) == role {
			return r.Description
		}
	}
	return role
}

// passwordProblem explains a refused new password next to its field.
func (l Lang) passwordProblem(p domain.PasswordProblem, policy domain.PasswordPolicy) string {
	switch p {
	case domain.PasswordTooShort:
		return l.T("pwproblem.too_short", policy.MinLength)
	case domain.PasswordTooLong:
		return l.T("pwproblem.too_long", policy.MaxLength)
	case domain.PasswordHasUsername:
		return l.T("pwproblem.contains_username")
	case domain.PasswordCommon:
		return l.T("pwproblem.common")
	case domain.PasswordTooSimple:
		return l.T("pwproblem.too_simple")
	case domain.PasswordSameAsBefore:
		return l.T("pwproblem.same_as_current")
	}
	return l.T("pwproblem.other")
}

var (
	supportedLangs = []Lang{LangVI, LangEN}
	// The matcher's first tag is its fallback; Vietnamese, as the platform's language.
	langMatcher = language.NewMatcher([]language.Tag{language.Vietnamese, language.English})
)

// matchLanguages picks a language from a list of preferences, such as an OIDC request's
// ui_locales. Among preferences of the same weight Vietnamese wins, so "en, vi"
// (a Vietnamese person on an English-language phone) still reads the pages in Vietnamese; a
// preference for a language we do not have is skipped.
func matchLanguages(tags []language.Tag, weights []float32) (Lang, bool) {
	var best Lang
	bestWeight := float32(-1)
	for i, tag := range tags {
		w := float32(1)
		if i < len(weights) {
			w = weights[i]
		}
		if w <= 0 || (best != "" && w < bestWeight) {
			continue
		}
		_, idx, conf := langMatcher.Match(tag)
		if conf == language.No {
			continue
		}
		l := supportedLangs[idx]
		if l == LangVI {
			return LangVI, true
		}
		if best == "" {
			best, bestWeight = l, w
		}
	}
	return best, best != ""
}

func fromUILocales(locales []string) (Lang, bool) {
	var tags []language.Tag
	for _, s := range locales {
		if t, err := language.Parse(s); err == nil {
			tags = append(tags, t)
		}
	}
	// ui_locales is ordered by preference, without weights: the first one we have wins.
	for _, t := range tags {
		if l, ok := matchLanguages([]language.Tag{t}, nil); ok {
			return l, true
		}
	}
	return "", false
}

const (
	explicitLangKey = "egov.identity.lang.explicit"
	uiLocalesKey    = "egov.identity.lang.ui_locales"
)

// language is the middleware that records an explicit choice: ?lang= (remembered in LangCookie
// for a year) or the cookie from an earlier choice.
func (p *Pages) language(c *gin.Context) {
	if l, ok := parseLang(c.Query("lang")); ok {
		c.Set(explicitLangKey, l)
		http.SetCookie(c.Writer, &http.Cookie{Name: LangCookie, Value: string(l), Path: "/",
			MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: !p.cfg.InsecureHTTP, SameSite: http.SameSiteLaxMode})
	} else if ck, err := c.Request.Cookie(LangCookie); err == nil {
		if l, ok := parseLang(ck.Value); ok {
			c.Set(explicitLangKey, l)
		}
	}
	c.Next()
}

// lang is the language of this request's page: the person's explicit choice, else the ui_locales
// of the OIDC request being answered (the service they came from knows their language), else
// Vietnamese. The browser's Accept-Language is not asked: many offices run English-language
// browsers, and staff should still meet the platform in Vietnamese unless they choose English.
func (p *Pages) lang(c *gin.Context) Lang {
	if v, ok := c.Get(explicitLangKey); ok {
		return v.(Lang)
	}
	if v, ok := c.Get(uiLocalesKey); ok {
		if l, ok := fromUILocales(v.([]string)); ok {
			return l
		}
	}
	return LangVI
}

// langSwitch is the link to the same page in the other language.
type langSwitch struct {
	URL   string
	Lang  Lang
	Label string
}

// switchLink points at here (a local URL) with ?lang= set to the other language. POST handlers
// pass the page's GET address, so the link never resubmits a form.
func switchLink(l Lang, here string) langSwitch {
	to := l.other()
	u, err := url.Parse(here)
	if err != nil {
		u = &url.URL{Path: "/"}
	}
	q := u.Query()
	q.Set("lang", string(to))
	u.RawQuery = q.Encode()
	return langSwitch{URL: u.RequestURI(), Lang: to, Label: to.name()}
}

type message struct{ vi, en string }

// catalogue holds every string the pages show, by message id. Vietnamese is written first and
// with its diacritics; English says the same, not word for word.
var catalogue = map[string]message{
	"service":     {"Tài khoản", "Account"},
	"lang.label":  {"Ngôn ngữ", "Language"},
	"alert.error": {"Lỗi", "Error"},
	"vn_time":     {"%s", "%s (Vietnam time)"},

	// Sign-in.
	"login.title":      {"Đăng nhập", "Sign in"},
	"login.lead":       {"Đăng nhập một lần để dùng mọi dịch vụ của Chính quyền điện tử.", "Sign in once to use every service of the e-government platform."},
	"login.for_client": {"Đăng nhập để tiếp tục đến %s. Sau khi đăng nhập, bạn dùng được mọi dịch vụ khác mà không phải đăng nhập lại.", "Sign in to continue to %s. Once signed in, you can use every other service without signing in again."},
	"login.username":   {"Tên đăng nhập", "Username"},
	"login.password":   {"Mật khẩu", "Password"},
	"login.submit":     {"Đăng nhập", "Sign in"},
	"login.forgot":     {"Quên mật khẩu hoặc tài khoản bị khóa? Hãy liên hệ quản trị viên của đơn vị để được cấp mật khẩu dùng một lần.", "Forgot your password, or is your account locked? Ask your unit's administrator for a one-time password."},
	"login.restart":    {"Đăng nhập bằng tài khoản khác", "Sign in with another account"},

	"err.username_required": {"Nhập tên đăng nhập", "Enter your username"},
	"err.password_required": {"Nhập mật khẩu", "Enter your password"},
	"err.bad_credentials":   {"Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản không dùng được. Hãy kiểm tra lại (bộ gõ tiếng Việt, phím Caps Lock); nếu vẫn không được, hãy liên hệ quản trị viên của đơn vị.", "The username or password is wrong, or the account cannot be used. Check them (Vietnamese typing, Caps Lock); if it still fails, ask your unit's administrator."},
	"err.locked_account":    {"Tên đăng nhập này tạm thời không đăng nhập được vì đã nhập sai nhiều lần. Vui lòng thử lại sau %s; nếu quên mật khẩu, hãy liên hệ quản trị viên của đơn vị để được cấp mật khẩu dùng một lần.", "Sign-in with this username is paused after too many wrong attempts. Try again after %s; if you forgot your password, ask your unit's administrator for a one-time password."},
	"err.locked_address":    {"Có quá nhiều lần đăng nhập sai từ mạng bạn đang dùng, nên tạm thời không nhận đăng nhập từ mạng này. Vui lòng thử lại sau %s.", "Too many failed sign-ins came from the network you are on, so sign-ins from it are refused for a while. Try again after %s."},
	"err.request.title":     {"Không thể tiếp tục đăng nhập", "The sign-in cannot continue"},
	"err.request":           {"Yêu cầu đăng nhập này không còn hiệu lực: có thể đã quá hạn hoặc đã được dùng. Vui lòng quay lại dịch vụ bạn đang dùng và đăng nhập lại từ đó.", "This sign-in request is no longer valid: it may have expired or been used already. Go back to the service you were using and sign in again from there."},
	"err.internal.title":    {"Đã có lỗi xảy ra", "Something went wrong"},
	"err.internal":          {"Hệ thống chưa xử lý được yêu cầu. Vui lòng thử lại sau ít phút; nếu lỗi vẫn còn, hãy báo cho bộ phận công nghệ thông tin.", "The system could not handle the request. Try again in a few minutes; if the problem persists, tell your IT staff."},
	"err.not_found.title":   {"Không tìm thấy trang", "Page not found"},
	"err.not_found":         {"Trang này không tồn tại.", "This page does not exist."},
	"flash.pending_expired": {"Phiên đăng nhập đã quá thời gian chờ. Vui lòng đăng nhập lại.", "The sign-in took too long. Please sign in again."},
	"flash.signin_required": {"Vui lòng đăng nhập để tiếp tục.", "Please sign in to continue."},
	"flash.session_over":    {"Phiên đăng nhập đã kết thúc. Vui lòng đăng nhập lại rồi thực hiện lại thao tác.", "Your session has ended. Sign in again, then repeat what you were doing."},
	"link.account":          {"Đến trang tài khoản", "Go to your account"},
	"link.login":            {"Đăng nhập", "Sign in"},

	// Second factor at sign-in.
	"totp.title":        {"Xác thực hai bước", "Two-step verification"},
	"totp.lead":         {"Mở ứng dụng xác thực trên điện thoại và nhập mã đang hiển thị cho tài khoản này.", "Open the authenticator app on your phone and enter the code it shows for this account."},
	"totp.code":         {"Mã xác thực", "Verification code"},
	"totp.code_hint":    {"Gồm 6 chữ số, thay đổi sau mỗi 30 giây.", "6 digits; it changes every 30 seconds."},
	"totp.submit":       {"Xác nhận", "Verify"},
	"err.code_format":   {"Nhập mã gồm 6 chữ số", "Enter the 6-digit code"},
	"err.bad_code":      {"Mã xác thực không đúng hoặc đã được dùng. Hãy nhập mã mới nhất trong ứng dụng", "The code is wrong or was already used. Enter the newest code from the app"},
	"err.code_mismatch": {"Mã chưa đúng. Hãy kiểm tra đồng hồ của điện thoại và nhập mã mới nhất", "The code does not match. Check the phone's clock and enter the newest code"},

	// New password (one-time password replaced, or changed on the account page).
	"newpw.title":                 {"Đặt mật khẩu mới", "Choose a new password"},
	"newpw.lead":                  {"Bạn vừa đăng nhập bằng mật khẩu dùng một lần do quản trị viên cấp. Hãy đặt mật khẩu của riêng bạn để tiếp tục; chỉ bạn biết mật khẩu này.", "You signed in with a one-time password from your administrator. Choose your own password to continue; only you will know it."},
	"newpw.submit":                {"Lưu mật khẩu và tiếp tục", "Save the password and continue"},
	"pw.current":                  {"Mật khẩu hiện tại", "Current password"},
	"pw.new":                      {"Mật khẩu mới", "New password"},
	"pw.confirm":                  {"Nhập lại mật khẩu mới", "Repeat the new password"},
	"pw.hint":                     {"Ít nhất %d ký tự, có cả chữ và chữ số hoặc ký hiệu, không chứa tên đăng nhập. Một câu dễ nhớ là mật khẩu tốt.", "At least %d characters, mixing letters with digits or symbols, without your username. A phrase you remember makes a good password."},
	"err.current_required":        {"Nhập mật khẩu hiện tại", "Enter your current password"},
	"err.current_wrong":           {"Mật khẩu hiện tại không đúng", "The current password is wrong"},
	"err.new_required":            {"Nhập mật khẩu mới", "Enter a new password"},
	"err.confirm_required":        {"Nhập lại mật khẩu mới", "Repeat the new password"},
	"err.confirm_mismatch":        {"Hai lần nhập mật khẩu mới chưa giống nhau", "The two new passwords differ"},
	"pwproblem.too_short":         {"Mật khẩu mới phải có ít nhất %d ký tự", "The new password must have at least %d characters"},
	"pwproblem.too_long":          {"Mật khẩu mới chỉ được dài tối đa %d ký tự", "The new password may have at most %d characters"},
	"pwproblem.too_simple":        {"Mật khẩu mới cần có cả chữ và chữ số hoặc ký hiệu, với ít nhất 5 ký tự khác nhau", "The new password must mix letters with digits or symbols and use at least 5 different characters"},
	"pwproblem.common":            {"Mật khẩu này quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác", "This password is too common and easy to guess; choose another"},
	"pwproblem.same_as_current":   {"Mật khẩu mới phải khác mật khẩu hiện tại", "The new password must differ from the current one"},
	"pwproblem.contains_username": {"Mật khẩu mới không được chứa tên đăng nhập", "The new password must not contain your username"},
	"pwproblem.other":             {"Mật khẩu mới chưa đạt yêu cầu; hãy chọn mật khẩu khác", "The new password is not allowed; choose another"},
	"flash.password_set":          {"Đã đặt mật khẩu mới.", "Your new password is saved."},
	"flash.password_changed":      {"Đã đổi mật khẩu.", "Your password has been changed."},
	"flash.password_already_set":  {"Mật khẩu đã được đổi trước đó. Vui lòng đăng nhập bằng mật khẩu mới.", "The password was already changed. Sign in with the new password."},

	// Account page.
	"account.title":           {"Tài khoản của tôi", "My account"},
	"account.profile":         {"Thông tin tài khoản", "Account details"},
	"account.name":            {"Họ và tên", "Full name"},
	"account.username":        {"Tên đăng nhập", "Username"},
	"account.unit":            {"Đơn vị", "Unit"},
	"account.email":           {"Thư điện tử", "E-mail"},
	"account.roles":           {"Vai trò", "Roles"},
	"account.no_roles":        {"Chưa được giao vai trò nào. Hãy liên hệ quản trị viên của đơn vị.", "No roles yet. Ask your unit's administrator."},
	"account.password":        {"Đổi mật khẩu", "Change your password"},
	"account.password.submit": {"Đổi mật khẩu", "Change password"},

	"account.totp":              {"Xác thực hai bước", "Two-step verification"},
	"account.totp.off":          {"Chưa bật. Khi bật, mỗi lần đăng nhập bạn nhập thêm mã 6 chữ số từ ứng dụng xác thực trên điện thoại (ví dụ Google Authenticator, Microsoft Authenticator), nên người biết mật khẩu của bạn cũng không đăng nhập được.", "Off. When it is on, each sign-in also asks for a 6-digit code from an authenticator app on your phone (for example Google Authenticator or Microsoft Authenticator), so someone who learns your password still cannot sign in."},
	"account.totp.begin":        {"Bật xác thực hai bước", "Turn on two-step verification"},
	"account.totp.scan":         {"Bước 1: mở ứng dụng xác thực, chọn thêm tài khoản và quét mã QR này.", "Step 1: open the authenticator app, choose to add an account and scan this QR code."},
	"account.totp.qr_alt":       {"Mã QR để thêm tài khoản vào ứng dụng xác thực", "QR code that adds the account to an authenticator app"},
	"account.totp.manual":       {"Nếu không quét được, hãy nhập khóa bí mật này vào ứng dụng (không phân biệt chữ hoa, chữ thường; bỏ qua dấu cách):", "If you cannot scan it, type this secret key into the app (letter case and spaces do not matter):"},
	"account.totp.enter":        {"Bước 2: nhập mã 6 chữ số mà ứng dụng hiển thị.", "Step 2: enter the 6-digit code the app shows."},
	"account.totp.confirm":      {"Xác nhận và bật", "Confirm and turn on"},
	"account.totp.restart":      {"Tạo mã QR mới", "Make a new QR code"},
	"account.totp.on":           {"Đang bật. Mỗi lần đăng nhập cần mã từ ứng dụng xác thực trên điện thoại của bạn.", "On. Each sign-in asks for a code from the authenticator app on your phone."},
	"account.totp.disable_lead": {"Để tắt, hãy nhập mật khẩu hiện tại. Chỉ tắt khi bạn đổi điện thoại; sau đó hãy bật lại ngay.", "To turn it off, enter your current password. Only do so when changing phones, and turn it on again straight away."},
	"account.totp.password":     {"Mật khẩu hiện tại", "Current password"},
	"account.totp.disable":      {"Tắt xác thực hai bước", "Turn off two-step verification"},
	"flash.totp_on":             {"Đã bật xác thực hai bước. Từ lần đăng nhập sau, hãy nhập thêm mã từ ứng dụng.", "Two-step verification is on. From your next sign-in, enter the code from the app too."},
	"flash.totp_off":            {"Đã tắt xác thực hai bước.", "Two-step verification is off."},
	"flash.totp_already_on":     {"Xác thực hai bước đã được bật.", "Two-step verification is already on."},
	"flash.totp_not_pending":    {"Hãy bấm “Bật xác thực hai bước” để bắt đầu lại.", "Choose “Turn on two-step verification” to start again."},
	"err.password_wrong":        {"Mật khẩu không đúng", "The password is wrong"},

	"sessions.title":      {"Nơi bạn đang đăng nhập", "Where you are signed in"},
	"sessions.lead":       {"Mỗi dòng là một trình duyệt đang đăng nhập bằng tài khoản này. Nếu thấy phiên lạ, hãy kết thúc phiên đó rồi đổi mật khẩu.", "Each row is a browser signed in with this account. If you see one you do not know, end it and change your password."},
	"sessions.caption":    {"Các phiên đăng nhập đang hoạt động", "Active sign-in sessions"},
	"sessions.started":    {"Bắt đầu", "Started"},
	"sessions.last_seen":  {"Hoạt động gần nhất", "Last active"},
	"sessions.address":    {"Địa chỉ mạng", "Network address"},
	"sessions.browser":    {"Trình duyệt", "Browser"},
	"sessions.action":     {"Thao tác", "Action"},
	"sessions.current":    {"Phiên này", "This session"},
	"sessions.end":        {"Kết thúc phiên", "End session"},
	"sessions.end_which":  {"bắt đầu lúc %s", "started at %s"},
	"sessions.none":       {"Không có phiên nào đang hoạt động.", "No active sessions."},
	"flash.session_ended": {"Đã kết thúc phiên đăng nhập.", "The session has ended."},
	"flash.current_ended": {"Đã kết thúc phiên này; bạn đã đăng xuất trên trình duyệt này.", "This session has ended; you are signed out in this browser."},
	"flash.session_gone":  {"Không tìm thấy phiên đăng nhập này; có thể nó đã kết thúc.", "That session was not found; it may have ended already."},
	"browser.on":          {"%s trên %s", "%s on %s"},
	"browser.unknown":     {"Không rõ", "Unknown"},

	// Sign-out.
	"logout.title":    {"Đăng xuất khỏi tất cả các dịch vụ", "Sign out of every service"},
	"logout.lead":     {"Bạn đang đăng nhập với tài khoản %s. Khi đăng xuất, mọi dịch vụ của Chính quyền điện tử đang mở trên trình duyệt này (Một cửa, Văn thư – Lưu trữ, Nhân sự, Báo cáo) cũng đăng xuất theo.", "You are signed in as %s. Signing out also signs you out of every e-government service open in this browser (one-stop shop, records and archives, HR, reports)."},
	"logout.submit":   {"Đăng xuất", "Sign out"},
	"logout.cancel":   {"Quay lại", "Go back"},
	"signedout.title": {"Bạn đã đăng xuất", "You have signed out"},
	"signedout.lead":  {"Bạn đã đăng xuất khỏi mọi dịch vụ trên trình duyệt này. Nếu đang dùng máy tính chung, hãy đóng trình duyệt.", "You are signed out of every service in this browser. On a shared computer, close the browser too."},
	"signedout.again": {"Đăng nhập lại", "Sign in again"},

	// English descriptions of roles; the Vietnamese ones are platform.Roles().
	"role.dossier.receive": {"", "Receives dossiers at the one-stop-shop desk"},
	"role.dossier.handle":  {"", "Handles and processes dossiers"},
	"role.dossier.approve": {"", "Approves dossier results"},
	"role.archive.clerk":   {"", "Clerk: official documents and archives"},
	"role.hr.officer":      {"", "Organisation and HR officer"},
	"role.report.view":     {"", "Reads reports and reform indicators"},
	"role.tenant.admin":    {"", "Administers the unit"},
	"role.platform.admin":  {"", "Administers the platform"},
	"role.service":         {"", "Platform service (machine account)"},
}
