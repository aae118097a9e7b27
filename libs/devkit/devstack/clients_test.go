package devstack

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestServiceClientsAreRegisteredInTheRootTenant: the seed of the services' own clients puts
// each in admin.root-tenant, and identity is told that root. A client seeded with no tenant got
// tokens that name no unit, which the archives' attachments API (and every other API) refuses,
// so the dossiers service could not store a file for a commune (issue 18, finding 12).
func TestServiceClientsAreRegisteredInTheRootTenant(t *testing.T) {
	t.Parallel()
	cfg, err := LoadConfig("../../../infra/dev/stack.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg.Admin.PasswordFile = filepath.Join(dir, "admin-password") // everything the test writes stays in dir
	s := &stack{Options: Options{Root: dir, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, cfg: cfg, varDir: dir,
		origin: "http://localhost:8080", svcAddr: map[string]string{}}
	file, err := s.devClients()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var seed struct {
		Clients []struct {
			ClientID  string   `yaml:"client_id"`
			Tenant    string   `yaml:"tenant"`
			Roles     []string `yaml:"roles"`
			Audiences []string `yaml:"audiences"`
		} `yaml:"clients"`
	}
	if err := yaml.Unmarshal(b, &seed); err != nil {
		t.Fatalf("%s: %v\n%s", file, err, b)
	}
	if len(seed.Clients) != len(cfg.Services)-1 {
		t.Fatalf("%d clients for %d services besides identity", len(seed.Clients), len(cfg.Services)-1)
	}
	for _, c := range seed.Clients {
		if c.Tenant != "tinh" || strings.Join(c.Roles, ",") != "service" || !strings.Contains(strings.Join(c.Audiences, ","), "archives") {
			t.Errorf("client %s: tenant %q, roles %v, audiences %v; want the root tinh, service, archives among them", c.ClientID, c.Tenant, c.Roles, c.Audiences)
		}
	}

	identity, _ := cfg.Service(cfg.Admin.Service)
	env, err := s.serviceEnv(identity)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(env, "IDENTITY_ROOT_TENANT_SLUG=tinh") {
		t.Errorf("identity is not told its root tenant: %v", env)
	}
}
