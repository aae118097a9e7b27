package service_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"egov.vn/platform/libs/devkit/browser"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/services/identity/identitytest"
)

// TestPagesInChromium: an HR officer signs in through identity and works through the pages: the
// staff list and a profile with its history, the unit tree, the import wizard (a broken file is
// reported row by row and nothing is written; the fixed file is written), and the statistics
// with their charts. Screenshots of each step go to testdata/screenshots.
func TestPagesInChromium(t *testing.T) {
	h := startHR(t, storetest.SQLite(t))
	defer h.checkContract(t, 5)
	op := h.operator(t)
	if st, body := h.call(t, op, http.MethodPut, "/api/v1/tenants/xa-dong-tan", map[string]any{"code": "12700", "name": "UBND xã Đông Tân", "kind": "commune", "parent": "huyen-dong-hung"}); st != 200 {
		t.Fatalf("provision: %d %v", st, body)
	}
	api := h.person(t, "xa-dong-tan", "nhansu.dongtan", string(platform.RoleHROfficer))
	// The person's display name, set after the API token (h.person names people by username).
	h.IDP.Person(t, identitytest.Person{Tenant: "xa-dong-tan", Username: "nhansu.dongtan", Name: "Phạm Thu Hà", Roles: []string{string(platform.RoleHROfficer)}})
	_, units := h.call(t, api, http.MethodGet, "/api/v1/units", nil)
	st, hired := h.call(t, api, http.MethodPost, "/api/v1/staff", hireBody("Nguyễn Văn An", "034085001234", "1985-03-12", "male", unitID(t, units, "VP"), "Chánh Văn phòng", "2025-07-01", ""))
	if st != http.StatusCreated {
		t.Fatalf("hire: %d %v", st, hired)
	}
	an := hired["staff"].(map[string]any)["id"].(string)
	h.call(t, api, http.MethodPost, "/api/v1/staff/"+an+"/moves", map[string]any{"unit_id": unitID(t, units, "TTPVHCC"), "position": "Giám đốc Trung tâm", "effective_on": "2026-01-01"})
	h.call(t, api, http.MethodPost, "/api/v1/staff/"+an+"/qualifications", map[string]any{"kind": "professional", "level": "thac_si", "field": "Quản lý công", "awarding_body": "Học viện Hành chính Quốc gia", "awarded_on": "2018-06-30"})

	dir := t.TempDir()
	header := "ho_ten,ngay_sinh,gioi_tinh,cccd,phan_loai,dien_thoai,email,dia_chi,ma_don_vi,chuc_vu,ngach,bac,ngay_hieu_luc\n"
	broken := header + "Trần Thị Bình,1990-01-01,Nữ,034190000042,Công chức,,,,KT,Chuyên viên,01.003,2,2025-08-01\n" +
		"Lê Văn Cường,1988-02-02,Nam,034099000043,Công chức,,,,KT,Chuyên viên,01.003,1,2025-08-01\n"
	fixed := strings.Replace(broken, "034099000043", "034088000043", 1)
	for name, body := range map[string]string{"broken.csv": broken, "fixed.csv": fixed} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	ctx := browser.Chromium(t, 120*time.Second, chromedp.WindowSize(1280, 900))
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		testenv.WriteArtifact(t, "hr-"+name+".png", png)
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}

	// Sign in at identity, come back to the staff list.
	if err := chromedp.Do(ctx, chromedp.Navigate(h.Base+"/staff"), chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`))); err != nil {
		t.Fatalf("the staff list does not lead to sign-in: %v", err)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "nhansu.dongtan"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), h.IDP.Password),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS("#staff-caption")),
	); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	if got := text("main"); !strings.Contains(got, "Nguyễn Văn An") || !strings.Contains(got, "Giám đốc Trung tâm") {
		t.Fatalf("staff list: %q", got)
	}
	shot("1-staff-list")

	// The profile with the career, newest first.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a[href$="`+an+`"]`)), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	if got := text("main"); !strings.Contains(got, "034085001234") || !strings.Contains(got, "Chánh Văn phòng") || !strings.Contains(got, "Thạc sĩ") {
		t.Fatalf("profile: %q", got)
	}
	shot("2-profile")

	// The unit tree; a past day shows no units yet (they open with the 2025 reform).
	if err := chromedp.Do(ctx, chromedp.Navigate(h.Base+"/units"), chromedp.WaitVisible(chromedp.CSS("#units-caption"))); err != nil {
		t.Fatal(err)
	}
	if got := text("main"); !strings.Contains(got, "Phòng Văn hóa – Xã hội") || !strings.Contains(got, "Trung tâm Phục vụ hành chính công") {
		t.Fatalf("unit tree: %q", got)
	}
	shot("3-units")
	browser.CheckAccessible(t, ctx, "the unit tree", shot)
	// One unit's page, with its history.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`main a[href*="/units/"]`)), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatalf("a unit's page: %v", err)
	}
	browser.CheckAccessible(t, ctx, "a unit's page", shot)

	// Import wizard: the broken file is reported by line and column, nothing written.
	upload := func(file string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(h.Base+"/import"), chromedp.WaitVisible(chromedp.CSS("#f-file")),
			chromedp.SetValue(chromedp.CSS("#f-dataset"), "staff"),
			chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{filepath.Join(dir, file)}),
			chromedp.Submit(chromedp.CSS("#f-file")),
			chromedp.WaitVisible(chromedp.CSS("#import-error-count")),
		); err != nil {
			t.Fatalf("upload %s: %v", file, err)
		}
	}
	upload("broken.csv")
	if n, got := text("#import-error-count"), text("main"); n != "1" || !strings.Contains(got, "cccd") || !strings.Contains(got, "3") {
		t.Fatalf("report of the broken file: %s errors, %q", n, got)
	}
	shot("4-import-errors")
	browser.CheckAccessible(t, ctx, "the import report with errors", shot)
	upload("fixed.csv")
	shot("5-import-ready")
	browser.CheckAccessible(t, ctx, "the import ready to commit", shot)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#import-commit")), chromedp.WaitVisible(chromedp.CSS(".flash"))); err != nil {
		t.Fatalf("commit: %v", err)
	}
	if got := text("main"); !strings.Contains(got, "Trần Thị Bình") || !strings.Contains(got, "Lê Văn Cường") {
		t.Fatalf("staff after the import: %q", got)
	}
	shot("6-imported")

	// Statistics with the charts drawn by Chart.js.
	if err := chromedp.Do(ctx, chromedp.Navigate(h.Base+"/statistics"),
		chromedp.WaitVisible(chromedp.CSS("#headcount")),
		chromedp.WaitReady(chromedp.CSS(`body[data-charts-drawn="true"]`)),
	); err != nil {
		t.Fatalf("statistics: %v", err)
	}
	if got := text("#headcount"); got != "3" {
		t.Fatalf("headcount = %q, want 3", got)
	}
	shot("7-statistics")
	browser.CheckAccessible(t, ctx, "the statistics", shot)
}
