package controller

import (
	"context"
	"fmt"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/log"

	platformv1 "egov.vn/platform/operator/api/v1alpha1"
	"egov.vn/platform/operator/internal/adapters/storage"
)

const gib = 1 << 30

// ensureStorage keeps the tenant's bucket: object lock, versioning, default retention, quota and
// its scoped policy.
func (r *TenantReconciler) ensureStorage(ctx context.Context, t *platformv1.Tenant) error {
	b := storage.Bucket{Name: r.bucketName(t), QuotaBytes: uint64(max(t.Spec.Quotas.ArchiveStorageGiB, 1)) * gib,
		Compliance: t.Spec.ArchiveRetention.Mode == platformv1.RetentionCompliance}
	days, years := t.Spec.ArchiveRetention.RetentionDays()
	b.Days, b.Years = uint(days), uint(years)
	changed, err := r.Store.Ensure(ctx, b)
	if err != nil {
		setCondition(t, CondStorage, false, reasonOf("Storage", err), message(err))
		return stepErr("storage", err)
	}
	if len(changed) > 0 {
		log.FromContext(ctx).Info("bucket put in line", "bucket", b.Name, "changed", changed)
	}
	mode, span := "Governance", fmt.Sprintf("%d days", days)
	if b.Compliance {
		mode = "Compliance"
	}
	if years > 0 {
		span = fmt.Sprintf("%d years", years)
	}
	setCondition(t, CondStorage, true, ReasonDone, strings.Join([]string{
		"bucket " + b.Name + " with versioning and object lock",
		fmt.Sprintf("default retention %s %s", mode, span),
		fmt.Sprintf("quota %d GiB", b.QuotaBytes/gib),
		"policy " + storage.PolicyName(b.Name),
	}, ", "))
	return nil
}
