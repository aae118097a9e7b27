package service_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"gorm.io/gorm"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
	"egov.vn/platform/services/identity/internal/service"
)

const rpRedirect = "http://127.0.0.1:9/callback" // nothing listens: the test browser stops there

// codeFlow runs authorization code + PKCE as an independent client would (x/oauth2 + go-oidc).
func codeFlow(t *testing.T, h *harness, c *http.Client, conf *oauth2.Config, username, password string) *oauth2.Token {
	t.Helper()
	state, nonce, verifier := oauth2.GenerateVerifier(), oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
	authURL := conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce))
	loc, resp := h.signIn(t, c, authURL, username, password)
	if loc == nil || !strings.HasPrefix(loc.String(), conf.RedirectURL) {
		t.Fatalf("sign-in did not return to the client: status %d, location %v", resp.StatusCode, loc)
	}
	if got := loc.Query().Get("state"); got != state {
		t.Fatalf("state = %q, want %q", got, state)
	}
	tok, err := conf.Exchange(context.Background(), loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("code exchange: %v", err)
	}
	return tok
}

func oauthConfig(t *testing.T, h *harness, clientID, secret string) (*oauth2.Config, *oidc.Provider) {
	t.Helper()
	provider, err := oidc.NewProvider(context.Background(), h.Issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	return &oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: provider.Endpoint(), RedirectURL: rpRedirect,
		Scopes: []string{oidc.ScopeOpenID, "profile", oidc.ScopeOfflineAccess}}, provider
}

func verifierFor(t *testing.T, h *harness, audience string) *auth.Verifier {
	t.Helper()
	v, err := auth.NewVerifier(context.Background(), auth.VerifierConfig{Issuer: h.Issuer, Audience: audience})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCodeFlowRefreshAndClientCredentials(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		user := h.seedCommune(t, "hoa.nt", string(platform.RoleDossierReceive), string(platform.RoleDossierHandle))
		secret := h.webClient(t, "dossiers", rpRedirect)
		conf, provider := oauthConfig(t, h, "dossiers", secret)
		ctx := context.Background()

		tok := codeFlow(t, h, browser(rpRedirect), conf, "hoa.nt", h.Password)

		// The ID token: signature, issuer, audience and nonce checked by go-oidc.
		rawID, _ := tok.Extra("id_token").(string)
		idt, err := provider.Verifier(&oidc.Config{ClientID: "dossiers"}).Verify(ctx, rawID)
		if err != nil {
			t.Fatalf("ID token: %v", err)
		}
		var idc struct {
			Name   string   `json:"name"`
			Tenant string   `json:"tenant"`
			Roles  []string `json:"roles"`
			SID    string   `json:"sid"`
		}
		if err := idt.Claims(&idc); err != nil {
			t.Fatal(err)
		}
		if idt.Subject != user.ID || idc.Tenant != "xa-dong-tan" || idc.Name != "Nguyễn Thị Hoa" || idc.SID == "" ||
			!slices.Equal(idc.Roles, []string{string(platform.RoleDossierHandle), string(platform.RoleDossierReceive)}) {
			t.Fatalf("ID token claims: sub %s %+v", idt.Subject, idc)
		}

		// The access token is a JWT for the API middleware, carrying the platform's claims.
		claims, err := verifierFor(t, h, "dossiers").Verify(ctx, tok.AccessToken)
		if err != nil {
			t.Fatalf("access token: %v", err)
		}
		if claims.Subject != user.ID || claims.Tenant != "xa-dong-tan" || claims.Name != "Nguyễn Thị Hoa" ||
			!claims.HasRole(string(platform.RoleDossierReceive)) || claims.SessionID != idc.SID {
			t.Fatalf("access token claims: %+v", claims)
		}

		info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil || info.Subject != user.ID {
			t.Fatalf("userinfo: %v %+v", err, info)
		}
		if in := introspect(t, h, "dossiers", secret, tok.AccessToken, ""); in["active"] != true || in["tenant"] != "xa-dong-tan" {
			t.Fatalf("introspection of a fresh access token: %v", in)
		}

		// Refresh: a new refresh token every time.
		src := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Minute)})
		tok2, err := src.Token()
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if tok2.RefreshToken == "" || tok2.RefreshToken == tok.RefreshToken || tok2.AccessToken == tok.AccessToken {
			t.Fatal("refresh did not rotate the refresh token")
		}
		if _, err := verifierFor(t, h, "dossiers").Verify(ctx, tok2.AccessToken); err != nil {
			t.Fatalf("refreshed access token: %v", err)
		}

		// Revocation of the access token shows in introspection and userinfo.
		revoke(t, h, "dossiers", secret, tok2.AccessToken)
		if in := introspect(t, h, "dossiers", secret, tok2.AccessToken, ""); in["active"] != false {
			t.Fatalf("revoked access token still active: %v", in)
		}
		if _, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok2)); err == nil {
			t.Fatal("userinfo answered for a revoked access token")
		}

		// Client credentials: the operator's client gets platform.admin and the identity audience.
		cc := clientcredentials.Config{ClientID: h.Operator.ID, ClientSecret: h.Operator.Secret, TokenURL: provider.Endpoint().TokenURL}
		ctok, err := cc.Token(ctx)
		if err != nil {
			t.Fatalf("client credentials: %v", err)
		}
		cclaims, err := verifierFor(t, h, service.AdminAudience).Verify(ctx, ctok.AccessToken)
		if err != nil {
			t.Fatalf("client-credentials token: %v", err)
		}
		if cclaims.Subject != h.Operator.ID || !cclaims.HasRole(string(platform.RolePlatformAdmin)) || cclaims.Tenant != "tinh-thai-binh" {
			t.Fatalf("client-credentials claims: %+v", cclaims)
		}
	})
}

func TestRefreshTokenReuseRevokesTheFamily(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		h.seedCommune(t, "hoa.nt", string(platform.RoleDossierReceive))
		secret := h.webClient(t, "dossiers", rpRedirect)
		conf, _ := oauthConfig(t, h, "dossiers", secret)
		ctx := context.Background()
		tok := codeFlow(t, h, browser(rpRedirect), conf, "hoa.nt", h.Password)

		refresh := func(rt string) (*oauth2.Token, error) {
			return conf.TokenSource(ctx, &oauth2.Token{RefreshToken: rt, Expiry: time.Now().Add(-time.Minute)}).Token()
		}
		next, err := refresh(tok.RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		// The rotated-out token is refused…
		_, err = refresh(tok.RefreshToken)
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
			t.Fatalf("reused refresh token: %v, want invalid_grant", err)
		}
		// …and its reuse revoked the whole family, including the newest link.
		if _, err := refresh(next.RefreshToken); err == nil {
			t.Fatal("the family's newest refresh token still works after a reuse")
		}
		events, err := h.ID.App.AuditLog(ctx, domain.AuditFilter{Action: domain.AuditRefreshReuse})
		if err != nil || len(events) != 1 {
			t.Fatalf("audit of the reuse: %v %v", events, err)
		}
	})
}

func TestTokensAreRejected(t *testing.T) {
	h := startIdentity(t, storetest.SQLite(t))
	ctx := context.Background()
	cc := clientcredentials.Config{ClientID: h.Operator.ID, ClientSecret: h.Operator.Secret, TokenURL: h.Issuer + "/oauth/token"}
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifierFor(t, h, service.AdminAudience).Verify(ctx, tok.AccessToken); err != nil {
		t.Fatalf("a good token is refused: %v", err)
	}

	t.Run("wrong audience", func(t *testing.T) {
		if _, err := verifierFor(t, h, "archives").Verify(ctx, tok.AccessToken); err == nil {
			t.Fatal("a token for identity was accepted by archives")
		}
	})
	t.Run("tampered", func(t *testing.T) {
		parts := strings.Split(tok.AccessToken, ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		forged := strings.Replace(string(payload), `"tinh-thai-binh"`, `"xa-dong-tan"`, 1)
		parts[1] = base64.RawURLEncoding.EncodeToString([]byte(forged))
		if _, err := verifierFor(t, h, service.AdminAudience).Verify(ctx, strings.Join(parts, ".")); err == nil {
			t.Fatal("a tampered token was accepted")
		}
	})
	t.Run("expired", func(t *testing.T) {
		h.Clock.Add(-2 * time.Hour) // issued two hours ago: its 10 minutes are long over
		old := rawClientCredentials(t, h, h.Operator.ID, h.Operator.Secret)
		h.Clock.Add(2 * time.Hour)
		if _, err := verifierFor(t, h, service.AdminAudience).Verify(ctx, old); err == nil || !strings.Contains(err.Error(), "expired") {
			t.Fatalf("an expired token: %v, want an expiry error", err)
		}
	})
	t.Run("key rotated out", func(t *testing.T) {
		fresh, err := cc.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// A day and more later the key that signed it has been replaced and, once every token it
		// signed has expired, unpublished; a verifier that loads the key set now refuses it.
		h.Clock.Add(26 * time.Hour)
		defer h.Clock.Add(-26 * time.Hour)
		if _, err := h.ID.Keys.Signing(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := verifierFor(t, h, service.AdminAudience).Verify(ctx, fresh.AccessToken); err == nil {
			t.Fatal("a token signed by an unpublished key was accepted")
		}
		newer, err := cc.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := verifierFor(t, h, service.AdminAudience).Verify(ctx, newer.AccessToken); err != nil {
			t.Fatalf("a token of the new key is refused: %v", err)
		}
	})
}

func TestKeyRotationKeepsTheOldKeyPublished(t *testing.T) {
	h := startIdentity(t, storetest.SQLite(t))
	ctx := context.Background()
	first, err := h.ID.Keys.Signing(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h.Clock.Add(24*time.Hour + time.Minute) // the first key's signing day is over
	second, err := h.ID.Keys.Signing(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if second.ID == first.ID {
		t.Fatal("no new signing key after the rotation period")
	}
	published := jwksKids(t, h)
	if !slices.Contains(published, first.ID) || !slices.Contains(published, second.ID) {
		t.Fatalf("JWKS %v must hold the new key and the old one while its tokens live", published)
	}
	h.Clock.Add(2 * time.Hour)
	if published := jwksKids(t, h); slices.Contains(published, first.ID) {
		t.Fatalf("JWKS %v still holds the old key after its tokens expired", published)
	}
}

func jwksKids(t *testing.T, h *harness) []string {
	t.Helper()
	resp, err := http.Get(h.Issuer + "/keys")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
			Alg string `json:"alg"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range set.Keys {
		if k.Alg != "ES256" {
			t.Fatalf("key %s has alg %s", k.Kid, k.Alg)
		}
		kids = append(kids, k.Kid)
	}
	return kids
}

func introspect(t *testing.T, h *harness, clientID, secret, token, hint string) map[string]any {
	t.Helper()
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	req, _ := http.NewRequest(http.MethodPost, h.Issuer+"/oauth/introspect", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("introspection answer (%d): %v", resp.StatusCode, err)
	}
	return out
}

func revoke(t *testing.T, h *harness, clientID, secret, token string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.Issuer+"/revoke", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %d %s", resp.StatusCode, b)
	}
}

func TestSingleSignOnAndBackChannelLogout(t *testing.T) {
	h := startIdentity(t, storetest.SQLite(t))
	h.seedCommune(t, "hoa.nt", string(platform.RoleDossierReceive))
	ctx := context.Background()

	var mu sync.Mutex
	received := map[string]string{} // client → logout token
	rp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		received[strings.TrimPrefix(r.URL.Path, "/")] = r.PostForm.Get("logout_token")
		mu.Unlock()
	}))
	defer rp.Close()
	backchannel := func(id string) func(*app.ClientInput) {
		return func(in *app.ClientInput) { in.BackchannelLogoutURI = rp.URL + "/" + id }
	}
	s1 := h.webClient(t, "dossiers", rpRedirect, backchannel("dossiers"))
	s2 := h.webClient(t, "archives", rpRedirect, backchannel("archives"))
	c1, provider := oauthConfig(t, h, "dossiers", s1)
	c2, _ := oauthConfig(t, h, "archives", s2)

	b := browser(rpRedirect)
	tok1 := codeFlow(t, h, b, c1, "hoa.nt", h.Password)
	// The second service needs no password: the browser's session at identity answers.
	state, verifier := oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
	loc, _ := h.signIn(t, b, c2.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), "", "")
	if loc == nil || loc.Query().Get("code") == "" {
		t.Fatalf("single sign-on to the second service did not return a code: %v", loc)
	}
	if _, err := c2.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(verifier)); err != nil {
		t.Fatal(err)
	}

	// Sign out from the first service (RP-initiated logout with id_token_hint).
	rawID, _ := tok1.Extra("id_token").(string)
	end := h.Issuer + "/end_session?" + url.Values{"id_token_hint": {rawID}}.Encode()
	resp, err := b.Get(end)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()

	idt, _ := provider.Verifier(&oidc.Config{ClientID: "dossiers"}).Verify(ctx, rawID)
	var sid struct {
		SID string `json:"sid"`
	}
	_ = idt.Claims(&sid)
	mu.Lock()
	defer mu.Unlock()
	for _, id := range []string{"dossiers", "archives"} {
		lt := received[id]
		if lt == "" {
			t.Fatalf("%s got no back-channel logout token", id)
		}
		// The logout token verifies like an ID token for that client and names the session.
		v := provider.Verifier(&oidc.Config{ClientID: id, SkipExpiryCheck: false})
		tokIDT, err := v.Verify(ctx, lt)
		if err != nil {
			t.Fatalf("%s logout token: %v", id, err)
		}
		var c struct {
			SID    string         `json:"sid"`
			Events map[string]any `json:"events"`
			Nonce  string         `json:"nonce"`
		}
		_ = tokIDT.Claims(&c)
		if c.SID != sid.SID || c.Events["http://schemas.openid.net/event/backchannel-logout"] == nil || c.Nonce != "" {
			t.Fatalf("%s logout token claims %+v, want sid %s", id, c, sid.SID)
		}
	}
	// The session is over: the next authorization asks for the password again.
	state2, verifier2 := oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
	resp2, err := b.Get(c2.AuthCodeURL(state2, oauth2.S256ChallengeOption(verifier2)))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp2.Body.Close()
	if resp2.StatusCode != http.StatusOK || !strings.Contains(resp2.Request.URL.Path, "/login") {
		t.Fatalf("after sign-out: %d at %s, want the sign-in form", resp2.StatusCode, resp2.Request.URL)
	}
}

// rawClientCredentials asks for a token without x/oauth2, which refuses the negative lifetime of
// a token the moved clock issued already expired.
func rawClientCredentials(t *testing.T, h *harness, id, secret string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.Issuer+"/oauth/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.AccessToken == "" {
		t.Fatalf("client credentials: %d %v", resp.StatusCode, err)
	}
	return out.AccessToken
}
