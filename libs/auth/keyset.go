package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// signingAlgorithms are the JWS algorithms identity signs with. Anything else (including "none"
// and HMAC algorithms keyed with a public key) is refused before a key is looked at.
var signingAlgorithms = []jose.SignatureAlgorithm{jose.ES256}

const (
	// keysMaxAge is how long fetched keys are used before they are read again, so that a key
	// identity has withdrawn stops verifying new tokens within this time.
	keysMaxAge = 5 * time.Minute
	// keysMinInterval bounds how often a token naming an unknown key makes us fetch the JWKS:
	// without it every forged token would cost identity one request (go-oidc's RemoteKeySet
	// fetches again on every failed signature).
	keysMinInterval = 5 * time.Second
	// keysFetchTimeout bounds one JWKS request.
	keysFetchTimeout = 10 * time.Second
	// keysMaxBytes caps the JWKS document we read.
	keysMaxBytes = 1 << 20
)

var (
	errUnknownKey   = errors.New("the token is signed with a key the identity service does not publish")
	errBadSignature = errors.New("the token's signature does not match its contents")
)

// keysUnavailableError means the JWKS could not be fetched, so the token could not be checked.
type keysUnavailableError struct{ err error }

func (e *keysUnavailableError) Error() string {
	return "the identity service's signing keys could not be fetched: " + e.err.Error()
}
func (e *keysUnavailableError) Unwrap() error { return e.err }

// malformedError means the token is not a compact JWS we accept.
type malformedError struct{ err error }

func (e *malformedError) Error() string { return "malformed token: " + e.err.Error() }
func (e *malformedError) Unwrap() error { return e.err }

// verifyReport carries what the key set found back to the caller of go-oidc, which flattens key
// set errors into strings (fmt.Errorf with %v): through the context we keep the error's type, and
// the verified payload, so the caller can say precisely why a token was refused.
type verifyReport struct {
	kid     string
	err     error
	payload []byte // set once the signature has been verified
}

type verifyReportKey struct{}

func withVerifyReport(ctx context.Context) (context.Context, *verifyReport) {
	r := &verifyReport{}
	return context.WithValue(ctx, verifyReportKey{}, r), r
}

// keySet is identity's JSON Web Key Set, implementing go-oidc's KeySet. It is fetched on first
// use, not at construction (identity may start after us), again after keysMaxAge, and at once
// when a token names a key it does not hold (key rotation), at most every keysMinInterval. It is
// ours rather than go-oidc's RemoteKeySet because that one refetches on every failed signature
// and cannot tell an unknown key from a bad signature.
type keySet struct {
	url    string
	client *http.Client
	now    func() time.Time

	mu      sync.RWMutex
	keys    []jose.JSONWebKey
	fetched time.Time // last successful fetch
	checked time.Time // last finished fetch attempt, successful or not
	lastErr error     // error of that attempt

	fetching sync.Mutex // one fetch at a time
}

func newKeySet(url string, client *http.Client, now func() time.Time) *keySet {
	return &keySet{url: url, client: client, now: now}
}

// VerifySignature implements oidc.KeySet.
func (k *keySet) VerifySignature(ctx context.Context, raw string) ([]byte, error) {
	report, _ := ctx.Value(verifyReportKey{}).(*verifyReport)
	if report == nil {
		report = &verifyReport{}
	}
	payload, err := k.verify(ctx, raw, report)
	report.err = err
	report.payload = payload
	return payload, err
}

func (k *keySet) verify(ctx context.Context, raw string, report *verifyReport) ([]byte, error) {
	jws, err := jose.ParseSignedCompact(raw, signingAlgorithms)
	if err != nil {
		return nil, &malformedError{err}
	}
	if len(jws.Signatures) != 1 {
		return nil, &malformedError{errors.New("expected exactly one signature")}
	}
	kid := jws.Signatures[0].Header.KeyID
	report.kid = kid

	keys, err := k.current(ctx)
	if err != nil {
		return nil, err
	}
	payload, err := verifyWith(jws, keys, kid)
	if !errors.Is(err, errUnknownKey) {
		return payload, err
	}
	keys, err = k.refresh(ctx)
	if err != nil {
		return nil, err
	}
	return verifyWith(jws, keys, kid)
}

// current returns the keys to try first: the cached ones, read again when older than
// keysMaxAge by whichever request notices first (the others keep using the old keys meanwhile),
// or fetched now when there are none yet.
func (k *keySet) current(ctx context.Context) ([]jose.JSONWebKey, error) {
	k.mu.RLock()
	keys, fetched, checked := k.keys, k.fetched, k.checked
	k.mu.RUnlock()
	now := k.now()
	if fetched.IsZero() {
		return k.refresh(ctx)
	}
	if now.Sub(fetched) > keysMaxAge && now.Sub(checked) >= keysMinInterval && k.fetching.TryLock() {
		defer k.fetching.Unlock()
		if fresh, err := k.fetchLocked(ctx); err == nil {
			return fresh, nil
		}
		// Identity is unreachable: the keys we have are still the best answer.
	}
	return keys, nil
}

// refresh fetches the JWKS unless another request fetched it while we waited for the lock, or
// the last attempt is younger than keysMinInterval; either way it returns the freshest keys.
func (k *keySet) refresh(ctx context.Context) ([]jose.JSONWebKey, error) {
	k.mu.RLock()
	seen := k.checked
	k.mu.RUnlock()

	k.fetching.Lock()
	defer k.fetching.Unlock()

	k.mu.RLock()
	keys, checked, lastErr := k.keys, k.checked, k.lastErr
	k.mu.RUnlock()
	if checked.After(seen) || (!checked.IsZero() && k.now().Sub(checked) < keysMinInterval) {
		if keys == nil && lastErr != nil {
			return nil, &keysUnavailableError{lastErr}
		}
		return keys, nil
	}
	return k.fetchLocked(ctx)
}

// fetchLocked downloads the JWKS and records the outcome; k.fetching must be held.
func (k *keySet) fetchLocked(ctx context.Context) ([]jose.JSONWebKey, error) {
	// Not cancelled with the request that happens to fetch: others are waiting for the result.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), keysFetchTimeout)
	defer cancel()
	keys, err := k.download(ctx)

	k.mu.Lock()
	defer k.mu.Unlock()
	k.checked = k.now()
	k.lastErr = err
	if err != nil {
		if k.keys == nil {
			return nil, &keysUnavailableError{err}
		}
		return k.keys, nil
	}
	k.keys, k.fetched = keys, k.checked
	return keys, nil
}

func (k *keySet) download(ctx context.Context) ([]jose.JSONWebKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return nil, fmt.Errorf("JWKS request for %s: %w", k.url, err)
	}
	req.Header.Set("Accept", "application/json")
	res, err := k.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", k.url, err)
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %s", k.url, res.Status)
	}
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, keysMaxBytes)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("GET %s: not a JWKS document: %w", k.url, err)
	}
	keys := make([]jose.JSONWebKey, 0, len(doc.Keys))
	for _, raw := range doc.Keys {
		var key jose.JSONWebKey
		// A key we cannot use (another type, encryption) must not hide the others.
		if err := key.UnmarshalJSON(raw); err != nil || key.Use == "enc" {
			continue
		}
		// Public drops private parts a misconfigured JWKS might carry, and symmetric keys.
		if pub := key.Public(); pub.Valid() {
			keys = append(keys, pub)
		}
	}
	return keys, nil
}

// verifyWith checks the signature with the key named kid (every key when the token names none).
func verifyWith(jws *jose.JSONWebSignature, keys []jose.JSONWebKey, kid string) ([]byte, error) {
	tried := false
	for i := range keys {
		if kid != "" && keys[i].KeyID != kid {
			continue
		}
		tried = true
		if payload, err := jws.Verify(&keys[i]); err == nil {
			return payload, nil
		}
	}
	if !tried {
		return nil, errUnknownKey
	}
	return nil, errBadSignature
}
