package auth_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"egov.vn/platform/libs/auth"
)

// logoutClaims are a logout token's claims as identity sends them to this service.
func logoutClaims(f *webFixture, overrides map[string]any) map[string]any {
	now := f.clock.Now()
	return apply(map[string]any{
		"iss": f.ti.Issuer, "aud": []string{clientID}, "iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(),
		"jti": uuid.NewString(), "sub": "u-hoa", "sid": "sso-1",
		"events": map[string]any{backchannel: map[string]any{}},
	}, overrides)
}

func TestBackchannelLogout(t *testing.T) {
	t.Parallel()
	f := newWebFixture(t, fixtureOptions{})
	f.ti.AddKey("k-unpublished", false)

	session := func(sub, sid string) string {
		t.Helper()
		ck, err := auth.NewSessionCookie(f.web, sub, sid, nil)
		if err != nil {
			t.Fatal(err)
		}
		return ck.Value
	}
	signedIn := func(cookie string) bool {
		t.Helper()
		res, _ := f.do(t, http.MethodGet, "/dossiers/private", nil, http.Header{"Cookie": {auth.SessionCookie + "=" + cookie}})
		return res.StatusCode == http.StatusOK
	}
	post := func(token string) (*http.Response, map[string]string) {
		t.Helper()
		form := url.Values{}
		if token != "" {
			form.Set("logout_token", token)
		}
		res, body := f.do(t, http.MethodPost, "/dossiers/auth/backchannel-logout", form, nil)
		if res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("Cache-Control %q", res.Header.Get("Cache-Control"))
		}
		var out map[string]string
		_ = json.Unmarshal([]byte(body), &out)
		return res, out
	}

	hoa1, hoa2, lan := session("u-hoa", "sso-1"), session("u-hoa", "sso-2"), session("u-lan", "sso-3")

	t.Run("invalid logout tokens are refused and end nothing", func(t *testing.T) {
		// Every one of these names sso-3 (u-lan), whose session must survive them all.
		target := map[string]any{"sub": "u-lan", "sid": "sso-3"}
		with := func(overrides map[string]any) string {
			merged := maps.Clone(target)
			maps.Copy(merged, overrides) // nil values stay: they delete the claim
			return f.ti.Sign("k1", logoutClaims(f, merged))
		}
		cases := map[string]string{
			"missing logout_token": "",
			"missing events":       with(map[string]any{"events": nil}),
			"another event":        with(map[string]any{"events": map[string]any{"http://schemas.openid.net/event/other": map[string]any{}}}),
			"has a nonce":          with(map[string]any{"nonce": "n-1"}),
			"for another client":   with(map[string]any{"aud": []string{"archives-web"}}),
			"neither sid nor sub":  with(map[string]any{"sid": nil, "sub": nil}),
			"no iat":               with(map[string]any{"iat": nil}),
			"iat in the future":    with(map[string]any{"iat": f.clock.Now().Add(time.Hour).Unix()}),
			"expired":              with(map[string]any{"exp": f.clock.Now().Add(-time.Minute).Unix()}),
			"no jti":               with(map[string]any{"jti": nil}),
			"another issuer":       with(map[string]any{"iss": "http://evil.test/auth"}),
			"unpublished key":      f.ti.Sign("k-unpublished", logoutClaims(f, target)),
			"not a JWT":            "logout-now",
		}
		for name, token := range cases {
			res, out := post(token)
			if res.StatusCode != http.StatusBadRequest || out["error"] != "invalid_request" || out["error_description"] == "" {
				t.Errorf("%s: %d %v", name, res.StatusCode, out)
			}
			if token != "" && strings.Contains(out["error_description"], token) {
				t.Errorf("%s: the description repeats the token", name)
			}
		}
		if !signedIn(lan) {
			t.Fatal("an invalid logout token ended a session")
		}
	})

	t.Run("by sid ends that session only", func(t *testing.T) {
		if res, out := post(f.ti.Sign("k1", logoutClaims(f, nil))); res.StatusCode != http.StatusOK {
			t.Fatalf("%d %v", res.StatusCode, out)
		}
		if signedIn(hoa1) {
			t.Fatal("the session with the logged-out sid is still accepted")
		}
		if !signedIn(hoa2) || !signedIn(lan) {
			t.Fatal("other sessions were ended too")
		}
	})

	t.Run("by subject ends every earlier session of that subject", func(t *testing.T) {
		if res, out := post(f.ti.Sign("k1", logoutClaims(f, map[string]any{"sid": nil}))); res.StatusCode != http.StatusOK {
			t.Fatalf("%d %v", res.StatusCode, out)
		}
		if signedIn(hoa2) {
			t.Fatal("a session of the logged-out subject is still accepted")
		}
		if !signedIn(lan) {
			t.Fatal("another subject's session was ended")
		}
		f.clock.Advance(time.Second)
		if later := session("u-hoa", "sso-4"); !signedIn(later) {
			t.Fatal("a session begun after the logout was ended")
		}
	})

	if logs := f.logs.String(); !strings.Contains(logs, "back-channel logout") {
		t.Fatalf("logouts not logged:\n%s", logs)
	}
}
