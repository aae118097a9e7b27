package controller

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "egov.vn/platform/operator/api/v1alpha1"
	"egov.vn/platform/operator/internal/adapters/platformapi"
)

// seedSteps are the services that hold per-tenant data the operator seeds, each with its own
// condition.
var seedSteps = []struct {
	svc  platformv1.ServiceName
	cond string
	what string
}{
	{platformv1.ServiceDossiers, CondCatalogue, "the procedure catalogue and calendar"},
	{platformv1.ServiceHR, CondOrganisation, "the default organisation units"},
	{platformv1.ServiceReporting, CondReporting, "the registration for roll-ups"},
}

// ensureSeeds calls each deployed service's provisioning API. A seed that succeeded for this
// generation is not repeated on every reconcile (the services keep their data); a new generation
// or an operator restarted with a service's URL runs it again, and the services answer
// idempotently.
func (r *TenantReconciler) ensureSeeds(ctx context.Context, t *platformv1.Tenant, identityReady bool) error {
	var errs []error
	for _, s := range seedSteps {
		url := r.ServiceURLs[s.svc]
		prev := meta.FindStatusCondition(t.Status.Conditions, s.cond)
		switch {
		case !t.Spec.Uses(s.svc):
			setCondition(t, s.cond, true, ReasonNotEnabled, fmt.Sprintf("the Tenant does not use %s", s.svc))
		case url == "":
			setCondition(t, s.cond, true, ReasonNotDeployed, fmt.Sprintf("%s is not deployed (no URL configured); %s will be seeded once it is", s.svc, s.what))
		case !identityReady:
			setCondition(t, s.cond, false, ReasonWaiting, fmt.Sprintf("%s checks tenants against identity, where the tenant is not ready yet", s.svc))
		case prev != nil && prev.Status == metav1.ConditionTrue && prev.Reason == ReasonDone && prev.ObservedGeneration == t.Generation:
			// Done for this generation.
		default:
			res, err := r.Provisioner.Provision(ctx, string(s.svc), url, t.Name, platformapi.Provisioning{
				Code: t.Spec.Code, Name: t.Spec.DisplayName, Kind: string(t.Spec.Kind), Parent: t.Spec.Parent})
			if err != nil {
				setCondition(t, s.cond, false, reasonOf("Seed", err), message(err))
				errs = append(errs, stepErr(string(s.svc), err))
				continue
			}
			var seeded []string
			for _, k := range slices.Sorted(maps.Keys(res.Seeded)) {
				seeded = append(seeded, fmt.Sprintf("%s %d", k, res.Seeded[k]))
			}
			setCondition(t, s.cond, true, ReasonDone, fmt.Sprintf("%s: %s (tenant created there: %t; seeded: %s)", s.svc, s.what, res.Created, strings.Join(seeded, ", ")))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("seed: %v", errs)
}
