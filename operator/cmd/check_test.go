package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"egov.vn/platform/operator/internal/adapters/platformapi"
	"egov.vn/platform/services/identity/identitytest"
)

// TestCheckAnInstalledPlatform: `operator check` (the platform chart's helm test) passes against a
// real identity that is ready and signs the operator's client in; it names a service that never
// becomes ready, and a client secret identity refuses.
func TestCheckAnInstalledPlatform(t *testing.T) {
	id := identitytest.Start(t)
	hc := &http.Client{Timeout: 5 * time.Second}
	creds := platformapi.Credentials{Issuer: id.Issuer, ClientID: id.Operator.ID, ClientSecret: id.Operator.Secret}

	// A service that answers 503 twice (still migrating), then 200.
	var calls atomic.Int32
	starting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) <= 2 {
			http.Error(w, `{"status":"not ready","checks":{"db":"migrating"}}`, http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{"status":"ready"}`))
	}))
	defer starting.Close()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := check(ctx, &out, hc, []string{id.Origin + "/readyz", starting.URL + "/readyz"}, creds); err != nil {
		t.Fatalf("check: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "signed in: client "+id.Operator.ID) || strings.Count(out.String(), "ready: ") != 2 {
		t.Errorf("the report:\n%s", out.String())
	}

	never := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"status":"not ready","checks":{"nats":"no connection"}}`, http.StatusServiceUnavailable)
	}))
	defer never.Close()
	short, cancelShort := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancelShort()
	if err := check(short, &out, hc, []string{never.URL + "/readyz"}, creds); err == nil ||
		!strings.Contains(err.Error(), never.URL+"/readyz is not ready: 503") || !strings.Contains(err.Error(), "nats") {
		t.Errorf("a service never ready: %v", err)
	}

	creds.ClientSecret = "not-the-secret"
	if err := check(ctx, &out, hc, nil, creds); err == nil || !strings.Contains(err.Error(), "refused the operator's client credentials") {
		t.Errorf("a wrong secret: %v", err)
	}
}
