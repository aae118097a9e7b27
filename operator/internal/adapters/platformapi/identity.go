package platformapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// Identity is identity's admin API (services/identity/api/openapi.yaml).
type Identity struct {
	c    *Client
	base string // <issuer>/api/v1
}

// NewIdentity returns the admin API client of the identity at creds.Issuer.
func NewIdentity(c *Client, issuer string) *Identity {
	return &Identity{c: c, base: strings.TrimSuffix(issuer, "/") + "/api/v1"}
}

// IdentityTenant is a tenant as identity shows it.
type IdentityTenant struct {
	ID       string `json:"id,omitempty"`
	Slug     string `json:"slug"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Parent   string `json:"parent,omitempty"`
	Disabled bool   `json:"disabled,omitempty"`
}

// IdentityUser is a staff account; OneTimePassword is set only in the answer that made it.
type IdentityUser struct {
	Tenant   string   `json:"tenant,omitempty"`
	Username string   `json:"username"`
	Name     string   `json:"name"`
	Email    string   `json:"email,omitempty"`
	Roles    []string `json:"roles"`
	Disabled bool     `json:"disabled,omitempty"`
	// MustChangePassword is true until the person replaced the one-time password.
	MustChangePassword bool   `json:"must_change_password,omitempty"`
	OneTimePassword    string `json:"one_time_password,omitempty"`
	// Password asks for a given password when the account is made (the local stack's demo staff
	// and tests); empty means a one-time password, to be changed at first sign-in.
	Password string `json:"password,omitempty"`
}

// IdentityClient is an OIDC client; ClientSecret is set only in the answer that made it.
type IdentityClient struct {
	ClientID               string   `json:"client_id"`
	Tenant                 string   `json:"tenant,omitempty"`
	Name                   string   `json:"name"`
	Type                   string   `json:"type,omitempty"`
	RedirectURIs           []string `json:"redirect_uris,omitempty"`
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris,omitempty"`
	BackchannelLogoutURI   string   `json:"backchannel_logout_uri,omitempty"`
	GrantTypes             []string `json:"grant_types"`
	Roles                  []string `json:"roles,omitempty"`
	Audiences              []string `json:"audiences,omitempty"`
	Disabled               bool     `json:"disabled,omitempty"`
	ClientSecret           string   `json:"client_secret,omitempty"`
	// Secret asks for a given secret when the client is made (installers and tests); empty
	// means a random one.
	Secret string `json:"secret,omitempty"`
}

// Onboarding is the body of POST /onboard.
type Onboarding struct {
	Tenant  IdentityTenant   `json:"tenant"`
	Admin   IdentityUser     `json:"admin"`
	Clients []IdentityClient `json:"clients,omitempty"`
}

// Onboarded is its answer.
type Onboarded struct {
	Tenant        IdentityTenant   `json:"tenant"`
	TenantCreated bool             `json:"tenant_created"`
	Admin         IdentityUser     `json:"admin"`
	Clients       []IdentityClient `json:"clients"`
}

const dep = "identity"

// Tenant reads a tenant; a missing one is an apperr not-found error.
func (i *Identity) Tenant(ctx context.Context, slug string) (IdentityTenant, error) {
	var t IdentityTenant
	_, err := i.c.do(ctx, dep, http.MethodGet, i.base+"/tenants/"+url.PathEscape(slug), nil, &t)
	return t, err
}

// Onboard ensures the tenant, its first administrator and its clients in one transaction.
func (i *Identity) Onboard(ctx context.Context, in Onboarding) (Onboarded, error) {
	var out Onboarded
	_, err := i.c.do(ctx, dep, http.MethodPost, i.base+"/onboard", in, &out)
	return out, err
}

// TenantPatch changes a tenant's name or disabled flag; nil fields stay.
type TenantPatch struct {
	Name     *string `json:"name,omitempty"`
	Disabled *bool   `json:"disabled,omitempty"`
}

// PatchTenant renames, disables or enables a tenant.
func (i *Identity) PatchTenant(ctx context.Context, slug string, p TenantPatch) (IdentityTenant, error) {
	var t IdentityTenant
	_, err := i.c.do(ctx, dep, http.MethodPatch, i.base+"/tenants/"+url.PathEscape(slug), p, &t)
	return t, err
}

// Users lists a tenant's accounts.
func (i *Identity) Users(ctx context.Context, tenant string) ([]IdentityUser, error) {
	var out struct {
		Users []IdentityUser `json:"users"`
	}
	_, err := i.c.do(ctx, dep, http.MethodGet, i.base+"/tenants/"+url.PathEscape(tenant)+"/users", nil, &out)
	return out.Users, err
}

// EnsureUser creates an account (with a one-time password, returned once) or finds it.
func (i *Identity) EnsureUser(ctx context.Context, u IdentityUser) (IdentityUser, error) {
	var out IdentityUser
	_, err := i.c.do(ctx, dep, http.MethodPost, i.base+"/users", u, &out)
	return out, err
}

// SetUserDisabled turns an account off or on.
func (i *Identity) SetUserDisabled(ctx context.Context, username string, disabled bool) error {
	_, err := i.c.do(ctx, dep, http.MethodPatch, i.base+"/users/"+url.PathEscape(username), map[string]bool{"disabled": disabled}, nil)
	return err
}

// ResetPassword gives an account a new one-time password, returned once.
func (i *Identity) ResetPassword(ctx context.Context, username string) (string, error) {
	var out struct {
		Password string `json:"one_time_password"`
	}
	_, err := i.c.do(ctx, dep, http.MethodPost, i.base+"/users/"+url.PathEscape(username)+"/reset-password", nil, &out)
	return out.Password, err
}

// Clients lists a tenant's clients.
func (i *Identity) Clients(ctx context.Context, tenant string) ([]IdentityClient, error) {
	var out struct {
		Clients []IdentityClient `json:"clients"`
	}
	_, err := i.c.do(ctx, dep, http.MethodGet, i.base+"/clients?tenant="+url.QueryEscape(tenant), nil, &out)
	return out.Clients, err
}

// EnsureClient creates a client (its secret returned once) or brings an existing one's settings
// in line.
func (i *Identity) EnsureClient(ctx context.Context, c IdentityClient) (IdentityClient, error) {
	var out IdentityClient
	_, err := i.c.do(ctx, dep, http.MethodPost, i.base+"/clients", c, &out)
	return out, err
}

// SetClientDisabled turns a client off or on.
func (i *Identity) SetClientDisabled(ctx context.Context, id string, disabled bool) error {
	_, err := i.c.do(ctx, dep, http.MethodPatch, i.base+"/clients/"+url.PathEscape(id), map[string]bool{"disabled": disabled}, nil)
	return err
}

// RotateSecret gives a client a new secret, returned once; the old one stops working.
func (i *Identity) RotateSecret(ctx context.Context, id string) (string, error) {
	var out struct {
		Secret string `json:"client_secret"`
	}
	_, err := i.c.do(ctx, dep, http.MethodPost, i.base+"/clients/"+url.PathEscape(id)+"/rotate-secret", nil, &out)
	return out.Secret, err
}
