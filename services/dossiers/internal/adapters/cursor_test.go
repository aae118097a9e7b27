package adapters_test

import "egov.vn/platform/libs/httpapi/page"

func decodeCursor(s string) (page.Cursor, error) { return page.Decode(s) }
