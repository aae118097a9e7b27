package auth_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/httpapi"
)

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func do(t *testing.T, h http.Handler, method, target, authorization string) response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	raw, _ := io.ReadAll(rec.Body)
	r := response{status: rec.Code, header: rec.Header(), raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// apiEngine is an API as a service builds it: the shared engine, the bearer middleware, and a
// route that needs a role.
func apiEngine(v *auth.Verifier) *gin.Engine {
	e := httpapi.NewEngine(httpapi.Options{Logger: slog.New(slog.DiscardHandler)})
	api := e.Group("/api", auth.Middleware(v))
	api.GET("/me", func(c *gin.Context) {
		claims, _ := auth.ClaimsFrom(c.Request.Context())
		c.JSON(http.StatusOK, gin.H{"sub": claims.Subject, "tenant": claims.Tenant})
	})
	api.POST("/dossiers/:id/approve", auth.RequireRole("dossier.approve", "platform.admin"), func(c *gin.Context) {
		c.Status(http.StatusNoContent)
	})
	// RequireRole without any authentication in front: it must not let anyone through.
	e.GET("/open/approve", auth.RequireRole("dossier.approve"), func(c *gin.Context) { c.Status(http.StatusNoContent) })
	return e
}

func TestMiddleware(t *testing.T) {
	t.Parallel()
	ti := newTestIssuer(t)
	e := apiEngine(newVerifier(t, ti))
	now := time.Now()
	good := ti.Sign("k1", ti.AccessClaims(now, nil))

	t.Run("valid token puts claims in the request context", func(t *testing.T) {
		r := do(t, e, http.MethodGet, "/api/me", "Bearer "+good)
		if r.status != http.StatusOK || r.body["sub"] != "u-hoa" || r.body["tenant"] != "xa-dong-tan" {
			t.Fatalf("%d %s", r.status, r.raw)
		}
		if cc := r.header.Get("Cache-Control"); cc != "no-store" {
			t.Fatalf("an answer to a token has Cache-Control %q, want no-store", cc)
		}
		if r := do(t, e, http.MethodGet, "/api/me", "bearer "+good); r.status != http.StatusOK {
			t.Fatalf("lower-case scheme: %d %s", r.status, r.raw)
		}
	})

	for name, header := range map[string]string{"no header": "", "basic": "Basic dTpw", "empty bearer": "Bearer "} {
		t.Run("missing bearer: "+name, func(t *testing.T) {
			r := do(t, e, http.MethodGet, "/api/me", header)
			assertProblem(t, r, http.StatusUnauthorized, "unauthenticated")
			// RFC 6750 §3.1: no error code when the request carried no token.
			if got := r.header.Get("WWW-Authenticate"); got != "Bearer" {
				t.Fatalf("WWW-Authenticate %q", got)
			}
			if !strings.Contains(r.body["detail"].(string), "Authorization: Bearer") {
				t.Fatalf("detail does not say what to send: %s", r.raw)
			}
		})
	}

	t.Run("invalid token", func(t *testing.T) {
		expired := ti.Sign("k1", ti.AccessClaims(now, map[string]any{"exp": now.Add(-time.Second).Unix()}))
		r := do(t, e, http.MethodGet, "/api/me", "Bearer "+expired)
		assertProblem(t, r, http.StatusUnauthorized, "invalid_token")
		if got := r.header.Get("WWW-Authenticate"); got != `Bearer error="invalid_token"` {
			t.Fatalf("WWW-Authenticate %q", got)
		}
		if r.body["reason"] != "expired" || strings.Contains(r.raw, expired) {
			t.Fatalf("body %s", r.raw)
		}
	})

	t.Run("RequireRole", func(t *testing.T) {
		approver := ti.Sign("k1", ti.AccessClaims(now, map[string]any{"roles": []string{"dossier.approve"}}))
		admin := ti.Sign("k1", ti.AccessClaims(now, map[string]any{"roles": []string{"platform.admin"}}))

		r := do(t, e, http.MethodPost, "/api/dossiers/7/approve", "Bearer "+good)
		assertProblem(t, r, http.StatusForbidden, "forbidden")
		if d := r.body["detail"].(string); !strings.Contains(d, "dossier.approve") || !strings.Contains(d, "platform.admin") {
			t.Fatalf("403 does not name the roles needed: %s", r.raw)
		}
		if roles, _ := r.body["required_roles"].([]any); len(roles) != 2 {
			t.Fatalf("required_roles %v", r.body["required_roles"])
		}
		for _, tok := range []string{approver, admin} {
			if r := do(t, e, http.MethodPost, "/api/dossiers/7/approve", "Bearer "+tok); r.status != http.StatusNoContent {
				t.Fatalf("holder of one of the roles: %d %s", r.status, r.raw)
			}
		}
		assertProblem(t, do(t, e, http.MethodGet, "/open/approve", "Bearer "+approver), http.StatusUnauthorized, "unauthenticated")
	})
}

func assertProblem(t *testing.T, r response, status int, code string) {
	t.Helper()
	if r.status != status || r.body["code"] != code {
		t.Fatalf("got %d %s, want %d with code %q", r.status, r.raw, status, code)
	}
	if ct := r.header.Get("Content-Type"); ct != httpapi.ContentTypeProblem {
		t.Fatalf("Content-Type %q", ct)
	}
}

func TestClaimsContext(t *testing.T) {
	t.Parallel()
	if _, ok := auth.ClaimsFrom(t.Context()); ok {
		t.Fatal("claims in an empty context")
	}
	ctx := auth.WithClaims(t.Context(), &auth.Claims{Subject: "u-1"})
	if c, ok := auth.ClaimsFrom(ctx); !ok || c.Subject != "u-1" {
		t.Fatalf("got %+v %v", c, ok)
	}
	if _, ok := auth.ClaimsFrom(auth.WithClaims(t.Context(), nil)); ok {
		t.Fatal("nil claims reported as present")
	}
	var none *auth.Claims
	if none.HasRole("x") || none.HasAnyRole("x") {
		t.Fatal("nil claims hold a role")
	}
}
