package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Common is what every service reads, embedded in its own config struct:
//
//	type Config struct {
//		config.Common
//		IntakeDeadlineDays int `env:"INTAKE_DEADLINE_DAYS" envDefault:"15"`
//	}
//	func (c *Config) Defaults() { c.DatabaseDSN = config.SQLiteDSN("dossiers") }
//	cfg := config.MustLoad[Config](config.WithPrefix("DOSSIERS_"))
//
// The defaults run the local embedded stack (SQLite file, NATS and MinIO on localhost with
// MinIO's stock development credentials). A service that defines its own Validate must call
// c.Common.Validate() and join the results, or Common's rules are skipped.
type Common struct {
	// HTTPAddr is the listen address, host:port (host may be empty).
	HTTPAddr string `env:"HTTP_ADDR" envDefault:":8080"`
	// PublicBaseURL is how browsers and other services reach this service (OIDC redirect URIs,
	// links in e-mails); absolute http(s) URL.
	PublicBaseURL string     `env:"PUBLIC_BASE_URL" envDefault:"http://localhost:8080"`
	LogLevel      slog.Level `env:"LOG_LEVEL" envDefault:"info"`
	// DatabaseDSN is sqlite://path or postgres://...; it usually carries a password, hence secret.
	DatabaseDSN string `env:"DB_DSN" secret:"true"`
	// NATSURL may list several servers separated by commas.
	NATSURL string `env:"NATS_URL" envDefault:"nats://127.0.0.1:4222"`
	// NATSStreamReplicas is how many servers of a NATS cluster keep the platform stream (1 for
	// one server, 3 for a cluster of three). A stream that already has more keeps them.
	NATSStreamReplicas int `env:"NATS_STREAM_REPLICAS" envDefault:"1"`
	// MinIOEndpoint is host:port without a scheme, as minio-go expects; TLS is MinIOUseTLS.
	MinIOEndpoint  string `env:"MINIO_ENDPOINT" envDefault:"127.0.0.1:9000"`
	MinIOAccessKey string `env:"MINIO_ACCESS_KEY" envDefault:"minioadmin" secret:"true"`
	MinIOSecretKey string `env:"MINIO_SECRET_KEY" envDefault:"minioadmin" secret:"true"`
	MinIOUseTLS    bool   `env:"MINIO_USE_TLS" envDefault:"false"`
	// TrustedProxies lists the proxies (CIDRs or IPs, comma-separated) whose X-Forwarded-For is
	// believed for the client's address: the ingress controller's pod network in a cluster.
	// Empty trusts none, so behind an ingress every request seems to come from the ingress.
	TrustedProxies []string `env:"TRUSTED_PROXIES" envSeparator:","`
	// ShutdownTimeout bounds draining on SIGTERM; keep it below the pod's grace period.
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"20s"`
}

// SQLiteDSN is the embedded default database of a service: a file under ./var.
func SQLiteDSN(service string) string { return "sqlite://var/" + service + ".db" }

// Validate checks formats so a typo fails at start instead of at first use. Messages never
// quote the DSN or keys.
func (c Common) Validate() error {
	var errs []error
	if err := checkHostPort(c.HTTPAddr, true); err != nil {
		errs = append(errs, Invalid("HTTP_ADDR", err.Error()))
	}
	if u, err := url.Parse(c.PublicBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, Invalid("PUBLIC_BASE_URL", "must be an absolute http:// or https:// URL, e.g. https://dichvucong.example.gov.vn"))
	} else if u.RawQuery != "" || u.Fragment != "" {
		errs = append(errs, Invalid("PUBLIC_BASE_URL", "must not have a query or fragment"))
	}
	switch scheme, _, _ := strings.Cut(c.DatabaseDSN, "://"); {
	case c.DatabaseDSN == "":
		errs = append(errs, Invalid("DB_DSN", "is required: sqlite://path/to/file.db or postgres://user:password@host/db"))
	case scheme != "sqlite" && scheme != "postgres" && scheme != "postgresql":
		errs = append(errs, Invalid("DB_DSN", "must start with sqlite://, postgres:// or postgresql://"))
	}
	for s := range strings.SplitSeq(c.NATSURL, ",") {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil || u.Host == "" || !map[string]bool{"nats": true, "tls": true, "ws": true, "wss": true}[u.Scheme] {
			errs = append(errs, Invalid("NATS_URL", "must be one or more comma-separated nats://host:port URLs"))
			break
		}
	}
	if c.NATSStreamReplicas < 1 || c.NATSStreamReplicas > 5 {
		errs = append(errs, Invalid("NATS_STREAM_REPLICAS", "must be from 1 to 5 (JetStream's limit), e.g. 3 for a cluster of three"))
	}
	if strings.Contains(c.MinIOEndpoint, "://") {
		errs = append(errs, Invalid("MINIO_ENDPOINT", "must be host:port without a scheme; set MINIO_USE_TLS=true for https"))
	} else if err := checkHostPort(c.MinIOEndpoint, false); err != nil {
		errs = append(errs, Invalid("MINIO_ENDPOINT", err.Error()))
	}
	if c.MinIOAccessKey == "" || c.MinIOSecretKey == "" {
		errs = append(errs, Invalid("MINIO_ACCESS_KEY", "and MINIO_SECRET_KEY must both be set"))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, Invalid("SHUTDOWN_TIMEOUT", "must be positive, e.g. 20s"))
	}
	return errors.Join(errs...)
}

func checkHostPort(addr string, emptyHostOK bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("must be host:port, e.g. %s", map[bool]string{true: ":8080", false: "minio:9000"}[emptyHostOK])
	}
	if host == "" && !emptyHostOK {
		return errors.New("must name a host, e.g. minio:9000")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return errors.New("must end in a port number from 0 to 65535")
	}
	return nil
}

// CommonConfig returns c; promoted through embedding, it lets generic code (bootstrap.Main) reach
// any service config's Common.
func (c Common) CommonConfig() Common { return c }
