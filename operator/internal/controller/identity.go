package controller

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"egov.vn/platform/libs/apperr"
	platformv1 "egov.vn/platform/operator/api/v1alpha1"
	"egov.vn/platform/operator/internal/adapters/platformapi"
)

// Secrets the identity step keeps in the tenant namespace.
const (
	// AdminSecretName holds, per administrator username, the one-time password identity issued,
	// until the person replaces it (then the key is dropped: the value no longer works).
	AdminSecretName = "identity-admin-passwords"
	// ClientSecretPrefix + service names the Secret of the tenant's OIDC client for that service.
	ClientSecretPrefix = "oidc-client-"
	roleTenantAdmin    = "tenant.admin"
)

// servicePath is each service's path prefix behind the platform's origin.
var servicePath = map[platformv1.ServiceName]string{
	platformv1.ServiceDossiers: "/dossiers", platformv1.ServiceArchives: "/archives",
	platformv1.ServiceHR: "/hr", platformv1.ServiceReporting: "/reports",
}

// serviceTitle is how staff know each service (client names are shown on the consent and
// account pages).
var serviceTitle = map[platformv1.ServiceName]string{
	platformv1.ServiceDossiers: "Một cửa điện tử", platformv1.ServiceArchives: "Văn thư - Lưu trữ",
	platformv1.ServiceHR: "Quản lý nhân sự", platformv1.ServiceReporting: "Báo cáo cải cách hành chính",
}

// ClientID names the tenant's OIDC client for a service.
func ClientID(tenant string, svc platformv1.ServiceName) string { return tenant + "-" + string(svc) }

// wantedClients are the tenant's OIDC clients: one confidential code-flow client per enabled
// service, for the unit's own applications of that service, whose tokens are for that service.
func (r *TenantReconciler) wantedClients(t *platformv1.Tenant) []platformapi.IdentityClient {
	svcs := slices.Clone(t.Spec.Services)
	slices.Sort(svcs)
	out := make([]platformapi.IdentityClient, 0, len(svcs))
	base := strings.TrimSuffix(r.PublicURL, "/")
	for _, s := range svcs {
		p := servicePath[s]
		out = append(out, platformapi.IdentityClient{
			ClientID: ClientID(t.Name, s), Name: serviceTitle[s] + " - " + t.Spec.DisplayName, Type: "confidential",
			RedirectURIs: []string{base + p + "/auth/callback"}, PostLogoutRedirectURIs: []string{base + p + "/"},
			GrantTypes: []string{"authorization_code", "refresh_token"}, Audiences: []string{string(s)},
		})
	}
	return out
}

// clientDiffers reports whether identity's client lost the settings the operator gives it.
func clientDiffers(have, want platformapi.IdentityClient) bool {
	eq := func(a, b []string) bool {
		a, b = slices.Clone(a), slices.Clone(b)
		slices.Sort(a)
		slices.Sort(b)
		return slices.Equal(a, b)
	}
	return have.Name != want.Name || !eq(have.RedirectURIs, want.RedirectURIs) || !eq(have.PostLogoutRedirectURIs, want.PostLogoutRedirectURIs) ||
		!eq(have.GrantTypes, want.GrantTypes) || !eq(have.Audiences, want.Audiences)
}

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

func (r *TenantReconciler) syncIdentity(ctx context.Context, t *platformv1.Tenant) (platformapi.IdentityTenant, error) {
	slug, clients := t.Name, r.wantedClients(t)
	issued := map[string]string{}  // client id → secret identity just made
	oneTime := map[string]string{} // username → one-time password identity just made
	it, err := r.Identity.Tenant(ctx, slug)
	switch {
	case apperr.KindOf(err) == apperr.KindNotFound:
		first := t.Spec.Admins[0]
		res, err := r.Identity.Onboard(ctx, platformapi.Onboarding{
			Tenant:  platformapi.IdentityTenant{Slug: slug, Code: t.Spec.Code, Name: t.Spec.DisplayName, Kind: string(t.Spec.Kind), Parent: t.Spec.Parent},
			Admin:   platformapi.IdentityUser{Username: first.Username, Name: first.Name, Email: first.Email, Roles: []string{roleTenantAdmin}},
			Clients: clients,
		})
		if err != nil {
			return it, err
		}
		it = res.Tenant
		if res.Admin.OneTimePassword != "" {
			oneTime[res.Admin.Username] = res.Admin.OneTimePassword
		}
		for _, c := range res.Clients {
			if c.ClientSecret != "" {
				issued[c.ClientID] = c.ClientSecret
			}
		}
	case err != nil:
		return it, err
	default:
		if it.Code != t.Spec.Code || it.Kind != string(t.Spec.Kind) || it.Parent != t.Spec.Parent {
			return it, apperr.Conflict("tenant_differs", fmt.Sprintf("identity already has tenant %s with code %s, kind %s and parent %q, which cannot change; fix the Tenant's spec or rename it",
				slug, it.Code, it.Kind, it.Parent))
		}
		var patch platformapi.TenantPatch
		if it.Name != t.Spec.DisplayName {
			patch.Name = &t.Spec.DisplayName
		}
		if it.Disabled { // retained by an earlier deletion and now applied again
			enabled := false
			patch.Disabled = &enabled
		}
		if patch.Name != nil || patch.Disabled != nil {
			if it, err = r.Identity.PatchTenant(ctx, slug, patch); err != nil {
				return it, err
			}
		}
		if err := r.syncClients(ctx, t, clients, issued); err != nil {
			return it, err
		}
	}
	users, err := r.syncAdmins(ctx, t, oneTime)
	if err != nil {
		return it, err
	}
	return it, r.syncSecrets(ctx, t, clients, users, issued, oneTime)
}

// syncClients creates missing clients, puts back changed settings, re-enables disabled ones and
// disables those of services the tenant no longer uses.
func (r *TenantReconciler) syncClients(ctx context.Context, t *platformv1.Tenant, want []platformapi.IdentityClient, issued map[string]string) error {
	have, err := r.Identity.Clients(ctx, t.Name)
	if err != nil {
		return err
	}
	byID := map[string]platformapi.IdentityClient{}
	for _, c := range have {
		byID[c.ClientID] = c
	}
	for _, c := range want {
		h, ok := byID[c.ClientID]
		if !ok || clientDiffers(h, c) {
			out, err := r.Identity.EnsureClient(ctx, c)
			if err != nil {
				return err
			}
			if out.ClientSecret != "" {
				issued[c.ClientID] = out.ClientSecret
			}
		}
		if ok && h.Disabled {
			if err := r.Identity.SetClientDisabled(ctx, c.ClientID, false); err != nil {
				return err
			}
		}
		delete(byID, c.ClientID)
	}
	for id, h := range byID {
		if strings.HasPrefix(id, t.Name+"-") && !h.Disabled {
			if err := r.Identity.SetClientDisabled(ctx, id, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// syncAdmins makes sure every administrator has an enabled account with tenant.admin.
func (r *TenantReconciler) syncAdmins(ctx context.Context, t *platformv1.Tenant, oneTime map[string]string) (map[string]platformapi.IdentityUser, error) {
	list, err := r.Identity.Users(ctx, t.Name)
	if err != nil {
		return nil, err
	}
	users := map[string]platformapi.IdentityUser{}
	for _, u := range list {
		users[u.Username] = u
	}
	for _, a := range t.Spec.Admins {
		u, ok := users[a.Username]
		if !ok {
			out, err := r.Identity.EnsureUser(ctx, platformapi.IdentityUser{Tenant: t.Name, Username: a.Username, Name: a.Name, Email: a.Email, Roles: []string{roleTenantAdmin}})
			if err != nil {
				return nil, err
			}
			if out.OneTimePassword != "" {
				oneTime[a.Username] = out.OneTimePassword
			}
			users[a.Username] = out
			continue
		}
		if u.Disabled {
			if err := r.Identity.SetUserDisabled(ctx, a.Username, false); err != nil {
				return nil, err
			}
		}
	}
	return users, nil
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
