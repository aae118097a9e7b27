package controller

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	platformv1 "egov.vn/platform/operator/api/v1alpha1"
	"egov.vn/platform/operator/internal/adapters/storage"
	"egov.vn/platform/operator/internal/onboard"
)

// StorageSecretName holds the tenant's own MinIO user: access-key, secret-key, bucket and
// endpoint. It is for what runs in the tenant's namespace and needs the tenant's bucket (the
// tenant's IT administrators, bound to the namespace's admin role, read it); the user is allowed
// that bucket alone.
const StorageSecretName = "storage-credentials"

// ensureStorage keeps the tenant's bucket by the storage contract (onboard.Bucket): object lock,
// versioning, default retention, quota, and its scoped policy; then the tenant's MinIO user with
// that policy attached, its keys in StorageSecretName.
func (r *TenantReconciler) ensureStorage(ctx context.Context, t *platformv1.Tenant, namespaceReady bool) error {
	b := onboard.Bucket(r.BucketPrefix, t)
	changed, summary, err := onboard.EnsureBucket(ctx, r.Store, b)
	if err != nil {
		setCondition(t, CondStorage, false, reasonOf("Storage", err), message(err))
		return stepErr("storage", err)
	}
	if len(changed) > 0 {
		log.FromContext(ctx).Info("bucket put in line", "bucket", b.Name, "changed", changed)
		r.event(t, corev1.EventTypeNormal, "BucketChanged", "bucket %s: %v set", b.Name, changed)
	}
	if !namespaceReady {
		setCondition(t, CondStorage, false, "WaitingForNamespace", summary+"; the MinIO user's keys go into a Secret in the tenant namespace, which is not ready")
		return nil
	}
	user, err := r.syncStorageUser(ctx, t, b.Name)
	if err != nil {
		setCondition(t, CondStorage, false, reasonOf("Storage", err), message(err))
		return stepErr("storage user", err)
	}
	setCondition(t, CondStorage, true, ReasonDone, summary+", policy "+storage.PolicyName(b.Name)+", MinIO user "+user)
	return nil
}

// syncStorageUser keeps the tenant's MinIO user enabled with the bucket's policy, and the Secret
// holding its keys. MinIO never shows a secret key back, so a key is made only when the user or
// the Secret is new; a Secret lost later gets a new key (the old one stops working).
func (r *TenantReconciler) syncStorageUser(ctx context.Context, t *platformv1.Tenant, bucket string) (string, error) {
	name, policy := storage.UserName(bucket), storage.PolicyName(bucket)
	ns := r.namespaceName(t)
	var cur corev1.Secret
	if err := r.Get(ctx, client.ObjectKey{Namespace: ns, Name: StorageSecretName}, &cur); ignoreNotFound(err) != nil {
		return name, err
	}
	u, err := r.Store.User(ctx, name)
	if err != nil {
		return name, err
	}
	secret := string(cur.Data["secret-key"])
	if string(cur.Data["access-key"]) != name {
		secret = ""
	}
	switch {
	case !u.Exists || secret == "":
		if secret, err = storage.NewSecretKey(); err != nil {
			return name, err
		}
		if err := r.Store.PutUser(ctx, name, secret); err != nil {
			return name, err
		}
		r.event(t, corev1.EventTypeNormal, "StorageUserKeyed", "MinIO user %s made or given a new key (its Secret %s was missing)", name, StorageSecretName)
	case !u.Enabled:
		if err := r.Store.SetUserEnabled(ctx, name, true); err != nil {
			return name, err
		}
		r.event(t, corev1.EventTypeNormal, "StorageUserEnabled", "MinIO user %s enabled again", name)
	}
	if u.PolicyName != policy {
		if err := r.Store.AttachPolicy(ctx, name, policy); err != nil {
			return name, err
		}
	}
	obj := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: StorageSecretName, Namespace: ns}}
	if _, err := r.own(ctx, t, obj, func() {
		obj.Type = corev1.SecretTypeOpaque
		obj.Data = map[string][]byte{"access-key": []byte(name), "secret-key": []byte(secret), "bucket": []byte(bucket), "endpoint": []byte(r.StorageEndpoint)}
	}); err != nil {
		return name, err
	}
	setSecretRef(t, platformv1.CredentialSecret{Name: StorageSecretName, Namespace: ns, Purpose: "storage"})
	return name, nil
}
