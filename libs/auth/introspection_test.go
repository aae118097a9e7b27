package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"egov.vn/platform/libs/auth"
)

// revocations is identity's answer as the Verifier sees it: every token is active unless
// revoked; down makes identity unreachable.
type revocations struct {
	mu      sync.Mutex
	revoked map[string]bool
	asked   int
	down    bool
}

func (r *revocations) Active(_ context.Context, raw string) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked++
	if r.down {
		return false, errors.New("identity unreachable")
	}
	return !r.revoked[raw], nil
}

func (r *revocations) revoke(raw string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.revoked[raw] = true
}

// TestVerifierLearnsRevocationsByIntrospection: a revoked token is refused on first sight, and a
// cached one once the interval has passed; identity is asked once per token per interval, not per
// request; when identity cannot answer, the token stands on its signature.
func TestVerifierLearnsRevocationsByIntrospection(t *testing.T) {
	t.Parallel()
	ti := newTestIssuer(t)
	intro := &revocations{revoked: map[string]bool{}}
	v, err := auth.NewVerifier(t.Context(), auth.VerifierConfig{Issuer: ti.Issuer, Audience: "dossiers", Introspector: intro})
	if err != nil {
		t.Fatal(err)
	}
	clock := newFakeClock(time.Now())
	auth.SetVerifierClock(v, clock.Now)
	ctx := t.Context()

	revokedBefore := ti.Sign("k1", ti.AccessClaims(clock.Now(), nil))
	intro.revoke(revokedBefore)
	_, err = v.Verify(ctx, revokedBefore)
	assertRefused(t, err, "revoked", revokedBefore)

	tok := ti.Sign("k1", ti.AccessClaims(clock.Now(), nil))
	for range 5 {
		if _, err := v.Verify(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	if intro.asked != 2 {
		t.Fatalf("identity was asked %d times for two tokens and six requests, want 2", intro.asked)
	}
	intro.revoke(tok)
	clock.Advance(auth.DefaultIntrospectionInterval)
	_, err = v.Verify(ctx, tok)
	assertRefused(t, err, "revoked", tok)

	intro.down = true
	other := ti.Sign("k1", ti.AccessClaims(clock.Now(), nil))
	if _, err := v.Verify(ctx, other); err != nil {
		t.Fatalf("identity down: a good token was refused: %v", err)
	}
}

// TestHTTPIntrospector: the call identity's introspection endpoint expects (HTTP Basic as the
// service's client, the token and its hint), and its answer read.
func TestHTTPIntrospector(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok || id != "dossiers" || secret != "b%C3%AD+m%E1%BA%ADt" || r.PostFormValue("token_type_hint") != "access_token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"active": r.PostFormValue("token") == "good"})
	}))
	defer srv.Close()
	in := &auth.HTTPIntrospector{URL: srv.URL, ClientID: "dossiers", ClientSecret: "bí mật"}
	for token, want := range map[string]bool{"good": true, "revoked": false} {
		got, err := in.Active(t.Context(), token)
		if err != nil || got != want {
			t.Errorf("Active(%q) = %v, %v; want %v", token, got, err, want)
		}
	}
	in.ClientSecret = "sai"
	if _, err := in.Active(t.Context(), "good"); err == nil {
		t.Error("a refused client's introspection gave no error")
	}
}
