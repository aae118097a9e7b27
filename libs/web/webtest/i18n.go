package webtest

import (
	"html/template"
	"regexp"
	"strings"
	"testing"

	"egov.vn/platform/libs/web"
)

// CatalogueComplete fails t for every key one language of cat has and another lacks, every empty
// text and every message whose fmt verbs differ between languages (web.Catalogue.Check). Every
// service runs it over its own catalogue.
func CatalogueComplete(t testing.TB, cat web.Catalogue) {
	t.Helper()
	if err := cat.Check(); err != nil {
		for _, p := range strings.Split(strings.TrimPrefix(err.Error(), "web: catalogue: "), "; ") {
			t.Error(p)
		}
	}
}

// ShellWordsVI are the Vietnamese words of the shell's header and menu: none may be left on a page
// shown in English.
var ShellWordsVI = []string{"Đăng xuất", "Đăng nhập", "Bỏ qua, đến nội dung chính", "Đang đăng nhập",
	"Các dịch vụ", "Dịch vụ cho người dân", "Một cửa", "Văn thư", "Nhân sự", "Báo cáo", "Tài khoản",
	"Chính quyền điện tử", "Hồ sơ", "Tra cứu", "Thủ tục"}

var (
	headerRE = regexp.MustCompile(`(?s)<header class="site-header">.*?</header>`)
	markerRE = regexp.MustCompile(`\[\[[^\]]+\]\]`)
)

// EnglishPage fails t when a page asked for in English is not: <html lang> is not "en", a message
// id was missing from the catalogue (its [[id]] marker shows), or the header still holds a
// Vietnamese word of the shell. The unit's name ("UBND xã Đông Tân") is a name and stays.
func EnglishPage(t testing.TB, where, body string) {
	t.Helper()
	if !strings.Contains(body, `<html lang="en">`) {
		t.Errorf("%s: not <html lang=\"en\">", where)
	}
	for _, m := range markerRE.FindAllString(body, -1) {
		t.Errorf("%s: message %s is missing from the catalogue", where, m)
	}
	header := headerRE.FindString(body)
	if header == "" {
		t.Errorf("%s: no site header", where)
	}
	for _, w := range ShellWordsVI {
		if strings.Contains(header, w) {
			t.Errorf("%s: the header still says %q in English", where, w)
		}
	}
}

// NoVietnameseLeft fails t for every Vietnamese message of cat (and of the shell) found on a page
// shown in English: a template or handler that wrote the Vietnamese text itself, or that looked
// a message up in the wrong language, leaves it there. Only messages of at least two words that
// the English catalogue words differently are looked for, without their fmt verbs' parts, so a
// name or a code the two languages share is not a finding. data lists the Vietnamese texts the
// page shows as data (a unit called "Văn phòng", a seeded procedure's "bản sao"), which stay.
func NoVietnameseLeft(t testing.TB, where, body string, cat web.Catalogue, data ...string) {
	t.Helper()
	seen := map[string]bool{}
	for _, d := range data {
		seen[d] = true
	}
	for _, c := range []web.Catalogue{web.ShellCatalogue(), cat} {
		for id, vi := range c[web.LangVI] {
			en, ok := c[web.LangEN][id]
			if !ok || en == vi {
				continue
			}
			for _, part := range verbSplitRE.Split(vi, -1) {
				part = strings.TrimSpace(part)
				if len(strings.Fields(part)) < 2 || seen[part] {
					continue
				}
				seen[part] = true
				if strings.Contains(body, template.HTMLEscapeString(part)) || strings.Contains(body, part) {
					t.Errorf("%s: the English page still says %q (message %s)", where, part, id)
				}
			}
		}
	}
}

var verbSplitRE = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)
