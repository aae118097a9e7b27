package devstack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/platform"
)

// operatorBinary is the name the operator is built under in the stack's bin folder.
const operatorBinary = "tenant-operator"

// provisioned are the services the operator provisions tenants in (its --<name>-url flags).
var provisioned = map[string]bool{"dossiers": true, "archives": true, "hr": true, "reporting": true}

// StaffMember is one demo person of infra/dev/staff.yaml.
type StaffMember struct {
	Username string          `yaml:"username" json:"username"`
	Name     string          `yaml:"name" json:"name"`
	Tenant   string          `yaml:"tenant" json:"tenant"`
	Roles    []platform.Role `yaml:"roles" json:"roles"`
}

// Has reports whether the person holds role.
func (m StaffMember) Has(role platform.Role) bool { return slices.Contains(m.Roles, role) }

// DemoTenant is a Tenant of infra/dev/tenants.yaml as the summary shows it.
type DemoTenant struct {
	Slug, Name, Kind, Parent string
	Admins                   []string
}

// Ready is what a started stack offers: where it is, who can sign in and with what.
type Ready struct {
	Origin string
	// Password is the demo password every demo person (and admin) signs in with.
	Password string
	Tenants  []DemoTenant
	Staff    []StaffMember
	// OnboardErr says why onboarding failed; the stack runs anyway, without (some) demo data.
	OnboardErr error
	// Onboard onboards more Tenants (a manifest file) through the same `operator onboard` the
	// demo units went through, but as a real unit is: its administrators get one-time passwords,
	// which, with the clients' secrets, are written to credentialsFile (YAML, mode 0600:
	// tenant -> "password/<username>" -> password). Set once the demo units are onboarded.
	Onboard func(ctx context.Context, manifest, credentialsFile string) error
}

// Person finds a demo person by username.
func (r Ready) Person(username string) (StaffMember, bool) {
	i := slices.IndexFunc(r.Staff, func(m StaffMember) bool { return m.Username == username })
	if i < 0 {
		return StaffMember{}, false
	}
	return r.Staff[i], true
}

// operatorSecret is the operator client's secret, generated once into var/operator-client-secret.
func (s *stack) operatorSecret() (string, error) {
	return s.clientSecret("operator") // 52 characters; identity asks for at least 32
}

// onboard brings the fresh stack to its demo state: every service answers, then the operator's
// own onboarding runs over the Tenant manifests, then the demo staff are ensured in identity.
func (s *stack) onboard(ctx context.Context) (Ready, error) {
	pw, err := s.adminPassword()
	ready := Ready{Origin: s.origin, Password: pw}
	if err != nil || s.cfg.Onboard.Tenants == "" {
		return ready, err
	}
	if ready.Tenants, err = readDemoTenants(s.path(s.cfg.Onboard.Tenants)); err != nil {
		return ready, err
	}
	if s.cfg.Onboard.Staff != "" {
		if ready.Staff, err = ReadStaff(s.path(s.cfg.Onboard.Staff)); err != nil {
			return ready, err
		}
	}
	if st := s.status(s.cfg.Admin.Service); st.State != StateRunning {
		return ready, fmt.Errorf("%s is %s: nothing can be onboarded", s.cfg.Admin.Service, st.State)
	}
	// Every running service must answer before it can be provisioned.
	httpc := &http.Client{Timeout: 2 * time.Second}
	var args []string
	for _, svc := range s.cfg.Services {
		if s.status(svc.Name).State != StateRunning {
			continue
		}
		if err := waitUntil(ctx, 2*time.Minute, HTTPCheck(httpc, "http://"+s.svcAddr[svc.Name]+svc.Readyz)); err != nil {
			return ready, fmt.Errorf("%s is not ready: %w", svc.Name, err)
		}
		if provisioned[svc.Name] {
			args = append(args, "--"+svc.Name+"-url=http://"+s.svcAddr[svc.Name]+svc.Prefix)
		}
	}
	bin := filepath.Join(s.path(s.cfg.Bin), operatorBinary)
	if err := s.buildPackage(ctx, "onboard", s.cfg.Onboard.Package, bin); err != nil {
		return ready, err
	}
	secret, err := s.operatorSecret()
	if err != nil {
		return ready, err
	}
	as, _ := s.cfg.Service(s.cfg.Admin.Service)
	issuer := s.origin + as.Prefix
	run := func(ctx context.Context, manifest string, flags ...string) error {
		cmd := exec.CommandContext(ctx, bin, append(append(append([]string{"onboard",
			"--identity-url=" + issuer, "--identity-client-id=" + s.cfg.Onboard.Client,
			"--minio-endpoint=" + s.minioAddr, "--minio-access-key=" + s.minioUser}, flags...), args...), manifest)...)
		cmd.Dir = s.Root
		// Secrets go through the environment, never the command line (ps shows it).
		cmd.Env = append(os.Environ(), "OPERATOR_IDENTITY_CLIENT_SECRET="+secret, "OPERATOR_MINIO_SECRET_KEY="+s.minioKey)
		w := &prefixWriter{out: s.sup.out, prefix: fmt.Sprintf("%-*s | ", s.sup.NameWidth, "onboard")}
		cmd.Stdout, cmd.Stderr = w, w
		err := cmd.Run()
		w.Flush()
		if err != nil {
			return fmt.Errorf("operator onboard %s: %w", manifest, err)
		}
		return nil
	}
	if err := run(ctx, s.path(s.cfg.Onboard.Tenants), "--admin-password-file="+s.path(s.cfg.Admin.PasswordFile)); err != nil {
		return ready, err
	}
	ready.Onboard = func(ctx context.Context, manifest, credentialsFile string) error {
		return run(ctx, manifest, "--credentials-file="+credentialsFile)
	}
	if len(ready.Staff) == 0 {
		return ready, nil
	}
	return ready, EnsureStaff(ctx, issuer, s.cfg.Onboard.Client, secret, pw, ready.Staff)
}

// buildPackage compiles pkg into out; the go command runs in its own process group so that
// cancelling also ends the compilers it started.
func (s *stack) buildPackage(ctx context.Context, name, pkg, out string) error {
	s.Log.Info("building", "what", name, "package", pkg)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = s.Root
	setProcGroup(cmd)
	cmd.Cancel = func() error { return signalGroup(cmd.Process.Pid, syscall.SIGKILL) }
	b, err := cmd.CombinedOutput()
	if err != nil {
		w := &prefixWriter{out: s.sup.out, prefix: fmt.Sprintf("%-*s | ", s.sup.NameWidth, name)}
		_, _ = w.Write(b)
		w.Flush()
		return fmt.Errorf("go build %s: %w", pkg, err)
	}
	return nil
}

// readDemoTenants reads the slug, name, kind, parent and admins of each Tenant document of file.
func readDemoTenants(file string) ([]DemoTenant, error) {
	b, err := os.ReadFile(file) //nolint:gosec // the stack's own config names it
	if err != nil {
		return nil, err
	}
	out, err := ParseDemoTenants(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return out, nil
}

// ParseDemoTenants reads the slug, name, kind, parent and admins of each Tenant document of a
// manifest (other kinds are skipped).
func ParseDemoTenants(manifest []byte) ([]DemoTenant, error) {
	dec := yaml.NewDecoder(bytes.NewReader(manifest))
	var out []DemoTenant
	for {
		var doc struct {
			Kind     string `yaml:"kind"`
			Metadata struct {
				Name string `yaml:"name"`
			} `yaml:"metadata"`
			Spec struct {
				DisplayName string `yaml:"displayName"`
				Kind        string `yaml:"kind"`
				Parent      string `yaml:"parent"`
				Admins      []struct {
					Username string `yaml:"username"`
				} `yaml:"admins"`
			} `yaml:"spec"`
		}
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		if doc.Kind != "Tenant" {
			continue
		}
		t := DemoTenant{Slug: doc.Metadata.Name, Name: doc.Spec.DisplayName, Kind: doc.Spec.Kind, Parent: doc.Spec.Parent}
		for _, a := range doc.Spec.Admins {
			t.Admins = append(t.Admins, a.Username)
		}
		out = append(out, t)
	}
}

// ReadStaff reads a demo staff file (infra/dev/staff.yaml) and checks every role against the
// platform's list.
func ReadStaff(file string) ([]StaffMember, error) {
	b, err := os.ReadFile(file) //nolint:gosec // the stack's own config names it
	if err != nil {
		return nil, err
	}
	var doc struct {
		Staff []StaffMember `yaml:"staff"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	for _, m := range doc.Staff {
		for _, r := range m.Roles {
			if !platform.KnownRole(string(r)) {
				return nil, fmt.Errorf("%s: %s: unknown role %q", file, m.Username, r)
			}
		}
	}
	return doc.Staff, nil
}

// userView is an account as identity's admin API shows it.
type userView struct {
	Username string   `json:"username"`
	Roles    []string `json:"roles"`
	Disabled bool     `json:"disabled"`
}

// EnsureStaff makes every demo person an enabled account with exactly the listed roles and the
// demo password, through identity's admin API with the operator's client-credentials token. An
// account that exists keeps its password; its roles and disabled flag are put back.
func EnsureStaff(ctx context.Context, issuer, clientID, secret, password string, staff []StaffMember) error {
	httpc := &http.Client{Timeout: 15 * time.Second}
	var disc struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	if _, err := httpapi.DoJSON(ctx, httpc, "identity", http.MethodGet, issuer+"/.well-known/openid-configuration", nil, &disc); err != nil {
		return err
	}
	cc := clientcredentials.Config{ClientID: clientID, ClientSecret: secret, TokenURL: disc.TokenEndpoint, AuthStyle: oauth2.AuthStyleInHeader}
	api := cc.Client(context.WithValue(ctx, oauth2.HTTPClient, httpc))
	api.Timeout = httpc.Timeout
	base := issuer + "/api/v1/users"
	var errs []error
	for _, m := range staff {
		roles := make([]string, 0, len(m.Roles))
		for _, r := range m.Roles {
			roles = append(roles, string(r))
		}
		slices.Sort(roles)
		var u userView
		_, err := httpapi.DoJSON(ctx, api, "identity", http.MethodPost, base, map[string]any{
			"tenant": m.Tenant, "username": m.Username, "name": m.Name, "roles": roles, "password": password}, &u)
		if err != nil {
			errs = append(errs, fmt.Errorf("staff %s: %w", m.Username, err))
			continue
		}
		have := slices.Sorted(slices.Values(u.Roles))
		patch := map[string]any{}
		if !slices.Equal(have, roles) {
			patch["roles"] = roles
		}
		if u.Disabled {
			patch["disabled"] = false
		}
		if len(patch) > 0 {
			if _, err := httpapi.DoJSON(ctx, api, "identity", http.MethodPatch, base+"/"+m.Username, patch, nil); err != nil {
				errs = append(errs, fmt.Errorf("staff %s: %w", m.Username, err))
			}
		}
	}
	return errors.Join(errs...)
}

// rolePage is where a person with the role starts, below the origin.
var rolePage = map[platform.Role]string{
	platform.RoleDossierReceive: "/dossiers/tiep-nhan",
	platform.RoleDossierHandle:  "/dossiers/",
	platform.RoleDossierApprove: "/dossiers/",
	platform.RoleArchiveClerk:   "/archives/",
	platform.RoleHROfficer:      "/hr/staff",
	platform.RoleReportView:     "/reports/",
	platform.RoleTenantAdmin:    "/auth/admin", // the accounts of the unit and the units below it
}

// RolePage is the page a person holding role starts from, below the origin.
func RolePage(role platform.Role) string { return rolePage[role] }

// printDemo writes, in Vietnamese, who can do what and where: one block per unit.
func (r Ready) printDemo(b *strings.Builder) {
	if r.OnboardErr != nil {
		fmt.Fprintf(b, "\nDữ liệu mẫu CHƯA được nạp đầy đủ: %v\n", r.OnboardErr)
	}
	if len(r.Staff) == 0 {
		return
	}
	desc := map[platform.Role]string{}
	for _, i := range platform.Roles() {
		desc[i.Name] = i.Description
	}
	fmt.Fprintf(b, "\nTài khoản mẫu: đăng nhập tại %s/auth/login, mật khẩu chung: %s\n", r.Origin, r.Password)
	for _, t := range r.Tenants {
		fmt.Fprintf(b, "  %s (%s)\n", t.Name, t.Slug)
		for _, m := range r.Staff {
			if m.Tenant != t.Slug {
				continue
			}
			var does []string
			for _, role := range m.Roles {
				does = append(does, desc[role]+" → "+r.Origin+rolePage[role])
			}
			fmt.Fprintf(b, "    %-10s %-20s %s\n", m.Username, m.Name, strings.Join(does, "; "))
		}
	}
	fmt.Fprintf(b, "  Công dân tra cứu hồ sơ tại %s/dossiers/tra-cuu (không cần đăng nhập).\n", r.Origin)
}
