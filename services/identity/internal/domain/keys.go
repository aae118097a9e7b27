package domain

import (
	"crypto/ecdsa"
	"time"
)

// SigningKey is one of identity's token-signing keys: a private key with its key id, signing
// until SignUntil (the key ring rotates it then).
type SigningKey struct {
	ID         string
	PrivateKey *ecdsa.PrivateKey
	SignUntil  time.Time
}

// PublicKey is a key published in the JWKS, for verifiers.
type PublicKey struct {
	ID        string
	PublicKey *ecdsa.PublicKey
}
