package service_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"egov.vn/platform/libs/idempotency"
	"egov.vn/platform/libs/store/storetest"
)

// A secret rotation the operator retries with its Idempotency-Key (its first answer was lost on
// the way) gives back the secret the first rotation made instead of rotating again, which would
// leave the operator holding neither; without a key every call rotates, as before.
func TestRetriedRotationWithTheSameKeyRotatesOnce(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		defer h.checkContract(t, 4)
		op := h.adminToken(t, h.Operator.ID, h.Operator.Secret)
		portal := map[string]any{"client_id": "motcua-dong-hung", "name": "Một cửa Đông Hưng", "type": "confidential",
			"grant_types": []string{"client_credentials"}}
		if st, out := h.call(t, op, http.MethodPost, "/clients", portal); st != http.StatusCreated {
			t.Fatalf("create client: %d %v", st, out)
		}
		rotate := func(key string) (string, string) {
			t.Helper()
			req, _ := http.NewRequest(http.MethodPost, h.Issuer+"/api/v1/clients/motcua-dong-hung/rotate-secret", http.NoBody)
			req.Header.Set("Authorization", "Bearer "+op)
			if key != "" {
				req.Header.Set(idempotency.HeaderName, key)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out struct {
				Secret string `json:"client_secret"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.Secret == "" {
				t.Fatalf("rotate: %d %v %+v", resp.StatusCode, err, out)
			}
			return out.Secret, resp.Header.Get(idempotency.ReplayedHeader)
		}
		key := uuid.NewString()
		first, _ := rotate(key)
		again, replayed := rotate(key)
		if again != first || replayed != "true" {
			t.Fatalf("the retry rotated again (%q after %q, replayed %q)", again, first, replayed)
		}
		if other, _ := rotate(""); other == first {
			t.Fatal("a rotation without a key gave the previous secret")
		}
	})
}
