package service_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"egov.vn/platform/services/identity/identitytest"
)

// TestRefusalLeadsSomewhereUseful: a signed-in person without report.view who opens the reports
// gets the 403 page, whose button leads to their own account page, which they may open, and not
// back to the reports' home, which answers the same 403 (issue 16).
func TestRefusalLeadsSomewhereUseful(t *testing.T) {
	h := start(t)
	h.answersAtLeast = 0 // pages only
	desk := identitytest.Person{Tenant: "xa-dong-tan", Username: "mot.cua", Name: "Nguyễn Thị Hoa", Roles: []string{"dossier.receive"}}
	c := h.idp.PageClient(t, desk, h.base+"/")
	resp, err := c.Get(h.base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(page), "report.view") {
		t.Fatalf("the reports for a desk officer: %d, want 403 naming report.view\n%s", resp.StatusCode, page)
	}
	if !strings.Contains(string(page), `<a class="button" href="/auth/account">Về trang tài khoản của bạn</a>`) ||
		strings.Contains(string(page), `class="button" href="/reports"`) {
		t.Fatalf("the 403 page's button does not lead to the person's account page:\n%s", page)
	}
}
