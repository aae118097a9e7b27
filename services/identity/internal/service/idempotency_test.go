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

// A secret rotation retried with its Idempotency-Key rotates once, but its answer, which holds
// the new secret, is never kept in the keys' table (it would sit there in clear for a day): the
// retry is answered 409 idempotency_answer_lost, the first secret still works, and a caller that
// lost it rotates again with a new key. Without a key every call rotates, as before.
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
		rotate := func(key string) (int, string, string) {
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
				Code   string `json:"code"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				t.Fatalf("rotate: %d %v", resp.StatusCode, err)
			}
			if out.Secret == "" {
				return resp.StatusCode, out.Code, ""
			}
			return resp.StatusCode, out.Code, out.Secret
		}
		key := uuid.NewString()
		st, _, first := rotate(key)
		if st != http.StatusOK || first == "" {
			t.Fatalf("rotate: %d", st)
		}
		var kept int64
		if err := db.Raw("SELECT count(*) FROM idempotency_keys WHERE body IS NOT NULL AND length(body) > 0").Scan(&kept).Error; err != nil {
			t.Fatal(err)
		}
		if kept != 0 {
			t.Fatalf("%d idempotency answers kept; a secret's answer must never be", kept)
		}
		if st, code, again := rotate(key); st != http.StatusConflict || code != "idempotency_answer_lost" || again != "" {
			t.Fatalf("the retry: %d %q (secret given: %v), want 409 idempotency_answer_lost", st, code, again != "")
		}
		_ = h.adminToken(t, "motcua-dong-hung", first) // the retry did not rotate again
		if _, _, other := rotate(""); other == "" || other == first {
			t.Fatal("a rotation without a key did not give a new secret")
		}
	})
}
