package platformapi

import (
	"context"

	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/platform/provision"
)

// Provision asks the service at baseURL (origin and prefix, e.g. http://dossiers:8080/dossiers)
// to register the tenant and seed its data, through the platform's one provisioning client
// (provision.Put), so the operator and the services' handler share the contract's types. The call
// is idempotent on the service's side.
func (c *Client) Provision(ctx context.Context, service, baseURL string, slug platform.Slug, in platform.Provisioning) (platform.Provisioned, error) {
	return provision.Put(ctx, c.bearer, service, baseURL, slug, in)
}
