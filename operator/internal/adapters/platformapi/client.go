// Package platformapi talks to the platform's own services on the operator's behalf: identity's
// admin API (tenants, users, OIDC clients) and each service's provisioning API
// (PUT <prefix>/api/v1/tenants/{slug}, libs/platform/provision). Every call carries a client-credentials token of the
// operator's client (role platform.admin), and every problem+json answer comes back as a typed
// libs/apperr error, so the reconciler can name the reason in a condition.
package platformapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	neturl "net/url"
	"strings"
	"sync"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/httpapi"
)

// Credentials are the operator's own identity client.
type Credentials struct {
	// Issuer is identity's issuer URL as the operator reaches it inside the cluster, e.g.
	// http://identity.egov-platform.svc:8080/auth. Every call goes there, the token endpoint
	// included (see internalEndpoint).
	Issuer       string
	ClientID     string
	ClientSecret string
}

// Client sends JSON requests with the operator's bearer token.
type Client struct {
	plain  *http.Client // for discovery and the token endpoint
	bearer *http.Client // adds the token
	tokens oauth2.TokenSource
}

// NewClient returns a client whose token comes from the issuer's token endpoint, found through
// discovery the first time it is needed (identity may well be down when the operator starts) and
// moved onto the internal issuer URL.
func NewClient(creds Credentials, base *http.Client) *Client {
	if base == nil {
		base = http.DefaultClient
	}
	ts := oauth2.ReuseTokenSource(nil, &discoveringSource{creds: creds, http: base})
	return &Client{
		plain:  base,
		bearer: &http.Client{Transport: &oauth2.Transport{Source: ts, Base: base.Transport}, Timeout: base.Timeout},
		tokens: ts,
	}
}

// SignIn gets the operator client's access token from identity (client credentials), as every
// call does first; `operator check` uses it to prove that identity signs a client in.
func (c *Client) SignIn() (*oauth2.Token, error) { return c.tokens.Token() }

// discoveringSource finds the token endpoint once, then gets tokens by client credentials.
type discoveringSource struct {
	creds Credentials
	http  *http.Client

	mu  sync.Mutex
	src oauth2.TokenSource
}

func (d *discoveringSource) Token() (*oauth2.Token, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, d.http)
	if d.src == nil {
		endpoint, err := d.discover(ctx)
		if err != nil {
			return nil, err
		}
		cc := clientcredentials.Config{ClientID: d.creds.ClientID, ClientSecret: d.creds.ClientSecret, TokenURL: endpoint, AuthStyle: oauth2.AuthStyleInHeader}
		d.src = cc.TokenSource(ctx)
	}
	tok, err := d.src.Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500 {
			return nil, apperr.Unauthenticated("identity refused the operator's client credentials (" + re.ErrorCode + "): check the operator client id and secret")
		}
		return nil, apperr.Unavailable("identity", err)
	}
	return tok, nil
}

func (d *discoveringSource) discover(ctx context.Context) (string, error) {
	url := strings.TrimSuffix(d.creds.Issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := d.http.Do(req)
	if err != nil {
		return "", apperr.Unavailable("identity", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return "", apperr.Unavailable("identity", fmt.Errorf("discovery at %s answered %s", url, resp.Status))
	}
	var doc struct {
		Issuer        string `json:"issuer"`
		TokenEndpoint string `json:"token_endpoint"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return "", apperr.Unavailable("identity", fmt.Errorf("discovery at %s: %w", url, err))
	}
	if doc.TokenEndpoint == "" {
		return "", apperr.Unavailable("identity", fmt.Errorf("discovery at %s has no token_endpoint", url))
	}
	return internalEndpoint(d.creds.Issuer, doc.Issuer, doc.TokenEndpoint)
}

// internalEndpoint moves an endpoint that discovery published under identity's public issuer
// (https://egov.example.vn/auth/oauth/token) onto the issuer URL the operator was given
// (http://identity.egov-platform.svc:8080/auth/oauth/token). Inside a cluster the public name
// may not resolve, or resolve to the ingress with a certificate the pod does not trust; identity
// answers the same paths on its Service. An endpoint outside the public issuer keeps its path
// under the internal origin.
func internalEndpoint(internal, public, endpoint string) (string, error) {
	in, err := neturl.Parse(strings.TrimSuffix(internal, "/"))
	if err != nil {
		return "", fmt.Errorf("identity URL %q: %w", internal, err)
	}
	if rest, ok := strings.CutPrefix(endpoint, strings.TrimSuffix(public, "/")); ok && public != "" && (rest == "" || strings.HasPrefix(rest, "/")) {
		return in.String() + rest, nil
	}
	ep, err := neturl.Parse(endpoint)
	if err != nil {
		return "", apperr.Unavailable("identity", fmt.Errorf("discovery's token_endpoint %q: %w", endpoint, err))
	}
	ep.Scheme, ep.Host = in.Scheme, in.Host
	return ep.String(), nil
}

// do sends in as JSON (nil for no body) with the operator's token and decodes a 2xx answer into
// out; an error answer comes back as the typed apperr error it stands for (libs/httpapi).
func (c *Client) do(ctx context.Context, dependency, method, url string, in, out any) (int, error) {
	return httpapi.DoJSON(ctx, c.bearer, dependency, method, url, in, out)
}
