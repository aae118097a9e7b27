package controller

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "egov.vn/platform/operator/api/v1alpha1"
	"egov.vn/platform/operator/internal/adapters/platformapi"
	"egov.vn/platform/operator/internal/onboard"
)

// AdminSecretName holds, per administrator username, the one-time password identity issued,
// until the person replaces it (then the key is dropped: the value no longer works). Whoever
// onboards the unit reads it to hand the password over (README, "Onboard a commune").
const AdminSecretName = "identity-admin-passwords"

// LegacyClientSecretPrefix + service named the Secrets of the per-service OIDC clients earlier
// versions made. Nothing read them; the operator deletes any that remain.
const LegacyClientSecretPrefix = "oidc-client-"

// ensureIdentity keeps the identity tenant, its administrators and the Secret holding their
// one-time passwords. Identity returns a password only when it makes one; a Secret lost later is
// refilled by resetting the password (only while the person has not yet replaced it), never on an
// ordinary reconcile.
func (r *TenantReconciler) ensureIdentity(ctx context.Context, t *platformv1.Tenant, namespaceReady bool) error {
	if !namespaceReady {
		setCondition(t, CondIdentity, false, "WaitingForNamespace", "the one-time passwords go into a Secret in the tenant namespace, which is not ready")
		return nil
	}
	it, err := r.syncIdentity(ctx, t)
	if err != nil {
		setCondition(t, CondIdentity, false, reasonOf("Identity", err), message(err))
		return stepErr("identity", err)
	}
	t.Status.IdentityTenantID = it.ID
	parent := "at the top of the tree"
	if it.Parent != "" {
		parent = "under " + it.Parent
	}
	setCondition(t, CondIdentity, true, ReasonDone, fmt.Sprintf("identity tenant %s %s, %d administrators", it.ID, parent, len(t.Spec.Admins)))
	return nil
}

// syncIdentity runs onboarding's identity step, then keeps the Secret holding what it issued.
func (r *TenantReconciler) syncIdentity(ctx context.Context, t *platformv1.Tenant) (platformapi.IdentityTenant, error) {
	res, err := onboard.Identity(ctx, r.Identity, t, t.Status.Admins, "")
	for _, u := range res.Disabled {
		r.event(t, corev1.EventTypeNormal, "AdminDisabled", "identity account %s disabled: it is no longer in spec.admins", u)
	}
	for _, u := range res.Enabled {
		r.event(t, corev1.EventTypeNormal, "AdminEnabled", "identity account %s enabled again: it is in spec.admins", u)
	}
	if err != nil {
		return res.Tenant, err
	}
	// Only now, with every former administrator disabled, does the list forget them.
	admins := make([]string, 0, len(t.Spec.Admins))
	for _, a := range t.Spec.Admins {
		admins = append(admins, a.Username)
	}
	slices.Sort(admins)
	t.Status.Admins = admins
	return res.Tenant, r.syncSecrets(ctx, t, res.Users, res.OneTime)
}

// syncSecrets writes the one-time passwords into the tenant namespace and records the Secret in
// the status.
func (r *TenantReconciler) syncSecrets(ctx context.Context, t *platformv1.Tenant, users map[string]platformapi.IdentityUser, oneTime map[string]string) error {
	ns := r.namespaceName(t)
	var current corev1.Secret
	if err := r.Get(ctx, client.ObjectKey{Namespace: ns, Name: AdminSecretName}, &current); ignoreNotFound(err) != nil {
		return err
	}
	passwords := map[string][]byte{}
	for _, a := range t.Spec.Admins {
		u := users[a.Username]
		switch pw, old := oneTime[a.Username], current.Data[a.Username]; {
		case pw != "":
			passwords[a.Username] = []byte(pw)
		case !u.MustChangePassword:
			// The person chose a password: the one-time one is spent, nothing to keep or reset.
		case len(old) > 0:
			passwords[a.Username] = old
		default: // lost before it was used: issue a new one
			pw, err := r.Identity.ResetPassword(ctx, a.Username)
			if err != nil {
				return err
			}
			passwords[a.Username] = []byte(pw)
		}
	}
	admin := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: AdminSecretName, Namespace: ns}}
	if _, err := r.own(ctx, t, admin, func() {
		admin.Type = corev1.SecretTypeOpaque
		admin.Data = passwords
	}); err != nil {
		return err
	}
	// The per-service client Secrets of earlier versions held credentials nobody read. They
	// carry the managed-by label, so the cache shows them and no call is made when none is left.
	for _, s := range platformv1.AllServices {
		var old corev1.Secret
		if err := r.Get(ctx, client.ObjectKey{Namespace: ns, Name: LegacyClientSecretPrefix + string(s)}, &old); err != nil {
			if ignoreNotFound(err) != nil {
				return err
			}
			continue
		}
		if err := r.Delete(ctx, &old); ignoreNotFound(err) != nil {
			return err
		}
	}
	setSecretRef(t, platformv1.CredentialSecret{Name: AdminSecretName, Namespace: ns, Purpose: "admin-password"})
	return nil
}

// setSecretRef records a credential Secret in the status, replacing one of the same name.
func setSecretRef(t *platformv1.Tenant, ref platformv1.CredentialSecret) {
	t.Status.SecretRefs = slices.DeleteFunc(t.Status.SecretRefs, func(c platformv1.CredentialSecret) bool {
		return c.Name == ref.Name || strings.HasPrefix(c.Name, LegacyClientSecretPrefix)
	})
	t.Status.SecretRefs = append(t.Status.SecretRefs, ref)
	slices.SortFunc(t.Status.SecretRefs, func(a, b platformv1.CredentialSecret) int { return strings.Compare(a.Name, b.Name) })
}
