package service_test

import (
	"errors"
	"strings"
	"testing"

	"egov.vn/platform/libs/config"
	"egov.vn/platform/services/identity/internal/service"
)

func TestConfigDefaultsRunTheLocalStack(t *testing.T) {
	cfg, err := config.Load[service.Config](config.WithPrefix("IDENTITY_"), config.WithEnvironment(map[string]string{}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DatabaseDSN != "sqlite://var/identity.db" || cfg.Argon2MemoryKiB != 19456 || cfg.KeyRotation.Hours() != 24 {
		t.Fatalf("defaults: %+v", cfg)
	}
}

func TestConfigNamesEveryBadVariable(t *testing.T) {
	_, err := config.Load[service.Config](config.WithPrefix("IDENTITY_"), config.WithEnvironment(map[string]string{
		"IDENTITY_SECRET_KEY":               "not-hex",
		"IDENTITY_KEY_ROTATION":             "5m",
		"IDENTITY_ROOT_TENANT_SLUG":         "Tỉnh Thái Bình",
		"IDENTITY_OPERATOR_CLIENT_ID":       "platform-operator",
		"IDENTITY_ACCESS_TOKEN_LIFETIME":    "0s",
		"IDENTITY_BOOTSTRAP_ADMIN_PASSWORD": "a-secret-password-1",
	}))
	var cerr *config.Error
	if !errors.As(err, &cerr) {
		t.Fatalf("want a config error, got %v", err)
	}
	msg := err.Error()
	for _, v := range []string{"IDENTITY_SECRET_KEY", "IDENTITY_KEY_ROTATION", "IDENTITY_ROOT_TENANT_SLUG", "IDENTITY_OPERATOR_CLIENT_SECRET", "IDENTITY_ACCESS_TOKEN_LIFETIME"} {
		if !strings.Contains(msg, v) {
			t.Errorf("the error does not name %s: %s", v, msg)
		}
	}
	if strings.Contains(msg, "not-hex") || strings.Contains(msg, "a-secret-password-1") {
		t.Errorf("the error shows a secret value: %s", msg)
	}
}
