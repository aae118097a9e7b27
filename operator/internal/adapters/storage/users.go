package storage

import (
	"bytes"
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"

	"github.com/secure-io/sio-go"
)

// A tenant's own MinIO user: named after its bucket, allowed that bucket alone through the
// bucket's policy (PolicyName). Its keys go into the tenant's Secret, for whatever runs in the
// tenant's namespace and needs the bucket; the platform's services keep their own credentials.
//
// MinIO's admin API takes a new user's secret key only encrypted with the caller's own secret
// key (the format madmin-go's EncryptData writes: salt | AEAD id | nonce | sio-go stream). The
// operator writes that format itself with sio-go (MIT) and the standard library's PBKDF2, for the
// same reason it signs the admin calls itself: madmin-go is AGPL-licensed.

// UserName is the MinIO user of the tenant whose bucket is bucket.
func UserName(bucket string) string { return bucket }

// User is a MinIO user as the admin API shows it.
type User struct {
	Exists     bool
	Enabled    bool
	PolicyName string
}

type userInfo struct {
	PolicyName string `json:"policyName"`
	Status     string `json:"status"`
}

// User reads a user; a missing one has Exists false.
func (s *Store) User(ctx context.Context, name string) (User, error) {
	body, err := s.adminCall(ctx, http.MethodGet, "user-info", url.Values{"accessKey": {name}}, nil)
	if err != nil {
		if isNotFound(err) || isNoSuchUser(err) {
			return User{}, nil
		}
		return User{}, err
	}
	var ui userInfo
	if err := json.Unmarshal(body, &ui); err != nil {
		return User{}, fmt.Errorf("storage: read user %s: %w", name, err)
	}
	return User{Exists: true, Enabled: ui.Status == "enabled", PolicyName: ui.PolicyName}, nil
}

// PutUser creates the user or gives it a new secret key, enabled.
func (s *Store) PutUser(ctx context.Context, name, secretKey string) error {
	plain, _ := json.Marshal(map[string]string{"secretKey": secretKey, "status": "enabled"})
	body, err := encryptForAdmin(s.cfg.SecretKey, plain)
	if err != nil {
		return err
	}
	_, err = s.adminCall(ctx, http.MethodPut, "add-user", url.Values{"accessKey": {name}}, body)
	return err
}

// SetUserEnabled turns a user on or off; a disabled user's keys stop working at once.
func (s *Store) SetUserEnabled(ctx context.Context, name string, enabled bool) error {
	status := "disabled"
	if enabled {
		status = "enabled"
	}
	_, err := s.adminCall(ctx, http.MethodPut, "set-user-status", url.Values{"accessKey": {name}, "status": {status}}, nil)
	return err
}

// AttachPolicy makes policy the user's (only) policy.
func (s *Store) AttachPolicy(ctx context.Context, name, policy string) error {
	_, err := s.adminCall(ctx, http.MethodPut, "set-user-or-group-policy",
		url.Values{"policyName": {policy}, "userOrGroup": {name}, "isGroup": {"false"}}, nil)
	return err
}

// RemoveUser deletes a user; a missing one is no error.
func (s *Store) RemoveUser(ctx context.Context, name string) error {
	_, err := s.adminCall(ctx, http.MethodDelete, "remove-user", url.Values{"accessKey": {name}}, nil)
	if err != nil && (isNotFound(err) || isNoSuchUser(err)) {
		return nil
	}
	return err
}

func isNoSuchUser(err error) bool {
	var ae *adminError
	return errors.As(err, &ae) && ae.Code == "XMinioAdminNoSuchUser"
}

// NewSecretKey makes a random secret key of MinIO's longest generated length (40).
func NewSecretKey() (string, error) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 40)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", err
		}
		b[i] = alphabet[n.Int64()]
	}
	return string(b), nil
}

// The admin API's encryption: a 32-byte salt, one byte naming the AEAD and key derivation, an
// 8-byte nonce, then the sio-go stream. The operator names 0x02, PBKDF2-SHA256 with 8,192 rounds
// then AES-256-GCM: the derivation madmin-go uses in FIPS mode, which every MinIO decrypts. Not
// 0x00 (argon2id, 64 MiB, 4 threads), madmin-go's default: each call then costs 64 MiB on both
// sides and MinIO derives those keys one at a time under a process-wide lock. Onboarding every
// commune of Vietnam, that killed the operator for memory at its 256 MiB limit (peak 805 MB
// unbounded) and queued MinIO behind one core. The password is MinIO's root secret, random and
// long, so a memory-hard derivation adds nothing a network attacker could not already try.
const (
	adminSaltLen     = 32
	pbkdf2SHA256GCM  = 0x02
	pbkdf2Iterations = 8192
)

func encryptForAdmin(password string, plain []byte) ([]byte, error) {
	salt := make([]byte, adminSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	key, err := pbkdf2.Key(sha256.New, password, salt, pbkdf2Iterations, 32)
	if err != nil {
		return nil, err
	}
	stream, err := sio.AES_256_GCM.Stream(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, stream.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Write(salt)
	out.WriteByte(pbkdf2SHA256GCM)
	out.Write(nonce)
	w := stream.EncryptWriter(&out, nonce, nil)
	if _, err := w.Write(plain); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
