package devstack

import (
	"errors"
	"strings"
	"testing"

	"egov.vn/platform/libs/platform"
)

func TestLoadConfigOfTheRepository(t *testing.T) {
	t.Parallel()
	cfg, err := LoadConfig("../../../infra/dev/stack.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"identity": "/auth", "dossiers": "/dossiers", "archives": "/archives", "hr": "/hr", "reporting": "/reports"}
	if len(cfg.Services) != len(want) {
		t.Fatalf("services = %d, want %d", len(cfg.Services), len(want))
	}
	for _, s := range cfg.Services {
		if want[s.Name] != s.Prefix {
			t.Errorf("%s: prefix %q, want %q", s.Name, s.Prefix, want[s.Name])
		}
		if s.Package != "./services/"+s.Name+"/cmd/"+s.Name {
			t.Errorf("%s: package %q does not follow the convention", s.Name, s.Package)
		}
		if s.Line == 0 {
			t.Errorf("%s: line not recorded", s.Name)
		}
	}
	if cfg.Admin.Service != "identity" || cfg.Admin.PasswordFile != "var/admin-password" || cfg.Admin.RootTenant != "tinh" {
		t.Errorf("admin = %+v", cfg.Admin)
	}
	if cfg.Onboard.Tenants == "" || cfg.Onboard.Staff == "" || cfg.Onboard.Package != "./operator/cmd" {
		t.Errorf("onboard = %+v", cfg.Onboard)
	}
}

// TestDemoStaffCoverTheLifecycle: in infra/dev, every commune's staff together with its
// district's hold every role a dossier's lifecycle needs, the district has its own handler and
// approver for dossiers passed on to it, every person belongs to an onboarded unit, and every
// role has a start page to print.
func TestDemoStaffCoverTheLifecycle(t *testing.T) {
	t.Parallel()
	tenants, err := readDemoTenants("../../../infra/dev/tenants.yaml")
	if err != nil {
		t.Fatal(err)
	}
	staff, err := ReadStaff("../../../infra/dev/staff.yaml")
	if err != nil {
		t.Fatal(err)
	}
	units := map[string]DemoTenant{}
	for _, tn := range tenants {
		units[tn.Slug] = tn
	}
	holds := map[string]map[platform.Role]bool{}
	for _, m := range staff {
		if _, ok := units[m.Tenant]; !ok {
			t.Errorf("%s belongs to %s, which infra/dev/tenants.yaml does not onboard", m.Username, m.Tenant)
		}
		if holds[m.Tenant] == nil {
			holds[m.Tenant] = map[platform.Role]bool{}
		}
		for _, r := range m.Roles {
			holds[m.Tenant][r] = true
			if RolePage(r) == "" {
				t.Errorf("role %s has no start page", r)
			}
		}
	}
	lifecycle := []platform.Role{platform.RoleDossierReceive, platform.RoleDossierHandle, platform.RoleDossierApprove,
		platform.RoleArchiveClerk, platform.RoleHROfficer, platform.RoleReportView, platform.RoleTenantAdmin}
	for _, tn := range tenants {
		if tn.Kind != "commune" {
			continue
		}
		for _, r := range lifecycle {
			if !holds[tn.Slug][r] && !holds[tn.Parent][r] {
				t.Errorf("nobody in %s or its district %s holds %s", tn.Slug, tn.Parent, r)
			}
		}
		for _, r := range []platform.Role{platform.RoleDossierReceive, platform.RoleDossierHandle, platform.RoleDossierApprove} {
			if !holds[tn.Slug][r] {
				t.Errorf("nobody in %s holds %s", tn.Slug, r)
			}
			if !holds[tn.Parent][r] {
				t.Errorf("nobody in the district %s holds %s (liên thông)", tn.Parent, r)
			}
		}
	}
}

func TestParseConfigDefaultsAndOverrides(t *testing.T) {
	t.Parallel()
	cfg, err := ParseConfig("stack.yaml", []byte(`
services:
  - {name: identity, prefix: /auth, port: 8081}
  - {name: e-docs, prefix: /e-docs, port: 8090, package: ./services/edocs/cmd/server, readyz: /healthz, env: {EDOCS_FLAG: "on"}}
`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:8080" || cfg.Var != "var" || cfg.MinIO.Port != 9000 || cfg.NATS.Port != 4222 {
		t.Errorf("defaults not applied: %+v", cfg)
	}
	if cfg.MinIO.CredentialsFile != "var/minio-credentials" {
		t.Errorf("credentials file = %q", cfg.MinIO.CredentialsFile)
	}
	s := cfg.Services[1]
	if s.Package != "./services/edocs/cmd/server" || s.Readyz != "/healthz" || s.Env["EDOCS_FLAG"] != "on" || s.Line != 4 {
		t.Errorf("override lost: %+v", s)
	}
	if s.EnvPrefix() != "E_DOCS" {
		t.Errorf("EnvPrefix = %q", s.EnvPrefix())
	}
}

func TestParseConfigErrorsNameLineAndField(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, yaml string
		want       []string // all must appear in the error
	}{
		{"unknown key", "services:\n  - {name: hr, prefix: /hr, prot: 8084}\n", []string{"line 2", "prot"}},
		{"missing port", "services:\n  - {name: hr, prefix: /hr}\n", []string{"stack.yaml:2", "services[0] (hr).port", "missing"}},
		{"trailing slash", "services:\n  - {name: hr, prefix: /hr/, port: 1}\n", []string{"stack.yaml:2", "prefix", "must not end with a slash"}},
		{"duplicate prefix", "services:\n  - {name: a, prefix: /x, port: 1}\n  - {name: b, prefix: /x, port: 2}\n",
			[]string{"stack.yaml:3", "services[1] (b).prefix", "already used on line 2"}},
		{"duplicate name", "services:\n  - {name: a, prefix: /x, port: 1}\n  - {name: a, prefix: /y, port: 2}\n",
			[]string{"stack.yaml:3", "services[1] (a).name"}},
		{"bad name", "services:\n  - {name: Hr, prefix: /hr, port: 1}\n", []string{"stack.yaml:2", "name", "lower-case"}},
		{"reserved name", "services:\n  - {name: minio, prefix: /m, port: 1}\n", []string{"stack.yaml:2", "bin/"}},
		{"reserved prefix", "services:\n  - {name: x, prefix: /livez, port: 1}\n", []string{"stack.yaml:2", "gateway itself"}},
		{"port range", "services:\n  - {name: x, prefix: /x, port: 70000}\n", []string{"stack.yaml:2", "port", "70000"}},
		{"package escapes", "services:\n  - {name: x, prefix: /x, port: 1, package: ../x}\n", []string{"stack.yaml:2", "package"}},
		{"env name", "services:\n  - {name: x, prefix: /x, port: 1, env: {\"A-B\": 1}}\n", []string{"stack.yaml:2", "env.A-B"}},
		{"public listen", "listen: 0.0.0.0:8080\nservices:\n  - {name: x, prefix: /x, port: 1}\n", []string{"stack.yaml:1", "listen", "loopback"}},
		{"bad duration", "stop-timeout: soon\nservices:\n  - {name: x, prefix: /x, port: 1}\n", []string{"line 1", "duration"}},
		{"bad root tenant", "admin: {root-tenant: Tinh_TB}\nservices:\n  - {name: identity, prefix: /auth, port: 1}\n", []string{"stack.yaml:1", "admin.root-tenant", "Tinh_TB"}},
		{"root tenant set twice", "admin: {root-tenant: tinh}\nservices:\n  - {name: identity, prefix: /auth, port: 1, env: {IDENTITY_ROOT_TENANT_SLUG: tinh-tb}}\n",
			[]string{"stack.yaml:3", "IDENTITY_ROOT_TENANT_SLUG", "admin.root-tenant"}},
		{"admin service unknown", "admin: {service: idp}\nservices:\n  - {name: x, prefix: /x, port: 1}\n", []string{"stack.yaml:1", "admin.service", "idp"}},
		{"no services", "listen: 127.0.0.1:8080\n", []string{"services", "at least one"}},
		{"empty", "", []string{"empty"}},
		{"not yaml", "services: [\n", []string{"stack.yaml"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseConfig("stack.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestParseConfigReportsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := ParseConfig("s.yaml", []byte("services:\n  - {name: a, prefix: /a/, port: 1}\n  - {name: b, prefix: /b}\n"))
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *ConfigError", err)
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 2 {
		t.Errorf("want 2 problems, got %d: %v", n, err)
	}
}
