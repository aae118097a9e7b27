package config_test

import (
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"egov.vn/platform/libs/config"
)

type dossiersConfig struct {
	config.Common
	DeadlineDays int           `env:"DEADLINE_DAYS" envDefault:"15"`
	OIDCSecret   string        `env:"OIDC_CLIENT_SECRET,required"`
	Webhook      string        `env:"WEBHOOK_PASS" secret:"true"`
	PollEvery    time.Duration `env:"POLL_EVERY" envDefault:"5s"`
	Audit        struct {
		Enabled bool `env:"ENABLED" envDefault:"true"`
	} `envPrefix:"AUDIT_"`
}

func (c *dossiersConfig) Defaults() { c.DatabaseDSN = config.SQLiteDSN("dossiers") }

func (c dossiersConfig) Validate() error {
	errs := []error{c.Common.Validate()}
	if c.DeadlineDays < 1 {
		errs = append(errs, config.Invalid("DEADLINE_DAYS", "must be at least 1"))
	}
	if c.Webhook == "hunter22" {
		// A careless rule that quotes the value: Load must still not print it.
		errs = append(errs, config.Invalid("WEBHOOK_PASS", "value hunter22 is on the banned list"))
	}
	return errors.Join(errs...)
}

func load(t *testing.T, env map[string]string) (dossiersConfig, *config.Error) {
	t.Helper()
	cfg, err := config.Load[dossiersConfig](config.WithPrefix("DOSSIERS_"), config.WithEnvironment(env))
	if err == nil {
		return cfg, nil
	}
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("Load error is %T, want *config.Error: %v", err, err)
	}
	return cfg, ce
}

func problems(ce *config.Error) map[string]string {
	out := map[string]string{}
	for _, p := range ce.Problems {
		out[p.Var] = p.Reason
	}
	return out
}

func TestDefaultsRunTheLocalStack(t *testing.T) {
	t.Parallel()
	cfg, ce := load(t, map[string]string{"DOSSIERS_OIDC_CLIENT_SECRET": "s"})
	if ce != nil {
		t.Fatalf("unexpected problems: %v", ce)
	}
	if cfg.HTTPAddr != ":8080" || cfg.NATSURL != "nats://127.0.0.1:4222" || cfg.DatabaseDSN != "sqlite://var/dossiers.db" ||
		cfg.LogLevel != slog.LevelInfo || cfg.DeadlineDays != 15 || cfg.PollEvery != 5*time.Second || !cfg.Audit.Enabled {
		t.Fatalf("defaults = %+v", cfg)
	}
}

func TestPrefixedVariablesOverride(t *testing.T) {
	t.Parallel()
	cfg, ce := load(t, map[string]string{
		"DOSSIERS_OIDC_CLIENT_SECRET": "s",
		"DOSSIERS_HTTP_ADDR":          "0.0.0.0:9090",
		"DOSSIERS_DB_DSN":             "postgres://egov:pw@db:5432/dossiers",
		"DOSSIERS_LOG_LEVEL":          "debug",
		"DOSSIERS_AUDIT_ENABLED":      "false",
		"HTTP_ADDR":                   ":1", // unprefixed: not ours
	})
	if ce != nil {
		t.Fatalf("unexpected problems: %v", ce)
	}
	if cfg.HTTPAddr != "0.0.0.0:9090" || cfg.DatabaseDSN != "postgres://egov:pw@db:5432/dossiers" ||
		cfg.LogLevel != slog.LevelDebug || cfg.Audit.Enabled {
		t.Fatalf("cfg = %+v", cfg)
	}
}

func TestAllProblemsNamedByVariableAndSecretsRedacted(t *testing.T) {
	t.Parallel()
	_, ce := load(t, map[string]string{
		"DOSSIERS_HTTP_ADDR":            "8080",                    // rule: not host:port
		"DOSSIERS_DEADLINE_DAYS":        "fifteen",                 // parse
		"DOSSIERS_POLL_EVERY":           "often",                   // parse
		"DOSSIERS_MINIO_USE_TLS":        "yes please",              // parse
		"DOSSIERS_LOG_LEVEL":            "loud",                    // parse
		"DOSSIERS_WEBHOOK_PASS":         "hunter22",                // rule quoting a secret
		"DOSSIERS_DB_DSN":               "mysql://u:topsecret@db/", // rule on a secret
		"DOSSIERS_MINIO_ENDPOINT":       "https://minio:9000",      // rule
		"DOSSIERS_NATS_STREAM_REPLICAS": "7",                       // rule: JetStream keeps at most 5
		// OIDC_CLIENT_SECRET missing: required
	})
	if ce == nil {
		t.Fatal("no error")
	}
	got := problems(ce)
	want := map[string]string{
		"DOSSIERS_OIDC_CLIENT_SECRET":   "is required but not set",
		"DOSSIERS_HTTP_ADDR":            "must be host:port",
		"DOSSIERS_DEADLINE_DAYS":        `must be a whole number (strconv.ParseInt: parsing "fifteen": invalid syntax)`,
		"DOSSIERS_POLL_EVERY":           "must be a duration such as 30s",
		"DOSSIERS_MINIO_USE_TLS":        "must be true or false",
		"DOSSIERS_LOG_LEVEL":            "must be a log level",
		"DOSSIERS_WEBHOOK_PASS":         "[REDACTED]",
		"DOSSIERS_DB_DSN":               "must start with sqlite://",
		"DOSSIERS_MINIO_ENDPOINT":       "without a scheme",
		"DOSSIERS_NATS_STREAM_REPLICAS": "must be from 1 to 5",
	}
	for v, frag := range want {
		if !strings.Contains(got[v], frag) {
			t.Errorf("%s: reason %q, want it to contain %q", v, got[v], frag)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d problems, want %d: %v", len(got), len(want), got)
	}
	// DEADLINE_DAYS failed to parse, so Validate's "must be at least 1" about its zero value is
	// noise and must not be reported twice.
	if n := strings.Count(ce.Error(), "DOSSIERS_DEADLINE_DAYS"); n != 1 {
		t.Errorf("DEADLINE_DAYS reported %d times: %v", n, ce)
	}
	for _, secret := range []string{"hunter22", "topsecret", "mysql://"} {
		if strings.Contains(ce.Error(), secret) {
			t.Errorf("secret %q printed: %v", secret, ce)
		}
	}
}

func TestSecretParseErrorHidesValue(t *testing.T) {
	t.Parallel()
	type cfg struct {
		APIToken int `env:"API_TOKEN"`
		Port     int `env:"PORT"`
	}
	_, err := config.Load[cfg](config.WithEnvironment(map[string]string{"API_TOKEN": "tok-987654", "PORT": "http"}))
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if !strings.Contains(msg, "API_TOKEN: must be a whole number") || strings.Contains(msg, "tok-987654") {
		t.Fatalf("secret variable message = %q", msg)
	}
	if !strings.Contains(msg, `PORT: must be a whole number (strconv.ParseInt: parsing "http"`) {
		t.Fatalf("non-secret variable should quote its value to help: %q", msg)
	}
}

func TestSameFieldNameInTwoStructsNamesBoth(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Primary struct {
			Port int `env:"PORT"`
		} `envPrefix:"PRIMARY_"`
		Replica struct {
			Port int `env:"PORT"`
		} `envPrefix:"REPLICA_"`
	}
	_, err := config.Load[cfg](config.WithEnvironment(map[string]string{"REPLICA_PORT": "x"}))
	if err == nil || !strings.Contains(err.Error(), "PRIMARY_PORT or REPLICA_PORT") {
		t.Fatalf("err = %v", err)
	}
}

func TestRedactedForStartupLog(t *testing.T) {
	t.Parallel()
	cfg, ce := load(t, map[string]string{
		"DOSSIERS_OIDC_CLIENT_SECRET": "oidc-s3cret",
		"DOSSIERS_DB_DSN":             "postgres://egov:pw@db/dossiers",
		"DOSSIERS_NATS_URL":           "nats://relay:natspass@nats:4222",
	})
	if ce != nil {
		t.Fatal(ce)
	}
	r := config.Redacted(cfg, config.WithPrefix("DOSSIERS_"))
	if r["DOSSIERS_OIDC_CLIENT_SECRET"] != "[REDACTED]" || r["DOSSIERS_DB_DSN"] != "[REDACTED]" ||
		r["DOSSIERS_MINIO_SECRET_KEY"] != "[REDACTED]" {
		t.Fatalf("secrets not redacted: %v", r)
	}
	if r["DOSSIERS_NATS_URL"] != "nats://relay:***@nats:4222" || r["DOSSIERS_HTTP_ADDR"] != ":8080" ||
		r["DOSSIERS_AUDIT_ENABLED"] != "true" {
		t.Fatalf("plain values wrong: %v", r)
	}
}

// TestMustLoadExits2 runs MustLoad in a child process, since it ends the process.
func TestMustLoadExits2(t *testing.T) {
	t.Parallel()
	if os.Getenv("CONFIG_TEST_CHILD") == "1" {
		config.MustLoad[dossiersConfig](config.WithPrefix("DOSSIERS_"))
		os.Exit(0)
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestMustLoadExits2$")
	cmd.Env = append(os.Environ(), "CONFIG_TEST_CHILD=1", "DOSSIERS_HTTP_ADDR=nope", "DOSSIERS_WEBHOOK_PASS=hunter22")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("exit = %v, want status 2; output:\n%s", err, out)
	}
	for _, want := range []string{"invalid configuration (3 problem(s))", "  - DOSSIERS_OIDC_CLIENT_SECRET: is required",
		"  - DOSSIERS_HTTP_ADDR: must be host:port", "  - DOSSIERS_WEBHOOK_PASS: value [REDACTED]"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "hunter22") {
		t.Errorf("secret from the process environment printed:\n%s", out)
	}
}
