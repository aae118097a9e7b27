package service_test

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"image"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"gorm.io/gorm"

	"egov.vn/platform/libs/devkit/browser"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/identity/identitytest"
)

// TestFormsInChromium: an HR officer does a career's worth of changes through the forms alone,
// reached from the sub-navigation and the profile: hire (a wrong form first: the errors sit by
// their fields, with a summary, and what was typed stays), a correction of personal data, move, a degree with its scanned
// evidence, a training whose certificate is uploaded afterwards, a departure with its reason, and
// a rehire. The import page offers its templates
// and the allowed values. On a 390 px phone the hire form shows its errors without sideways
// scrolling. A leader without the HR role is not offered the forms and gets 403 for them, even
// when posting one with a valid CSRF token. Dates read dd/mm/yyyy; "Tại ngày" is the
// Vietnamese today.
func TestFormsInChromium(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) { formsInChromium(t, db) })
}

func formsInChromium(t *testing.T, db *gorm.DB) {
	h := startHR(t, db, func(o *options) { o.minio = true })
	if st, body := h.call(t, h.operator(t), http.MethodPut, "/api/v1/tenants/xa-dong-tan", map[string]any{"code": "12700", "name": "UBND xã Đông Tân", "kind": "commune", "parent": "huyen-dong-hung"}); st != 200 {
		t.Fatalf("provision: %d %v", st, body)
	}
	h.IDP.Person(t, identitytest.Person{Tenant: "xa-dong-tan", Username: "nhansu.dongtan", Name: "Phạm Thu Hà", Roles: []string{string(platform.RoleHROfficer)}})
	h.IDP.Person(t, identitytest.Person{Tenant: "xa-dong-tan", Username: "chutich.dongtan", Name: "Đỗ Văn Hùng", Roles: []string{string(platform.RoleReportView)}})

	scan := filepath.Join(t.TempDir(), "bang-thac-si.png")
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 40, 30))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(scan, img.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	// The browser's own controls (the date picker's mm/dd/yyyy, "Choose File") follow the test
	// machine's English locale; a Vietnamese browser shows dd/mm/yyyy. The page's words are ours.
	ctx := browser.Chromium(t, 180*time.Second, chromedp.WindowSize(1280, 900))
	s := browser.NewSession(t, ctx, strings.TrimSuffix(h.Base, "/hr"), "hr-forms-")
	set := func(sel, value string) {
		t.Helper()
		s.Do("set "+sel, chromedp.SetValue(chromedp.CSS(sel), value))
	}
	// await evaluates a promise (a fetch with the person's session) and waits for its value.
	await := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return v
	}
	contains := func(what, sel string, want ...string) {
		t.Helper()
		// The element a click waits for (the flash) is at the top of the page: on a loaded
		// machine Chromium shows it while the rest of the answer is still being parsed.
		for deadline := time.Now().Add(10 * time.Second); browser.Eval[string](s, `document.readyState`) != "complete" && time.Now().Before(deadline); {
			time.Sleep(100 * time.Millisecond)
		}
		got := s.Text(sel)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Fatalf("%s: %q lacks %q", what, got, w)
			}
		}
	}

	// The staff list: the sub-navigation, and "Tại ngày" is today in Vietnam.
	s.SignIn("/hr/staff", "nhansu.dongtan", h.IDP.Password, "#staff-caption")
	s.Accessible("the staff list")
	s.Keyboard("the staff list")
	contains("sub-navigation", "nav.hr-nav", "Nhân sự", "Tuyển dụng", "Cơ cấu tổ chức", "Thống kê", "Nhập từ tệp")
	if on := browser.Eval[string](s, `document.querySelector("#f-on").value`); on != web.DateInput(web.Today(time.Now())) {
		t.Fatalf("Tại ngày = %s, want the Vietnamese today %s", on, web.DateInput(web.Today(time.Now())))
	}

	// Hire: a form with mistakes comes back with each error by its field and what was typed.
	s.Click(`nav.hr-nav a[href$="/staff/new"]`, "#hire-submit")
	s.Fill("#f-full_name", "Nguyễn Văn An")
	s.Fill("#f-cccd", "1234")
	set("#f-birth_date", "1985-03-12")
	s.Click("#hire-submit", ".error-summary")
	contains("hire errors", "main", "giới tính", "đơn vị công tác là bắt buộc", "chức vụ là bắt buộc")
	if got := browser.Eval[string](s, `document.querySelector("#f-full_name").value`); got != "Nguyễn Văn An" {
		t.Fatalf("the name typed is lost: %q", got)
	}
	if n := browser.Eval[int](s, `document.querySelectorAll(".error-summary").length`); n != 1 {
		t.Fatalf("%d error summaries, want 1", n)
	}
	if !browser.Eval[bool](s, `!!document.querySelector('.error-summary a[href="#f-cccd"]')`) {
		t.Fatal("the error summary does not lead to the CCCD field")
	}
	if inv := browser.Eval[string](s, `document.querySelector("#f-cccd").getAttribute("aria-invalid")`); inv != "true" {
		t.Fatalf("the CCCD field is not marked invalid: %q", inv)
	}
	s.Shot("hire-errors")
	s.ErrorsAnnounced("the hire form with errors")
	s.Accessible("the hire form with errors")
	s.Keyboard("the hire form with errors")
	browser.Eval[string](s, `document.querySelector("#f-cccd").value = ""`)
	s.Fill("#f-cccd", "034085001234")
	set("#f-gender", "male")
	set("#f-category", "cong_chuc")
	unit := func(label string) string {
		t.Helper()
		return browser.Eval[string](s, `[...document.querySelectorAll("#f-unit_id option")].find(o => o.textContent.includes("`+label+`")).value`)
	}
	set("#f-unit_id", unit("Văn phòng"))
	s.Fill("#f-position", "Chánh Văn phòng")
	set("#f-effective_on", "2025-07-01")
	s.Click("#hire-submit", ".flash-success")
	contains("profile after hiring", "main", "Đã tuyển dụng Nguyễn Văn An từ ngày 01/07/2025", "12/03/1985", "Chánh Văn phòng", "01/07/2025")
	s.Shot("hired")
	s.Accessible("the profile")
	profile := s.Location()

	// Correct the personal data: the form starts from what is stored.
	s.Click("#action-edit", "#edit-submit")
	if got := browser.Eval[string](s, `document.querySelector("#f-birth_date").value + " " + document.querySelector("#f-cccd").value`); got != "1985-03-12 034085001234" {
		t.Fatalf("the correction form starts from %q", got)
	}
	s.Fill("#f-phone", "12")
	s.Click("#edit-submit", ".error-summary")
	contains("correction errors", "main", "số điện thoại gồm 9–11 chữ số")
	s.ErrorsAnnounced("the correction form with errors")
	s.Accessible("the correction form with errors")
	browser.Eval[string](s, `document.querySelector("#f-phone").value = ""`)
	s.Fill("#f-phone", "0912345678")
	s.Click("#edit-submit", ".flash-success")
	contains("profile after the correction", "main", "Đã lưu thông tin cá nhân", "0912345678", "Chánh Văn phòng")

	// Move to the service centre from 1 January 2026.
	s.Click("#action-move", "#move-submit")
	s.Accessible("the move form")
	set("#f-unit_id", unit("Trung tâm Phục vụ"))
	s.Fill("#f-position", "Giám đốc Trung tâm")
	set("#f-effective_on", "2026-01-01")
	s.Click("#move-submit", ".flash-success")
	contains("profile after the move", "main", "Giám đốc Trung tâm", "Trung tâm Phục vụ hành chính công", "01/01/2026", "31/12/2025")

	// A master's degree with its scan; the wrong level list choice is caught by field.
	s.Click("#action-qualification", "#qualification-submit")
	s.Click("#qualification-submit", ".error-summary")
	contains("qualification errors", "main", "Chọn loại và trình độ")
	s.ErrorsAnnounced("the qualification form with errors")
	s.Accessible("the qualification form with errors")
	set("#f-level", "professional:thac_si")
	s.Fill("#f-field", "Quản lý công")
	s.Fill("#f-awarding_body", "Học viện Hành chính Quốc gia")
	set("#f-awarded_on", "2018-06-30")
	s.Do("choose the scan", chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{scan}))
	s.Shot("qualification-form")
	s.Click("#qualification-submit", ".flash-success")
	contains("profile with the degree", "main", "kèm tệp minh chứng", "Thạc sĩ", "Quản lý công", "30/06/2018", "Tải bang-thac-si.png")
	href := browser.Eval[string](s, `document.querySelector('a[href$="/evidence"]').href`)
	if st := await(`fetch("` + href + `").then(r => r.status + " " + r.headers.get("content-type"))`); st != "200 image/png" {
		t.Fatalf("evidence download: %s", st)
	}

	// A training: the end before the start is refused on the end date.
	s.Click("#action-training", "#training-submit")
	s.Fill("#f-course", "Bồi dưỡng kiến thức quản lý nhà nước ngạch chuyên viên chính")
	s.Fill("#f-awarding_body", "Trường Chính trị tỉnh Thái Bình")
	set("#f-start_on", "2025-10-20")
	set("#f-end_on", "2025-10-01")
	s.Click("#training-submit", ".error-summary")
	contains("training errors", "main", "ngày kết thúc trước ngày bắt đầu")
	s.ErrorsAnnounced("the training form with errors")
	s.Accessible("the training form with errors")
	if got := browser.Eval[string](s, `document.querySelector("#f-course").value`); !strings.HasPrefix(got, "Bồi dưỡng kiến thức") {
		t.Fatalf("the course typed is lost: %q", got)
	}
	set("#f-end_on", "2025-11-28")
	s.Fill("#f-result", "Giỏi")
	s.Click("#training-submit", ".flash-success")
	contains("profile with the training", "main", "Bồi dưỡng", "20/10/2025 – 28/11/2025", "Giỏi")

	// The training's certificate, uploaded later: a text file is refused by its content.
	notScan := filepath.Join(filepath.Dir(scan), "ghi-chu.pdf")
	if err := os.WriteFile(notScan, []byte("không phải bản quét"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.Click("a.evidence-upload", "#evidence-submit")
	s.Do("choose a text file", chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{notScan}))
	s.Click("#evidence-submit", ".error-summary")
	contains("evidence errors", "main", "PDF, JPEG hoặc PNG")
	s.ErrorsAnnounced("the evidence form with errors")
	s.Accessible("the evidence form with errors")
	s.Do("choose the scan", chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{scan}))
	s.Click("#evidence-submit", ".flash-success")
	if n, up := browser.Eval[int](s, `document.querySelectorAll('a[href$="/evidence"]:not(.evidence-upload)').length`),
		browser.Eval[int](s, `document.querySelectorAll("a.evidence-upload").length`); n != 2 || up != 0 {
		t.Fatalf("after the upload: %d downloads (want 2), %d uploads still offered (want 0)", n, up)
	}

	// Departure: the reason is required.
	s.Click("#action-leave", "#leave-submit")
	set("#f-effective_on", "2026-03-01")
	s.Click("#leave-submit", ".error-summary")
	contains("leave errors", "main", "lý do thôi việc")
	s.ErrorsAnnounced("the leave form with errors")
	s.Accessible("the leave form with errors")
	s.Fill("#f-reason", "Chuyển công tác đến UBND xã Đông Hoàng")
	s.Click("#leave-submit", ".flash-success")
	contains("profile after leaving", "main", "Đã ghi nhận thôi việc từ ngày 01/03/2026", "Đã nghỉ việc", "Chuyển công tác đến UBND xã Đông Hoàng")
	s.Shot("left")

	// Rehire: not before the departure.
	s.Click("#action-rehire", "#move-submit")
	set("#f-unit_id", unit("Phòng Kinh tế"))
	s.Fill("#f-position", "Chuyên viên")
	set("#f-effective_on", "2026-02-01")
	s.Click("#move-submit", ".error-summary")
	contains("rehire errors", "main", "từ ngày nghỉ việc trở đi")
	s.ErrorsAnnounced("the rehire form with errors")
	s.Accessible("the rehire form with errors")
	set("#f-effective_on", "2026-06-01")
	s.Click("#move-submit", ".flash-success")
	contains("profile after the rehire", "main", "Đã ghi nhận tuyển dụng lại từ ngày 01/06/2026", "Phòng Kinh tế", "Chuyên viên")

	// Import: templates in both formats and the allowed values.
	s.Click(`nav.hr-nav a[href$="/import"]`, "#help-staff")
	contains("import help", "main", "Công chức", "Viên chức", "VP (Văn phòng", "thac_si (Thạc sĩ)", "dd/mm/yyyy")
	csv := await(`fetch(document.querySelector("#template-staff-csv").href).then(r => r.text())`)
	if !strings.Contains(csv, "ho_ten,ngay_sinh,gioi_tinh,cccd") {
		t.Fatalf("staff CSV template: %q", csv)
	}
	xlsx := await(`fetch(document.querySelector("#template-qualifications-xlsx").href).then(r => r.status + " " + r.headers.get("content-type"))`)
	if !strings.HasPrefix(xlsx, "200 application/vnd.openxmlformats") {
		t.Fatalf("qualifications XLSX template: %s", xlsx)
	}
	// The XLSX template carries the allowed values on a second sheet (its header row holds only
	// the columns' codes, so the levels found in the file come from that sheet).
	packed, err := base64.StdEncoding.DecodeString(await(`fetch(document.querySelector("#template-qualifications-xlsx").href)
		.then(r => r.arrayBuffer()).then(b => { let s = ''; new Uint8Array(b).forEach(x => s += String.fromCharCode(x)); return btoa(s); })`))
	if err != nil {
		t.Fatal(err)
	}
	if text := unzipped(t, packed); !strings.Contains(text, `name="Giá trị hợp lệ"`) || !strings.Contains(text, "thac_si (Thạc sĩ)") {
		t.Errorf("the qualifications XLSX template has no sheet of allowed values with the levels")
	}
	s.Shot("import")
	s.Accessible("the import page")

	// A phone: the hire form's errors fit 390 px.
	s.Do("phone size", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	s.Open("/hr/staff/new", "#hire-submit")
	s.Fill("#f-full_name", "Trần Thị Bình")
	s.Click("#hire-submit", ".error-summary")
	if w := browser.Eval[int](s, `document.documentElement.scrollWidth`); w > 390 {
		t.Fatalf("the hire form is %d px wide on a 390 px phone", w)
	}
	s.Shot("hire-errors-phone")
	s.Do("desktop size", chromedp.EmulateViewport(1280, 900))

	// A leader reads but is offered no form, and a form posted anyway is refused.
	s.Open("/hr/staff", "#staff-caption")
	s.SignOut()
	s.SignIn(strings.TrimPrefix(profile, strings.TrimSuffix(h.Base, "/hr")), "chutich.dongtan", h.IDP.Password, "h1")
	if n := browser.Eval[int](s, `document.querySelectorAll(".hr-actions a, nav.hr-nav a[href$='/staff/new'], nav.hr-nav a[href$='/import']").length`); n != 0 {
		t.Fatalf("a leader is offered %d HR forms", n)
	}
	s.Open("/hr/staff/new", "h1")
	contains("hire form for a leader", "main", "Không có quyền")
	s.Accessible("the 403 page")
	post := await(`(() => {
		const body = new URLSearchParams({full_name: "Lê Văn Cường"});
		body.set("` + web.CSRFFieldName + `", document.querySelector('input[name="` + web.CSRFFieldName + `"]').value);
		return fetch("/hr/staff", {method: "POST", body}).then(r => String(r.status));
	})()`)
	if post != "403" {
		t.Fatalf("a leader posting the hire form gets %s, want 403", post)
	}
}

// unzipped is every part of an XLSX file, unpacked and joined: enough to find a text in it.
func unzipped(t *testing.T, packed []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(packed), int64(len(packed)))
	if err != nil {
		t.Fatalf("the XLSX template is not a zip: %v", err)
	}
	var all strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	return all.String()
}
