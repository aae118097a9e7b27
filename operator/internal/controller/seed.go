package controller

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "egov.vn/platform/operator/api/v1alpha1"
	"egov.vn/platform/operator/internal/onboard"
)

// ensureSeeds calls each deployed service's provisioning API (onboard.Seeds: dossiers, archives,
// hr, reporting). A seed that succeeded for this generation is not repeated on every reconcile
// (the services keep their data); a new generation or an operator restarted with a service's URL
// runs it again, and the services answer idempotently.
func (r *TenantReconciler) ensureSeeds(ctx context.Context, t *platformv1.Tenant, identityReady bool) error {
	var errs []error
	for _, s := range onboard.Seeds {
		url := r.ServiceURLs[s.Service]
		prev := meta.FindStatusCondition(t.Status.Conditions, s.Condition)
		switch {
		case !t.Spec.Uses(s.Service):
			setCondition(t, s.Condition, true, ReasonNotEnabled, fmt.Sprintf("the Tenant does not use %s", s.Service))
		case url == "":
			setCondition(t, s.Condition, true, ReasonNotDeployed, fmt.Sprintf("%s is not deployed (no URL configured); %s will be seeded once it is", s.Service, s.What))
		case !identityReady:
			setCondition(t, s.Condition, false, ReasonWaiting, fmt.Sprintf("%s checks tenants against identity, where the tenant is not ready yet", s.Service))
		case prev != nil && prev.Status == metav1.ConditionTrue && prev.Reason == ReasonDone && prev.ObservedGeneration == t.Generation:
			// Done for this generation.
		default:
			msg, err := onboard.Provision(ctx, r.Provisioner, s, url, t)
			if err != nil {
				setCondition(t, s.Condition, false, reasonOf("Seed", err), message(err))
				errs = append(errs, stepErr(string(s.Service), err))
				continue
			}
			setCondition(t, s.Condition, true, ReasonDone, msg)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("seed: %v", errs)
}
