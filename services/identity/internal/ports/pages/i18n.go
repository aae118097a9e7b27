package pages

import (
	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"

	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/identity/internal/domain"
)

// Lang is a request's translator (the shell's web.Translator, through which {{t}} and every
// handler's message read identity's catalogue, i18n.Catalogue), with identity's own phrasing of
// roles, refused passwords and lockouts on top.
type Lang struct{ web.Translator }

// lang is the language of this request's page (web.Shell.Lang): the person's choice (?lang=,
// remembered in the egov_lang cookie across the platform), else the ui_locales of the OIDC request
// being answered (the service they came from knows their language; suggested with
// web.SuggestLang), else Vietnamese. The browser's Accept-Language is not asked: many offices
// run English-language browsers, and staff should still meet the platform in Vietnamese unless
// they choose English.
func (p *Pages) lang(c *gin.Context) Lang { return Lang{p.shell.Translator(c)} }

// suggestUILocales makes an OIDC request's ui_locales the page's language when the person has
// chosen none.
func suggestUILocales(c *gin.Context, locales []string) {
	if l, ok := fromUILocales(locales); ok {
		web.SuggestLang(c, l)
	}
}

// roleDescription is what a role lets a person do, in l (i18n.Catalogue has every platform role);
// a role the platform no longer has shows by its name.
func (l Lang) roleDescription(role string) string {
	if l.Has("role." + role) {
		return l.T("role." + role)
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
	supportedLangs = []web.Lang{web.LangVI, web.LangEN}
	// The matcher's first tag is its fallback; Vietnamese, as the platform's language.
	langMatcher = language.NewMatcher([]language.Tag{language.Vietnamese, language.English})
)

// matchLanguages picks a language from a list of preferences, such as an OIDC request's
// ui_locales. Among preferences of the same weight Vietnamese wins, so "en, vi"
// (a Vietnamese person on an English-language phone) still reads the pages in Vietnamese; a
// preference for a language we do not have is skipped.
func matchLanguages(tags []language.Tag, weights []float32) (web.Lang, bool) {
	var best web.Lang
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
		if l == web.LangVI {
			return web.LangVI, true
		}
		if best == "" {
			best, bestWeight = l, w
		}
	}
	return best, best != ""
}

func fromUILocales(locales []string) (web.Lang, bool) {
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
