// Package i18n holds identity's page messages, one file per language (vi.go, en.go), by message
// id. Templates read them with {{t "id"}}, handlers with web.Translator.T; the shell's own words
// (header, menu, errors) are libs/web's.
package i18n

import (
	"maps"

	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/web"
)

// Catalogue is identity's messages in every language. The Vietnamese descriptions of roles come
// from platform.Roles, the one list the admin API shows too; English has its own.
func Catalogue() web.Catalogue {
	v := maps.Clone(vi)
	for _, r := range platform.Roles() {
		v["role."+string(r.Name)] = r.Description
	}
	return web.Catalogue{web.LangVI: v, web.LangEN: en}
}
