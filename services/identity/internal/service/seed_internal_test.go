package service

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"egov.vn/platform/services/identity/internal/app"
)

// A seed client's secret_file that cannot give a secret stops identity's start with what to fix.
func TestSeedClientSecretFileErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		c    SeedClient
		want string
	}{
		{"both", SeedClient{ClientInput: app.ClientInput{ClientID: "hr", Secret: "x"}, SecretFile: empty}, "give secret or secret_file, not both"},
		{"missing", SeedClient{ClientInput: app.ClientInput{ClientID: "hr"}, SecretFile: filepath.Join(dir, "none")}, "client hr: secret_file: open"},
		{"empty", SeedClient{ClientInput: app.ClientInput{ClientID: "hr"}, SecretFile: empty}, "is empty"},
	} {
		if _, err := tc.c.input(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
}
