package devstack

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"egov.vn/platform/libs/platform"
)

// Config is the local stack as infra/dev/stack.yaml describes it. Zero values take the defaults
// that run the embedded stack, so a minimal file only lists services.
type Config struct {
	// Listen is the gateway's loopback address; the browser origin is http://localhost:<port>.
	Listen string `yaml:"listen"`
	// Var is the folder for runtime state (SQLite files, MinIO data, NATS store, dev secrets).
	Var string `yaml:"var"`
	// Bin is where services are built to; MinIO and NATS are always taken from ./bin, where
	// infra/servers.sh puts them.
	Bin string `yaml:"bin"`
	// StopTimeout is how long a child may take to exit after SIGTERM before it is killed.
	StopTimeout Duration      `yaml:"stop-timeout"`
	MinIO       MinIOConfig   `yaml:"minio"`
	NATS        NATSConfig    `yaml:"nats"`
	Admin       AdminConfig   `yaml:"admin"`
	Onboard     OnboardConfig `yaml:"onboard"`
	Services    []ServiceDef  `yaml:"services"`
}

// OnboardConfig is the demo data a fresh stack is onboarded with once every service answers:
// the Tenant manifests go through the operator's own onboarding (`operator onboard`, the same
// steps as its controller), then the demo staff are made through identity's admin API. Both are
// idempotent, so every start runs them.
type OnboardConfig struct {
	// Tenants is a YAML file of Tenant manifests (platform.egov.vn/v1alpha1), parents first.
	Tenants string `yaml:"tenants"`
	// Staff is a YAML file of the demo staff: username, name, tenant, roles.
	Staff string `yaml:"staff"`
	// Package is the operator's command, built into bin/tenant-operator (default ./operator/cmd).
	Package string `yaml:"package"`
	// Client is the operator's identity client (client credentials, platform.admin), registered
	// in identity with a generated secret (default tenant-operator).
	Client string `yaml:"client"`
}

// MinIOConfig holds the preferred MinIO ports; a taken port is replaced by a free one.
type MinIOConfig struct {
	Port            int    `yaml:"port"`
	ConsolePort     int    `yaml:"console-port"`
	CredentialsFile string `yaml:"credentials-file"`
}

// NATSConfig holds the preferred NATS client port; a taken port is replaced by a free one.
type NATSConfig struct {
	Port int `yaml:"port"`
}

// AdminConfig names the service that seeds the platform administrator (the OIDC provider, whose
// prefix also gives every service its NAME_OIDC_ISSUER) and where the generated dev password is kept.
type AdminConfig struct {
	Service      string `yaml:"service"`
	Username     string `yaml:"username"`
	PasswordFile string `yaml:"password-file"`
	// SeedFile lists demo tenants and staff that the admin service creates at start (passed as
	// NAME_SEED_FILE); they share the administrator's dev password and are printed with it.
	SeedFile string `yaml:"seed-file"`
	// RootTenant is the slug of identity's root tenant (the province), passed as
	// NAME_ROOT_TENANT_SLUG. The services' own clients are registered in it, as the services'
	// rules expect (archives lets a service token act for its tenant and the units below it):
	// a client with no tenant gets tokens that name no unit, which every API refuses.
	RootTenant string `yaml:"root-tenant"`
}

// ServiceDef is one line of the services list.
type ServiceDef struct {
	Name    string            `yaml:"name"`
	Prefix  string            `yaml:"prefix"`
	Port    int               `yaml:"port"`
	Package string            `yaml:"package"` // default ./services/<name>/cmd/<name>
	Readyz  string            `yaml:"readyz"`  // default /readyz, asked on the service's own port
	Env     map[string]string `yaml:"env"`

	// Line is where the entry sits in the file, so later errors (a failed build) can point at it.
	Line int `yaml:"-"`
}

// EnvPrefix is the service name as the prefix of its environment variables: hr → HR.
func (s ServiceDef) EnvPrefix() string {
	return strings.ToUpper(strings.ReplaceAll(s.Name, "-", "_"))
}

// Duration reads "10s"-style values.
type Duration time.Duration

// UnmarshalYAML parses a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration such as 10s", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// ConfigError is one thing wrong with the stack file, located by line and field.
type ConfigError struct {
	File   string
	Line   int
	Field  string // e.g. services[2].prefix
	Reason string
}

func (e *ConfigError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
	}
	return fmt.Sprintf("%s: %s: %s", loc, e.Field, e.Reason)
}

// LoadConfig reads and validates a stack file.
func LoadConfig(file string) (*Config, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read stack config: %w", err)
	}
	return ParseConfig(file, data)
}

// ParseConfig parses and validates a stack file's content; name is used in error messages. Every
// problem is reported at once (errors.Join of *ConfigError), each naming its line and field.
func ParseConfig(name string, data []byte) (*Config, error) {
	var cfg Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	// A misspelt key must not silently fall back to a default.
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &ConfigError{File: name, Field: "services", Reason: "the file is empty; list at least one service"}
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// The typed decode loses positions; a second pass over the node tree finds each entry's line.
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err == nil {
		lines := serviceLines(&root)
		for i := range cfg.Services {
			if i < len(lines) {
				cfg.Services[i].Line = lines[i]
			}
		}
	}
	// Only a provider named on purpose must exist; the default may simply not be written yet.
	adminNamed := cfg.Admin.Service != ""
	cfg.applyDefaults()
	if err := cfg.validate(name, keyLines(&root), adminNamed); err != nil {
		return nil, err
	}
	return &cfg, nil
}

func (c *Config) applyDefaults() {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8080"
	}
	if c.Var == "" {
		c.Var = "var"
	}
	if c.Bin == "" {
		c.Bin = "bin"
	}
	if c.StopTimeout == 0 {
		c.StopTimeout = Duration(10 * time.Second)
	}
	if c.MinIO.Port == 0 {
		c.MinIO.Port = 9000
	}
	if c.MinIO.ConsolePort == 0 {
		c.MinIO.ConsolePort = 9001
	}
	if c.MinIO.CredentialsFile == "" {
		c.MinIO.CredentialsFile = path.Join(c.Var, "minio-credentials")
	}
	if c.NATS.Port == 0 {
		c.NATS.Port = 4222
	}
	if c.Admin.Service == "" {
		c.Admin.Service = "identity"
	}
	if c.Admin.Username == "" {
		c.Admin.Username = "admin"
	}
	if c.Admin.PasswordFile == "" {
		c.Admin.PasswordFile = path.Join(c.Var, "admin-password")
	}
	if c.Onboard.Package == "" {
		c.Onboard.Package = "./operator/cmd"
	}
	if c.Onboard.Client == "" {
		c.Onboard.Client = "tenant-operator"
	}
	for i := range c.Services {
		s := &c.Services[i]
		if s.Package == "" && s.Name != "" {
			s.Package = "./services/" + s.Name + "/cmd/" + s.Name
		}
		if s.Readyz == "" {
			s.Readyz = "/readyz"
		}
	}
}

var (
	serviceNameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,39}$`)
	prefixRE      = regexp.MustCompile(`^(/[a-z0-9][a-z0-9._~-]*)+$`)
	envNameRE     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// The gateway answers these itself, so no service may claim them.
	reservedPrefixes = map[string]bool{"/livez": true, "/readyz": true}
	// Services are built into bin/<name>, next to the servers infra/servers.sh links there.
	reservedNames = map[string]bool{"minio": true, "nats": true, "nats-server": true, "etcd": true,
		"kube-apiserver": true, "golangci-lint": true, "controller-gen": true, "egov-dev": true}
)

func (c *Config) validate(file string, top map[string]int, adminNamed bool) error {
	var errs []error
	bad := func(line int, field, format string, args ...any) {
		errs = append(errs, &ConfigError{File: file, Line: line, Field: field, Reason: fmt.Sprintf(format, args...)})
	}

	if host, port, err := net.SplitHostPort(c.Listen); err != nil {
		bad(top["listen"], "listen", "%q is not host:port (e.g. 127.0.0.1:8080)", c.Listen)
	} else {
		if !isLoopback(host) {
			bad(top["listen"], "listen", "host %q is not a loopback address; the dev stack never listens beyond this machine", host)
		}
		if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
			bad(top["listen"], "listen", "port %q is not a number between 0 and 65535", port)
		}
	}
	for _, p := range []struct {
		field string
		v     int
	}{{"minio.port", c.MinIO.Port}, {"minio.console-port", c.MinIO.ConsolePort}, {"nats.port", c.NATS.Port}} {
		if p.v < 1 || p.v > 65535 {
			bad(top[strings.SplitN(p.field, ".", 2)[0]], p.field, "%d is not a port between 1 and 65535", p.v)
		}
	}
	if c.StopTimeout < 0 {
		bad(top["stop-timeout"], "stop-timeout", "must not be negative")
	}
	if strings.ContainsAny(c.Admin.Username, " \t\"'") {
		bad(top["admin"], "admin.username", "%q contains spaces or quotes", c.Admin.Username)
	}

	if len(c.Services) == 0 {
		bad(top["services"], "services", "list at least one service, e.g. - {name: identity, prefix: /auth, port: 8081}")
	}
	names := map[string]int{}
	prefixes := map[string]int{}
	ports := map[int]int{}
	for i, s := range c.Services {
		f := func(name string) string {
			if s.Name != "" {
				return fmt.Sprintf("services[%d] (%s).%s", i, s.Name, name)
			}
			return fmt.Sprintf("services[%d].%s", i, name)
		}
		switch {
		case s.Name == "":
			bad(s.Line, f("name"), "missing; every service needs a name such as identity")
		case !serviceNameRE.MatchString(s.Name):
			bad(s.Line, f("name"), "%q must be lower-case letters, digits and dashes, starting with a letter", s.Name)
		case reservedNames[s.Name]:
			bad(s.Line, f("name"), "%q is taken by a server or tool in bin/", s.Name)
		case names[s.Name] != 0:
			bad(s.Line, f("name"), "%q is already used on line %d", s.Name, names[s.Name])
		default:
			names[s.Name] = max(s.Line, 1)
		}
		switch {
		case s.Prefix == "":
			bad(s.Line, f("prefix"), "missing; the gateway needs a path prefix such as /%s", s.Name)
		case strings.HasSuffix(s.Prefix, "/"):
			bad(s.Line, f("prefix"), "%q must not end with a slash (write %q)", s.Prefix, strings.TrimRight(s.Prefix, "/"))
		case !prefixRE.MatchString(s.Prefix):
			bad(s.Line, f("prefix"), "%q must start with / and hold only lower-case letters, digits, '-', '.', '_', '~'", s.Prefix)
		case reservedPrefixes[s.Prefix]:
			bad(s.Line, f("prefix"), "%q is answered by the gateway itself", s.Prefix)
		case prefixes[s.Prefix] != 0:
			bad(s.Line, f("prefix"), "%q is already used on line %d", s.Prefix, prefixes[s.Prefix])
		default:
			prefixes[s.Prefix] = max(s.Line, 1)
		}
		switch {
		case s.Port == 0:
			bad(s.Line, f("port"), "missing; give the service's preferred loopback port, e.g. 8081")
		case s.Port < 1 || s.Port > 65535:
			bad(s.Line, f("port"), "%d is not a port between 1 and 65535", s.Port)
		case ports[s.Port] != 0:
			bad(s.Line, f("port"), "%d is already used on line %d", s.Port, ports[s.Port])
		default:
			ports[s.Port] = max(s.Line, 1)
		}
		if !strings.HasPrefix(s.Package, "./") || path.Clean(s.Package) != strings.TrimPrefix(s.Package, "./") || strings.HasPrefix(path.Clean(s.Package), "..") {
			bad(s.Line, f("package"), "%q must be a clean path inside the repository starting with ./", s.Package)
		}
		if !strings.HasPrefix(s.Readyz, "/") {
			bad(s.Line, f("readyz"), "%q must be a path starting with /", s.Readyz)
		}
		for k := range s.Env {
			if !envNameRE.MatchString(k) {
				bad(s.Line, f("env."+k), "%q is not a valid environment variable name", k)
			}
		}
	}
	if c.Onboard.Staff != "" && c.Onboard.Tenants == "" {
		bad(top["onboard"], "onboard.staff", "the staff belong to tenants: set onboard.tenants too")
	}
	if adminNamed && len(c.Services) > 0 && names[c.Admin.Service] == 0 {
		bad(top["admin"], "admin.service", "no service named %q in the services list", c.Admin.Service)
	}
	if c.Admin.RootTenant != "" && !platform.ValidSlug(c.Admin.RootTenant) {
		bad(top["admin"], "admin.root-tenant", "%q: %s", c.Admin.RootTenant, platform.SlugReason)
	}
	if admin, ok := c.Service(c.Admin.Service); ok {
		if v, set := admin.Env[strings.ToUpper(admin.Name)+"_ROOT_TENANT_SLUG"]; set {
			bad(admin.Line, fmt.Sprintf("services (%s).env.%s_ROOT_TENANT_SLUG", admin.Name, strings.ToUpper(admin.Name)),
				"%q: set the root tenant once, as admin.root-tenant (the services' clients are registered in it)", v)
		}
	}
	return errors.Join(errs...)
}

// Service returns the service of that name.
func (c *Config) Service(name string) (ServiceDef, bool) {
	for _, s := range c.Services {
		if s.Name == name {
			return s, true
		}
	}
	return ServiceDef{}, false
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// keyLines maps each top-level key to its line.
func keyLines(root *yaml.Node) map[string]int {
	out := map[string]int{}
	m := topMapping(root)
	if m == nil {
		return out
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		out[m.Content[i].Value] = m.Content[i].Line
	}
	return out
}

// serviceLines gives the line of each entry of the services list, in order.
func serviceLines(root *yaml.Node) []int {
	m := topMapping(root)
	if m == nil {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "services" && m.Content[i+1].Kind == yaml.SequenceNode {
			var lines []int
			for _, item := range m.Content[i+1].Content {
				lines = append(lines, item.Line)
			}
			return lines
		}
	}
	return nil
}

func topMapping(root *yaml.Node) *yaml.Node {
	if root == nil || root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	return root.Content[0]
}
