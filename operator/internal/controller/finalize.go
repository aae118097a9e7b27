package controller

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"egov.vn/platform/libs/apperr"
	platformv1 "egov.vn/platform/operator/api/v1alpha1"
	"egov.vn/platform/operator/internal/adapters/platformapi"
	"egov.vn/platform/operator/internal/adapters/storage"
)

// finalize runs when a Tenant is deleted. Retain disables the identity tenant and keeps the
// bucket; Delete first makes sure no object in the bucket is still locked (it never bypasses
// retention, and removes nothing at all while something is locked), then removes the bucket and
// disables everything in identity. Both then delete the namespace without waiting for it to
// disappear, and release the Tenant: nothing the operator does can hold a namespace, its own
// included, in Terminating.
func (r *TenantReconciler) finalize(ctx context.Context, t *platformv1.Tenant) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(t, Finalizer) {
		return ctrl.Result{}, nil
	}
	before := t.Status.DeepCopy()
	fail := func(reason string, err error) (ctrl.Result, error) {
		setCondition(t, CondDeleting, false, reason, message(err))
		if werr := r.writeStatus(ctx, t, before); werr != nil {
			return ctrl.Result{}, werr
		}
		return ctrl.Result{}, err
	}
	if t.Annotations[AnnotationSkipExternalCleanup] != "true" {
		bucket := r.bucketName(t)
		if t.Spec.DeletionPolicy == platformv1.DeletionDelete {
			locks, err := r.Store.Locks(ctx, bucket)
			if err != nil {
				return fail(reasonOf("Storage", err), err)
			}
			if locks.Locked > 0 {
				msg := fmt.Sprintf("deletionPolicy Delete waits: bucket %s still holds %d object versions under retention or legal hold", bucket, locks.Locked)
				wait := time.Hour
				if !locks.Until.IsZero() {
					msg += " until " + locks.Until.UTC().Format(time.RFC3339)
					wait = min(max(time.Until(locks.Until), time.Minute), time.Hour)
				}
				msg += "; nothing has been deleted. Wait, remove them (Governance mode) or set deletionPolicy: Retain."
				setCondition(t, CondDeleting, false, "BucketHasLockedObjects", msg)
				return ctrl.Result{RequeueAfter: wait}, r.writeStatus(ctx, t, before)
			}
			if err := r.Store.Delete(ctx, bucket); err != nil { // the tenant's MinIO user too
				return fail(reasonOf("Storage", err), err)
			}
		} else if u, err := r.Store.User(ctx, storage.UserName(bucket)); err != nil {
			return fail(reasonOf("Storage", err), err)
		} else if u.Exists && u.Enabled {
			// Retain keeps the bucket, not a way into it: the user's keys stop working, and
			// applying the Tenant again enables it.
			if err := r.Store.SetUserEnabled(ctx, storage.UserName(bucket), false); err != nil {
				return fail(reasonOf("Storage", err), err)
			}
		}
		if err := r.retireIdentity(ctx, t, t.Spec.DeletionPolicy == platformv1.DeletionDelete); err != nil {
			return fail(reasonOf("Identity", err), err)
		}
	}
	if ns := r.namespaceName(t); ns != r.OperatorNamespace {
		if err := r.Delete(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); ignoreNotFound(err) != nil {
			return fail("NamespaceDeleteFailed", err)
		}
	}
	log.FromContext(ctx).Info("tenant released", "deletionPolicy", t.Spec.DeletionPolicy)
	controllerutil.RemoveFinalizer(t, Finalizer)
	return ctrl.Result{}, r.Update(ctx, t)
}

// retireIdentity disables the identity tenant (its people cannot sign in, its clients get no
// tokens). With everything, it also disables each account and client: identity has no call that
// deletes a tenant, so disabling is as far as the operator can go.
func (r *TenantReconciler) retireIdentity(ctx context.Context, t *platformv1.Tenant, everything bool) error {
	disabled := true
	if _, err := r.Identity.PatchTenant(ctx, t.Name, platformapi.TenantPatch{Disabled: &disabled}); err != nil {
		if apperr.KindOf(err) == apperr.KindNotFound {
			return nil // never onboarded
		}
		return err
	}
	if !everything {
		return nil
	}
	clients, err := r.Identity.Clients(ctx, t.Name)
	if err != nil {
		return err
	}
	for _, c := range clients {
		if !c.Disabled {
			if err := r.Identity.SetClientDisabled(ctx, c.ClientID, true); err != nil {
				return err
			}
		}
	}
	users, err := r.Identity.Users(ctx, t.Name)
	if err != nil {
		return err
	}
	for _, u := range users {
		if !u.Disabled {
			if err := r.Identity.SetUserDisabled(ctx, u.Username, true); err != nil {
				return err
			}
		}
	}
	return nil
}
