package service_test

import (
	"bytes"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"gorm.io/gorm"

	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store/storetest"
)

// adminPages is a browser signed in at identity, driving the administration pages.
type adminPages struct {
	t *testing.T
	h *harness
	c *http.Client
}

func (h *harness) signInPages(t *testing.T, username, password string) *adminPages {
	t.Helper()
	f := newLoginForm(t, h)
	if a := f.post(t, username, password); a.status != http.StatusOK {
		t.Fatalf("sign in %s: %d", username, a.status)
	}
	return &adminPages{t: t, h: h, c: f.c}
}

// get returns the status and body of a page.
func (b *adminPages) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.h.Origin + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// submit fills the form of page whose action contains action with values and posts it; the
// redirect after a successful post is followed.
func (b *adminPages) submit(page, action string, values url.Values) (int, string) {
	b.t.Helper()
	st, body := b.get(page)
	if st != http.StatusOK {
		b.t.Fatalf("%s: %d", page, st)
	}
	to, form := formFields(b.t, strings.NewReader(body), action)
	for k, v := range values {
		form[k] = v
	}
	resp, err := b.c.PostForm(b.h.Origin+to, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// byID returns the text of the element with id on page, "" when there is none.
func byID(t *testing.T, page, id string) string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var text func(*html.Node) string
	text = func(n *html.Node) string {
		if n.Type == html.TextNode {
			return n.Data
		}
		var b strings.Builder
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			b.WriteString(text(c))
		}
		return b.String()
	}
	var found string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && attr(n, "id") == id {
			found = strings.TrimSpace(text(n))
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return found
}

// A commune's administrator, in the pages: sees only the commune's accounts; creates an account
// and reads its one-time password once on the slip; the new person signs in with it and is asked
// for their own password; a reset gives another one-time password; disabling stops sign-in; a
// sibling commune's account answers 403 and is left alone; the audit log and its CSV show it all.
func TestAdministrationPages(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		tr := h.seedTree(t)
		b := h.signInPages(t, tr.admins["xa-dong-tan"].Username, h.Password)

		st, list := b.get("/auth/admin")
		if st != http.StatusOK || !strings.Contains(list, "mc.xa-dong-tan") || strings.Contains(list, "mc.xa-dong-hoa") || strings.Contains(list, "mc.huyen-dong-hung") {
			t.Fatalf("accounts page: %d, want only the commune's accounts:\n%s", st, list)
		}
		if strings.Contains(list, "[[") {
			t.Fatalf("accounts page has a message missing from the catalogue:\n%s", list)
		}

		st, slip := b.submit("/auth/admin/accounts/new", "/admin/accounts", url.Values{"unit": {"xa-dong-tan"}, "name": {"=HYPERLINK(\"http://x\") Lan"},
			"username": {"lan.pt"}, "roles": {string(platform.RoleDossierReceive)}})
		otp := byID(t, slip, "one-time-password")
		if st != http.StatusCreated || len(otp) != 16 {
			t.Fatalf("create: %d, one-time password %q:\n%s", st, otp, slip)
		}
		if _, page := b.get("/auth/admin/accounts/lan.pt"); strings.Contains(page, otp) {
			t.Fatal("the one-time password is shown again after the slip")
		}
		if st, body := b.submit("/auth/admin/accounts/new", "/admin/accounts", url.Values{"unit": {"xa-dong-tan"}, "name": {"Khác"},
			"username": {"lan.pt"}}); st != http.StatusUnprocessableEntity || !strings.Contains(body, "đã có người dùng") {
			t.Fatalf("taken username: %d", st)
		}
		if st, _ := b.submit("/auth/admin/accounts/new", "/admin/accounts", url.Values{"unit": {"xa-dong-tan"}, "name": {"Leo"},
			"username": {"leo.thang"}, "roles": {string(platform.RolePlatformAdmin)}}); st != http.StatusForbidden {
			t.Fatalf("granting platform.admin from a commune: %d, want 403", st)
		}

		// The new person signs in with the one-time password and must choose their own.
		if a := newLoginForm(t, h).post(t, "lan.pt", otp); a.status != http.StatusOK || !strings.Contains(a.body, "/login/new-password") {
			t.Fatalf("sign-in with the one-time password: %d, want the new-password page", a.status)
		}

		st, slip = b.submit("/auth/admin/accounts/lan.pt", "/reset", nil)
		reset := byID(t, slip, "one-time-password")
		if st != http.StatusOK || len(reset) != 16 || reset == otp {
			t.Fatalf("reset: %d, %q", st, reset)
		}
		if a := newLoginForm(t, h).post(t, "lan.pt", otp); a.status == http.StatusOK && strings.Contains(a.body, "/login/new-password") {
			t.Fatal("the first one-time password still works after the reset")
		}

		st, page := b.submit("/auth/admin/accounts/lan.pt", "/disable", nil)
		if st != http.StatusOK || byID(t, page, "account-state") != "Đã vô hiệu hóa" {
			t.Fatalf("disable: %d, state %q", st, byID(t, page, "account-state"))
		}
		if a := newLoginForm(t, h).post(t, "lan.pt", reset); a.status == http.StatusOK && strings.Contains(a.body, "/login/new-password") {
			t.Fatal("a disabled account signed in")
		}

		// Five wrong passwords lock the officer out; the page says until when, and unlocking lets
		// the right password in at once.
		officerName := tr.staff["xa-dong-tan"].Username
		wrong := newLoginForm(t, h)
		for range 5 {
			wrong.post(t, officerName, "sai-mat-khau-99")
		}
		if _, page := b.get("/auth/admin/accounts/" + officerName); byID(t, page, "account-locked") == "" {
			t.Fatal("the account page does not say the account is locked")
		}
		if st, page := b.submit("/auth/admin/accounts/"+officerName, "/unlock", nil); st != http.StatusOK || byID(t, page, "account-locked") != "" {
			t.Fatalf("unlock: %d, still locked %q", st, byID(t, page, "account-locked"))
		}
		wantSignedIn(t, h, officerName, "after the administrator unlocked the account")

		// A sibling commune's account: the page and the actions answer 403, nothing changes.
		sibling := tr.staff["xa-dong-hoa"].Username
		if st, body := b.get("/auth/admin/accounts/" + sibling); st != http.StatusForbidden || !strings.Contains(body, "không thuộc đơn vị bạn quản trị") {
			t.Fatalf("sibling's account page: %d", st)
		}
		before := accountState(t, db, sibling)
		_, own := b.get("/auth/admin/accounts/mc.xa-dong-tan")
		action, form := formFields(t, strings.NewReader(own), "/disable")
		resp, err := b.c.PostForm(h.Origin+strings.Replace(action, "mc.xa-dong-tan", sibling, 1), form)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || accountState(t, db, sibling) != before {
			t.Fatalf("disabling a sibling's account: %d, changed %t", resp.StatusCode, accountState(t, db, sibling) != before)
		}

		// A reception officer has no administration pages.
		officer := h.signInPages(t, tr.staff["xa-dong-tan"].Username, h.Password)
		if st, _ := officer.get("/auth/admin"); st != http.StatusForbidden {
			t.Fatalf("officer on the administration page: %d", st)
		}

		st, audit := b.get("/auth/admin/audit?person=lan.pt")
		_, rowsAt, _ := strings.Cut(audit, "<tbody>")
		for _, want := range []string{"Tạo tài khoản", "Cấp mật khẩu dùng một lần", "Vô hiệu hóa tài khoản", "Đăng nhập"} {
			if st != http.StatusOK || !strings.Contains(rowsAt, want) {
				t.Fatalf("audit page: %d, missing %q", st, want)
			}
		}
		if st, _ := b.get("/auth/admin/audit?from=hom-qua"); st != http.StatusUnprocessableEntity {
			t.Fatalf("bad date: %d", st)
		}
		resp, err = b.c.Get(h.Origin + "/auth/admin/audit.csv?person=lan.pt&action=user.create")
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")))).ReadAll()
		if err != nil || resp.StatusCode != http.StatusOK || len(rows) != 2 {
			t.Fatalf("CSV: %d, %v, rows %q", resp.StatusCode, err, rows)
		}
		if subject := rows[1][4]; !strings.HasPrefix(subject, "'=HYPERLINK") {
			t.Fatalf("a name that reads as a formula is not escaped in the CSV: %q", subject)
		}
		// The district's administrator sees the commune's log too; a sibling commune's does not.
		district := h.signInPages(t, tr.admins["huyen-dong-hung"].Username, h.Password)
		if _, body := district.get("/auth/admin/audit?person=lan.pt&action=user.create"); !strings.Contains(body, "<tbody>") {
			t.Fatal("the district's administrator does not see the commune's log")
		}
		other := h.signInPages(t, tr.admins["xa-dong-hoa"].Username, h.Password)
		if _, body := other.get("/auth/admin/audit?person=lan.pt"); strings.Contains(body, "<tbody>") || !strings.Contains(body, "Không có sự kiện nào") {
			t.Fatal("a sibling commune's administrator reads the commune's log")
		}
	})
}
