package auth

import (
	"context"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
)

// ActorOf turns verified claims into the platform's Actor, the only form of the caller that app
// and domain code see.
func ActorOf(c *Claims) platform.Actor {
	roles := make([]platform.Role, len(c.Roles))
	for i, r := range c.Roles {
		roles[i] = platform.Role(r)
	}
	return platform.Actor{Subject: c.Subject, Name: c.Name, Tenant: platform.Slug(c.Tenant), Roles: roles,
		StaffID: c.StaffID, ClientID: c.ClientID, SessionID: c.SessionID}
}

// ScopeFunc is a service's rule for what an actor may reach: it returns ctx carrying the tenant
// scope (store.ScopeFor), or an error (a token naming no unit, say). Each service's app has one.
type ScopeFunc func(ctx context.Context, a platform.Actor) (context.Context, error)

const actorKey = "egov.actor"

// RequireActor turns the verified caller (put in the context by Middleware for the API, by
// Web.Session for pages) into a platform.Actor, lets scope put its tenant scope into the
// request's context, and keeps the actor for the handlers (ActorFrom). respond answers a failure:
// httpapi.RespondError on the API, the shell's error page on pages. Without verified claims the
// answer is 401.
func RequireActor(scope ScopeFunc, respond func(*gin.Context, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		claims, ok := ClaimsFrom(c.Request.Context())
		if !ok {
			respond(c, apperr.Unauthenticated("sign in first: this request carries no verified identity"))
			c.Abort()
			return
		}
		a := ActorOf(claims)
		ctx, err := scope(c.Request.Context(), a)
		if err != nil {
			respond(c, err)
			c.Abort()
			return
		}
		c.Request = c.Request.WithContext(ctx)
		c.Set(actorKey, a)
		c.Next()
	}
}

// ActorFrom returns the actor RequireActor kept; the zero Actor (no roles, no tenant) when the
// route has no RequireActor, so a handler mounted without it can do nothing by mistake.
func ActorFrom(c *gin.Context) platform.Actor {
	a, _ := c.Get(actorKey)
	act, _ := a.(platform.Actor)
	return act
}
