// Package platformapi talks to the platform's own services on the operator's behalf: identity's
// admin API (tenants, users, OIDC clients) and each service's provisioning API
// (PUT <prefix>/api/v1/tenants/{slug}). Every call carries a client-credentials token of the
// operator's client (role platform.admin), and every problem+json answer comes back as a typed
// libs/apperr error, so the reconciler can name the reason in a condition.
package platformapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"egov.vn/platform/libs/apperr"
)

// Credentials are the operator's own identity client.
type Credentials struct {
	Issuer       string // identity's issuer URL as the operator reaches it, e.g. http://identity:8080/auth
	ClientID     string
	ClientSecret string
}

// Client sends JSON requests with the operator's bearer token.
type Client struct {
	plain  *http.Client // for discovery and the token endpoint
	bearer *http.Client // adds the token
}

// NewClient returns a client whose token comes from the issuer's token endpoint, found through
// discovery the first time it is needed (identity may well be down when the operator starts).
func NewClient(creds Credentials, base *http.Client) *Client {
	if base == nil {
		base = http.DefaultClient
	}
	ts := &discoveringSource{creds: creds, http: base}
	return &Client{
		plain:  base,
		bearer: &http.Client{Transport: &oauth2.Transport{Source: oauth2.ReuseTokenSource(nil, ts), Base: base.Transport}, Timeout: base.Timeout},
	}
}

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
		TokenEndpoint string `json:"token_endpoint"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return "", apperr.Unavailable("identity", fmt.Errorf("discovery at %s: %w", url, err))
	}
	if doc.TokenEndpoint == "" {
		return "", apperr.Unavailable("identity", fmt.Errorf("discovery at %s has no token_endpoint", url))
	}
	return doc.TokenEndpoint, nil
}

// problem is the RFC 9457 answer of every platform service.
type problem struct {
	Title  string              `json:"title"`
	Status int                 `json:"status"`
	Detail string              `json:"detail"`
	Code   string              `json:"code"`
	Fields []apperr.FieldError `json:"fields"`
}

// do sends in as JSON (nil for no body) and decodes a 2xx answer into out (nil to drop it). It
// returns the HTTP status for callers that tell 200 from 201. dependency names the service in
// errors.
func (c *Client) do(ctx context.Context, dependency, method, url string, in, out any) (int, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.bearer.Do(req)
	if err != nil {
		if e := apperr.As(err); e != nil { // from the token source
			return 0, e
		}
		return 0, apperr.Unavailable(dependency, err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return resp.StatusCode, apperr.Unavailable(dependency, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out != nil {
			if err := json.Unmarshal(data, out); err != nil {
				return resp.StatusCode, fmt.Errorf("%s %s %s: decode answer: %w", dependency, method, url, err)
			}
		}
		return resp.StatusCode, nil
	}
	return resp.StatusCode, problemError(dependency, method, url, resp.StatusCode, data)
}

// problemError turns an error answer into the apperr kind it stands for, keeping the service's
// code, message and field reasons so a condition can show them.
func problemError(dependency, method, url string, status int, data []byte) error {
	var p problem
	_ = json.Unmarshal(data, &p)
	msg := p.Detail
	if msg == "" {
		msg = p.Title
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	msg = fmt.Sprintf("%s answered %d to %s %s: %s", dependency, status, method, url, msg)
	var e *apperr.Error
	switch status {
	case http.StatusNotFound:
		e = &apperr.Error{Kind: apperr.KindNotFound, Code: "not_found", Message: msg}
	case http.StatusConflict:
		e = apperr.Conflict(p.Code, msg)
	case http.StatusUnprocessableEntity:
		e = apperr.InvalidFields(p.Fields...).WithMessage(msg)
	case http.StatusBadRequest:
		e = apperr.Malformed("", msg)
	case http.StatusUnauthorized:
		e = apperr.Unauthenticated(msg)
	case http.StatusForbidden:
		e = apperr.Forbidden(msg)
	default:
		e = apperr.Unavailable(dependency, errors.New(msg))
	}
	if p.Code != "" {
		e.Code = p.Code
	}
	return e
}
