package service

import (
	"errors"
	"time"

	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/config"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/services/identity/internal/adapters"
)

// Name names the service: its IDENTITY_* variables, its logs and spans, the admin API's audience.
const Name = "identity"

// Config is identity's configuration, read from IDENTITY_* variables.
type Config struct {
	config.Common

	// SecretKey (64 hex characters, 32 bytes) is the root of the keys that sign and encrypt
	// identity's cookies; every replica needs the same. When unset, SecretKeyFile is read, or
	// created with a random key (the local stack; a cluster sets SECRET_KEY from a Secret).
	SecretKey     string `env:"SECRET_KEY" secret:"true"`
	SecretKeyFile string `env:"SECRET_KEY_FILE" envDefault:"var/identity-secret.key"`

	// Argon2id parameters for passwords: OWASP's second recommended set by default (19 MiB, 2
	// passes, 1 lane), about 25 ms a hash on one core of the test machine.
	Argon2MemoryKiB   uint32 `env:"ARGON2_MEMORY_KIB" envDefault:"19456"`
	Argon2Iterations  uint32 `env:"ARGON2_ITERATIONS" envDefault:"2"`
	Argon2Parallelism uint8  `env:"ARGON2_PARALLELISM" envDefault:"1"`

	KeyRotation          time.Duration `env:"KEY_ROTATION" envDefault:"24h"`
	AccessTokenLifetime  time.Duration `env:"ACCESS_TOKEN_LIFETIME" envDefault:"10m"`
	IDTokenLifetime      time.Duration `env:"ID_TOKEN_LIFETIME" envDefault:"1h"`
	RefreshTokenLifetime time.Duration `env:"REFRESH_TOKEN_LIFETIME" envDefault:"12h"`
	SessionLifetime      time.Duration `env:"SESSION_LIFETIME" envDefault:"10h"`
	MaxFailedSignIns     int           `env:"MAX_FAILED_SIGN_INS" envDefault:"5"`
	Lockout              time.Duration `env:"LOCKOUT" envDefault:"15m"`
	MaxFailedPerAddress  int           `env:"MAX_FAILED_PER_ADDRESS" envDefault:"30"`

	// DevMode allows plain-http redirect URIs on hosts other than localhost. Local stack only.
	DevMode bool `env:"DEV_MODE" envDefault:"false"`

	// The top tenant, created at start when missing; the bootstrap administrator belongs to it.
	RootTenantSlug string `env:"ROOT_TENANT_SLUG" envDefault:"tinh-thai-binh"`
	RootTenantCode string `env:"ROOT_TENANT_CODE" envDefault:"34"`
	RootTenantName string `env:"ROOT_TENANT_NAME" envDefault:"UBND tỉnh Thái Bình"`
	RootTenantKind string `env:"ROOT_TENANT_KIND" envDefault:"province"`

	// The first platform administrator, created at start when missing (never changed after).
	BootstrapAdminUsername string `env:"BOOTSTRAP_ADMIN_USERNAME" envDefault:"admin"`
	BootstrapAdminPassword string `env:"BOOTSTRAP_ADMIN_PASSWORD" secret:"true"`

	// The operator's client (client credentials, platform.admin), ensured at start when both
	// are set, so the operator can onboard communes through the admin API.
	OperatorClientID     string `env:"OPERATOR_CLIENT_ID"`
	OperatorClientSecret string `env:"OPERATOR_CLIENT_SECRET" secret:"true"`
	// OperatorAudiences are the services the operator's tokens are meant for: identity's admin
	// API and every service's provisioning endpoint.
	OperatorAudiences []string `env:"OPERATOR_AUDIENCES" envSeparator:"," envDefault:"identity,dossiers,archives,hr,reporting"`

	// SeedFiles are YAML files of tenants, staff and clients to ensure at start, in order,
	// comma-separated (local stack: the services' generated clients; the demo units and staff
	// come through the operator's onboarding and the admin API instead). Seeded staff get the bootstrap administrator's password.
	SeedFiles []string `env:"SEED_FILE" envSeparator:","`
}

// Defaults puts identity's database under ./var for the local stack.
func (c *Config) Defaults() { c.DatabaseDSN = config.SQLiteDSN(Name) }

// Validate checks what parsing cannot.
func (c Config) Validate() error {
	errs := []error{c.Common.Validate()}
	errs = append(errs, config.CheckRootKey("SECRET_KEY", c.SecretKey))
	if c.Argon2MemoryKiB < 8*1024 || c.Argon2Iterations < 1 || c.Argon2Parallelism < 1 {
		errs = append(errs, config.Invalid("ARGON2_MEMORY_KIB", "argon2id needs at least 8192 KiB, 1 iteration and 1 lane"))
	}
	if c.KeyRotation < time.Hour {
		errs = append(errs, config.Invalid("KEY_ROTATION", "must be at least 1h: verifiers cache the key set"))
	}
	for name, d := range map[string]time.Duration{"ACCESS_TOKEN_LIFETIME": c.AccessTokenLifetime, "ID_TOKEN_LIFETIME": c.IDTokenLifetime,
		"REFRESH_TOKEN_LIFETIME": c.RefreshTokenLifetime, "SESSION_LIFETIME": c.SessionLifetime, "LOCKOUT": c.Lockout} {
		if d <= 0 {
			errs = append(errs, config.Invalid(name, "must be a positive duration, e.g. 10m"))
		}
	}
	if c.MaxFailedSignIns < 1 || c.MaxFailedPerAddress < c.MaxFailedSignIns {
		errs = append(errs, config.Invalid("MAX_FAILED_PER_ADDRESS", "must be at least MAX_FAILED_SIGN_INS, which must be at least 1"))
	}
	if !platform.ValidSlug(c.RootTenantSlug) {
		errs = append(errs, config.Invalid("ROOT_TENANT_SLUG", platform.SlugReason))
	}
	if k := platform.TenantKind(c.RootTenantKind); k != platform.KindProvince && k != platform.KindDistrict {
		errs = append(errs, config.Invalid("ROOT_TENANT_KIND", "must be province or district"))
	}
	if (c.OperatorClientID == "") != (c.OperatorClientSecret == "") {
		errs = append(errs, config.Invalid("OPERATOR_CLIENT_SECRET", "set OPERATOR_CLIENT_ID and OPERATOR_CLIENT_SECRET together"))
	}
	if c.OperatorClientSecret != "" && len(c.OperatorClientSecret) < 32 {
		errs = append(errs, config.Invalid("OPERATOR_CLIENT_SECRET", "must be at least 32 characters"))
	}
	return errors.Join(errs...)
}

// rootSecret returns the 32-byte root key, creating the key file when needed.
func (c Config) rootSecret() ([]byte, error) { return config.RootKey(c.SecretKey, c.SecretKeyFile) }

// Needs says what identity asks of the runtime: its database, and NATS for the one stream it
// reads (HR's staff.left, which disables the departed person's account). It publishes no events
// and keeps no files; its relying parties learn of sign-outs by back-channel logout.
func Needs(Config) bootstrap.Needs {
	return bootstrap.Needs{Options: bootstrap.Options{Events: true, Migrations: adapters.Migrations}}
}
