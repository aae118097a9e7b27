// Package controller reconciles Tenants: one reconcile ensures, idempotently and correcting
// drift, the tenant's namespace (quota, limits, network policies, admins' RoleBinding), its
// identity tenant with administrators and OIDC clients (credentials in Secrets), its MinIO
// bucket, and its seed data in the services that are deployed. Each step reports its own
// condition and a failing step does not stop the others; Ready sums them. Deletion runs through a
// finalizer that honours the Tenant's deletionPolicy.
package controller

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/retry"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
	platformv1 "egov.vn/platform/operator/api/v1alpha1"
	"egov.vn/platform/operator/internal/adapters/storage"
	"egov.vn/platform/operator/internal/onboard"
)

// Condition types. Each onboarding step has one; Ready is True when every step is.
const (
	CondNamespace    = "NamespaceReady"
	CondIdentity     = "IdentityReady"
	CondStorage      = "StorageReady"
	CondCatalogue    = "CatalogueSeeded"
	CondArchives     = "ArchivesRegistered"
	CondOrganisation = "OrganisationSeeded"
	CondReporting    = "ReportingRegistered"
	CondReady        = "Ready"
	CondDeleting     = "Deleting"
)

// Reasons a condition can give besides a step's own failure reasons.
const (
	ReasonDone        = "Done"
	ReasonNotDeployed = "ServiceNotDeployed"
	ReasonNotEnabled  = "ServiceNotEnabled"
	ReasonWaiting     = "WaitingForIdentity"
)

// Labels on everything the operator makes. The cache only holds objects carrying
// LabelManagedBy, so memory follows the number of tenants, not the cluster's size.
const (
	LabelManagedBy = "app.kubernetes.io/managed-by"
	ManagedBy      = "egov-tenant-operator"
	LabelTenant    = "platform.egov.vn/tenant"
	Finalizer      = "platform.egov.vn/tenant-cleanup"
	// AnnotationSkipExternalCleanup lets a person delete a Tenant whose identity or MinIO is gone
	// for good: the finalizer then removes only the Kubernetes objects.
	AnnotationSkipExternalCleanup = "platform.egov.vn/skip-external-cleanup"
)

// IdentityAdmin is identity's admin API as the reconciler uses it: onboarding's calls, plus the
// two that refill a lost Secret.
type IdentityAdmin interface {
	onboard.IdentityAdmin
	ResetPassword(ctx context.Context, username string) (string, error)
	RotateSecret(ctx context.Context, id string) (string, error)
}

// ObjectStore keeps tenants' buckets.
type ObjectStore interface {
	onboard.Buckets
	Locks(ctx context.Context, bucket string) (storage.Locks, error)
	Delete(ctx context.Context, bucket string) error
	User(ctx context.Context, name string) (storage.User, error)
	PutUser(ctx context.Context, name, secretKey string) error
	SetUserEnabled(ctx context.Context, name string, enabled bool) error
	AttachPolicy(ctx context.Context, name, policy string) error
	RemoveUser(ctx context.Context, name string) error
}

// Provisioner seeds a tenant's data in a service.
type Provisioner = onboard.Provisioner

// Options are the operator's settings (its flags).
type Options struct {
	// NamespacePrefix names a tenant's namespace: prefix + slug.
	NamespacePrefix string
	// BucketPrefix goes before the storage contract's bucket name (platform.BucketName): empty
	// in production, a random one in tests that share a MinIO.
	BucketPrefix string
	// OperatorNamespace is never used as a tenant namespace nor deleted.
	OperatorNamespace string
	// PlatformNamespace runs the services; tenant namespaces accept traffic from it only.
	PlatformNamespace string
	// AdminClusterRole is bound to the tenant's IT admins in their namespace.
	AdminClusterRole string
	// AdminUserPrefix is how the cluster's OIDC authenticator names identity's users ("oidc:").
	AdminUserPrefix string
	// StorageEndpoint is MinIO's host:port as the tenant's workloads reach it, written into the
	// tenant's storage Secret.
	StorageEndpoint string
	// ServiceURLs are the services as the operator reaches them (origin + prefix); an empty one
	// is not deployed.
	ServiceURLs map[platformv1.ServiceName]string
	// ResyncPeriod re-checks a Ready tenant for drift outside Kubernetes (identity, MinIO).
	ResyncPeriod time.Duration
	// RetryBaseDelay and RetryMaxDelay bound the backoff of a failing tenant.
	RetryBaseDelay, RetryMaxDelay time.Duration
	// MaxConcurrentReconciles is how many tenants reconcile at once.
	MaxConcurrentReconciles int
}

// TenantReconciler reconciles Tenant objects.
type TenantReconciler struct {
	client.Client
	// APIReader reads past the cache: objects that lost the managed-by label, and the latest
	// Tenant on a status conflict.
	APIReader   client.Reader
	Scheme      *runtime.Scheme
	Identity    IdentityAdmin
	Store       ObjectStore
	Provisioner Provisioner
	// Recorder records Kubernetes Events on the Tenant (kubectl describe shows them); nil records
	// none.
	Recorder record.EventRecorder
	Options
}

// event records a Kubernetes Event on the Tenant.
func (r *TenantReconciler) event(t *platformv1.Tenant, typ, reason, format string, args ...any) {
	if r.Recorder != nil {
		r.Recorder.Eventf(t, typ, reason, format, args...)
	}
}

// recordTransitions records one Event per condition whose status or reason changed in this
// reconcile: Normal when it turned True, Warning when it turned False. A reconcile that changes
// nothing records nothing, so the Events list what happened and not the resyncs.
func (r *TenantReconciler) recordTransitions(t *platformv1.Tenant, before []metav1.Condition) {
	for _, typ := range append(slices.Clone(stepConditions), CondReady) {
		c := meta.FindStatusCondition(t.Status.Conditions, typ)
		if c == nil {
			continue
		}
		if old := meta.FindStatusCondition(before, typ); old != nil && old.Status == c.Status && old.Reason == c.Reason {
			continue
		}
		kind := corev1.EventTypeNormal
		if c.Status != metav1.ConditionTrue {
			kind = corev1.EventTypeWarning
		}
		r.event(t, kind, typ+c.Reason, "%s=%s: %s", typ, c.Status, c.Message)
	}
}

// +kubebuilder:rbac:groups=platform.egov.vn,resources=egovtenants,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=platform.egov.vn,resources=egovtenants/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=platform.egov.vn,resources=egovtenants/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=namespaces;resourcequotas;limitranges;secrets,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=networking.k8s.io,resources=networkpolicies,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=rolebindings,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=clusterroles,verbs=bind,resourceNames=admin
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=authentication.k8s.io,resources=tokenreviews,verbs=create
// +kubebuilder:rbac:groups=authorization.k8s.io,resources=subjectaccessreviews,verbs=create

// Reconcile brings one Tenant to its declared state.
func (r *TenantReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var t platformv1.Tenant
	if err := r.Get(ctx, req.NamespacedName, &t); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	ctx = log.IntoContext(ctx, log.FromContext(ctx).WithValues("tenant", t.Name))
	if !t.DeletionTimestamp.IsZero() {
		return r.finalize(ctx, &t)
	}
	if controllerutil.AddFinalizer(&t, Finalizer) {
		if err := r.Update(ctx, &t); err != nil {
			return ctrl.Result{}, err
		}
	}
	before := t.Status.DeepCopy()
	t.Status.Namespace = r.namespaceName(&t)
	t.Status.BucketName = r.bucketName(&t)

	nsErr := r.ensureNamespace(ctx, &t)
	idErr := r.ensureIdentity(ctx, &t, nsErr == nil)
	stErr := r.ensureStorage(ctx, &t, nsErr == nil)
	seedErr := r.ensureSeeds(ctx, &t, idErr == nil)
	r.summarize(&t)
	t.Status.ObservedGeneration = t.Generation
	r.recordTransitions(&t, before.Conditions)

	if err := r.writeStatus(ctx, &t, before); err != nil {
		return ctrl.Result{}, err
	}
	if err := errors.Join(nsErr, idErr, stErr, seedErr); err != nil {
		// The rate limiter's per-tenant exponential backoff spaces the retries.
		return ctrl.Result{}, err
	}
	return ctrl.Result{RequeueAfter: r.ResyncPeriod}, nil
}

func (r *TenantReconciler) namespaceName(t *platformv1.Tenant) string {
	return r.NamespacePrefix + t.Name
}
func (r *TenantReconciler) bucketName(t *platformv1.Tenant) string {
	return platform.BucketName(r.BucketPrefix, platform.Slug(t.Name))
}

// setCondition records one step's outcome for the generation being reconciled.
func setCondition(t *platformv1.Tenant, typ string, ok bool, reason, msg string) {
	s := metav1.ConditionFalse
	if ok {
		s = metav1.ConditionTrue
	}
	meta.SetStatusCondition(&t.Status.Conditions, metav1.Condition{Type: typ, Status: s, Reason: reason, Message: msg, ObservedGeneration: t.Generation})
}

// stepConditions are the conditions Ready sums.
var stepConditions = []string{CondNamespace, CondIdentity, CondStorage, CondCatalogue, CondArchives, CondOrganisation, CondReporting}

// summarize sets Ready: True when every step is True. A service that is not deployed or not
// enabled counts as done (its condition is True with a reason saying so, and Ready's message
// lists it), because a district that runs without, say, hr must still be able to onboard
// communes; the seed runs on a later reconcile once the service's URL is configured.
func (r *TenantReconciler) summarize(t *platformv1.Tenant) {
	var failing, skipped []string
	for _, typ := range stepConditions {
		c := meta.FindStatusCondition(t.Status.Conditions, typ)
		switch {
		case c == nil || c.Status != metav1.ConditionTrue:
			reason := "Unknown"
			if c != nil {
				reason = c.Reason
			}
			failing = append(failing, typ+" ("+reason+")")
		case c.Reason == ReasonNotDeployed:
			skipped = append(skipped, typ)
		}
	}
	if len(failing) > 0 {
		setCondition(t, CondReady, false, "StepsNotReady", "not ready: "+strings.Join(failing, ", "))
		return
	}
	msg := "every onboarding step is done"
	if len(skipped) > 0 {
		msg += "; skipped because the service is not deployed: " + strings.Join(skipped, ", ")
	}
	setCondition(t, CondReady, true, "Onboarded", msg)
}

// writeStatus saves t.Status when it changed, retrying on a conflict with the latest Tenant.
func (r *TenantReconciler) writeStatus(ctx context.Context, t *platformv1.Tenant, before *platformv1.TenantStatus) error {
	if equality.Semantic.DeepEqual(before, &t.Status) {
		return nil
	}
	status := t.Status.DeepCopy()
	first := true
	return retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		if !first {
			if err := r.APIReader.Get(ctx, client.ObjectKeyFromObject(t), t); err != nil {
				return err
			}
			t.Status = *status.DeepCopy()
		}
		first = false
		return r.Status().Update(ctx, t)
	})
}

// SetupWithManager registers the controller: Tenants, every object they own (a hand edit or
// deletion enqueues the owner, which puts it back), and a Tenant's children when its identity
// tenant appears (so communes waiting for their district go on at once).
func (r *TenantReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if err := mgr.GetFieldIndexer().IndexField(context.Background(), &platformv1.Tenant{}, parentIndex, func(o client.Object) []string {
		if p := o.(*platformv1.Tenant).Spec.Parent; p != "" {
			return []string{p}
		}
		return nil
	}); err != nil {
		return err
	}
	limiter := workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](r.RetryBaseDelay, r.RetryMaxDelay)
	return ctrl.NewControllerManagedBy(mgr).
		For(&platformv1.Tenant{}, builder.WithPredicates(predicate.Or(
			predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}, deletionStarted()))).
		Owns(&corev1.Namespace{}).
		Owns(&corev1.ResourceQuota{}).
		Owns(&corev1.LimitRange{}).
		Owns(&corev1.Secret{}).
		Owns(&networkingv1.NetworkPolicy{}).
		Owns(&rbacv1.RoleBinding{}).
		Watches(&platformv1.Tenant{}, handler.EnqueueRequestsFromMapFunc(r.children), builder.WithPredicates(identityBecameReady())).
		WithOptions(controller.Options{MaxConcurrentReconciles: max(1, r.MaxConcurrentReconciles), RateLimiter: limiter}).
		Complete(r)
}

const parentIndex = "spec.parent"

func (r *TenantReconciler) children(ctx context.Context, o client.Object) []reconcile.Request {
	var list platformv1.TenantList
	if err := r.List(ctx, &list, client.MatchingFields{parentIndex: o.GetName()}); err != nil {
		log.FromContext(ctx).Error(err, "list child tenants", "parent", o.GetName())
		return nil
	}
	out := make([]reconcile.Request, 0, len(list.Items))
	for _, c := range list.Items {
		out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&c)})
	}
	return out
}

// deletionStarted passes the update that sets a Tenant's deletion timestamp.
func deletionStarted() predicate.Predicate {
	return predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		return e.ObjectOld.GetDeletionTimestamp().IsZero() && !e.ObjectNew.GetDeletionTimestamp().IsZero()
	}}
}

// identityBecameReady passes a Tenant update whose IdentityReady turned True.
func identityBecameReady() predicate.Predicate {
	ready := func(o client.Object) bool {
		t, ok := o.(*platformv1.Tenant)
		return ok && meta.IsStatusConditionTrue(t.Status.Conditions, CondIdentity)
	}
	return predicate.Funcs{
		CreateFunc:  func(event.CreateEvent) bool { return false },
		DeleteFunc:  func(event.DeleteEvent) bool { return false },
		GenericFunc: func(event.GenericEvent) bool { return false },
		UpdateFunc:  func(e event.UpdateEvent) bool { return !ready(e.ObjectOld) && ready(e.ObjectNew) },
	}
}

// reasonOf names a failure for a condition: the apperr kind and code when there is one.
func reasonOf(prefix string, err error) string {
	var words []string
	if e := apperr.As(err); e != nil {
		for _, w := range strings.FieldsFunc(e.Kind.String()+"_"+e.Code, func(r rune) bool { return r == '_' || r == '-' }) {
			if w != "" && !slices.Contains(words, strings.ToUpper(w[:1])+w[1:]) {
				words = append(words, strings.ToUpper(w[:1])+w[1:])
			}
		}
	}
	if len(words) == 0 {
		words = []string{"Failed"}
	}
	return prefix + strings.Join(words, "")
}

// message keeps a condition's message within what the API server accepts.
func message(err error) string {
	s := err.Error()
	if len(s) > 1000 {
		s = s[:1000] + "…"
	}
	return s
}

// ignoreNotFound is client.IgnoreNotFound for typed API errors.
func ignoreNotFound(err error) error {
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

func stepErr(step string, err error) error { return fmt.Errorf("%s: %w", step, err) }

// CacheOptions scope the manager's cache: the kinds a Tenant owns are cached only when they
// carry the operator's managed-by label, so memory follows the number of tenants and not the
// number of Secrets, namespaces or policies in the cluster. No cached object keeps its
// managedFields, which the operator never reads: with every commune of Vietnam onboarded they
// were a large part of its memory, which came to 244 MiB of its 256 MiB limit.
func CacheOptions() cache.Options {
	mine := labels.SelectorFromSet(labels.Set{LabelManagedBy: ManagedBy})
	by := cache.ByObject{Label: mine}
	return cache.Options{DefaultTransform: cache.TransformStripManagedFields(), ByObject: map[client.Object]cache.ByObject{
		&corev1.Namespace{}: by, &corev1.ResourceQuota{}: by, &corev1.LimitRange{}: by, &corev1.Secret{}: by,
		&networkingv1.NetworkPolicy{}: by, &rbacv1.RoleBinding{}: by,
	}}
}
