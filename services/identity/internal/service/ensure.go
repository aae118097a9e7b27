package service

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"egov.vn/platform/libs/platform"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
)

// startActor names identity itself in the audit log for what it ensures at start.
const startActor = "identity-start"

// Seed is the YAML seed file: tenants under the root, staff, and clients.
type Seed struct {
	Tenants []app.TenantInput `yaml:"tenants"`
	Users   []struct {
		Username string   `yaml:"username"`
		Name     string   `yaml:"name"`
		Tenant   string   `yaml:"tenant"`
		Roles    []string `yaml:"roles"`
	} `yaml:"users"`
	Clients []SeedClient `yaml:"clients"`
}

// SeedClient is a client of the seed file. Its secret is given inline (secret) or, so that the
// file itself holds none and can live in a ConfigMap, as the path of a file holding it
// (secret_file: a mounted Secret's key, as the platform chart mounts an existingSecret).
type SeedClient struct {
	app.ClientInput `yaml:",inline"`
	SecretFile      string `yaml:"secret_file"`
}

// input is the client with its secret read from SecretFile when one is named.
func (c SeedClient) input() (app.ClientInput, error) {
	in := c.ClientInput
	if c.SecretFile == "" {
		return in, nil
	}
	if in.Secret != "" {
		return in, fmt.Errorf("client %s: give secret or secret_file, not both", in.ClientID)
	}
	b, err := os.ReadFile(c.SecretFile)
	if err != nil {
		return in, fmt.Errorf("client %s: secret_file: %w", in.ClientID, err)
	}
	// A Secret's key written by hand (kubectl create secret --from-file) often ends in a newline
	// that is no part of the secret.
	in.Secret = strings.TrimRight(string(b), "\r\n")
	if in.Secret == "" {
		return in, fmt.Errorf("client %s: secret_file %s is empty", in.ClientID, c.SecretFile)
	}
	return in, nil
}

func (id *Service) ensureStart(ctx context.Context, cfg Config) error {
	root, _, err := id.App.EnsureTenant(ctx, startActor, app.TenantInput{Slug: cfg.RootTenantSlug, Code: cfg.RootTenantCode,
		Name: cfg.RootTenantName, Kind: platform.TenantKind(cfg.RootTenantKind)})
	if err != nil {
		return fmt.Errorf("identity: root tenant: %w", err)
	}
	if cfg.BootstrapAdminPassword != "" {
		_, _, _, err := id.App.EnsureUser(ctx, startActor, app.UserInput{Tenant: root.Slug, Username: cfg.BootstrapAdminUsername,
			Name: "Quản trị nền tảng", Roles: []string{string(platform.RolePlatformAdmin), string(platform.RoleTenantAdmin)},
			Password: cfg.BootstrapAdminPassword})
		if err != nil {
			return fmt.Errorf("identity: bootstrap administrator (IDENTITY_BOOTSTRAP_ADMIN_*): %w", err)
		}
	}
	if cfg.OperatorClientID != "" {
		audiences := cfg.OperatorAudiences
		if !slices.Contains(audiences, AdminAudience) { // onboarding through the admin API is its job
			audiences = append([]string{AdminAudience}, audiences...)
		}
		_, _, _, err := id.App.EnsureClient(ctx, startActor, app.ClientInput{ClientID: cfg.OperatorClientID, Tenant: root.Slug,
			Name: "Tenant operator", GrantTypes: []string{domain.GrantClientCredentials}, Roles: []string{string(platform.RolePlatformAdmin)},
			Audiences: audiences, Secret: cfg.OperatorClientSecret})
		if err != nil {
			return fmt.Errorf("identity: operator client (IDENTITY_OPERATOR_CLIENT_*): %w", err)
		}
	}
	for _, file := range cfg.SeedFiles {
		if err := id.ensureSeed(ctx, cfg, file); err != nil {
			return err
		}
	}
	return nil
}

// ensureSeed ensures one seed file's tenants, users and clients.
func (id *Service) ensureSeed(ctx context.Context, cfg Config, file string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("identity: seed file: %w", err)
	}
	var seed Seed
	if err := yaml.Unmarshal(b, &seed); err != nil {
		return fmt.Errorf("identity: seed file %s: %w", file, err)
	}
	for _, t := range seed.Tenants {
		if _, _, err := id.App.EnsureTenant(ctx, startActor, t); err != nil {
			return fmt.Errorf("identity: seed tenant %s: %w", t.Slug, err)
		}
	}
	for _, u := range seed.Users {
		if cfg.BootstrapAdminPassword == "" {
			return fmt.Errorf("identity: seed users need IDENTITY_BOOTSTRAP_ADMIN_PASSWORD (they share it)")
		}
		_, _, _, err := id.App.EnsureUser(ctx, startActor, app.UserInput{Tenant: u.Tenant, Username: u.Username, Name: u.Name,
			Roles: u.Roles, Password: cfg.BootstrapAdminPassword})
		if err != nil {
			return fmt.Errorf("identity: seed user %s: %w", u.Username, err)
		}
	}
	for _, c := range seed.Clients {
		in, err := c.input()
		if err != nil {
			return fmt.Errorf("identity: seed file %s: %w", file, err)
		}
		if _, _, _, err := id.App.EnsureClient(ctx, startActor, in); err != nil {
			return fmt.Errorf("identity: seed client %s: %w", c.ClientID, err)
		}
	}
	return nil
}
