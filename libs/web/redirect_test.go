package web_test

import (
	"testing"

	"egov.vn/platform/libs/web"
)

func TestLocalPath(t *testing.T) {
	for next, ok := range map[string]bool{
		"/dossiers/":              true,
		"/dossiers/123?tab=files": true,
		"/dossiers":               true,
		"":                        false,
		"dossiers/1":              false,
		"//evil.example/x":        false,
		"https://evil.example/":   false,
		"/\\evil.example":         false,
		"/\t/evil.example":        false,
		"/dossiers/../admin":      false,
		"/dossiers/%2e%2e/admin":  false,
		"/dossiers//x":            false,
		"/archives/1":             false,
		"/dossiers x":             false,
	} {
		got, gotOK := web.LocalPath(next, "/dossiers")
		if gotOK != ok || (ok && got != next) {
			t.Errorf("LocalPath(%q) = %q, %v; want ok=%v", next, got, gotOK, ok)
		}
	}
	if _, ok := web.LocalPath("/anything", ""); !ok {
		t.Error("with no prefix every local path is allowed")
	}
}
