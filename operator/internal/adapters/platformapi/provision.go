package platformapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// Provisioning is the body of a service's PUT <prefix>/api/v1/tenants/{slug}.
type Provisioning struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Parent string `json:"parent,omitempty"`
}

// Provisioned is its answer: whether the tenant was new there and what was seeded.
type Provisioned struct {
	Tenant  string         `json:"tenant"`
	Created bool           `json:"created"`
	Seeded  map[string]int `json:"seeded"`
}

// Provision asks the service at baseURL (origin and prefix, e.g. http://dossiers:8080/dossiers)
// to register the tenant and seed its data. The call is idempotent on the service's side.
func (c *Client) Provision(ctx context.Context, service, baseURL, slug string, in Provisioning) (Provisioned, error) {
	var out Provisioned
	_, err := c.do(ctx, service, http.MethodPut, strings.TrimSuffix(baseURL, "/")+"/api/v1/tenants/"+url.PathEscape(slug), in, &out)
	return out, err
}
