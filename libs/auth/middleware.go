package auth

import (
	"fmt"
	"strings"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/platform"
)

// Middleware authenticates API requests: it takes the bearer token from the Authorization
// header, verifies it with v and puts the claims in the request's context (ClaimsFrom). A request
// without a bearer token, or with one v refuses, is answered 401 problem+json with a
// WWW-Authenticate challenge (error="invalid_token" when a token was sent, RFC 6750 §3.1) and
// goes no further.
func Middleware(v *Verifier) gin.HandlerFunc {
	if v == nil {
		panic("auth.Middleware: nil *Verifier")
	}
	return func(c *gin.Context) {
		raw, ok := bearerToken(c.GetHeader("Authorization"))
		if !ok {
			httpapi.RespondError(c, apperr.Unauthenticated(
				"this endpoint needs an access token from the identity service: send the header \"Authorization: Bearer <token>\""))
			return
		}
		claims, err := v.Verify(c.Request.Context(), raw)
		if err != nil {
			httpapi.RespondError(c, err)
			return
		}
		c.Request = c.Request.WithContext(WithClaims(c.Request.Context(), claims))
		// What a token opens is someone's data (a citizen's ID number, a staff record): no cache
		// on the way may keep it. A handler that serves something public may say otherwise.
		c.Header("Cache-Control", "no-store")
		c.Next()
	}
}

// bearerToken returns the token of an "Authorization: Bearer <token>" header; the scheme is
// case-insensitive (RFC 9110 §11.1).
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// RequireRole lets the request through when the caller holds at least one of roles. Mount it
// after Middleware (or Web.Session and Web.RequireSignIn): without claims the answer is 401, with
// claims but none of the roles it is 403 naming the roles needed.
func RequireRole(roles ...platform.Role) gin.HandlerFunc {
	if len(roles) == 0 {
		panic("auth.RequireRole: name at least one role")
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	need := apperr.Forbidden(fmt.Sprintf("this needs one of the roles %s; ask your unit's administrator to grant it",
		strings.Join(names, ", "))).WithDetail("required_roles", names)
	return func(c *gin.Context) {
		claims, ok := ClaimsFrom(c.Request.Context())
		if !ok {
			httpapi.RespondError(c, apperr.Unauthenticated("sign in first: this request carries no verified identity"))
			return
		}
		if !claims.HasAnyRole(names...) {
			httpapi.RespondError(c, need)
			return
		}
		c.Next()
	}
}
