package controller

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "egov.vn/platform/operator/api/v1alpha1"
	"egov.vn/platform/operator/internal/adapters/platformapi"
	"egov.vn/platform/operator/internal/onboard"
)

// Secrets the identity step keeps in the tenant namespace.
const (
	// AdminSecretName holds, per administrator username, the one-time password identity issued,
	// until the person replaces it (then the key is dropped: the value no longer works).
	AdminSecretName = "identity-admin-passwords"
	// ClientSecretPrefix + service names the Secret of the tenant's OIDC client for that service.
	ClientSecretPrefix = "oidc-client-"
)

// ClientID names the tenant's OIDC client for a service.
func ClientID(tenant string, svc platformv1.ServiceName) string { return onboard.ClientID(tenant, svc) }

// ensureIdentity keeps the identity tenant, its administrators and clients, and the Secrets
// holding their credentials. Identity returns a password or a client secret only when it makes
// one; a Secret lost later is refilled by resetting the password (only while the person has not
// yet replaced it) or rotating the client's secret, never on an ordinary reconcile.
func (r *TenantReconciler) ensureIdentity(ctx context.Context, t *platformv1.Tenant, namespaceReady bool) error {
	if !namespaceReady {
		setCondition(t, CondIdentity, false, "WaitingForNamespace", "the credentials go into Secrets in the tenant namespace, which is not ready")
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
	setCondition(t, CondIdentity, true, ReasonDone, fmt.Sprintf("identity tenant %s %s, %d administrators, %d OIDC clients", it.ID, parent, len(t.Spec.Admins), len(t.Spec.Services)))
	return nil
}

// syncIdentity runs onboarding's identity step, then keeps the Secrets holding what it issued.
func (r *TenantReconciler) syncIdentity(ctx context.Context, t *platformv1.Tenant) (platformapi.IdentityTenant, error) {
	clients := onboard.Clients(r.PublicURL, t)
	res, err := onboard.Identity(ctx, r.Identity, t, clients, "")
	if err != nil {
		return res.Tenant, err
	}
	return res.Tenant, r.syncSecrets(ctx, t, clients, res.Users, res.Issued, res.OneTime)
}

// syncSecrets writes the credentials into the tenant namespace and records them in the status.
func (r *TenantReconciler) syncSecrets(ctx context.Context, t *platformv1.Tenant, clients []platformapi.IdentityClient,
	users map[string]platformapi.IdentityUser, issued, oneTime map[string]string,
) error {
	ns := r.namespaceName(t)
	refs := []platformv1.CredentialSecret{{Name: AdminSecretName, Namespace: ns, Purpose: "admin-password"}}

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

	for _, c := range clients {
		svc := strings.TrimPrefix(c.ClientID, t.Name+"-")
		name := ClientSecretPrefix + svc
		refs = append(refs, platformv1.CredentialSecret{Name: name, Namespace: ns, Purpose: "oidc-client"})
		var cur corev1.Secret
		if err := r.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &cur); ignoreNotFound(err) != nil {
			return err
		}
		secret := issued[c.ClientID]
		if secret == "" {
			secret = string(cur.Data["client-secret"])
		}
		if secret == "" { // made earlier and its Secret was lost: the old value cannot be read back
			s, err := r.Identity.RotateSecret(ctx, c.ClientID)
			if err != nil {
				return err
			}
			secret = s
		}
		obj := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}}
		if _, err := r.own(ctx, t, obj, func() {
			obj.Type = corev1.SecretTypeOpaque
			obj.Data = map[string][]byte{"client-id": []byte(c.ClientID), "client-secret": []byte(secret), "issuer": []byte(r.IssuerURL)}
		}); err != nil {
			return err
		}
	}
	// Secrets of services the tenant stopped using go with their (now disabled) clients.
	for _, s := range []platformv1.ServiceName{platformv1.ServiceDossiers, platformv1.ServiceArchives, platformv1.ServiceHR, platformv1.ServiceReporting} {
		if !t.Spec.Uses(s) {
			old := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: ClientSecretPrefix + string(s), Namespace: ns}}
			if err := r.Delete(ctx, old); ignoreNotFound(err) != nil {
				return err
			}
		}
	}
	t.Status.SecretRefs = refs
	return nil
}
