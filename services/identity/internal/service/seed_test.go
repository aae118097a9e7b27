package service_test

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/identity/internal/service"
)

// TestSeedClientSecretFromAFile (issue 19 item 4, existingSecret): a seed file that holds no
// secret (the platform chart's ConfigMap) names the file of each client's secret (a key of the
// mounted Secret, ending in a newline as `kubectl create secret --from-file` leaves it); the
// client then authenticates with that secret, and with nothing else. On both databases.
func TestSeedClientSecretFromAFile(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		dir := t.TempDir()
		secret := filepath.Join(dir, "dossiers-client-secret")
		if err := os.WriteFile(secret, []byte("s3cret-from-an-existing-Secret-0123456789\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		seed := filepath.Join(dir, "clients.yaml")
		if err := os.WriteFile(seed, []byte(`clients:
  - client_id: dossiers
    name: "Dịch vụ dossiers"
    tenant: ""
    type: confidential
    grant_types: [client_credentials]
    roles: [service]
    audiences: [identity]
    secret_file: `+secret+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		h := startIdentity(t, db, func(c *service.Config) { c.SeedFiles = []string{seed} })
		token := func(secret string) int {
			req, _ := http.NewRequest(http.MethodPost, h.Issuer+"/oauth/token",
				strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth("dossiers", secret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			_, _ = io.Copy(io.Discard, resp.Body)
			return resp.StatusCode
		}
		if st := token("s3cret-from-an-existing-Secret-0123456789"); st != http.StatusOK {
			t.Errorf("the secret of the file: %d, want 200", st)
		}
		if st := token("s3cret-from-an-existing-Secret-0123456789\n"); st != http.StatusUnauthorized {
			t.Errorf("the secret with the file's newline: %d, want 401", st)
		}
	})
}
