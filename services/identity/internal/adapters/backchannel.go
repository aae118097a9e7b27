package adapters

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/crypto"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"egov.vn/platform/libs/telemetry"
)

// Backchannel sends OpenID Connect Back-Channel Logout tokens to relying parties.
type Backchannel struct {
	issuer string
	keys   *KeyRing
	client *http.Client
	log    *slog.Logger
}

// NewBackchannel returns a sender; client should have a short timeout (a relying party that does
// not answer must not hold up the person signing out).
func NewBackchannel(issuer string, keys *KeyRing, client *http.Client, log *slog.Logger) *Backchannel {
	return &Backchannel{issuer: issuer, keys: keys, client: telemetry.HTTPClient(client), log: log}
}

// logoutTokenLifetime is short: the token is delivered at once or not at all.
const logoutTokenLifetime = 2 * time.Minute

// Send posts a logout token for (sub, sid) to clientID's back-channel URI, retrying twice on
// network errors and 5xx answers.
func (b *Backchannel) Send(ctx context.Context, clientID, uri, sub, sid string) error {
	key, err := b.keys.Signing(ctx)
	if err != nil {
		return err
	}
	claims := oidc.NewLogoutTokenClaims(b.issuer, sub, oidc.Audience{clientID}, time.Now().Add(logoutTokenLifetime), uuid.NewString(), sid, 0)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key.PrivateKey, KeyID: key.ID}},
		(&jose.SignerOptions{}).WithType("logout+jwt"))
	if err != nil {
		return err
	}
	token, err := crypto.Sign(claims, signer)
	if err != nil {
		return err
	}
	body := url.Values{"logout_token": {token}}.Encode()
	var last error
	for attempt := range 3 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, uri, strings.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := b.client.Do(req)
		if err != nil {
			last = err
			continue
		}
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusNoContent {
			return nil
		}
		last = fmt.Errorf("%s answered %d", clientID, resp.StatusCode)
		if resp.StatusCode < 500 {
			break // the relying party refused the token; sending it again changes nothing
		}
	}
	b.log.WarnContext(ctx, "back-channel logout not delivered", "client_id", clientID, "sid", sid, "error", last)
	return last
}
