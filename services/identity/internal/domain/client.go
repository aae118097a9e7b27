package domain

import (
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"egov.vn/platform/libs/apperr"
)

// ClientType says whether a client can keep a secret. Public clients (a single-page or mobile
// app) must use PKCE; confidential clients (the services' pages, the operator) hold a secret.
type ClientType string

const (
	ClientConfidential ClientType = "confidential"
	ClientPublic       ClientType = "public"
)

// Grant types a client may be allowed.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantClientCredentials = "client_credentials"
)

// Client is an OIDC relying party or a machine client.
type Client struct {
	ID                     string // client_id; also the audience of the tokens it gets
	TenantID               string // tenant whose claims its client-credentials tokens carry
	Name                   string
	Type                   ClientType
	SecretHash             string // SHA-256 of the secret; "" for public clients
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	BackchannelLogoutURI   string
	GrantTypes             []string
	Roles                  []string // roles of its client-credentials tokens
	Audiences              []string // other services its tokens are also meant for
	Disabled               bool
	CreatedAt              time.Time
	UpdatedAt              time.Time
}

// AllowsGrant reports whether grant is allowed.
func (c Client) AllowsGrant(grant string) bool { return slices.Contains(c.GrantTypes, grant) }

var clientIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// ValidClientID reports whether id may name a client.
func ValidClientID(id string) bool { return clientIDRE.MatchString(id) }

// Validate checks the client; devMode allows plain-http redirect URIs on hosts other than
// localhost (never in production).
func (c Client) Validate(devMode bool) error {
	var errs apperr.FieldErrors
	if !ValidClientID(c.ID) {
		errs.Add("client_id", "must be 2 to 64 characters: lower-case letters, digits, '.', '_' or '-', e.g. dossiers")
	}
	if c.Name == "" {
		errs.Add("name", "is required")
	}
	if c.Type != ClientConfidential && c.Type != ClientPublic {
		errs.Add("type", "must be confidential or public")
	}
	if len(c.GrantTypes) == 0 {
		errs.Add("grant_types", "name at least one of authorization_code, refresh_token, client_credentials")
	}
	for _, g := range c.GrantTypes {
		if g != GrantAuthorizationCode && g != GrantRefreshToken && g != GrantClientCredentials {
			errs.Add("grant_types", "unknown grant type "+quote(g)+"; use authorization_code, refresh_token or client_credentials")
		}
	}
	if c.Type == ClientPublic && c.AllowsGrant(GrantClientCredentials) {
		errs.Add("grant_types", "a public client cannot use client_credentials: it holds no secret")
	}
	if c.AllowsGrant(GrantAuthorizationCode) && len(c.RedirectURIs) == 0 {
		errs.Add("redirect_uris", "the authorization_code grant needs at least one redirect URI")
	}
	for _, u := range c.RedirectURIs {
		if reason := checkClientURL(u, devMode); reason != "" {
			errs.Add("redirect_uris", quote(u)+" "+reason)
		}
	}
	for _, u := range c.PostLogoutRedirectURIs {
		if reason := checkClientURL(u, devMode); reason != "" {
			errs.Add("post_logout_redirect_uris", quote(u)+" "+reason)
		}
	}
	if c.BackchannelLogoutURI != "" {
		if reason := checkBackchannelURL(c.BackchannelLogoutURI, devMode); reason != "" {
			errs.Add("backchannel_logout_uri", reason)
		}
	}
	for _, a := range c.Audiences {
		if !ValidClientID(a) {
			errs.Add("audiences", quote(a)+" is not a client id")
		}
	}
	return errs.Err()
}

// checkClientURL applies RFC 6749 §3.1.2 and the OAuth 2.0 Security BCP: absolute, no fragment,
// https except on the loopback host.
func checkClientURL(raw string, devMode bool) string {
	return checkURL(raw, devMode, loopback, "must use https (plain http only on localhost)")
}

// checkBackchannelURL is checkClientURL for the back-channel logout URI, which identity calls
// itself and no browser ever opens, so plain http is also allowed to a cluster-internal host: a
// single-label name ("reporting") or a Service's name under .svc. Identity inside the cluster
// reaches the services by those names, as every call between the platform's services does, and
// cannot count on reaching the public origin (a trial's is localhost through port-forward). The
// logout token it carries is signed and names a session, nothing more.
func checkBackchannelURL(raw string, devMode bool) string {
	return checkURL(raw, devMode, func(host string) bool { return loopback(host) || clusterInternal(host) },
		"must use https (plain http only on localhost or a cluster-internal name such as http://reporting:8080 or *.svc)")
}

// checkURL is the rule both share: absolute, no fragment, and https unless devMode or
// plainHTTP allows the host; notHTTPS is the reason given otherwise.
func checkURL(raw string, devMode bool, plainHTTP func(host string) bool, notHTTPS string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil || !u.IsAbs() || u.Host == "":
		return "must be an absolute URL"
	case u.Fragment != "" || strings.Contains(raw, "#"): // "#" alone parses as no fragment
		return "must not have a fragment"
	case u.Scheme == "https":
		return ""
	case u.Scheme == "http" && (devMode || plainHTTP(u.Hostname())):
		return ""
	}
	return notHTTPS
}

func loopback(host string) bool { return host == "localhost" || host == "127.0.0.1" || host == "::1" }

// clusterInternal reports whether host is a name only a cluster's DNS answers: one label, or a
// Service under .svc or .svc.cluster.local. An IP address is not.
func clusterInternal(host string) bool {
	if host == "" || net.ParseIP(host) != nil {
		return false
	}
	return !strings.Contains(host, ".") || strings.HasSuffix(host, ".svc") || strings.HasSuffix(host, ".svc.cluster.local")
}

func quote(s string) string { return `"` + s + `"` }
