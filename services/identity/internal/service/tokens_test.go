package service_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"gorm.io/gorm"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
)

// revokeAs posts a revocation as clientID (HTTP Basic when secret is set, else the public
// client's client_id form field) and returns the status and the OAuth error code.
func revokeAs(t *testing.T, h *harness, clientID, secret, token string) (int, string) {
	t.Helper()
	form := url.Values{"token": {token}}
	if secret == "" {
		form.Set("client_id", clientID)
	}
	req, _ := http.NewRequest(http.MethodPost, h.Issuer+"/revoke", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if secret != "" {
		req.SetBasicAuth(clientID, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Error
}

// TestRevocationChecksTheTokensClient: an access token is revoked only by the client it was
// issued to (RFC 7009 §2.1); another confidential client, a public client and a bare token id
// change nothing.
func TestRevocationChecksTheTokensClient(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		h.seedCommune(t, "hoa.nt", string(platform.RoleDossierReceive))
		secret := h.webClient(t, "dossiers", rpRedirect)
		otherSecret := h.webClient(t, "archives", rpRedirect)
		h.webClient(t, "mobile", rpRedirect, func(in *app.ClientInput) { in.Type = domain.ClientPublic })
		conf, _ := oauthConfig(t, h, "dossiers", secret)
		tok := codeFlow(t, h, browser(rpRedirect), conf, "hoa.nt", h.Password)

		if status, code := revokeAs(t, h, "archives", otherSecret, tok.AccessToken); status != http.StatusUnauthorized || code != "invalid_client" {
			t.Fatalf("another client revoking: %d %q, want 401 invalid_client", status, code)
		}
		if status, code := revokeAs(t, h, "mobile", "", tok.AccessToken); status != http.StatusUnauthorized || code != "invalid_client" {
			t.Fatalf("a public client revoking: %d %q, want 401 invalid_client", status, code)
		}
		claims, err := verifierFor(t, h, "dossiers").Verify(context.Background(), tok.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		var jti struct {
			ID string `json:"jti"`
		}
		_ = json.Unmarshal(jwtPayload(t, tok.AccessToken), &jti)
		if status, _ := revokeAs(t, h, "archives", otherSecret, jti.ID); status != http.StatusOK {
			t.Fatalf("revoking a bare token id: %d, want 200 (RFC 7009 §2.2) with nothing revoked", status)
		}
		if in := introspect(t, h, "dossiers", secret, tok.AccessToken, ""); in["active"] != true {
			t.Fatalf("after others' attempts the token of %s is inactive: %v", claims.Subject, in)
		}

		if status, code := revokeAs(t, h, "dossiers", secret, tok.AccessToken); status != http.StatusOK {
			t.Fatalf("its own client revoking: %d %q", status, code)
		}
		if in := introspect(t, h, "dossiers", secret, tok.AccessToken, ""); in["active"] != false {
			t.Fatalf("revoked by its client, still active: %v", in)
		}
	})
}

// withoutOfflineAccess drops offline_access, so that the access token has no refresh-token
// family: what ends it then is its session alone.
func withoutOfflineAccess(scopes []string) []string {
	return slices.DeleteFunc(slices.Clone(scopes), func(s string) bool { return s == oidc.ScopeOfflineAccess })
}

// TestIntrospectionAfterLogout: once the sign-in session ends, its access tokens introspect as
// inactive, as the services' verifiers refuse them.
func TestIntrospectionAfterLogout(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		h.seedCommune(t, "hoa.nt", string(platform.RoleDossierReceive))
		secret := h.webClient(t, "dossiers", rpRedirect)
		conf, _ := oauthConfig(t, h, "dossiers", secret)
		conf.Scopes = withoutOfflineAccess(conf.Scopes)
		b := browser(rpRedirect)
		tok := codeFlow(t, h, b, conf, "hoa.nt", h.Password)
		if in := introspect(t, h, "dossiers", secret, tok.AccessToken, ""); in["active"] != true {
			t.Fatalf("before the logout: %v", in)
		}
		rawID, _ := tok.Extra("id_token").(string)
		resp, err := b.Get(h.Issuer + "/end_session?" + url.Values{"id_token_hint": {rawID}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if in := introspect(t, h, "dossiers", secret, tok.AccessToken, ""); in["active"] != false {
			t.Fatalf("after the logout the access token is still active: %v", in)
		}
	})
}

// TestDiscoveryAdvertisesOnlyWhatWorks: no device endpoint, no implicit or JWT-bearer grant, no
// private_key_jwt or RS256; what is left is what identity serves.
func TestDiscoveryAdvertisesOnlyWhatWorks(t *testing.T) {
	h := startIdentity(t, storetest.SQLite(t))
	resp, err := http.Get(h.Issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	for _, absent := range []string{"device_authorization_endpoint", "check_session_iframe",
		"token_endpoint_auth_signing_alg_values_supported", "introspection_endpoint_auth_signing_alg_values_supported",
		"revocation_endpoint_auth_signing_alg_values_supported", "request_object_signing_alg_values_supported"} {
		if v, ok := d[absent]; ok {
			t.Errorf("discovery advertises %s = %v", absent, v)
		}
	}
	list := func(key string) []string {
		var out []string
		raw, _ := d[key].([]any)
		for _, v := range raw {
			s, _ := v.(string)
			out = append(out, s)
		}
		return out
	}
	want := map[string][]string{
		"response_types_supported":                      {"code"},
		"grant_types_supported":                         {"authorization_code", "refresh_token", "client_credentials"},
		"token_endpoint_auth_methods_supported":         {"none", "client_secret_basic", "client_secret_post"},
		"revocation_endpoint_auth_methods_supported":    {"none", "client_secret_basic", "client_secret_post"},
		"introspection_endpoint_auth_methods_supported": {"client_secret_basic", "client_secret_post"},
		"id_token_signing_alg_values_supported":         {"ES256"},
		"code_challenge_methods_supported":              {"S256"},
	}
	for key, w := range want {
		if got := list(key); !slices.Equal(got, w) {
			t.Errorf("%s = %v, want %v", key, got, w)
		}
	}
	// Everything advertised is served: the endpoints answer something other than 404.
	for _, key := range []string{"authorization_endpoint", "token_endpoint", "userinfo_endpoint", "revocation_endpoint",
		"introspection_endpoint", "end_session_endpoint", "jwks_uri"} {
		u, _ := d[key].(string)
		method := http.MethodPost
		if key == "jwks_uri" {
			method = http.MethodGet
		}
		req, _ := http.NewRequest(method, u, strings.NewReader(""))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = r.Body.Close()
		if r.StatusCode == http.StatusNotFound {
			t.Errorf("%s %s answers 404", key, u)
		}
	}
	// go-oidc, as every service uses it, still reads it.
	if _, err := oidc.NewProvider(context.Background(), h.Issuer); err != nil {
		t.Fatalf("go-oidc discovery: %v", err)
	}
}

// jwtPayload is the decoded middle part of a JWT.
func jwtPayload(t *testing.T, token string) []byte {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAdminAPIRefusesAPersonsToken: a platform administrator signed in through a service's client
// gets a token whose audience includes identity (every service client has it, to read the tenant
// tree); the admin API still refuses it, and keeps answering the operator's client credentials.
func TestAdminAPIRefusesAPersonsToken(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		defer h.checkContract(t, 4)
		secret := h.webClient(t, "dossiers", rpRedirect, func(in *app.ClientInput) { in.Audiences = []string{"identity"} })
		conf, _ := oauthConfig(t, h, "dossiers", secret)
		tok := codeFlow(t, h, browser(rpRedirect), conf, "admin", h.Password)
		claims, err := verifierFor(t, h, "identity").Verify(context.Background(), tok.AccessToken)
		if err != nil || !claims.HasRole(string(platform.RolePlatformAdmin)) {
			t.Fatalf("the setting of this test: a person's platform.admin token for identity: %v %+v", err, claims)
		}
		for _, r := range []struct{ method, path string }{{http.MethodGet, "/tenants"}, {http.MethodGet, "/clients"}, {http.MethodPost, "/users"}} {
			if st, body := h.call(t, tok.AccessToken, r.method, r.path, map[string]any{}); st != http.StatusForbidden {
				t.Fatalf("a person's token, %s %s: %d %v", r.method, r.path, st, body)
			}
		}
		op := h.adminToken(t, h.Operator.ID, h.Operator.Secret)
		if st, body := h.call(t, op, http.MethodGet, "/clients", nil); st != http.StatusOK {
			t.Fatalf("the operator's client credentials: %d %v", st, body)
		}
		// Revoked by its client, the operator's token stops working here too.
		revoke(t, h, h.Operator.ID, h.Operator.Secret, op)
		if st, body := h.call(t, op, http.MethodGet, "/clients", nil); st != http.StatusUnauthorized {
			t.Fatalf("the operator's revoked token: %d %v", st, body)
		}
	})
}

// TestFamilyRevocationEndsItsAccessTokens: revoking a refresh token (here by its reuse, and by
// the client revoking it) makes the access tokens issued with its family inactive, at
// introspection and so at the services that introspect.
func TestFamilyRevocationEndsItsAccessTokens(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		h.seedCommune(t, "hoa.nt", string(platform.RoleDossierReceive))
		secret := h.webClient(t, "dossiers", rpRedirect)
		conf, _ := oauthConfig(t, h, "dossiers", secret)
		ctx := context.Background()
		refresh := func(rt string) (*oauth2.Token, error) {
			return conf.TokenSource(ctx, &oauth2.Token{RefreshToken: rt, Expiry: time.Now().Add(-time.Minute)}).Token()
		}

		// Reuse: both the first access token and the one issued on rotation die.
		tok := codeFlow(t, h, browser(rpRedirect), conf, "hoa.nt", h.Password)
		next, err := refresh(tok.RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		if in := introspect(t, h, "dossiers", secret, next.AccessToken, ""); in["active"] != true {
			t.Fatalf("a rotated family's access token before any revocation: %v", in)
		}
		if _, err := refresh(tok.RefreshToken); err == nil {
			t.Fatal("a reused refresh token was accepted")
		}
		for name, at := range map[string]string{"first": tok.AccessToken, "rotated": next.AccessToken} {
			if in := introspect(t, h, "dossiers", secret, at, ""); in["active"] != false {
				t.Fatalf("after the family's revocation the %s access token is active: %v", name, in)
			}
		}

		// The client revoking its refresh token.
		tok2 := codeFlow(t, h, browser(rpRedirect), conf, "hoa.nt", h.Password)
		revoke(t, h, "dossiers", secret, tok2.RefreshToken)
		if in := introspect(t, h, "dossiers", secret, tok2.AccessToken, ""); in["active"] != false {
			t.Fatalf("after its refresh token's revocation the access token is active: %v", in)
		}
	})
}

// TestServiceVerifierDropsRevokedTokens: a service's verifier with identity's introspection
// (as NewService builds it) refuses a token its client revoked, on first sight.
func TestServiceVerifierDropsRevokedTokens(t *testing.T) {
	h := startIdentity(t, storetest.SQLite(t))
	h.seedCommune(t, "hoa.nt", string(platform.RoleDossierReceive))
	secret := h.webClient(t, "dossiers", rpRedirect)
	conf, _ := oauthConfig(t, h, "dossiers", secret)
	tok := codeFlow(t, h, browser(rpRedirect), conf, "hoa.nt", h.Password)
	v, err := auth.NewVerifier(context.Background(), auth.VerifierConfig{Issuer: h.Issuer, Audience: "dossiers",
		Introspector: &auth.HTTPIntrospector{URL: h.Issuer + "/oauth/introspect", ClientID: "dossiers", ClientSecret: secret}})
	if err != nil {
		t.Fatal(err)
	}
	revoke(t, h, "dossiers", secret, tok.AccessToken)
	_, err = v.Verify(context.Background(), tok.AccessToken)
	if ae := apperr.As(err); ae == nil || ae.Details["reason"] != "revoked" {
		t.Fatalf("a revoked token at a service: %v, want reason revoked", err)
	}
}

// TestUserinfoAfterLogout: userinfo, like introspection, refuses an access token whose sign-in
// session has ended.
func TestUserinfoAfterLogout(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		h.seedCommune(t, "hoa.nt", string(platform.RoleDossierReceive))
		secret := h.webClient(t, "dossiers", rpRedirect)
		conf, provider := oauthConfig(t, h, "dossiers", secret)
		conf.Scopes = withoutOfflineAccess(conf.Scopes)
		b := browser(rpRedirect)
		tok := codeFlow(t, h, b, conf, "hoa.nt", h.Password)
		ctx := context.Background()
		if _, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err != nil {
			t.Fatalf("userinfo before the logout: %v", err)
		}
		rawID, _ := tok.Extra("id_token").(string)
		resp, err := b.Get(h.Issuer + "/end_session?" + url.Values{"id_token_hint": {rawID}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if _, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
			t.Fatal("userinfo answered for the access token of an ended session")
		}
	})
}
