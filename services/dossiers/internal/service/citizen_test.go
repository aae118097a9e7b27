package service_test

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/web"
)

// TestPublicProceduresOnEachDB: without signing in, a citizen reads the chosen unit's catalogue
// (the unit's own, not another's), in the public layout, on both databases.
func TestPublicProceduresOnEachDB(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := start(t, db)
		h.provision("xa-dong-tan", "12700", "UBND xã Đông Tân", "commune", "huyen-dong-hung")
		h.provision("xa-dong-la", "12703", "UBND xã Đông La", "commune", "huyen-dong-hung")
		if st := h.do("DELETE", "/procedures/1.001193", h.token("xa-dong-la", "quan-tri.dla", "tenant.admin"), nil, nil); st != http.StatusNoContent {
			t.Fatalf("remove a procedure from Đông La's catalogue: %d", st)
		}
		get := func(path string) (int, string) {
			t.Helper()
			resp, err := http.Get(h.Base + path)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = resp.Body.Close() }()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		st, body := get("/thu-tuc")
		if st != http.StatusOK || !strings.Contains(body, `<option value="xa-dong-tan">UBND xã Đông Tân</option>`) || strings.Contains(body, `id="procedures"`) {
			t.Fatalf("the unit picker: %d\n%s", st, body)
		}
		st, body = get("/thu-tuc?don-vi=xa-dong-tan")
		if st != http.StatusOK || !strings.Contains(body, `id="p-1.001193"`) || !strings.Contains(body, "Giấy chứng sinh") || strings.Contains(body, "Đăng nhập") {
			t.Fatalf("Đông Tân's procedures: %d\n%s", st, body)
		}
		st, body = get("/thu-tuc?don-vi=xa-dong-la")
		if st != http.StatusOK || strings.Contains(body, `id="p-1.001193"`) || !strings.Contains(body, "UBND xã Đông La") {
			t.Fatalf("Đông La's procedures list one it removed: %d\n%s", st, body)
		}
	})
}

// TestLookupPageTellsWhenToRetry: the citizen's lookup page, once the address has used up its
// lookups, answers 429 with Retry-After the seconds left in the sliding window (as the API
// does), never more than the window, and says so in the form (issue 18, finding 8).
func TestLookupPageTellsWhenToRetry(t *testing.T) {
	h := start(t, storetest.SQLite(t))
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := client.Get(h.Base + "/tra-cuu")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	m := regexp.MustCompile(`name="` + web.CSRFFieldName + `" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("the lookup page has no form with a CSRF token: %d\n%s", resp.StatusCode, page)
	}
	lookup := func(code string) (*http.Response, string) {
		t.Helper()
		form := url.Values{web.CSRFFieldName: {html.UnescapeString(string(m[1]))}, "receipt_code": {code}, "phone_last4": {"1234"}}
		req, _ := http.NewRequest(http.MethodPost, h.Base+"/tra-cuu", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", strings.TrimSuffix(h.Base, "/dossiers"))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		return resp, string(b)
	}
	// The harness allows 10 lookups an address in 10 minutes.
	for i := range 10 {
		if resp, body := lookup(fmt.Sprintf("X-%d", i)); resp.StatusCode != http.StatusNotFound || resp.Header.Get("Retry-After") != "" {
			t.Fatalf("lookup %d: %d, Retry-After %q; want 404 without it\n%s", i+1, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	}
	resp, body := lookup("X-10")
	secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if resp.StatusCode != http.StatusTooManyRequests || err != nil || secs < 1 || secs > 600 {
		t.Fatalf("over the limit: %d, Retry-After %q; want 429 with 1..600 s\n%s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if !strings.Contains(body, "error-summary") {
		t.Fatalf("the 429 page does not say why:\n%s", body)
	}
}
