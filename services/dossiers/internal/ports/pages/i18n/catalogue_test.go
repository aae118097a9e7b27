package i18n_test

import (
	"fmt"
	"testing"

	"egov.vn/platform/libs/web"
	"egov.vn/platform/libs/web/webtest"
	"egov.vn/platform/services/dossiers/internal/domain"
	"egov.vn/platform/services/dossiers/internal/ports/forms"
	"egov.vn/platform/services/dossiers/internal/ports/pages/i18n"
)

// Every message the one-stop shop's pages show exists in Vietnamese and in English, with the
// same arguments.
func TestCatalogueIsComplete(t *testing.T) {
	t.Parallel()
	webtest.CatalogueComplete(t, i18n.Catalogue())
}

// Every state, action and form the pages name has its words in both languages: they are looked
// up by code, so a new one would otherwise show as [[state.x]].
func TestEveryStateActionAndFormIsNamed(t *testing.T) {
	t.Parallel()
	cat := i18n.Catalogue()
	var ids []string
	for _, s := range domain.States {
		ids = append(ids, "state."+string(s))
	}
	for a := range forms.ActionVI {
		ids = append(ids, "action."+string(a))
	}
	for n := range forms.FormNames {
		ids = append(ids, fmt.Sprintf("form.%d", n))
	}
	for _, l := range web.Langs {
		for _, id := range ids {
			if _, ok := cat[l][id]; !ok {
				t.Errorf("%s lacks %s", l, id)
			}
		}
	}
}
