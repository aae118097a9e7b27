package config

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// RootKeyHint says how to make a root key; config errors quote it.
const RootKeyHint = "must be 64 hex characters (32 random bytes), e.g. from `openssl rand -hex 32`"

// CheckRootKey validates a root key given in the environment (SECRET_KEY); empty is allowed
// because RootKey then falls back to its file.
func CheckRootKey(variable, value string) error {
	if value == "" {
		return nil
	}
	if b, err := hex.DecodeString(value); err != nil || len(b) != 32 {
		return Invalid(variable, RootKeyHint)
	}
	return nil
}

// RootKey returns a service's 32-byte root secret: value (64 hex characters) when set, else the
// key kept in file, which is created with a random key the first time. A cluster sets the value
// from a Secret so every replica shares it; the local stack keeps its generated key under ./var.
func RootKey(value, file string) ([]byte, error) {
	if value != "" {
		return hex.DecodeString(value)
	}
	b, err := os.ReadFile(file)
	if err == nil {
		key, derr := hex.DecodeString(strings.TrimSpace(string(b)))
		if derr != nil || len(key) != 32 {
			return nil, fmt.Errorf("%s does not hold 64 hex characters; delete it to make a new key (everyone is signed out)", file)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails on supported platforms
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(file, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, err
	}
	return key, nil
}

// DeriveKey makes an independent 32-byte key for one purpose from a root key (HKDF-SHA256), so
// one configured secret yields separate cookie, flash and encryption keys.
func DeriveKey(root []byte, service, purpose string) []byte {
	k, err := hkdf.Key(sha256.New, root, nil, "egov "+service+" "+purpose, 32)
	if err != nil {
		panic(err) // only for lengths HKDF cannot make; 32 bytes from SHA-256 always works
	}
	return k
}
