package controller_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"egov.vn/platform/libs/objstore"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/libs/workspace"
	platformv1 "egov.vn/platform/operator/api/v1alpha1"
	"egov.vn/platform/operator/internal/adapters/platformapi"
	"egov.vn/platform/operator/internal/adapters/storage"
	"egov.vn/platform/operator/internal/controller"
	"egov.vn/platform/services/identity/identitytest"
)

// cluster is the one envtest API server (real etcd + kube-apiserver from ./bin) the package's
// tests share; each test runs its own operator against it and names its tenants uniquely.
type cluster struct {
	env    *envtest.Environment
	cfg    *rest.Config
	scheme *runtime.Scheme
	k8s    client.Client
	err    error
}

var shared cluster

func TestMain(m *testing.M) {
	code := func() int {
		if os.Getenv("KUBEBUILDER_ASSETS") == "" {
			if root, err := workspace.Root(); err == nil {
				if _, err := os.Stat(filepath.Join(root, "bin", "kube-apiserver")); err == nil {
					_ = os.Setenv("KUBEBUILDER_ASSETS", filepath.Join(root, "bin"))
				}
			}
		}
		if os.Getenv("KUBEBUILDER_ASSETS") == "" {
			shared.err = fmt.Errorf("KUBEBUILDER_ASSETS is not set and ./bin has no kube-apiserver: run infra/servers.sh etcd kube-apiserver")
			return m.Run()
		}
		// The operator's own logs go to stderr with OPERATOR_TEST_LOG=1; by default they would
		// bury the test output under the expected retries.
		out := io.Discard
		if os.Getenv("OPERATOR_TEST_LOG") != "" {
			out = os.Stderr
		}
		log.SetLogger(zap.New(zap.WriteTo(out)))
		shared.scheme = runtime.NewScheme()
		_ = clientgoscheme.AddToScheme(shared.scheme)
		_ = platformv1.AddToScheme(shared.scheme)
		shared.env = &envtest.Environment{
			CRDDirectoryPaths:     []string{filepath.Join("..", "..", "config", "crd", "bases")},
			ErrorIfCRDPathMissing: true,
		}
		cfg, err := shared.env.Start()
		if err != nil {
			shared.err = fmt.Errorf("start envtest: %w", err)
			return m.Run()
		}
		defer func() { _ = shared.env.Stop() }()
		cfg.QPS, cfg.Burst = 500, 1000
		shared.cfg = cfg
		if shared.k8s, err = client.New(cfg, client.Options{Scheme: shared.scheme}); err != nil {
			shared.err = err
		}
		return m.Run()
	}()
	os.Exit(code)
}

// needCluster skips the test (fails it under CI) when envtest could not start.
func needCluster(t testing.TB) {
	t.Helper()
	if shared.err == nil {
		return
	}
	if testenv.InCI() {
		t.Fatal(shared.err)
	}
	t.Skip(shared.err)
}

// world is one test's operator with its real identity and MinIO.
type world struct {
	t                      testing.TB
	k8s                    client.Client
	idp                    *identitytest.Server
	store                  *storage.Store
	identity               *platformapi.Identity
	api                    *platformapi.Client
	opts                   controller.Options
	issuer                 string
	clientID, clientSecret string
	stop                   context.CancelFunc
	done                   chan struct{}
	// cfg is how the operator reaches the API server: the cluster admin unless the test runs it
	// as a user with only the chart's RBAC.
	cfg *rest.Config
}

type worldOption func(*world)

// identityAt points the operator at an address where identity may not run yet, with the client
// the test will register there.
func identityAt(issuer, clientID, secret string) worldOption {
	return func(w *world) { w.issuer, w.clientID, w.clientSecret = issuer, clientID, secret }
}

// asUser runs the operator with cfg instead of the cluster admin's.
func asUser(cfg *rest.Config) worldOption { return func(w *world) { w.cfg = cfg } }

// withServices sets the services' provisioning URLs.
func withServices(urls map[platformv1.ServiceName]string) worldOption {
	return func(w *world) { w.opts.ServiceURLs = urls }
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newWorld starts identity (unless the test points elsewhere), finds MinIO and runs the operator
// until the test ends.
func newWorld(t *testing.T, idp *identitytest.Server, opts ...worldOption) *world {
	t.Helper()
	needCluster(t)
	m := testenv.MinIO(t)
	minioCfg := objstore.Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey}
	store, err := storage.New(minioCfg)
	if err != nil {
		t.Fatal(err)
	}
	// A freshly started MinIO accepts connections a while before it serves requests.
	eventually(t, 60*time.Second, "MinIO ready", func() (bool, string) {
		_, err := store.Exists(context.Background(), "probe-bucket")
		return err == nil, fmt.Sprint(err)
	})
	w := &world{t: t, k8s: shared.k8s, idp: idp, store: store, done: make(chan struct{}), cfg: shared.cfg}
	w.opts = controller.Options{
		NamespacePrefix: "tenant-", BucketPrefix: "op" + randHex(3) + "-", OperatorNamespace: "egov-operator",
		PlatformNamespace: "egov-platform", AdminClusterRole: "admin", AdminUserPrefix: "oidc:",
		StorageEndpoint: m.Endpoint, ResyncPeriod: time.Hour,
		RetryBaseDelay: 100 * time.Millisecond, RetryMaxDelay: 2 * time.Second, MaxConcurrentReconciles: 4,
	}
	if idp != nil {
		w.issuer = idp.Issuer
	}
	for _, o := range opts {
		o(w)
	}
	creds := platformapi.Credentials{Issuer: w.issuer, ClientID: w.clientID, ClientSecret: w.clientSecret}
	if idp != nil {
		creds.ClientID, creds.ClientSecret = idp.Operator.ID, idp.Operator.Secret
	}
	w.api = platformapi.NewClient(creds, &http.Client{Timeout: 10 * time.Second})
	w.identity = platformapi.NewIdentity(w.api, w.issuer)
	w.start(t, w.identity, w.api)
	return w
}

// start runs a manager with the reconciler until the test ends.
func (w *world) start(t *testing.T, id controller.IdentityAdmin, prov controller.Provisioner) {
	t.Helper()
	mgr, err := ctrl.NewManager(w.cfg, ctrl.Options{
		Scheme: shared.scheme, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
		Cache:      controller.CacheOptions(),
		Controller: config.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := &controller.TenantReconciler{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Scheme: shared.scheme,
		Identity: id, Store: w.store, Provisioner: prov, Recorder: mgr.GetEventRecorderFor("tenant-operator"), Options: w.opts}
	if err := r.SetupWithManager(mgr); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.stop = cancel
	go func() {
		defer close(w.done)
		if err := mgr.Start(ctx); err != nil {
			t.Errorf("manager: %v", err)
		}
	}()
	t.Cleanup(w.shutdown)
}

// shutdown stops the operator and releases the test's Tenants, so the next test's operator
// does not inherit them.
func (w *world) shutdown() {
	w.stop()
	<-w.done
	ctx := context.Background()
	var list platformv1.TenantList
	if err := w.k8s.List(ctx, &list); err != nil {
		return
	}
	for i := range list.Items {
		tn := &list.Items[i]
		if len(tn.Finalizers) > 0 {
			tn.Finalizers = nil
			_ = w.k8s.Update(ctx, tn)
		}
		_ = w.k8s.Delete(ctx, tn)
	}
}

// commune is a Tenant for a new commune under the test identity's district.
func commune(slug, code string) *platformv1.Tenant {
	return &platformv1.Tenant{
		ObjectMeta: metav1.ObjectMeta{Name: slug},
		Spec: platformv1.TenantSpec{
			Code: code, DisplayName: "UBND xã " + slug, Kind: platformv1.KindCommune, Parent: "huyen-dong-hung",
			Admins:           []platformv1.TenantAdmin{{Username: "admin." + slug, Name: "Phạm Văn Tuấn", Email: "tuan.pv@" + slug + ".gov.vn"}},
			Services:         []platformv1.ServiceName{platformv1.ServiceDossiers, platformv1.ServiceArchives, platformv1.ServiceHR, platformv1.ServiceReporting},
			ArchiveRetention: platformv1.ArchiveRetention{Mode: platformv1.RetentionGovernance, Days: ptr.To[int32](1)},
			Quotas:           platformv1.TenantQuotas{ArchiveStorageGiB: 5},
		},
	}
}

// uniqueSlug names a tenant no other test (nor an earlier run against the same MinIO) uses.
func uniqueSlug(base string) string { return base + "-" + randHex(3) }

// eventually polls cond until it holds or the timeout passes; it fails with the last reason.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		ok, why := cond()
		if ok {
			return
		}
		last = why
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s; last: %s", what, timeout, last)
}

// get reads a Tenant afresh.
func (w *world) get(name string) (*platformv1.Tenant, error) {
	var tn platformv1.Tenant
	err := w.k8s.Get(context.Background(), client.ObjectKey{Name: name}, &tn)
	return &tn, err
}

// waitCondition waits until the Tenant's condition has status (and reason, when given).
func (w *world) waitCondition(name, typ string, status metav1.ConditionStatus, reason string) *platformv1.Tenant {
	w.t.Helper()
	var tn *platformv1.Tenant
	eventually(w.t, 60*time.Second, name+" "+typ+"="+string(status)+" "+reason, func() (bool, string) {
		var err error
		if tn, err = w.get(name); err != nil {
			return false, err.Error()
		}
		c := meta.FindStatusCondition(tn.Status.Conditions, typ)
		if c == nil {
			return false, fmt.Sprintf("no condition; status %+v", tn.Status.Conditions)
		}
		return c.Status == status && (reason == "" || c.Reason == reason) && c.ObservedGeneration == tn.Generation,
			fmt.Sprintf("%s %s: %s", c.Status, c.Reason, c.Message)
	})
	return tn
}

// waitGone waits until the object no longer exists.
func (w *world) waitGone(obj client.Object) {
	w.t.Helper()
	eventually(w.t, 60*time.Second, fmt.Sprintf("%T %s gone", obj, obj.GetName()), func() (bool, string) {
		err := w.k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)
		return apierrors.IsNotFound(err), fmt.Sprint(err)
	})
}

// secret reads a Secret in the tenant namespace.
func (w *world) secret(ns, name string) (*corev1.Secret, error) {
	var s corev1.Secret
	err := w.k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, &s)
	return &s, err
}
