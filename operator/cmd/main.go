// Command operator runs the Tenant operator: it reconciles platform.egov.vn/v1alpha1 Tenants
// (see internal/controller). `operator onboard FILE...` runs the same onboarding steps over Tenant
// manifests without a cluster (see onboard.go). Flags follow kubebuilder's; secrets come from the environment or
// from files (mounted Secrets), never from the command line, so they stay out of `ps` and logs.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"egov.vn/platform/libs/objstore"
	"egov.vn/platform/libs/telemetry"
	platformv1 "egov.vn/platform/operator/api/v1alpha1"
	"egov.vn/platform/operator/internal/adapters/platformapi"
	"egov.vn/platform/operator/internal/adapters/storage"
	"egov.vn/platform/operator/internal/controller"
)

// flags are the operator's settings.
type flags struct {
	metricsAddr, probeAddr string
	leaderElect            bool
	metricsSecure          bool
	metricsCertDir         string
	identityURL            string
	clientID               string
	clientSecretFile       string
	clientSecret           string
	minio                  objstore.Config
	minioSecretKeyFile     string
	serviceURLs            map[platformv1.ServiceName]*string
	opts                   controller.Options
	logLevel               string
}

func parseFlags(args []string) (*flags, error) {
	f, fs := newFlags("operator")
	return f, f.parse(fs, args)
}

// newFlags registers the operator's flags on a new flag set; the onboard subcommand adds its own.
func newFlags(name string) (*flags, *flag.FlagSet) {
	f := &flags{serviceURLs: map[platformv1.ServiceName]*string{}}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(&f.metricsAddr, "metrics-bind-address", ":8080", "address of the Prometheus metrics endpoint; 0 turns it off")
	fs.BoolVar(&f.metricsSecure, "metrics-secure", true, "serve metrics over HTTPS to callers the API server authenticates and authorizes (get on /metrics); false serves plain HTTP to anyone (local runs only)")
	fs.StringVar(&f.metricsCertDir, "metrics-cert-dir", "", "directory with tls.crt and tls.key for the metrics server; empty: a self-signed certificate made in memory")
	fs.StringVar(&f.probeAddr, "health-probe-bind-address", ":8081", "address of /healthz and /readyz")
	fs.BoolVar(&f.leaderElect, "leader-elect", false, "elect a leader, so that only one replica reconciles")
	fs.StringVar(&f.identityURL, "identity-url", env("OPERATOR_IDENTITY_URL", "http://localhost:8080/auth"), "identity's issuer URL as the operator reaches it (admin API at <url>/api/v1)")
	fs.StringVar(&f.clientID, "identity-client-id", env("OPERATOR_IDENTITY_CLIENT_ID", "tenant-operator"), "the operator's identity client (client credentials, role platform.admin)")
	fs.StringVar(&f.clientSecretFile, "identity-client-secret-file", "", "file holding the client's secret; else $OPERATOR_IDENTITY_CLIENT_SECRET")
	fs.StringVar(&f.minio.Endpoint, "minio-endpoint", env("OPERATOR_MINIO_ENDPOINT", "127.0.0.1:9000"), "MinIO host:port")
	fs.StringVar(&f.minio.AccessKey, "minio-access-key", env("OPERATOR_MINIO_ACCESS_KEY", ""), "MinIO access key of an administrator")
	fs.StringVar(&f.minioSecretKeyFile, "minio-secret-key-file", "", "file holding the MinIO secret key; else $OPERATOR_MINIO_SECRET_KEY")
	fs.BoolVar(&f.minio.UseTLS, "minio-use-tls", false, "reach MinIO over TLS")
	fs.StringVar(&f.opts.StorageEndpoint, "tenant-storage-endpoint", env("OPERATOR_TENANT_STORAGE_ENDPOINT", ""), "MinIO host:port as tenants' workloads reach it, written into their storage Secret; default --minio-endpoint")
	for _, s := range []platformv1.ServiceName{platformv1.ServiceDossiers, platformv1.ServiceArchives, platformv1.ServiceHR, platformv1.ServiceReporting} {
		f.serviceURLs[s] = fs.String(string(s)+"-url", env("OPERATOR_"+strings.ToUpper(string(s))+"_URL", ""),
			fmt.Sprintf("%s's URL with its prefix as the operator reaches it; empty: not deployed, its seed is reported as skipped", s))
	}
	fs.StringVar(&f.opts.NamespacePrefix, "namespace-prefix", "tenant-", "a tenant's namespace is this prefix + its slug")
	fs.StringVar(&f.opts.BucketPrefix, "bucket-prefix", "", "tests only: put before the storage contract's bucket name tenant-<slug>")
	fs.StringVar(&f.opts.OperatorNamespace, "operator-namespace", env("POD_NAMESPACE", ""), "the operator's own namespace, never used for a tenant")
	fs.StringVar(&f.opts.PlatformNamespace, "platform-namespace", "egov-platform", "the namespace of the platform's services, allowed into tenant namespaces")
	fs.StringVar(&f.opts.AdminClusterRole, "tenant-admin-clusterrole", "admin", "ClusterRole bound to a tenant's IT admins in its namespace")
	fs.StringVar(&f.opts.AdminUserPrefix, "admin-user-prefix", "oidc:", "prefix the cluster's OIDC authenticator puts before identity usernames")
	fs.DurationVar(&f.opts.ResyncPeriod, "resync-period", 10*time.Minute, "how often a Ready tenant is re-checked in identity and MinIO")
	fs.DurationVar(&f.opts.RetryBaseDelay, "retry-base-delay", time.Second, "first retry of a failing tenant; doubles up to --retry-max-delay")
	fs.DurationVar(&f.opts.RetryMaxDelay, "retry-max-delay", 5*time.Minute, "longest wait between retries of a failing tenant")
	fs.IntVar(&f.opts.MaxConcurrentReconciles, "max-concurrent-reconciles", 8, "tenants reconciled at once")
	fs.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	return f, fs
}

// parse reads args and checks what the operator needs.
func (f *flags) parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	var errs []error
	var err error
	if f.clientSecret, err = secretValue(f.clientSecretFile, "OPERATOR_IDENTITY_CLIENT_SECRET"); err != nil {
		errs = append(errs, err)
	}
	if f.minio.SecretKey, err = secretValue(f.minioSecretKeyFile, "OPERATOR_MINIO_SECRET_KEY"); err != nil {
		errs = append(errs, err)
	}
	if f.opts.StorageEndpoint == "" {
		f.opts.StorageEndpoint = f.minio.Endpoint
	}
	if err := f.minio.Validate(); err != nil {
		errs = append(errs, err)
	}
	f.opts.ServiceURLs = map[platformv1.ServiceName]string{}
	for s, u := range f.serviceURLs {
		f.opts.ServiceURLs[s] = *u
	}
	if f.clientSecret == "" {
		errs = append(errs, errors.New("the operator's identity client secret is missing: --identity-client-secret-file or $OPERATOR_IDENTITY_CLIENT_SECRET"))
	}
	return errors.Join(errs...)
}

// metricsOptions serve the metrics behind the API server's authentication and authorization:
// a caller needs a token the API server accepts (TokenReview) and the right to get the
// non-resource URL /metrics (SubjectAccessReview), as the chart's metrics-reader ClusterRole
// grants. The reconcile counts and queue depths say which tenants exist and how often they fail.
func metricsOptions(f *flags) metricsserver.Options {
	o := metricsserver.Options{BindAddress: f.metricsAddr, SecureServing: f.metricsSecure, CertDir: f.metricsCertDir}
	if f.metricsSecure {
		o.FilterProvider = filters.WithAuthenticationAndAuthorization
	}
	return o
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// secretValue reads file when given, else the environment variable.
func secretValue(file, envName string) (string, error) {
	if file == "" {
		return os.Getenv(envName), nil
	}
	b, err := os.ReadFile(file) //nolint:gosec // the path is the operator's own flag
	if err != nil {
		return "", fmt.Errorf("read secret file %s: %w", file, err)
	}
	return strings.TrimSpace(string(b)), nil
}

func main() {
	run := run
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "onboard":
			run = runOnboard
		case "check":
			run = runCheck
		}
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "operator:", err)
		os.Exit(1)
	}
}

// softMemoryLimit is the Go runtime's soft memory limit: 90% of the container's memory limit
// (OPERATOR_MEMORY_LIMIT_BYTES, which the chart fills from the downward API), so the collector
// works harder before the kernel kills the operator, rather than letting the heap double past the
// limit. 0 when GOMEMLIMIT is set (the runtime already took it) or the limit is unknown.
func softMemoryLimit(gomemlimit, containerLimit string) int64 {
	if gomemlimit != "" {
		return 0
	}
	n, err := strconv.ParseInt(containerLimit, 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return n / 10 * 9
}

func run() error {
	f, err := parseFlags(os.Args[1:])
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	logger := telemetry.NewLogger(os.Stderr, level)
	ctrl.SetLogger(logr.FromSlogHandler(logger.Handler()))
	if limit := softMemoryLimit(os.Getenv("GOMEMLIMIT"), os.Getenv("OPERATOR_MEMORY_LIMIT_BYTES")); limit > 0 {
		debug.SetMemoryLimit(limit)
		logger.Info("soft memory limit", "bytes", limit)
	}
	ctx := ctrl.SetupSignalHandler()
	tel, err := telemetry.Setup(ctx, "tenant-operator")
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tel.Shutdown(sctx)
	}()

	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return err
	}
	if err := platformv1.AddToScheme(scheme); err != nil {
		return err
	}
	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme:                        scheme,
		Metrics:                       metricsOptions(f),
		HealthProbeBindAddress:        f.probeAddr,
		LeaderElection:                f.leaderElect,
		LeaderElectionID:              "tenant-operator.platform.egov.vn",
		LeaderElectionReleaseOnCancel: true,
		Cache:                         controller.CacheOptions(),
	})
	if err != nil {
		return fmt.Errorf("manager: %w", err)
	}
	httpClient := telemetry.HTTPClient(&http.Client{Timeout: 30 * time.Second})
	api := platformapi.NewClient(platformapi.Credentials{Issuer: f.identityURL, ClientID: f.clientID, ClientSecret: f.clientSecret}, httpClient)
	store, err := storage.New(f.minio)
	if err != nil {
		return err
	}
	r := &controller.TenantReconciler{
		Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Scheme: scheme,
		Identity: platformapi.NewIdentity(api, f.identityURL), Store: store, Provisioner: api,
		Recorder: mgr.GetEventRecorderFor("tenant-operator"), Options: f.opts,
	}
	if err := r.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("controller: %w", err)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return err
	}
	logger.Info("starting the Tenant operator", "identity", f.identityURL, "minio", f.minio.Endpoint)
	return mgr.Start(ctx)
}
