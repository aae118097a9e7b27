package adapters

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"

	"github.com/alexedwards/argon2id"
)

// NewSecret returns 32 random bytes, base64url: client secrets, refresh tokens, session cookies
// and authorization codes.
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret is SHA-256, hex. High-entropy secrets need no slow hash (nobody can guess 256 random
// bits), and a fast one keeps client-credentials grants cheap; passwords use argon2id instead.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// SecretMatches compares a presented secret with a stored hash in constant time.
func SecretMatches(secret, hash string) bool {
	return subtle.ConstantTimeCompare([]byte(HashSecret(secret)), []byte(hash)) == 1
}

// PasswordHasher hashes passwords with argon2id (RFC 9106).
type PasswordHasher struct {
	params *argon2id.Params
	dummy  string // a hash to verify against when the username is unknown
}

// NewPasswordHasher uses memory KiB, iterations and parallelism; see config for the defaults.
func NewPasswordHasher(memoryKiB uint32, iterations uint32, parallelism uint8) *PasswordHasher {
	h := &PasswordHasher{params: &argon2id.Params{
		Memory: memoryKiB, Iterations: iterations, Parallelism: parallelism, SaltLength: 16, KeyLength: 32,
	}}
	h.dummy, _ = h.Hash(NewSecret())
	return h
}

// Hash returns the PHC-format hash of password (parameters and salt included).
func (h *PasswordHasher) Hash(password string) (string, error) {
	return argon2id.CreateHash(password, h.params)
}

// Verify reports whether password matches hash, with the parameters stored in the hash.
func (h *PasswordHasher) Verify(password, hash string) (bool, error) {
	return argon2id.ComparePasswordAndHash(password, hash)
}

// DummyVerify spends the time of one verification, so that an unknown username answers as slowly
// as a wrong password and does not reveal which usernames exist.
func (h *PasswordHasher) DummyVerify(password string) {
	_, _ = argon2id.ComparePasswordAndHash(password, h.dummy)
}

// Secrets is app.Secrets over NewSecret, HashSecret and SecretMatches.
type Secrets struct{}

// New returns a new random secret.
func (Secrets) New() string { return NewSecret() }

// Hash returns the stored form of a secret.
func (Secrets) Hash(secret string) string { return HashSecret(secret) }

// Matches compares a secret with a stored hash.
func (Secrets) Matches(secret, hash string) bool { return SecretMatches(secret, hash) }
