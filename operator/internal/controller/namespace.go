package controller

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"egov.vn/platform/libs/apperr"
	platformv1 "egov.vn/platform/operator/api/v1alpha1"
)

// Names of the objects in a tenant namespace.
const (
	QuotaName          = "tenant-quota"
	LimitRangeName     = "tenant-limits"
	DenyAllPolicy      = "default-deny"
	AllowIngressPolicy = "allow-from-platform"
	AllowEgressPolicy  = "allow-to-platform-and-dns"
	AdminsBindingName  = "tenant-admins"
)

// owned is one object in the tenant namespace and how to bring it in line.
type owned struct {
	obj    client.Object
	mutate func()
}

// ensureNamespace keeps the tenant's namespace and its guard rails as the Tenant says.
func (r *TenantReconciler) ensureNamespace(ctx context.Context, t *platformv1.Tenant) error {
	ns := r.namespaceName(t)
	if ns == r.OperatorNamespace {
		err := apperr.Conflict("namespace_reserved", fmt.Sprintf("namespace %s is the operator's own; rename the Tenant", ns))
		setCondition(t, CondNamespace, false, "NamespaceReserved", err.Message)
		return err
	}
	var steps []owned
	nsObj := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}
	steps = append(steps, owned{nsObj, func() {
		// Pods of a tenant run under the restricted Pod Security Standard.
		nsObj.Labels["pod-security.kubernetes.io/enforce"] = "restricted"
	}})
	quota := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: QuotaName, Namespace: ns}}
	steps = append(steps, owned{quota, func() {
		// The CRD defaults them; these stand in for a Tenant stored before the defaults existed.
		cpu, mem := resource.MustParse("4"), resource.MustParse("8Gi")
		if q := t.Spec.Quotas.CPU; q != nil {
			cpu = *q
		}
		if q := t.Spec.Quotas.Memory; q != nil {
			mem = *q
		}
		quota.Spec.Hard = corev1.ResourceList{
			corev1.ResourceRequestsCPU: cpu, corev1.ResourceLimitsCPU: cpu,
			corev1.ResourceRequestsMemory: mem, corev1.ResourceLimitsMemory: mem,
		}
	}})
	limits := &corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Name: LimitRangeName, Namespace: ns}}
	steps = append(steps, owned{limits, func() {
		// Defaults let pods without resources run under the quota, which requires them.
		limits.Spec.Limits = []corev1.LimitRangeItem{{
			Type:           corev1.LimitTypeContainer,
			Default:        corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("512Mi")},
			DefaultRequest: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
		}}
	}})
	deny := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: DenyAllPolicy, Namespace: ns}}
	steps = append(steps, owned{deny, func() {
		deny.Spec = networkingv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}}
	}})
	platformPeer := networkingv1.NetworkPolicyPeer{NamespaceSelector: &metav1.LabelSelector{
		MatchLabels: map[string]string{corev1.LabelMetadataName: r.PlatformNamespace}}}
	samePeer := networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{}}
	ingress := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: AllowIngressPolicy, Namespace: ns}}
	steps = append(steps, owned{ingress, func() {
		ingress.Spec = networkingv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{platformPeer, samePeer}}}}
	}})
	udp, tcp, dns := corev1.ProtocolUDP, corev1.ProtocolTCP, intstr.FromInt32(53)
	egress := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: AllowEgressPolicy, Namespace: ns}}
	steps = append(steps, owned{egress, func() {
		egress.Spec = networkingv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
			Egress: []networkingv1.NetworkPolicyEgressRule{
				{To: []networkingv1.NetworkPolicyPeer{platformPeer, samePeer}},
				{
					To: []networkingv1.NetworkPolicyPeer{{
						NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelMetadataName: "kube-system"}},
						PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"k8s-app": "kube-dns"}},
					}},
					Ports: []networkingv1.NetworkPolicyPort{{Protocol: &udp, Port: &dns}, {Protocol: &tcp, Port: &dns}},
				},
			}}
	}})
	binding := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: AdminsBindingName, Namespace: ns}}
	steps = append(steps, owned{binding, func() {
		binding.RoleRef = rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: r.AdminClusterRole}
		binding.Subjects = binding.Subjects[:0]
		for _, a := range t.Spec.Admins {
			binding.Subjects = append(binding.Subjects, rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: r.AdminUserPrefix + a.Username})
		}
	}})

	var changed []string
	for _, s := range steps {
		op, err := r.own(ctx, t, s.obj, s.mutate)
		if err != nil {
			setCondition(t, CondNamespace, false, "ApplyFailed", fmt.Sprintf("%T %s: %s", s.obj, s.obj.GetName(), message(err)))
			return stepErr("namespace", err)
		}
		if op != controllerutil.OperationResultNone {
			changed = append(changed, fmt.Sprintf("%s %s", op, s.obj.GetName()))
		}
	}
	if len(changed) > 0 {
		log.FromContext(ctx).Info("namespace objects put in place", "namespace", ns, "changes", changed)
	}
	setCondition(t, CondNamespace, true, ReasonDone, fmt.Sprintf("namespace %s with quota, limits, network policies and the admins' RoleBinding", ns))
	return nil
}

// own creates or updates obj as mutate says, labelled and owned by the Tenant. An object that
// lost the managed-by label is invisible to the cache; it is read past the cache and relabelled.
func (r *TenantReconciler) own(ctx context.Context, t *platformv1.Tenant, obj client.Object, mutate func()) (controllerutil.OperationResult, error) {
	f := func() error {
		labels := obj.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels[LabelManagedBy], labels[LabelTenant] = ManagedBy, t.Name
		obj.SetLabels(labels)
		mutate()
		return controllerutil.SetControllerReference(t, obj, r.Scheme)
	}
	op, err := controllerutil.CreateOrUpdate(ctx, r.Client, obj, f)
	if !apierrors.IsAlreadyExists(err) {
		return op, err
	}
	if err := r.APIReader.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
		return controllerutil.OperationResultNone, err
	}
	if err := f(); err != nil {
		return controllerutil.OperationResultNone, err
	}
	return controllerutil.OperationResultUpdated, r.Update(ctx, obj)
}
