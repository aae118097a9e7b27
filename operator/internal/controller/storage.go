package controller

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/log"

	platformv1 "egov.vn/platform/operator/api/v1alpha1"
	"egov.vn/platform/operator/internal/adapters/storage"
	"egov.vn/platform/operator/internal/onboard"
)

// ensureStorage keeps the tenant's bucket by the storage contract (onboard.Bucket): object lock,
// versioning, default retention, quota, and its scoped policy.
func (r *TenantReconciler) ensureStorage(ctx context.Context, t *platformv1.Tenant) error {
	b := onboard.Bucket(r.BucketPrefix, t)
	changed, summary, err := onboard.EnsureBucket(ctx, r.Store, b)
	if err != nil {
		setCondition(t, CondStorage, false, reasonOf("Storage", err), message(err))
		return stepErr("storage", err)
	}
	if len(changed) > 0 {
		log.FromContext(ctx).Info("bucket put in line", "bucket", b.Name, "changed", changed)
	}
	setCondition(t, CondStorage, true, ReasonDone, summary+", policy "+storage.PolicyName(b.Name))
	return nil
}
