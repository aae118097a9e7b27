// Package i18n holds the one-stop shop's page messages, one file per language (vi.go, en.go), by
// message id. Templates read them with {{t "id"}}, handlers with web.Translator.T; the shell's own
// words (header, menu, errors) are libs/web's. The legal forms 01–07 and their PDFs are not here:
// Circular 01/2018/TT-VPCP fixes their Vietnamese wording, so they print in Vietnamese whatever
// the page's language.
package i18n

import (
	"fmt"
	"maps"

	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/dossiers/internal/ports/forms"
)

// Catalogue is the one-stop shop's messages in every language. The Vietnamese names of states,
// actions and forms are the forms package's, the words the printed forms use, so a page and its
// form never disagree; English has its own.
func Catalogue() web.Catalogue {
	v := maps.Clone(vi)
	for s, name := range forms.StateVI {
		v["state."+string(s)] = name
	}
	v["state.awaiting_approval"] = forms.WaitingForLeaderVI
	for a, name := range forms.ActionVI {
		v["action."+string(a)] = name
	}
	for n, name := range forms.FormNames {
		v[fmt.Sprintf("form.%d", n)] = name
	}
	return web.Catalogue{web.LangVI: v, web.LangEN: en}
}
