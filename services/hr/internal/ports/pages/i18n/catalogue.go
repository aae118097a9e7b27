// Package i18n holds the HR pages' messages, one file per language (vi.go, en.go), by message
// id. Templates read them with {{t "id"}}, handlers with web.Translator.T; the shell's own words
// are libs/web's. The names of qualification levels (Đại học, Cao cấp lý luận chính trị…) are the
// official Vietnamese titles of degrees and certificates and stay Vietnamese, as do the import
// files' column names and allowed values, which are what the file holds.
package i18n

import (
	"maps"

	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/hr/internal/domain"
)

// Catalogue is the HR pages' messages in every language. The Vietnamese names of staff
// categories, genders, qualification kinds and unit kinds are the domain's; English has its own.
func Catalogue() web.Catalogue {
	v := maps.Clone(vi)
	for _, c := range domain.Categories {
		v["category."+string(c)] = c.Label()
	}
	for _, g := range []domain.Gender{domain.Male, domain.Female} {
		v["gender."+string(g)] = g.Label()
	}
	for _, k := range domain.Kinds {
		v["qual_kind."+string(k)] = k.Label()
	}
	for _, k := range []domain.UnitKind{domain.UnitAuthority, domain.UnitOffice, domain.UnitDepartment, domain.UnitCenter, domain.UnitDesk, domain.UnitTeam} {
		v["unit_kind."+string(k)] = k.Label()
	}
	return web.Catalogue{web.LangVI: v, web.LangEN: en}
}
