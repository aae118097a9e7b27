package adapters

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/identity/internal/domain"
)

// SigningAlgorithm is ES256: signing costs ~30 µs against RS256's ~1 ms on this hardware, which
// is what lets one core issue well over a thousand tokens a second.
const SigningAlgorithm = "ES256"

// KeyRing keeps identity's signing keys in the database so every replica signs with the same
// key and publishes the same set. A key signs for RotateEvery; it then stays published for
// MaxTokenLifetime more, so tokens it signed verify until they expire, and is dropped after.
type KeyRing struct {
	db               *gorm.DB
	seal             cipher.AEAD // encrypts private keys at rest; nil stores them as plain PEM
	rotateEvery      time.Duration
	maxTokenLifetime time.Duration
	now              func() time.Time

	mu          sync.Mutex
	cached      *domain.SigningKey
	cachedUntil time.Time
}

// NewKeyRing returns a key ring; now is the clock (time.Now in production, a fixed clock in tests).
func NewKeyRing(db *gorm.DB, rotateEvery, maxTokenLifetime time.Duration, now func() time.Time) *KeyRing {
	if now == nil {
		now = time.Now
	}
	return &KeyRing{db: db, rotateEvery: rotateEvery, maxTokenLifetime: maxTokenLifetime, now: now}
}

// EncryptKeysWith makes the ring store new private keys encrypted (AES-256-GCM with key, 32
// bytes), so a copy of the database alone cannot sign tokens. Keys stored before stay readable.
func (k *KeyRing) EncryptKeysWith(key []byte) error {
	block, err := aes.NewCipher(key)
	if err != nil {
		return fmt.Errorf("identity: key encryption: %w", err)
	}
	k.seal, err = cipher.NewGCM(block)
	return err
}

// sealedPrefix marks an encrypted private key: "v1:" + base64(nonce ‖ ciphertext of the PEM).
const sealedPrefix = "v1:"

func (k *KeyRing) sealPEM(id string, pemBytes []byte) (string, error) {
	if k.seal == nil {
		return string(pemBytes), nil
	}
	nonce := make([]byte, k.seal.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	// The key id is the additional data: a sealed key copied onto another row does not open.
	return sealedPrefix + base64.StdEncoding.EncodeToString(k.seal.Seal(nonce, nonce, pemBytes, []byte(id))), nil
}

func (k *KeyRing) openPEM(row signingKeyRow) ([]byte, error) {
	b64, sealed := strings.CutPrefix(row.PrivatePEM, sealedPrefix)
	if !sealed {
		return []byte(row.PrivatePEM), nil
	}
	if k.seal == nil {
		return nil, fmt.Errorf("signing key %s is encrypted and no key to open it is configured", row.ID)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) < k.seal.NonceSize() {
		return nil, fmt.Errorf("signing key %s: damaged", row.ID)
	}
	plain, err := k.seal.Open(nil, raw[:k.seal.NonceSize()], raw[k.seal.NonceSize():], []byte(row.ID))
	if err != nil {
		return nil, fmt.Errorf("signing key %s cannot be opened: was IDENTITY_SECRET_KEY changed? "+
			"Restore it, or delete the rows of signing_keys (everyone signs in again)", row.ID)
	}
	return plain, nil
}

// keyCacheFor bounds how long a replica reuses the signing key it read: a rotation made by
// another replica is picked up within this time, and both keys are published meanwhile.
const keyCacheFor = 30 * time.Second

// Signing returns the current signing key, creating one when none is valid (first start, or the
// last one's signing time ran out).
func (k *KeyRing) Signing(ctx context.Context) (*domain.SigningKey, error) {
	now := k.now()
	k.mu.Lock()
	if k.cached != nil && now.Before(k.cachedUntil) {
		key := k.cached
		k.mu.Unlock()
		return key, nil
	}
	k.mu.Unlock()

	key, err := k.current(ctx, now)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		key, err = k.create(ctx, now, false)
	}
	if err != nil {
		return nil, fmt.Errorf("identity: signing key: %w", err)
	}
	until := now.Add(keyCacheFor)
	if key.SignUntil.Before(until) {
		until = key.SignUntil
	}
	k.mu.Lock()
	k.cached, k.cachedUntil = key, until
	k.mu.Unlock()
	return key, nil
}

func (k *KeyRing) current(ctx context.Context, now time.Time) (*domain.SigningKey, error) {
	var row signingKeyRow
	err := k.db.WithContext(ctx).Where("created_at <= ? AND sign_until > ?", now, now).
		Order("created_at DESC").Take(&row).Error
	if err != nil {
		return nil, err
	}
	return k.parseKey(row)
}

// Rotate retires the current signing key now and makes a new one.
func (k *KeyRing) Rotate(ctx context.Context) (*domain.SigningKey, error) {
	key, err := k.create(ctx, k.now(), true)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	k.cached, k.cachedUntil = nil, time.Time{}
	k.mu.Unlock()
	return key, nil
}

// keysLock serialises key creation between replicas on PostgreSQL; SQLite's immediate
// transactions already do.
const keysLock int64 = 0x65676f760102

func (k *KeyRing) create(ctx context.Context, now time.Time, retireCurrent bool) (*domain.SigningKey, error) {
	var out *domain.SigningKey
	err := k.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if store.Dialect(tx) == store.Postgres {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", keysLock).Error; err != nil {
				return err
			}
		}
		if retireCurrent {
			err := tx.Model(&signingKeyRow{}).Where("sign_until > ?", now).Updates(map[string]any{
				"sign_until": now, "publish_until": now.Add(k.maxTokenLifetime),
			}).Error
			if err != nil {
				return err
			}
		} else {
			// Another replica may have made one while this one waited for the lock, possibly
			// stamped a moment after this replica's now (clocks differ by milliseconds).
			var row signingKeyRow
			err := tx.Where("sign_until > ?", now).Order("created_at DESC").Take(&row).Error
			if err == nil {
				out, err = k.parseKey(row)
				return err
			}
			if !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
		}
		priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		der, err := x509.MarshalPKCS8PrivateKey(priv)
		if err != nil {
			return err
		}
		id := uuid.NewString()
		stored, err := k.sealPEM(id, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
		if err != nil {
			return err
		}
		row := signingKeyRow{
			ID: id, Algorithm: SigningAlgorithm, CreatedAt: now, PrivatePEM: stored,
			SignUntil:    now.Add(k.rotateEvery),
			PublishUntil: now.Add(k.rotateEvery + k.maxTokenLifetime),
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		out = &domain.SigningKey{ID: row.ID, PrivateKey: priv, SignUntil: row.SignUntil}
		return nil
	})
	return out, err
}

// Published returns the keys a verifier must know now: the signing key and every retired key
// whose tokens may still be valid.
func (k *KeyRing) Published(ctx context.Context) ([]domain.PublicKey, error) {
	if _, err := k.Signing(ctx); err != nil { // a fresh install publishes its first key at once
		return nil, err
	}
	now := k.now()
	var rows []signingKeyRow
	// No created_at bound: a replica whose clock is a little behind must still publish the key
	// another replica already signs with.
	if err := k.db.WithContext(ctx).Where("publish_until > ?", now).
		Order("created_at DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]domain.PublicKey, 0, len(rows))
	for _, r := range rows {
		key, err := k.parseKey(r)
		if err != nil {
			return nil, err
		}
		out = append(out, domain.PublicKey{ID: key.ID, PublicKey: &key.PrivateKey.PublicKey})
	}
	return out, nil
}

func (k *KeyRing) parseKey(row signingKeyRow) (*domain.SigningKey, error) {
	pemBytes, err := k.openPEM(row)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, fmt.Errorf("signing key %s: not PEM", row.ID)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", row.ID, err)
	}
	priv, ok := parsed.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("signing key %s: not an ECDSA key", row.ID)
	}
	return &domain.SigningKey{ID: row.ID, PrivateKey: priv, SignUntil: row.SignUntil}, nil
}
