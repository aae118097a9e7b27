// Package provision is the HTTP side of the provisioning contract (libs/platform's Provisioning
// and Provisioned): the one handler every service mounts at PUT <prefix>/api/v1/tenants/{slug},
// and the one client the Tenant operator and the local stack call it with. A service only
// implements Provisioner.
package provision

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/platform"
)

// Provisioner is a service's side: register the tenant and seed what a new unit needs there,
// idempotently. p has passed Validate; a is the caller (the operator's client, platform.admin).
type Provisioner interface {
	Provision(ctx context.Context, a platform.Actor, slug platform.Slug, p platform.Provisioning) (platform.Provisioned, error)
}

// Routes mounts the provisioning route on api, the service's /api/v1 group behind
// auth.Middleware: only platform.admin (the operator's client-credentials token) may call it.
func Routes(api gin.IRouter, p Provisioner) {
	api.PUT(platform.ProvisioningRoute, auth.RequireRole(platform.RolePlatformAdmin), Handler(p))
}

// Handler reads and checks the request, calls p and answers 200 with Provisioned, or
// problem+json naming every field at fault at once (the slug and the body's fields together).
func Handler(p Provisioner) gin.HandlerFunc {
	return func(c *gin.Context) {
		var fields apperr.FieldErrors
		slug := platform.Slug(c.Param("slug"))
		if !platform.ValidSlug(string(slug)) {
			fields.Add("slug", platform.SlugReason)
		}
		var body platform.Provisioning
		if err := httpapi.BindJSON(c, &body); err != nil {
			httpapi.RespondError(c, err)
			return
		}
		if err := body.Validate(); err != nil {
			e := apperr.As(err)
			if e == nil {
				httpapi.RespondError(c, err)
				return
			}
			fields = append(fields, e.Fields...)
		}
		if err := fields.Err(); err != nil {
			httpapi.RespondError(c, err)
			return
		}
		var a platform.Actor
		if claims, ok := auth.ClaimsFrom(c.Request.Context()); ok {
			a = auth.ActorOf(claims)
		}
		out, err := p.Provision(c.Request.Context(), a, slug, body)
		if err != nil {
			httpapi.RespondError(c, err)
			return
		}
		out.Tenant = slug
		if out.Seeded == nil {
			out.Seeded = map[string]int{}
		}
		c.JSON(http.StatusOK, out)
	}
}

// Put asks the service at baseURL (origin and prefix, e.g. http://dossiers:8080/dossiers) to
// provision slug, with client carrying the caller's platform.admin token. service names it in
// errors; a problem answer comes back as its apperr error.
func Put(ctx context.Context, client *http.Client, service, baseURL string, slug platform.Slug, p platform.Provisioning) (platform.Provisioned, error) {
	var out platform.Provisioned
	url := strings.TrimSuffix(baseURL, "/") + "/api/v1" + platform.ProvisioningPath(slug)
	_, err := httpapi.DoJSON(ctx, client, service, http.MethodPut, url, p, &out)
	return out, err
}
