package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Introspector asks identity whether an access token is still in force (RFC 7662): it is
// inactive once revoked (by id, or with its refresh-token family) or once its sign-in session
// has ended. The Verifier asks it for each token it has not seen and again once per
// IntrospectionInterval, never per request.
type Introspector interface {
	Active(ctx context.Context, raw string) (bool, error)
}

// HTTPIntrospector calls identity's introspection endpoint as a confidential client (HTTP Basic);
// identity answers about tokens issued to that client or addressed to it.
type HTTPIntrospector struct {
	URL          string // <issuer>/oauth/introspect, as reached from this service
	ClientID     string
	ClientSecret string
	HTTPClient   *http.Client
}

// maxIntrospectionAnswer bounds what is read of identity's answer: a few claims.
const maxIntrospectionAnswer = 64 << 10

// Active implements Introspector.
func (h *HTTPIntrospector) Active(ctx context.Context, raw string) (bool, error) {
	form := url.Values{"token": {raw}, "token_type_hint": {"access_token"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, strings.NewReader(form.Encode()))
	if err != nil {
		return false, fmt.Errorf("auth: introspection request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// RFC 6749 §2.3.1: the client id and secret are form-encoded before Basic encoding.
	req.SetBasicAuth(url.QueryEscape(h.ClientID), url.QueryEscape(h.ClientSecret))
	resp, err := httpClient(h.HTTPClient).Do(req)
	if err != nil {
		return false, fmt.Errorf("auth: introspection at %s: %w", h.URL, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxIntrospectionAnswer))
	if err != nil {
		return false, fmt.Errorf("auth: introspection at %s: %w", h.URL, err)
	}
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("auth: introspection at %s answered %d (is %s's client secret right?)", h.URL, resp.StatusCode, h.ClientID)
	}
	var out struct {
		Active bool `json:"active"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return false, fmt.Errorf("auth: introspection at %s: the answer is not JSON with \"active\": %w", h.URL, err)
	}
	return out.Active, nil
}
