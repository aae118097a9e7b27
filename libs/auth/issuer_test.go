package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
)

// testIssuer is the tests' token issuer: an ES256 key pair per key id, a JWKS served over HTTP
// at <issuer>/keys like identity's, and a discovery document and token endpoint for the web
// flow. It signs what the test asks for; it makes no decisions of an OP.
type testIssuer struct {
	t      testing.TB
	srv    *httptest.Server
	Issuer string

	mu        sync.Mutex
	keys      map[string]*ecdsa.PrivateKey // every key that can sign
	published map[string]bool              // the keys the JWKS shows
	token     http.HandlerFunc             // the token endpoint's behaviour
	failing   atomic.Int32                 // answer this many discovery/JWKS requests with 503

	JWKSHits      atomic.Int64
	DiscoveryHits atomic.Int64
}

func newTestIssuer(t testing.TB) *testIssuer {
	t.Helper()
	ti := &testIssuer{t: t, keys: map[string]*ecdsa.PrivateKey{}, published: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /auth/keys", ti.serveKeys)
	mux.HandleFunc("GET /auth/.well-known/openid-configuration", ti.serveDiscovery)
	mux.HandleFunc("POST /auth/oauth/token", func(w http.ResponseWriter, r *http.Request) {
		ti.mu.Lock()
		h := ti.token
		ti.mu.Unlock()
		if h == nil {
			http.Error(w, "no token handler", http.StatusInternalServerError)
			return
		}
		h(w, r)
	})
	ti.srv = httptest.NewServer(mux)
	t.Cleanup(ti.srv.Close)
	ti.Issuer = ti.srv.URL + "/auth"
	ti.AddKey("k1", true)
	return ti
}

// AddKey makes a new signing key; published puts it in the JWKS.
func (ti *testIssuer) AddKey(kid string, published bool) {
	ti.t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		ti.t.Fatal(err)
	}
	ti.mu.Lock()
	defer ti.mu.Unlock()
	ti.keys[kid] = priv
	ti.published[kid] = published
}

// Publish shows or withdraws a key in the JWKS.
func (ti *testIssuer) Publish(kid string, published bool) {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	ti.published[kid] = published
}

func (ti *testIssuer) FailNext(n int32) { ti.failing.Store(n) }

func (ti *testIssuer) SetTokenHandler(h http.HandlerFunc) {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	ti.token = h
}

func (ti *testIssuer) fail(w http.ResponseWriter) bool {
	for {
		n := ti.failing.Load()
		if n <= 0 {
			return false
		}
		if ti.failing.CompareAndSwap(n, n-1) {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return true
		}
	}
}

func (ti *testIssuer) serveKeys(w http.ResponseWriter, _ *http.Request) {
	ti.JWKSHits.Add(1)
	if ti.fail(w) {
		return
	}
	ti.mu.Lock()
	var set jose.JSONWebKeySet
	for kid, priv := range ti.keys {
		if ti.published[kid] {
			set.Keys = append(set.Keys, jose.JSONWebKey{Key: &priv.PublicKey, KeyID: kid, Algorithm: "ES256", Use: "sig"})
		}
	}
	ti.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(set)
}

func (ti *testIssuer) serveDiscovery(w http.ResponseWriter, _ *http.Request) {
	ti.DiscoveryHits.Add(1)
	if ti.fail(w) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"issuer":                                ti.Issuer,
		"authorization_endpoint":                ti.Issuer + "/authorize",
		"token_endpoint":                        ti.Issuer + "/oauth/token",
		"jwks_uri":                              ti.Issuer + "/keys",
		"end_session_endpoint":                  ti.Issuer + "/end_session",
		"id_token_signing_alg_values_supported": []string{"ES256"},
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
	})
}

// Sign signs claims with key kid, which must exist.
func (ti *testIssuer) Sign(kid string, claims map[string]any) string {
	ti.t.Helper()
	ti.mu.Lock()
	priv := ti.keys[kid]
	ti.mu.Unlock()
	if priv == nil {
		ti.t.Fatalf("no key %q", kid)
	}
	return signES256(ti.t, priv, kid, claims)
}

func signES256(t testing.TB, priv *ecdsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: priv, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// AccessClaims are an access token's claims as identity issues them for the "dossiers" API at
// time now, with overrides applied (a nil value deletes the claim).
func (ti *testIssuer) AccessClaims(now time.Time, overrides map[string]any) map[string]any {
	c := map[string]any{
		"iss":       ti.Issuer,
		"sub":       "u-hoa",
		"aud":       []string{"dossiers", "dossiers-web"},
		"exp":       now.Add(time.Hour).Unix(),
		"iat":       now.Unix(),
		"jti":       uuid.NewString(),
		"client_id": "dossiers-web",
		"tenant":    "xa-dong-tan",
		"roles":     []string{"dossier.receive", "dossier.handle"},
		"name":      "Nguyễn Thị Hoa",
		"sid":       "sso-1",
	}
	return apply(c, overrides)
}

func apply(c, overrides map[string]any) map[string]any {
	maps.Copy(c, overrides)
	for k, v := range overrides {
		if v == nil {
			delete(c, k)
		}
	}
	return c
}

// fakeClock is a clock the tests move by hand; safe for use from server goroutines.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.ns.Store(t.UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }
