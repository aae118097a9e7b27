package auth_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/store/storetest"
)

func newVerifier(t testing.TB, ti *testIssuer) *auth.Verifier {
	t.Helper()
	v, err := auth.NewVerifier(context.Background(), auth.VerifierConfig{Issuer: ti.Issuer, Audience: "dossiers"})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// assertRefused checks that err is a 401 invalid_token refusal with the given reason that does
// not repeat the token.
func assertRefused(t *testing.T, err error, reason, token string) {
	t.Helper()
	ae := apperr.As(err)
	if ae == nil {
		t.Fatalf("error %v is not an *apperr.Error", err)
	}
	if ae.Kind != apperr.KindUnauthenticated || ae.Code != "invalid_token" {
		t.Fatalf("kind %v code %q, want unauthenticated invalid_token (%v)", ae.Kind, ae.Code, err)
	}
	if got := ae.Details["reason"]; got != reason {
		t.Fatalf("reason %v, want %q; message: %s", got, reason, ae.Message)
	}
	if token != "" && (strings.Contains(ae.Message, token) || strings.Contains(err.Error(), token)) {
		t.Fatalf("the error repeats the token: %v", err)
	}
	if ae.Message == "" {
		t.Fatal("empty message")
	}
}

func TestVerifyValidTokenGivesClaims(t *testing.T) {
	t.Parallel()
	ti := newTestIssuer(t)
	v := newVerifier(t, ti)
	if n := ti.JWKSHits.Load(); n != 0 {
		t.Fatalf("NewVerifier fetched the JWKS %d times; it must not fetch at construction", n)
	}
	now := time.Now()
	c, err := v.Verify(t.Context(), ti.Sign("k1", ti.AccessClaims(now, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "u-hoa" || c.Tenant != "xa-dong-tan" || c.Name != "Nguyễn Thị Hoa" || c.SessionID != "sso-1" ||
		c.ClientID != "dossiers-web" {
		t.Fatalf("claims %+v", c)
	}
	if !c.HasRole("dossier.handle") || c.HasRole("dossier.approve") || !c.HasAnyRole("x", "dossier.receive") || c.HasAnyRole() {
		t.Fatalf("roles %v", c.Roles)
	}
	if len(c.Audience) != 2 || c.Audience[0] != "dossiers" {
		t.Fatalf("audience %v", c.Audience)
	}
	if c.Expiry.Unix() != now.Add(time.Hour).Unix() || c.IssuedAt.Unix() != now.Unix() {
		t.Fatalf("expiry %v issued %v", c.Expiry, c.IssuedAt)
	}

	// A client-credentials token: sub is the client, no sid, and "aud" may be a single string.
	svc, err := v.Verify(t.Context(), ti.Sign("k1", ti.AccessClaims(now, map[string]any{
		"sub": "reporting", "client_id": "reporting", "sid": nil, "name": nil, "aud": "dossiers",
		"roles": []string{"dossier.read"},
	})))
	if err != nil {
		t.Fatal(err)
	}
	if svc.Subject != "reporting" || svc.SessionID != "" || svc.Audience[0] != "dossiers" || !svc.HasRole("dossier.read") {
		t.Fatalf("service claims %+v", svc)
	}
}

func TestVerifyRefusesBadTokensWithAReason(t *testing.T) {
	t.Parallel()
	ti := newTestIssuer(t)
	ti.AddKey("k-unpublished", false)
	v := newVerifier(t, ti)
	now := time.Now()
	good := ti.Sign("k1", ti.AccessClaims(now, nil))
	parts := strings.Split(good, ".")
	tamperedPayload := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(
		mustDecode(t, parts[1]), `"xa-dong-tan"`, `"huyen-khac"`, 1)))

	cases := []struct {
		name, token, reason string
	}{
		{"wrong audience", ti.Sign("k1", ti.AccessClaims(now, map[string]any{"aud": []string{"archives"}})), "wrong_audience"},
		{"expired", ti.Sign("k1", ti.AccessClaims(now, map[string]any{"exp": now.Add(-time.Minute).Unix()})), "expired"},
		{"no expiry", ti.Sign("k1", ti.AccessClaims(now, map[string]any{"exp": nil})), "expired"},
		{"tampered payload", parts[0] + "." + tamperedPayload + "." + parts[2], "bad_signature"},
		{"signature of another token", parts[0] + "." + parts[1] + "." +
			strings.Split(ti.Sign("k1", ti.AccessClaims(now, nil)), ".")[2], "bad_signature"},
		{"unknown key id", ti.Sign("k-unpublished", ti.AccessClaims(now, nil)), "unknown_key"},
		{"wrong issuer", ti.Sign("k1", ti.AccessClaims(now, map[string]any{"iss": "http://evil.test/auth"})), "wrong_issuer"},
		{"not yet valid", ti.Sign("k1", ti.AccessClaims(now, map[string]any{"nbf": now.Add(time.Hour).Unix()})), "not_yet_valid"},
		{"no subject", ti.Sign("k1", ti.AccessClaims(now, map[string]any{"sub": nil})), "missing_subject"},
		{"an ID token", ti.Sign("k1", ti.AccessClaims(now, map[string]any{"nonce": "n-1"})), "not_an_access_token"},
		{"a logout token", ti.Sign("k1", ti.AccessClaims(now, map[string]any{
			"events": map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}}})), "not_an_access_token"},
		{"alg none", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"k1"}`)) + "." + parts[1] + ".", "malformed"},
		{"HS256", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","kid":"k1"}`)) + "." + parts[1] + "." + parts[2], "malformed"},
		{"not a JWT", "opaque-token-abc", "malformed"},
		{"empty", "", "malformed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := v.Verify(t.Context(), tc.token)
			if err == nil {
				t.Fatalf("accepted: %+v", c)
			}
			assertRefused(t, err, tc.reason, tc.token)
		})
	}
	// None of those may have been cached; the good token still passes.
	if _, err := v.Verify(t.Context(), good); err != nil {
		t.Fatal(err)
	}
	if n := auth.CacheLen(v); n != 1 {
		t.Fatalf("cache holds %d tokens, want only the good one", n)
	}
}

func mustDecode(t *testing.T, s string) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestVerifyNoticesWithdrawnAndRotatedKeys(t *testing.T) {
	t.Parallel()
	ti := newTestIssuer(t)
	v := newVerifier(t, ti)
	clock := newFakeClock(time.Now())
	auth.SetVerifierClock(v, clock.Now)

	if _, err := v.Verify(t.Context(), ti.Sign("k1", ti.AccessClaims(clock.Now(), nil))); err != nil {
		t.Fatal(err)
	}

	// Rotation: identity starts signing with k2. The first token naming k2 fetches the JWKS
	// (unless the last fetch is younger than KeysMinInterval).
	ti.AddKey("k2", true)
	clock.Advance(auth.KeysMinInterval)
	if _, err := v.Verify(t.Context(), ti.Sign("k2", ti.AccessClaims(clock.Now(), nil))); err != nil {
		t.Fatalf("token signed with the new key: %v", err)
	}
	if n := ti.JWKSHits.Load(); n != 2 {
		t.Fatalf("JWKS fetched %d times, want 2 (first use, new kid)", n)
	}

	// Withdrawal: k1 leaves the JWKS. Once the keys are older than KeysMaxAge they are read
	// again and new tokens signed with k1 are refused.
	ti.Publish("k1", false)
	clock.Advance(auth.KeysMaxAge + time.Second)
	old := ti.Sign("k1", ti.AccessClaims(clock.Now(), nil))
	_, err := v.Verify(t.Context(), old)
	assertRefused(t, err, "unknown_key", old)
	if _, err := v.Verify(t.Context(), ti.Sign("k2", ti.AccessClaims(clock.Now(), nil))); err != nil {
		t.Fatalf("k2 after refresh: %v", err)
	}
}

func TestVerifyBoundsJWKSFetchesForForgedTokens(t *testing.T) {
	t.Parallel()
	ti := newTestIssuer(t)
	ti.AddKey("forger", false)
	v := newVerifier(t, ti)
	clock := newFakeClock(time.Now())
	auth.SetVerifierClock(v, clock.Now)

	if _, err := v.Verify(t.Context(), ti.Sign("k1", ti.AccessClaims(clock.Now(), nil))); err != nil {
		t.Fatal(err)
	}
	clock.Advance(auth.KeysMinInterval)
	good := ti.Sign("k1", ti.AccessClaims(clock.Now(), map[string]any{"tenant": "xa-khac"}))
	parts := strings.Split(good, ".")
	for range 50 {
		forged := ti.Sign("forger", ti.AccessClaims(clock.Now(), nil)) // unknown kid
		_, err := v.Verify(t.Context(), forged)
		assertRefused(t, err, "unknown_key", forged)
		badSig := parts[0] + "." + parts[1] + "." + strings.Split(forged, ".")[2] // known kid, wrong signature
		_, err = v.Verify(t.Context(), badSig)
		assertRefused(t, err, "bad_signature", badSig)
	}
	// First use, then one refetch for the unknown kid; a bad signature with a known kid never
	// refetches, and further unknown kids wait for KeysMinInterval.
	if n := ti.JWKSHits.Load(); n != 2 {
		t.Fatalf("100 forged tokens cost %d JWKS fetches, want 2", n)
	}
	clock.Advance(auth.KeysMinInterval)
	forged := ti.Sign("forger", ti.AccessClaims(clock.Now(), nil))
	_, err := v.Verify(t.Context(), forged)
	assertRefused(t, err, "unknown_key", forged)
	if n := ti.JWKSHits.Load(); n != 3 {
		t.Fatalf("after the interval: %d JWKS fetches, want 3", n)
	}
}

func TestVerifyWhenIdentityIsDownIsUnavailableThenRecovers(t *testing.T) {
	t.Parallel()
	ti := newTestIssuer(t)
	v := newVerifier(t, ti)
	clock := newFakeClock(time.Now())
	auth.SetVerifierClock(v, clock.Now)
	ti.FailNext(1)

	tok := ti.Sign("k1", ti.AccessClaims(clock.Now(), nil))
	_, err := v.Verify(t.Context(), tok)
	if !errors.Is(err, apperr.KindUnavailable) {
		t.Fatalf("JWKS unreachable: got %v, want an unavailable error (retry, not sign in again)", err)
	}
	if strings.Contains(err.Error(), tok) {
		t.Fatal("error repeats the token")
	}
	// The failed fetch is not retried for every request, but after the interval it is.
	if _, err := v.Verify(t.Context(), tok); !errors.Is(err, apperr.KindUnavailable) {
		t.Fatalf("within the interval: %v", err)
	}
	clock.Advance(auth.KeysMinInterval)
	if _, err := v.Verify(t.Context(), tok); err != nil {
		t.Fatalf("after identity came back: %v", err)
	}
}

func TestCacheNeverServesAnExpiredToken(t *testing.T) {
	t.Parallel()
	ti := newTestIssuer(t)
	v := newVerifier(t, ti)
	clock := newFakeClock(time.Now())
	auth.SetVerifierClock(v, clock.Now)

	tok := ti.Sign("k1", ti.AccessClaims(clock.Now(), map[string]any{"exp": clock.Now().Add(time.Minute).Unix()}))
	first, err := v.Verify(t.Context(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if auth.CacheLen(v) != 1 {
		t.Fatal("a verified token was not cached")
	}
	// What a handler does to its claims (from a miss or a hit) does not reach the cache.
	first.Roles[0] = "platform.admin"
	for range 2 {
		again, err := v.Verify(t.Context(), tok)
		if err != nil {
			t.Fatal(err)
		}
		if again.HasRole("platform.admin") {
			t.Fatal("a handler's change to its claims leaked into the cache")
		}
		again.Roles[0] = "platform.admin"
	}

	clock.Advance(time.Minute + time.Second)
	_, err = v.Verify(t.Context(), tok)
	assertRefused(t, err, "expired", tok)
	if auth.CacheLen(v) != 0 {
		t.Fatal("the expired token is still cached")
	}
}

func TestNewVerifierChecksConfig(t *testing.T) {
	t.Parallel()
	cases := []struct {
		cfg   auth.VerifierConfig
		field string
	}{
		{auth.VerifierConfig{Audience: "dossiers"}, "Issuer"},
		{auth.VerifierConfig{Issuer: "localhost:8080/auth", Audience: "dossiers"}, "Issuer"},
		{auth.VerifierConfig{Issuer: "http://localhost:8080/auth/", Audience: "dossiers"}, "Issuer"},
		{auth.VerifierConfig{Issuer: "http://localhost:8080/auth"}, "Audience"},
		{auth.VerifierConfig{Issuer: "http://localhost:8080/auth", Audience: "dossiers", JWKSURL: "/keys"}, "JWKSURL"},
		{auth.VerifierConfig{Issuer: "http://localhost:8080/auth", Audience: "dossiers", CacheSize: -1}, "CacheSize"},
	}
	for _, tc := range cases {
		_, err := auth.NewVerifier(t.Context(), tc.cfg)
		if err == nil || !strings.Contains(err.Error(), "VerifierConfig."+tc.field) {
			t.Errorf("%+v: error %v, want one naming VerifierConfig.%s", tc.cfg, err, tc.field)
		}
	}
}

// TestVerifierRefusesTokensOfEndedSessions: after a back-channel logout (recorded in
// EndedSessions) the API refuses the session's access tokens, cached or not, on both databases.
func TestVerifierRefusesTokensOfEndedSessions(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := t.Context()
		ended, err := auth.NewEndedSessions(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		ti := newTestIssuer(t)
		v, err := auth.NewVerifier(ctx, auth.VerifierConfig{Issuer: ti.Issuer, Audience: "dossiers", Ended: ended})
		if err != nil {
			t.Fatal(err)
		}
		clock := newFakeClock(time.Now())
		auth.SetVerifierClock(v, clock.Now)

		cached := ti.Sign("k1", ti.AccessClaims(clock.Now(), map[string]any{"sid": "sso-1"}))
		other := ti.Sign("k1", ti.AccessClaims(clock.Now(), map[string]any{"sid": "sso-2"}))
		bySubject := ti.Sign("k1", ti.AccessClaims(clock.Now(), map[string]any{"sid": "sso-3", "sub": "u-lan"}))
		for _, tok := range []string{cached, other, bySubject} {
			if _, err := v.Verify(ctx, tok); err != nil {
				t.Fatalf("before the logout: %v", err)
			}
		}

		clock.Advance(time.Second)
		if err := ended.End(ctx, "sso-1", "u-hoa", clock.Now()); err != nil {
			t.Fatal(err)
		}
		if err := ended.End(ctx, "", "u-lan", clock.Now()); err != nil {
			t.Fatal(err)
		}
		// A token of the ended session not seen before is refused at once.
		fresh := ti.Sign("k1", ti.AccessClaims(clock.Now().Add(-time.Second), map[string]any{"sid": "sso-1"}))
		_, err = v.Verify(ctx, fresh)
		assertRefused(t, err, "session_ended", fresh)

		// Cached ones once their session is checked again.
		clock.Advance(auth.DefaultEndedCheckInterval)
		_, err = v.Verify(ctx, cached)
		assertRefused(t, err, "session_ended", cached)
		_, err = v.Verify(ctx, bySubject)
		assertRefused(t, err, "session_ended", bySubject)
		if _, err := v.Verify(ctx, other); err != nil {
			t.Fatalf("another session's token after the logout: %v", err)
		}
		// A sign-in after a subject-wide logout is a new session and works.
		later := ti.Sign("k1", ti.AccessClaims(clock.Now().Add(time.Second), map[string]any{"sid": "sso-4", "sub": "u-lan"}))
		if _, err := v.Verify(ctx, later); err != nil {
			t.Fatalf("a session begun after the logout: %v", err)
		}
	})
}
