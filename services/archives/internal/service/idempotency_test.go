package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"egov.vn/platform/libs/idempotency"
	"egov.vn/platform/libs/store/storetest"
)

// A clerk's registration retried with its Idempotency-Key takes no second number: the retry gets
// the first answer, and when that answer was lost (the process died after the commit) the
// document and the number it was given.
func TestRetriedRegistrationTakesOneNumber(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := start(t, options{db: db})
		clerk := h.clerk("xa-dong-tan")
		key := uuid.NewString()
		register := func(key string) (int, map[string]any, string) {
			t.Helper()
			b, _ := json.Marshal(outgoing("Quyết định giao đất"))
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, h.base+"/api/v1/documents", bytes.NewReader(b))
			req.Header.Set("Authorization", "Bearer "+clerk)
			req.Header.Set("Content-Type", "application/json")
			if key != "" {
				req.Header.Set(idempotency.HeaderName, key)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = resp.Body.Close() }()
			body, _ := io.ReadAll(resp.Body)
			var doc map[string]any
			_ = json.Unmarshal(body, &doc)
			return resp.StatusCode, doc, resp.Header.Get(idempotency.ReplayedHeader)
		}
		st, first, _ := register(key)
		if st != http.StatusCreated {
			t.Fatalf("register: %d %v", st, first)
		}
		if st, again, replayed := register(key); st != http.StatusCreated || again["id"] != first["id"] || again["number"] != first["number"] || replayed != "true" {
			t.Fatalf("retry: %d %v replayed %q, want the first answer %v", st, again, replayed, first)
		}
		// The crash: the registration and its key committed, its answer never saved.
		if err := db.Exec("UPDATE idempotency_keys SET status = 0, headers = '', body = NULL").Error; err != nil {
			t.Fatal(err)
		}
		if st, lost, replayed := register(key); st != http.StatusCreated || lost["id"] != first["id"] || lost["number"] != first["number"] || replayed != "true" {
			t.Fatalf("retry after a lost answer: %d %v replayed %q, want the document %v", st, lost, replayed, first)
		}
		if st, next, _ := register(""); st != http.StatusCreated || next["number"] != first["number"].(float64)+1 {
			t.Fatalf("the next registration: %d %v, want number %v", st, next, first["number"].(float64)+1)
		}
	})
}
