package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	platformv1 "egov.vn/platform/operator/api/v1alpha1"
)

func TestFlagsNameWhatIsMissing(t *testing.T) {
	t.Setenv("OPERATOR_IDENTITY_CLIENT_SECRET", "")
	t.Setenv("OPERATOR_MINIO_SECRET_KEY", "")
	_, err := parseFlags([]string{"--minio-access-key=admin"})
	if err == nil || !strings.Contains(err.Error(), "identity client secret is missing") || !strings.Contains(err.Error(), "access key and secret key are both required") {
		t.Fatalf("err = %v", err)
	}
}

func TestFlagsReadSecretsFromFilesOrEnvironment(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "secret")
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("OPERATOR_MINIO_SECRET_KEY", "from-env")
	t.Setenv("OPERATOR_DOSSIERS_URL", "http://dossiers:8080/dossiers")
	f, err := parseFlags([]string{"--identity-client-secret-file=" + file, "--minio-access-key=admin", "--identity-url=http://identity:8080/auth"})
	if err != nil {
		t.Fatal(err)
	}
	if f.clientSecret != "from-file" || f.minio.SecretKey != "from-env" {
		t.Errorf("secrets = %q, %q", f.clientSecret, f.minio.SecretKey)
	}
	if f.identityURL != "http://identity:8080/auth" {
		t.Errorf("identity URL = %q", f.identityURL)
	}
	if f.opts.ServiceURLs[platformv1.ServiceDossiers] != "http://dossiers:8080/dossiers" || f.opts.ServiceURLs[platformv1.ServiceHR] != "" {
		t.Errorf("service URLs = %v", f.opts.ServiceURLs)
	}
}

// The soft memory limit is 90% of the container's limit, and yields to an explicit GOMEMLIMIT.
func TestSoftMemoryLimit(t *testing.T) {
	for _, tc := range []struct {
		gomemlimit, limit string
		want              int64
	}{
		{"", "268435456", 241591905}, // 256 MiB → 230.4 MiB
		{"200MiB", "268435456", 0},   // the runtime already took GOMEMLIMIT
		{"", "", 0},                  // no limit known (outside the chart)
		{"", "not-a-number", 0},      // nothing sensible to apply
		{"", "0", 0},
	} {
		if got := softMemoryLimit(tc.gomemlimit, tc.limit); got != tc.want {
			t.Errorf("softMemoryLimit(%q, %q) = %d, want %d", tc.gomemlimit, tc.limit, got, tc.want)
		}
	}
}
