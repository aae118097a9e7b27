package auth

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	lru "github.com/hashicorp/golang-lru/v2"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/telemetry"
)

// DefaultCacheSize is how many verified access tokens a Verifier remembers. At ~1 KB a token
// this is ~10 MB, and it holds every token of a busy hour's active sessions.
const DefaultCacheSize = 10_000

// DefaultEndedCheckInterval is how long a cached token is trusted to belong to a living session
// before the ended sessions are asked again. A logout therefore reaches every replica's API
// within this time, at the cost of at most one indexed query per active token per interval.
const DefaultEndedCheckInterval = time.Second

// DefaultIntrospectionInterval is how long identity's word that a token is in force is kept
// before it is asked again: a revoked token stops working within this time at every replica.
// Identity answers one call per active token per interval, not one per request.
const DefaultIntrospectionInterval = 30 * time.Second

// defaultHTTPTimeout bounds calls to identity when the caller gives no client.
const defaultHTTPTimeout = 10 * time.Second

// VerifierConfig configures NewVerifier.
type VerifierConfig struct {
	// Issuer is identity's issuer URL exactly as in its tokens' "iss", "http://localhost:8080/auth".
	Issuer string
	// Audience is this API's name as identity puts it in "aud"; tokens for others are refused.
	// Use the API's resource name, not the client id of the service's pages: ID and logout
	// tokens carry the client id as their audience.
	Audience string
	// JWKSURL is where identity publishes its keys; default Issuer+"/keys".
	JWKSURL string
	// HTTPClient fetches the keys; default a traced client with a 10 s timeout.
	HTTPClient *http.Client
	// CacheSize is how many verified tokens are remembered; default DefaultCacheSize.
	CacheSize int
	// Ended, when set, refuses tokens whose session has ended (back-channel logout records the
	// ends, NewEndedSessions keeps them): an access token dies with its sign-in session instead
	// of living on until it expires. NewService always sets it.
	Ended EndedSessions
	// EndedCheckInterval is how often a cached token's session is checked again; default
	// DefaultEndedCheckInterval.
	EndedCheckInterval time.Duration
	// Introspector, when set, asks identity whether a token was revoked: on first sight and
	// again once per IntrospectionInterval. NewService sets it when the service has its client
	// secret. When identity cannot answer, the token is kept (its signature, expiry and session
	// still hold) and the failure logged: identity being down must not stop every service.
	Introspector Introspector
	// IntrospectionInterval defaults to DefaultIntrospectionInterval.
	IntrospectionInterval time.Duration
}

// Verifier checks identity's bearer access tokens. Build one per process with NewVerifier and
// share it: it holds the key set and the cache of verified tokens. It is safe for concurrent use.
type Verifier struct {
	issuer   string
	audience string
	keys     *keySet
	oidc     *oidc.IDTokenVerifier
	cache    *lru.Cache[[sha256.Size]byte, *cachedToken]
	ended    EndedSessions
	recheck  time.Duration
	intro    Introspector
	reask    time.Duration
	now      func() time.Time
}

// cachedToken is a verified token, when its session was last found alive and when identity
// last said it was in force (Unix nanoseconds; atomic because concurrent requests with one
// token share the entry).
type cachedToken struct {
	claims       *Claims
	sessionAlive atomic.Int64
	inForce      atomic.Int64
}

// NewVerifier checks cfg and returns a Verifier. It makes no network call: keys are fetched when
// the first token arrives, so the service may start before identity.
func NewVerifier(_ context.Context, cfg VerifierConfig) (*Verifier, error) {
	if err := checkIssuer("VerifierConfig.Issuer", cfg.Issuer); err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.Audience) == "" {
		return nil, errors.New("auth: VerifierConfig.Audience is required: the API's name in identity's tokens (\"aud\")")
	}
	jwks, err := jwksURL("VerifierConfig.JWKSURL", cfg.JWKSURL, cfg.Issuer)
	if err != nil {
		return nil, err
	}
	if cfg.CacheSize < 0 {
		return nil, fmt.Errorf("auth: VerifierConfig.CacheSize %d must not be negative (0 means %d)", cfg.CacheSize, DefaultCacheSize)
	}
	if cfg.CacheSize == 0 {
		cfg.CacheSize = DefaultCacheSize
	}
	if cfg.EndedCheckInterval < 0 {
		return nil, fmt.Errorf("auth: VerifierConfig.EndedCheckInterval %s must not be negative (0 means %s)", cfg.EndedCheckInterval, DefaultEndedCheckInterval)
	}
	if cfg.EndedCheckInterval == 0 {
		cfg.EndedCheckInterval = DefaultEndedCheckInterval
	}
	if cfg.IntrospectionInterval < 0 {
		return nil, fmt.Errorf("auth: VerifierConfig.IntrospectionInterval %s must not be negative (0 means %s)", cfg.IntrospectionInterval, DefaultIntrospectionInterval)
	}
	if cfg.IntrospectionInterval == 0 {
		cfg.IntrospectionInterval = DefaultIntrospectionInterval
	}
	cache, err := lru.New[[sha256.Size]byte, *cachedToken](cfg.CacheSize)
	if err != nil {
		return nil, fmt.Errorf("auth: token cache: %w", err)
	}
	v := &Verifier{issuer: cfg.Issuer, audience: cfg.Audience, cache: cache, ended: cfg.Ended,
		recheck: cfg.EndedCheckInterval, intro: cfg.Introspector, reask: cfg.IntrospectionInterval, now: time.Now}
	v.keys = newKeySet(jwks, httpClient(cfg.HTTPClient), v.clock)
	v.oidc = oidc.NewVerifier(cfg.Issuer, v.keys, &oidc.Config{
		ClientID:             cfg.Audience,
		SupportedSigningAlgs: algorithmNames(),
		Now:                  v.clock,
	})
	return v, nil
}

// clock indirects v.now so that tests can move time for the key set and go-oidc as well.
func (v *Verifier) clock() time.Time { return v.now() }

// accessTokenClaims is the access token's payload as identity writes it.
type accessTokenClaims struct {
	Issuer    string      `json:"iss"`
	Subject   string      `json:"sub"`
	Audience  audience    `json:"aud"`
	Expiry    numericDate `json:"exp"`
	IssuedAt  numericDate `json:"iat"`
	NotBefore numericDate `json:"nbf"`
	ClientID  string      `json:"client_id"`
	Tenant    string      `json:"tenant"`
	Roles     []string    `json:"roles"`
	Name      string      `json:"name"`
	SessionID string      `json:"sid"`
	StaffID   string      `json:"staff_id"`
	// Present only in ID tokens and logout tokens: refused, so that neither can be replayed as
	// an access token when the API's audience equals a client id.
	Nonce  json.RawMessage `json:"nonce"`
	Events json.RawMessage `json:"events"`
}

// Verify checks a raw access token (signature with identity's keys, issuer, audience, expiry)
// and returns its claims. A token verified before is answered from the cache until it expires,
// which is what brings the cost of a request from an ECDSA verification (~75 µs) to a hash.
// With VerifierConfig.Ended, a token whose session has ended is refused (reason session_ended);
// a cached token's session is checked again once per EndedCheckInterval. With
// VerifierConfig.Introspector, identity is asked whether the token was revoked (reason revoked)
// on first sight and once per IntrospectionInterval.
//
// Every refusal is an apperr.KindUnauthenticated error with code "invalid_token", a message
// saying what to fix and a "reason" detail (malformed, expired, wrong_audience, wrong_issuer,
// bad_signature, unknown_key, not_yet_valid, missing_subject, not_an_access_token,
// session_ended, revoked, invalid); the token itself is never echoed. When identity's keys cannot be fetched at all the error is apperr.KindUnavailable:
// the token may well be good, and the caller should retry rather than sign in again.
func (v *Verifier) Verify(ctx context.Context, raw string) (*Claims, error) {
	if raw == "" {
		return nil, invalidToken("malformed", "the access token is empty")
	}
	key := sha256.Sum256([]byte(raw))
	if e, ok := v.cache.Get(key); ok {
		now := v.now()
		if now.Before(e.claims.Expiry) {
			if now.UnixNano()-e.sessionAlive.Load() >= int64(v.recheck) {
				if err := v.checkSession(ctx, e.claims); err != nil {
					v.cache.Remove(key)
					return nil, err
				}
				e.sessionAlive.Store(now.UnixNano())
			}
			// One request asks identity again; those arriving meanwhile use the last answer.
			if last := e.inForce.Load(); now.UnixNano()-last >= int64(v.reask) && e.inForce.CompareAndSwap(last, now.UnixNano()) {
				if err := v.checkRevoked(ctx, raw); err != nil {
					v.cache.Remove(key)
					return nil, err
				}
			}
			return e.claims.clone(), nil
		}
		// Expired since it was cached: drop it and let the full check report why.
		v.cache.Remove(key)
	}

	ctx, report := withVerifyReport(ctx)
	tok, err := v.oidc.Verify(ctx, raw)
	if err != nil {
		return nil, v.explain(err, report)
	}
	var tc accessTokenClaims
	if err := tok.Claims(&tc); err != nil {
		return nil, invalidToken("malformed", "the access token's claims are not valid JSON of the expected shape").WithCause(err)
	}
	if tc.Subject == "" {
		return nil, invalidToken("missing_subject", "the access token has no subject (\"sub\")")
	}
	if len(tc.Nonce) > 0 || len(tc.Events) > 0 {
		return nil, invalidToken("not_an_access_token", "this is an ID token or a logout token, not an access token; send the access_token from identity's token response")
	}
	c := &Claims{
		Subject:   tc.Subject,
		Tenant:    tc.Tenant,
		Name:      tc.Name,
		SessionID: tc.SessionID,
		StaffID:   tc.StaffID,
		ClientID:  tc.ClientID,
		Roles:     tc.Roles,
		Audience:  tc.Audience,
		Expiry:    tok.Expiry,
		IssuedAt:  tok.IssuedAt,
	}
	if err := v.checkSession(ctx, c); err != nil {
		return nil, err
	}
	if err := v.checkRevoked(ctx, raw); err != nil {
		return nil, err
	}
	e := &cachedToken{claims: c}
	e.sessionAlive.Store(v.now().UnixNano())
	e.inForce.Store(v.now().UnixNano())
	v.cache.Add(key, e)
	return c.clone(), nil
}

// checkRevoked asks identity, when an Introspector is set, whether the token is still in force.
func (v *Verifier) checkRevoked(ctx context.Context, raw string) error {
	if v.intro == nil {
		return nil
	}
	active, err := v.intro.Active(ctx, raw)
	if err != nil {
		telemetry.Logger(ctx).WarnContext(ctx, "auth: identity could not say whether an access token was revoked; it is accepted on its signature",
			"error", err.Error())
		return nil
	}
	if !active {
		return invalidToken("revoked", "the access token was revoked, or its sign-in ended; sign in again")
	}
	return nil
}

// checkSession refuses a token whose sign-in session has ended. When the ended sessions cannot
// be read the token is refused as unavailable (503, retry), not accepted: a logout must hold.
func (v *Verifier) checkSession(ctx context.Context, c *Claims) error {
	if v.ended == nil {
		return nil
	}
	ended, err := v.ended.Ended(ctx, c.SessionID, c.Subject, c.IssuedAt)
	if err != nil {
		return apperr.Unavailable("the record of ended sessions", err)
	}
	if ended {
		return invalidToken("session_ended", "the sign-in session of this access token has ended (signed out); sign in again")
	}
	return nil
}

// explain turns go-oidc's error into one a developer can act on, using what the key set
// reported and, once the signature held, the payload's own claims.
func (v *Verifier) explain(err error, report *verifyReport) *apperr.Error {
	var (
		expired   *oidc.TokenExpiredError
		malformed *malformedError
		noKeys    *keysUnavailableError
	)
	switch {
	case errors.As(report.err, &noKeys):
		return apperr.Unavailable("the identity service (its signing keys)", noKeys)
	case errors.As(report.err, &malformed):
		return invalidToken("malformed", "the access token is not a JWT signed with "+algorithmList()).WithCause(err)
	case errors.Is(report.err, errUnknownKey):
		return invalidToken("unknown_key", fmt.Sprintf(
			"the access token is signed with key %q, which the identity service at %s does not publish: "+
				"it comes from another identity service or environment, or its key has been withdrawn; get a new token",
			report.kid, v.issuer))
	case errors.Is(report.err, errBadSignature):
		return invalidToken("bad_signature", "the access token's signature does not match its contents: it was altered or corrupted")
	case errors.As(err, &expired):
		return invalidToken("expired", fmt.Sprintf("the access token expired at %s; get a new one from the identity service",
			expired.Expiry.UTC().Format(time.RFC3339)))
	case report.payload == nil:
		// go-oidc refused it before asking for a key: not a JWS, or another algorithm.
		return invalidToken("malformed", "the access token is not a JWT signed with "+algorithmList()).WithCause(err)
	}
	var tc accessTokenClaims
	if jerr := json.Unmarshal(report.payload, &tc); jerr != nil {
		return invalidToken("malformed", "the access token's claims are not valid JSON of the expected shape").WithCause(err)
	}
	switch {
	case tc.Issuer != v.issuer:
		return invalidToken("wrong_issuer", fmt.Sprintf("the access token was issued by %q, but this service trusts %q", tc.Issuer, v.issuer))
	case !slices.Contains(tc.Audience, v.audience):
		return invalidToken("wrong_audience", fmt.Sprintf("the access token is meant for %q, not for this service (%q); ask identity for a token with this audience",
			[]string(tc.Audience), v.audience))
	case !tc.NotBefore.IsZero() && v.now().Before(tc.NotBefore.Time()):
		return invalidToken("not_yet_valid", "the access token is not valid yet (\"nbf\"); check the clocks of this server and identity")
	}
	return invalidToken("invalid", "the access token was refused: "+err.Error()).WithCause(err)
}

func invalidToken(reason, message string) *apperr.Error {
	return &apperr.Error{
		Kind:    apperr.KindUnauthenticated,
		Code:    "invalid_token", // RFC 6750; httpapi puts it in WWW-Authenticate
		Message: message,
		Details: map[string]any{"reason": reason},
	}
}

func algorithmNames() []string {
	out := make([]string, len(signingAlgorithms))
	for i, a := range signingAlgorithms {
		out[i] = string(a)
	}
	return out
}

func algorithmList() string { return strings.Join(algorithmNames(), " or ") }

func httpClient(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return telemetry.HTTPClient(&http.Client{Timeout: defaultHTTPTimeout})
}

// checkIssuer fails fast on an issuer that could never equal the "iss" identity writes.
func checkIssuer(field, issuer string) error {
	if issuer == "" {
		return fmt.Errorf("auth: %s is required: identity's issuer URL, e.g. http://localhost:8080/auth", field)
	}
	u, err := url.Parse(issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("auth: %s %q must be an absolute http(s) URL, e.g. http://localhost:8080/auth", field, issuer)
	}
	if strings.HasSuffix(issuer, "/") || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("auth: %s %q must have no trailing slash, query or fragment: it is compared with the tokens' \"iss\" exactly", field, issuer)
	}
	return nil
}

func jwksURL(field, configured, issuer string) (string, error) {
	if configured == "" {
		return issuer + "/keys", nil
	}
	u, err := url.Parse(configured)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("auth: %s %q must be an absolute http(s) URL", field, configured)
	}
	return configured, nil
}

// audience is "aud", which a JWT may write as one string or an array.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("aud must be a string or an array of strings: %w", err)
	}
	*a = many
	return nil
}

// numericDate is a JWT NumericDate: seconds since the epoch, possibly fractional.
type numericDate float64

func (d numericDate) IsZero() bool { return d == 0 }

func (d numericDate) Time() time.Time {
	sec := int64(d)
	return time.Unix(sec, int64((float64(d)-float64(sec))*1e9))
}
