package auth_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/store/storetest"
)

// benchEngine is a bare gin engine with only the bearer middleware, so the figures are the
// middleware's cost, not the rest of the stack's.
func benchEngine(b *testing.B) (*gin.Engine, *testIssuer) {
	b.Helper()
	gin.SetMode(gin.ReleaseMode)
	ti := newTestIssuer(b)
	e := gin.New()
	e.GET("/api/me", auth.Middleware(newVerifier(b, ti)), func(c *gin.Context) {
		if _, ok := auth.ClaimsFrom(c.Request.Context()); !ok {
			c.Status(http.StatusInternalServerError)
			return
		}
		c.Status(http.StatusNoContent)
	})
	return e, ti
}

func serveBench(b *testing.B, e *gin.Engine, token string) {
	req := httptest.NewRequest(http.MethodGet, "/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent {
		b.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
}

// BenchmarkMiddleware is one session's requests: the same token again and again, answered from
// the cache of verified tokens after the first.
func BenchmarkMiddleware(b *testing.B) {
	e, ti := benchEngine(b)
	token := ti.Sign("k1", ti.AccessClaims(time.Now(), nil))
	serveBench(b, e, token) // first use: fetches the keys and verifies the signature
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		serveBench(b, e, token)
	}
}

// BenchmarkMiddlewareUncached gives every request a token not seen before, so each pays the
// full check (ECDSA P-256 signature, claims) plus a cache insertion.
func BenchmarkMiddlewareUncached(b *testing.B) {
	e, ti := benchEngine(b)
	now := time.Now()
	serveBench(b, e, ti.Sign("k1", ti.AccessClaims(now, nil))) // keys fetched outside the timing
	tokens := make([]string, b.N)
	for i := range tokens {
		tokens[i] = ti.Sign("k1", ti.AccessClaims(now, nil)) // each has its own jti
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		serveBench(b, e, tokens[i])
	}
}

// BenchmarkMiddlewareEndedSessions is BenchmarkMiddleware with the ended-session check every
// service runs (SQLite): the cached token's session is asked again once per check interval,
// not once per request.
func BenchmarkMiddlewareEndedSessions(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	ti := newTestIssuer(b)
	ended, err := auth.NewEndedSessions(b.Context(), storetest.SQLite(b))
	if err != nil {
		b.Fatal(err)
	}
	v, err := auth.NewVerifier(b.Context(), auth.VerifierConfig{Issuer: ti.Issuer, Audience: "dossiers", Ended: ended})
	if err != nil {
		b.Fatal(err)
	}
	e := gin.New()
	e.GET("/api/me", auth.Middleware(v), func(c *gin.Context) { c.Status(http.StatusNoContent) })
	token := ti.Sign("k1", ti.AccessClaims(time.Now(), nil))
	serveBench(b, e, token)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		serveBench(b, e, token)
	}
}
