package service_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"egov.vn/platform/libs/devkit/browser"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/services/identity/identitytest"
)

// TestCitizenPagesInTheBrowser follows a citizen on a desktop and on a 390 px phone: the QR code's
// address opens the lookup with the receipt code filled in, the lookup and the unit's procedures
// are in the public layout (no staff menu, no sign-in button) and fit the phone's width.
func TestCitizenPagesInTheBrowser(t *testing.T) {
	h := start(t, storetest.SQLite(t))
	h.provision("xa-dong-tan", "12700", "UBND xã Đông Tân", "commune", "huyen-dong-hung")
	var d struct {
		ID          string `json:"id"`
		ReceiptCode string `json:"receipt_code"`
	}
	if st := h.do("POST", "/dossiers", h.token("xa-dong-tan", "hoa.nt", "dossier.receive"), birthIntake(), &d); st != 201 {
		t.Fatalf("intake: %d", st)
	}
	// A unit that does not exist is a 404 that says what to do, in the public layout.
	resp, err := http.Get(h.Base + "/thu-tuc?don-vi=xa-khong-co")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "hãy chọn đơn vị trong danh sách") || strings.Contains(string(body), "Đăng nhập") {
		t.Errorf("an unknown unit: %d\n%s", resp.StatusCode, body)
	}
	for _, size := range []struct {
		name          string
		width, height int
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := browser.Chromium(t, 90*time.Second, chromedp.WindowSize(size.width, size.height))
			shot := screenshots(t, ctx, "dossiers-citizen-"+size.name+"-")
			if err := chromedp.Do(ctx, chromedp.Navigate(h.Base+"/tra-cuu?ma="+d.ReceiptCode), chromedp.WaitVisible(chromedp.CSS(`input[name="phone_last4"]`))); err != nil {
				t.Fatalf("lookup page: %v", err)
			}
			if v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`input[name="receipt_code"]`))); err != nil || v != d.ReceiptCode {
				t.Fatalf("the receipt code is not filled in from ?ma=: %q %v", v, err)
			}
			publicLayout(t, ctx)
			shot("1-lookup")
			a11y(t, ctx, size.name, "the lookup page")
			browser.CheckKeyboard(t, ctx, "the lookup page")
			if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`input[name="phone_last4"]`), "5678"),
				chromedp.Submit(chromedp.CSS(`form[action$="/tra-cuu"]`)), chromedp.WaitVisible(chromedp.CSS(`#lookup-result`))); err != nil {
				t.Fatalf("look up: %v", err)
			}
			result := text(t, ctx, `#lookup-result`)
			for _, want := range []string{d.ReceiptCode, "Đăng ký khai sinh", "Đã tiếp nhận", "UBND xã Đông Tân"} {
				if !strings.Contains(result, want) {
					t.Errorf("the result does not say %q:\n%s", want, result)
				}
			}
			if n := count(t, ctx, `.error-summary`); n != 0 {
				t.Errorf("%d error summaries on a found dossier", n)
			}
			publicLayout(t, ctx)
			shot("2-result")
			a11y(t, ctx, size.name, "the lookup result")

			// A wrong phone number: one error summary, not two.
			if err := chromedp.Do(ctx, chromedp.Navigate(h.Base+"/tra-cuu?ma="+d.ReceiptCode), chromedp.WaitVisible(chromedp.CSS(`input[name="phone_last4"]`)),
				chromedp.SendKeys(chromedp.CSS(`input[name="phone_last4"]`), "0000"),
				chromedp.Submit(chromedp.CSS(`form[action$="/tra-cuu"]`)), chromedp.WaitVisible(chromedp.CSS(`.error-summary`))); err != nil {
				t.Fatalf("look up with a wrong phone: %v", err)
			}
			if n := count(t, ctx, `.error-summary`); n != 1 {
				t.Errorf("%d error summaries, want 1", n)
			}
			browser.CheckErrorsAnnounced(t, ctx, "the lookup with a wrong phone")
			a11y(t, ctx, size.name, "the lookup with a wrong phone")

			// The unit's procedures, chosen from the tree.
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a[href$="/thu-tuc"]`)), chromedp.WaitVisible(chromedp.CSS(`#f-don-vi`)),
				chromedp.SetValue(chromedp.CSS(`#f-don-vi`), "xa-dong-tan"),
				chromedp.Submit(chromedp.CSS(`#unit-picker`)), chromedp.WaitVisible(chromedp.CSS(`#procedures`))); err != nil {
				t.Fatalf("the unit's procedures: %v", err)
			}
			procs := text(t, ctx, `#procedures`)
			for _, want := range []string{"Đăng ký khai sinh", "Giấy chứng sinh", "Thời hạn giải quyết", "Lệ phí"} {
				if !strings.Contains(procs, want) {
					t.Errorf("the procedures do not say %q", want)
				}
			}
			publicLayout(t, ctx)
			shot("3-procedures")
			a11y(t, ctx, size.name, "the unit's procedures")
		})
	}
}

// a11y runs axe-core over the page once per test: browser.CheckAccessible checks it at desktop
// and phone widths itself, so the phone run of a walk that repeats at both sizes skips it.
func a11y(t *testing.T, ctx context.Context, size, page string) {
	t.Helper()
	if size == "desktop" {
		browser.CheckAccessible(t, ctx, page, nil)
	}
}

// publicLayout checks the page is a citizen's: no staff menu, no sign-in button, nothing wider
// than the screen.
func publicLayout(t *testing.T, ctx context.Context) {
	t.Helper()
	header := text(t, ctx, `header`)
	for _, staff := range []string{"Đăng nhập", "Văn thư", "Nhân sự", "Báo cáo", "Tài khoản"} {
		if strings.Contains(header, staff) {
			t.Errorf("a citizen's page shows %q", staff)
		}
	}
	if over, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); err != nil || over {
		t.Errorf("the page is wider than the screen (%v)", err)
	}
}

// TestFormsPrintInTheBrowser: under the pages' strict CSP the form pages load their stylesheet
// and script, "In phiếu" opens the print dialog, and with print media emulated forms 01 and 06
// print as their PDFs do: no button, the unit's names, form 01's QR code for the lookup.
func TestFormsPrintInTheBrowser(t *testing.T) {
	h := start(t, storetest.SQLite(t))
	h.provision("xa-dong-tan", "12700", "UBND xã Đông Tân", "commune", "huyen-dong-hung")
	h.IDP.Person(t, identitytest.Person{Tenant: "xa-dong-tan", Username: "hoa.nt", Name: "Nguyễn Thị Hoa", Roles: []string{"dossier.receive"}})
	var d struct {
		ID          string `json:"id"`
		ReceiptCode string `json:"receipt_code"`
	}
	if st := h.do("POST", "/dossiers", h.token("xa-dong-tan", "hoa.nt", "dossier.receive"), birthIntake(), &d); st != 201 {
		t.Fatalf("intake: %d", st)
	}
	// Forms 02-05 exist once the dossier has been through what they record: a supplement asked
	// for, a refusal, a new appointment, processing stopped. One dossier each, brought there
	// through the API by the people who do it.
	receiver, leader := h.token("xa-dong-tan", "hoa.nt", "dossier.receive"), h.token("xa-dong-tan", "chu.nv", "dossier.approve")
	formDossier := map[string]string{"1": d.ID, "6": d.ID}
	later := time.Now().AddDate(0, 2, 0).UTC().Format(time.RFC3339)
	for n, steps := range map[string][]struct {
		token string
		act   map[string]any
	}{
		"2": {{receiver, map[string]any{"action": "request_supplement", "note": "Bổ sung bản sao giấy chứng sinh"}}},
		"3": {{receiver, map[string]any{"action": "refuse", "note": "Thủ tục không thuộc thẩm quyền của xã"}}},
		"4": {{leader, map[string]any{"action": "extend", "note": "Cần xác minh thêm tại nơi cư trú", "new_due_at": later}}},
		"5": {{leader, map[string]any{"action": "assign", "unit": "Tư pháp – Hộ tịch"}},
			{leader, map[string]any{"action": "stop", "note": "Người nộp đề nghị dừng giải quyết"}}},
	} {
		var f struct {
			ID      string `json:"id"`
			Version int    `json:"version"`
		}
		if st := h.do("POST", "/dossiers", receiver, birthIntake(), &f); st != 201 {
			t.Fatalf("intake for form %s: %d", n, st)
		}
		for _, s := range steps {
			s.act["version"] = f.Version
			var out map[string]any
			if st := h.do("POST", "/dossiers/"+f.ID+"/actions", s.token, s.act, &out); st != 200 {
				t.Fatalf("form %s: %v: %d %v", n, s.act["action"], st, out)
			}
			f.Version = int(out["version"].(float64))
		}
		formDossier[n] = f.ID
	}
	for _, size := range []struct {
		name          string
		width, height int
	}{{"desktop", 1280, 1400}, {"phone", 390, 844}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := browser.Chromium(t, 90*time.Second, chromedp.WindowSize(size.width, size.height))
			shot := screenshots(t, ctx, "dossiers-print-"+size.name+"-")
			if err := chromedp.Do(ctx, chromedp.Navigate(h.Base+"/ho-so/"+d.ID),
				chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
				chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "hoa.nt"),
				chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), h.IDP.Password),
				chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
				chromedp.WaitVisible(chromedp.CSS(`#receipt-code`))); err != nil {
				t.Fatalf("sign in and open the dossier: %v", err)
			}
			if s := text(t, ctx, `#holder`); !strings.Contains(s, "UBND xã Đông Tân") {
				t.Errorf("the dossier page names the unit %q", s)
			}
			if s := text(t, ctx, `.timeline`); strings.Contains(s, "xa-dong-tan") {
				t.Errorf("the timeline shows a slug: %q", s)
			}
			for _, n := range []string{"1", "2", "3", "4", "5", "6"} {
				if err := chromedp.Do(ctx, chromedp.Navigate(h.Base+"/ho-so/"+formDossier[n]+"/phieu/"+n), chromedp.WaitVisible(chromedp.CSS(`#print`))); err != nil {
					t.Fatalf("form %s: the print button never shows (print.js blocked?): %v", n, err)
				}
				// The page is served under the strict CSP that blocked the inline handler and style.
				csp, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(location.href).then(r => r.headers.get('Content-Security-Policy') || '')`, chromedp.EvalAwaitPromise))
				if err != nil || !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
					t.Errorf("form %s is served with CSP %q (%v)", n, csp, err)
				}
				// The stylesheet applied: the page is laid out as a document, not unstyled.
				if fam, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('.doc')).fontFamily`)); err != nil || !strings.Contains(fam, "DejaVu Sans") {
					t.Errorf("form %s is unstyled: font %q (%v)", n, fam, err)
				}
				// The button opens the print dialog (replaced here: headless Chromium has none).
				if printed, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { let called = false; window.print = () => { called = true; };
					document.querySelector('#print').click(); return called; })()`)); err != nil || !printed {
					t.Errorf("form %s: \"In phiếu\" does not print (%v)", n, err)
				}
				body := text(t, ctx, `main`)
				switch n {
				case "1":
					if !strings.Contains(body, h.Base+"/tra-cuu") || count(t, ctx, `#lookup img[src^="data:image/png"]`) != 1 {
						t.Errorf("form 01 shows no lookup address or QR code:\n%s", body)
					}
				case "6":
					if !strings.Contains(body, "UBND xã Đông Tân – ") || strings.Contains(body, "xa-dong-tan") {
						t.Errorf("form 06 does not name the unit:\n%s", body)
					}
				}
				shot("form-" + n + "-screen")
				a11y(t, ctx, size.name, "form "+n)
				if err := chromedp.Do(ctx, emulateMedia("print")); err != nil {
					t.Fatal(err)
				}
				if shown, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('.doc-actions')).display`)); err != nil || shown != "none" {
					t.Errorf("form %s prints its button (display %q, %v)", n, shown, err)
				}
				shot("form-" + n + "-print")
				if size.name == "desktop" {
					pdf, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
						res, err := cdp.Call(ctx, t, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: ptr(true)})
						return res.Data, err
					})
					if err != nil {
						t.Fatal(err)
					}
					testenv.WriteArtifact(t, "dossiers-print-form-"+n+"-from-browser.pdf", pdf)
				}
				if err := chromedp.Do(ctx, emulateMedia("")); err != nil {
					t.Fatal(err)
				}
			}
			// The ledger numbers its rows from 1, as its PDF does, and its printable page (form 07)
			// is laid out on a landscape page, as the PDF is.
			if err := chromedp.Do(ctx, chromedp.Navigate(h.Base+"/so-theo-doi"), chromedp.WaitVisible(chromedp.CSS(`main table`))); err != nil {
				t.Fatalf("ledger: %v", err)
			}
			if first := text(t, ctx, `main tbody tr:first-child td:first-child`); first != "1" {
				t.Errorf("the ledger's first row is numbered %q", first)
			}
			a11y(t, ctx, size.name, "the ledger")
			if err := chromedp.Do(ctx, chromedp.Navigate(h.Base+"/so-theo-doi?format=html"), chromedp.WaitVisible(chromedp.CSS(`#print`))); err != nil {
				t.Fatalf("form 07: the print button never shows: %v", err)
			}
			if count(t, ctx, `main.doc-wide`) != 1 || !strings.Contains(text(t, ctx, `main tbody`), d.ReceiptCode) {
				t.Errorf("form 07 is not the wide ledger of %s", d.ReceiptCode)
			}
			shot("form-7-screen")
			a11y(t, ctx, size.name, "form 07")
		})
	}
}

func emulateMedia(media string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media})
		return chromedp.Void{}, err
	}
}

func ptr[T any](v T) *T { return &v }

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("%s: %v", sel, err)
	}
	return s
}

func count(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+"`"+sel+"`"+`).length`))
	if err != nil {
		t.Fatal(err)
	}
	return n
}
