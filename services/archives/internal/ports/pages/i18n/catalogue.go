// Package i18n holds the archives' page messages, one file per language (vi.go, en.go), by
// message id. Templates read them with {{t "id"}}, handlers with web.Translator.T; the shell's own
// words are libs/web's. The kinds of official document (Quyết định, Công văn…) are the legal
// names of Decree 30/2020/NĐ-CP and stay Vietnamese in both languages.
package i18n

import (
	"maps"

	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/archives/internal/domain"
)

// Catalogue is the archives' messages in every language. The Vietnamese names of marks,
// registers, delivery states and fixity problems are the domain's, the words its records keep;
// English has its own.
func Catalogue() web.Catalogue {
	v := maps.Clone(vi)
	for _, l := range domain.Priorities() {
		v["priority."+l.Code] = l.Name
	}
	for _, l := range domain.SecurityLevels() {
		v["security."+l.Code] = l.Name
	}
	for _, l := range domain.RightsList() {
		v["rights."+l.Code] = l.Name
	}
	for _, d := range []domain.Direction{domain.Outgoing, domain.Incoming} {
		v["direction."+string(d)] = d.Name()
	}
	for _, s := range []domain.DeliveryState{domain.DeliveryReceived, domain.DeliveryRead} {
		v["delivery."+string(s)] = s.Name()
	}
	for _, p := range []domain.FixityProblem{domain.FixityMismatch, domain.FixityMissing, domain.FixityOverwritten} {
		v["fixity.problem."+string(p)] = p.Name()
	}
	return web.Catalogue{web.LangVI: v, web.LangEN: en}
}
