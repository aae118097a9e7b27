package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"
)

// Lang is a language the pages are written in: Vietnamese first, English for the people (foreign
// experts, auditors, visitors) who need it.
type Lang string

const (
	LangVI Lang = "vi"
	LangEN Lang = "en"
)

// Langs are the languages every catalogue must have, Vietnamese (the default) first.
var Langs = []Lang{LangVI, LangEN}

// LangCookie remembers a language picked with ?lang=. One name and path "/" across the platform,
// so a choice made on one service's page holds on every other's: the services share the origin.
const LangCookie = "egov_lang"

// LangParam is the query parameter that picks a language: ?lang=en.
const LangParam = "lang"

const langCookieMaxAge = 365 * 24 * 3600

// ParseLang reads a language code, ignoring case and spaces; ok is false for one we do not have.
func ParseLang(s string) (Lang, bool) {
	l := Lang(strings.ToLower(strings.TrimSpace(s)))
	return l, slices.Contains(Langs, l)
}

// Name is the language's name written in itself, as a language switch shows it.
func (l Lang) Name() string {
	if l == LangEN {
		return "English"
	}
	return "Tiếng Việt"
}

// other is the language the switch link offers.
func (l Lang) other() Lang {
	if l == LangEN {
		return LangVI
	}
	return LangEN
}

// Messages is one language's catalogue: message id → text, with fmt verbs for arguments
// ("Đã tiếp nhận hồ sơ %s"). Ids are the service's own words in English, dotted by page:
// "intake.title". The shell's own ids start with "web.".
type Messages map[string]string

// Catalogue holds a service's messages in every language. Each language is its own map, written
// in its own file, so a translator works through one file, and a key one language lacks is a
// test failure (Check), not a quiet fallback.
type Catalogue map[Lang]Messages

// Check reports every key one language has and another lacks (but for Vietnamese "error.…" ids:
// there the use case's own text is the fallback), every empty text, and every
// message whose fmt verbs differ between languages (an English "%d" where Vietnamese has "%s"
// would print garbage): the test each service runs over its catalogue.
func (cat Catalogue) Check() error {
	var problems []string
	keys := map[string]bool{}
	for _, l := range Langs {
		if cat[l] == nil {
			problems = append(problems, fmt.Sprintf("no %s catalogue", l))
		}
		for k := range cat[l] {
			keys[k] = true
		}
	}
	for l := range cat {
		if !slices.Contains(Langs, l) {
			problems = append(problems, fmt.Sprintf("catalogue for %q, a language the platform does not offer", l))
		}
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		var first string
		compare := true // false when the default language leaves the message to the use case
		for i, l := range Langs {
			m, ok := cat[l][k]
			switch {
			case !ok && l == LangVI && strings.HasPrefix(k, "error."):
				// A Vietnamese page falls back to the use case's own text (Translator.ErrorMessage).
				compare = false
				continue
			case !ok:
				problems = append(problems, fmt.Sprintf("%s lacks %q", l, k))
				continue
			case strings.TrimSpace(m) == "":
				problems = append(problems, fmt.Sprintf("%s has %q empty", l, k))
			}
			if i == 0 {
				first = verbs(m)
			} else if v := verbs(m); compare && v != first {
				problems = append(problems, fmt.Sprintf("%q has verbs %q in %s but %q in %s", k, v, l, first, Langs[0]))
			}
		}
	}
	if len(problems) > 0 {
		return errors.New("web: catalogue: " + strings.Join(problems, "; "))
	}
	return nil
}

var (
	verbRE      = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)
	verbIndexRE = regexp.MustCompile(`\[\d+\]`)
)

// verbs lists a message's fmt verbs, sorted, so a translation may put them in another order only
// with explicit indexes and still be recognised as the same.
func verbs(m string) string {
	v := verbRE.FindAllString(m, -1)
	for i := range v {
		v[i] = verbIndexRE.ReplaceAllString(v[i], "")
	}
	sort.Strings(v)
	return strings.Join(v, " ")
}

// Translator gives the messages of one request's language: the service's catalogue, then the
// shell's. Page handlers take it from Shell.Translator for flash messages and field errors;
// templates call the same catalogue with {{t "id" args…}}.
type Translator struct {
	lang Lang
	msgs Messages
}

// Lang is the language this Translator writes in.
func (t Translator) Lang() Lang { return t.lang }

// T returns the message id in the request's language, formatted with args. A missing id shows as
// [[id]], which the tests look for on every page, rather than failing the page in front of a
// person.
func (t Translator) T(id string, args ...any) string {
	m, ok := t.msgs[id]
	if !ok {
		return "[[" + id + "]]"
	}
	if len(args) > 0 {
		return fmt.Sprintf(m, args...)
	}
	return m
}

// Has reports whether the catalogue has id, for texts that exist only for some codes (a domain
// error's code, a state's name).
func (t Translator) Has(id string) bool {
	_, ok := t.msgs[id]
	return ok
}

// Translator is the catalogue in this request's language (Lang).
func (s *Shell) Translator(c *gin.Context) Translator {
	l := s.Lang(c)
	return Translator{lang: l, msgs: s.messages[l]}
}

const (
	chosenLangKey    = "egov.web.lang.chosen"
	suggestedLangKey = "egov.web.lang.suggested"
)

// Lang is the language of this request's pages: the person's choice (?lang=, which is then
// remembered in LangCookie for a year, or the cookie from an earlier choice), else a language
// the service was told for this request (SuggestLang), else Vietnamese. The browser's
// Accept-Language is deliberately not asked: many offices run English-language browsers, and
// staff should still meet the platform in Vietnamese unless they choose English.
func (s *Shell) Lang(c *gin.Context) Lang {
	if l, ok := s.ChosenLang(c); ok {
		return l
	}
	if v, ok := c.Get(suggestedLangKey); ok {
		return v.(Lang)
	}
	return LangVI
}

// ChosenLang is the language the person picked, if they did. The first call for a request with
// ?lang= sets LangCookie on the response, so it must come before the response is written (Render
// and Translator do).
func (s *Shell) ChosenLang(c *gin.Context) (Lang, bool) {
	if v, ok := c.Get(chosenLangKey); ok {
		return v.(Lang), true
	}
	if l, ok := ParseLang(c.Query(LangParam)); ok {
		c.Set(chosenLangKey, l)
		// HttpOnly: nothing in a page's script needs it; Lax: it must come along on the top-level
		// navigation to another service.
		http.SetCookie(c.Writer, &http.Cookie{Name: LangCookie, Value: string(l), Path: "/", MaxAge: langCookieMaxAge,
			HttpOnly: true, Secure: !s.cfg.InsecureHTTP, SameSite: http.SameSiteLaxMode})
		return l, true
	}
	if ck, err := c.Request.Cookie(LangCookie); err == nil {
		if l, ok := ParseLang(ck.Value); ok {
			c.Set(chosenLangKey, l)
			return l, true
		}
	}
	return "", false
}

// SuggestLang gives the language to use when the person has chosen none, e.g. identity's
// OIDC ui_locales: the service the person came from knows their language.
func SuggestLang(c *gin.Context, l Lang) { c.Set(suggestedLangKey, l) }

// LangSwitch is the header's link to the same page in the other language.
type LangSwitch struct {
	URL   string
	Lang  Lang
	Label string
}

// langSwitch points at the page's GET address with ?lang= set to the other language. A page
// rendered in answer to a POST (a form shown again with its errors) has no GET address of its
// own: the page the form was on (the same-origin Referer) is used, else the service's start.
func (s *Shell) langSwitch(c *gin.Context, l Lang, here string) LangSwitch {
	if here == "" {
		here = c.Request.URL.RequestURI()
		if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
			here = s.cfg.Prefix + "/"
			if ref, err := url.Parse(c.Request.Referer()); err == nil && ref.Path != "" &&
				(ref.Host == "" || ref.Host == c.Request.Host) {
				here = ref.RequestURI()
			}
		}
	}
	u, err := url.Parse(here)
	if err != nil || u.IsAbs() || u.Host != "" {
		u = &url.URL{Path: s.cfg.Prefix + "/"}
	}
	to := l.other()
	q := u.Query()
	q.Set(LangParam, string(to))
	u.RawQuery = q.Encode()
	return LangSwitch{URL: u.RequestURI(), Lang: to, Label: to.Name()}
}

// mergeCatalogues puts the service's messages beside the shell's. A service id that is also a
// shell id is refused: one of the two would silently never show.
func mergeCatalogues(shell, service Catalogue) (map[Lang]Messages, error) {
	out := map[Lang]Messages{}
	for _, l := range Langs {
		m := Messages{}
		for k, v := range shell[l] {
			m[k] = v
		}
		for k, v := range service[l] {
			if _, dup := m[k]; dup {
				return nil, fmt.Errorf("web: message id %q is the shell's; name the service's own differently", k)
			}
			m[k] = v
		}
		out[l] = m
	}
	return out, nil
}

// ShellCatalogue is the shell's own catalogue, for its completeness test.
func ShellCatalogue() Catalogue { return shellCatalogue }

// NewTranslator is a Translator for l over a service's catalogue and the shell's, for texts made
// outside a request (and for tests); pages take theirs from Shell.Translator.
func NewTranslator(l Lang, cat Catalogue) Translator {
	m := Messages{}
	for k, v := range shellCatalogue[l] {
		m[k] = v
	}
	for k, v := range cat[l] {
		m[k] = v
	}
	return Translator{lang: l, msgs: m}
}
