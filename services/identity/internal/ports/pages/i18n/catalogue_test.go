package i18n_test

import (
	"testing"

	"egov.vn/platform/libs/web/webtest"
	"egov.vn/platform/services/identity/internal/ports/pages/i18n"
)

// Every message identity's pages show exists in Vietnamese and in English, with the same arguments.
func TestCatalogueIsComplete(t *testing.T) {
	t.Parallel()
	webtest.CatalogueComplete(t, i18n.Catalogue())
}
