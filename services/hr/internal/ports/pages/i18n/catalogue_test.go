package i18n_test

import (
	"testing"

	"egov.vn/platform/libs/web/webtest"
	"egov.vn/platform/services/hr/internal/ports/pages/i18n"
)

// Every message the HR pages show exists in Vietnamese and in English, with the
// same arguments.
func TestCatalogueIsComplete(t *testing.T) {
	t.Parallel()
	webtest.CatalogueComplete(t, i18n.Catalogue())
}
