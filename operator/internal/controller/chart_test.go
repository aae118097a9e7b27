package controller_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	sigyaml "sigs.k8s.io/yaml"

	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/operator/internal/controller"
	"egov.vn/platform/services/identity/identitytest"
)

const chartDir = "../../../charts/operator"

// The chart carries copies of the generated CRD and RBAC rules; they must match the generator's
// output (run `make generate` after changing a marker).
func TestChartCarriesTheGeneratedCRDAndRules(t *testing.T) {
	for _, pair := range [][2]string{
		{"../../config/crd/bases/platform.egov.vn_egovtenants.yaml", chartDir + "/files/crd.yaml"},
		{"../../config/rbac/role.yaml", chartDir + "/files/role.yaml"},
	} {
		a, err := os.ReadFile(pair[0])
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(pair[1])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from %s: run `make generate`", pair[1], pair[0])
		}
	}
}

// The rendered chart is accepted by a real API server (server-side apply, dry run): every
// object is valid for Kubernetes 1.34, the CRD included.
func TestRenderedChartPassesServerSideDryRun(t *testing.T) {
	kinds := dryRunChart(t, "tenant-operator", chartDir, "egov-operator",
		"--set", "identity.clientSecret=test-secret-value-of-32-characters", "--set", "minio.accessKey=operator",
		"--set", "minio.secretKey=test-minio-secret", "--set", "metrics.readers[0].name=prometheus", "--set", "metrics.readers[0].namespace=monitoring")
	for _, k := range []string{"CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "ServiceAccount", "Secret", "Deployment", "Service"} {
		if kinds[k] == 0 {
			t.Errorf("the chart renders no %s (got %v)", k, kinds)
		}
	}
}

// The CRD is a template upgraded with the chart, kept on uninstall unless crds.keep is false and
// left out with crds.enabled=false; no credential is ever an argument of the operator's command.
func TestOperatorChartCRDsAndCredentials(t *testing.T) {
	helm := testenv.Binary(t, "helm")
	render := func(args ...string) []unstructured.Unstructured {
		t.Helper()
		args = append([]string{"template", "tenant-operator", chartDir, "--namespace", "egov-operator", "--kube-version", "1.34.2",
			"--set", "identity.existingSecret=operator-credentials", "--set", "minio.existingSecret=operator-credentials"}, args...)
		out, err := exec.Command(helm, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("helm template: %v\n%s", err, out)
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(out), 4096)
		var objs []unstructured.Unstructured
		for {
			var u unstructured.Unstructured
			if err := dec.Decode(&u.Object); err != nil {
				if errors.Is(err, io.EOF) {
					return objs
				}
				t.Fatal(err)
			}
			if len(u.Object) > 0 {
				objs = append(objs, u)
			}
		}
	}
	find := func(objs []unstructured.Unstructured, kind string) *unstructured.Unstructured {
		for i := range objs {
			if objs[i].GetKind() == kind {
				return &objs[i]
			}
		}
		return nil
	}
	objs := render()
	crd := find(objs, "CustomResourceDefinition")
	if crd == nil || crd.GetName() != "egovtenants.platform.egov.vn" || crd.GetAnnotations()["helm.sh/resource-policy"] != "keep" {
		t.Fatalf("CRD = %v", crd)
	}
	if plural, _, _ := unstructured.NestedString(crd.Object, "spec", "names", "plural"); plural != "egovtenants" {
		t.Errorf("plural = %q", plural)
	}
	if find(objs, "Secret") != nil {
		t.Error("with existing Secrets the chart still makes one")
	}
	dep := find(objs, "Deployment")
	containers, _, _ := unstructured.NestedSlice(dep.Object, "spec", "template", "spec", "containers")
	args, _ := containers[0].(map[string]any)["args"].([]any)
	if len(args) == 0 {
		t.Fatal("the operator container has no args")
	}
	for _, v := range args {
		a, _ := v.(string)
		if strings.Contains(a, "secret") || strings.Contains(a, "access-key") {
			t.Errorf("a credential on the command line: %s", a)
		}
	}
	if c := crdOf(render("--set", "crds.keep=false")); c == nil || c.GetAnnotations()["helm.sh/resource-policy"] != "" {
		t.Errorf("crds.keep=false still keeps the CRD: %v", c)
	}
	if crdOf(render("--set", "crds.enabled=false")) != nil {
		t.Error("crds.enabled=false still renders the CRD")
	}
}

func crdOf(objs []unstructured.Unstructured) *unstructured.Unstructured {
	for i := range objs {
		if objs[i].GetKind() == "CustomResourceDefinition" {
			return &objs[i]
		}
	}
	return nil
}

// The platform chart (the five services) passes the same server-side dry run.
func TestRenderedPlatformChartPassesServerSideDryRun(t *testing.T) {
	kinds := dryRunChart(t, "egov", "../../../charts/platform", "egov-platform", "--set", "trustedProxies[0]=10.244.0.0/16")
	for k, want := range map[string]int{"Deployment": 5, "Service": 5, "PodDisruptionBudget": 5, "Ingress": 2, "NetworkPolicy": 1,
		"Secret": 1, "ConfigMap": 1, "Pod": 1} { // the Pod is `helm test`'s check
		if kinds[k] != want {
			t.Errorf("the platform chart renders %d %s, want %d (got %v)", kinds[k], k, want, kinds)
		}
	}
}

// dryRunChart renders a chart with helm from ./bin into namespace and applies every object to
// the envtest API server with server-side apply in dry-run mode; it returns the kinds rendered.
func dryRunChart(t *testing.T, release, dir, namespace string, args ...string) map[string]int {
	t.Helper()
	needCluster(t)
	helm := testenv.Binary(t, "helm")
	args = append([]string{"template", release, dir, "--namespace", namespace, "--kube-version", "1.34.2"}, args...)
	out, err := exec.Command(helm, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("helm template: %v\n%s", err, out)
	}
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}
	if err := shared.k8s.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(out), 4096)
	kinds := map[string]int{}
	for {
		var u unstructured.Unstructured
		if err := dec.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatal(err)
		}
		if len(u.Object) == 0 {
			continue
		}
		kinds[u.GetKind()]++
		if err := shared.k8s.Patch(ctx, &u, client.Apply, client.DryRunAll, client.FieldOwner("chart-test"), client.ForceOwnership); err != nil {
			t.Errorf("%s %s: %v", u.GetKind(), u.GetName(), err)
		}
	}
	return kinds
}

// The operator does its whole job with only the chart's RBAC (the generated ClusterRole the
// chart binds to its ServiceAccount), not as the cluster admin the other tests use.
func TestOperatorWorksUnderTheChartsRBAC(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	sa := "system:serviceaccount:egov-operator:tenant-operator-" + randHex(3)
	user, err := shared.env.AddUser(envtest.User{Name: sa, Groups: []string{"system:serviceaccounts"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(chartDir + "/files/role.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var role rbacv1.ClusterRole
	if err := sigyaml.Unmarshal(b, &role); err != nil {
		t.Fatal(err)
	}
	role.ObjectMeta = metav1.ObjectMeta{Name: "rbac-test-" + randHex(3)}
	if err := shared.k8s.Create(ctx, &role); err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: role.Name},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: sa}}}
	if err := shared.k8s.Create(ctx, binding); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = shared.k8s.Delete(ctx, binding); _ = shared.k8s.Delete(ctx, &role) })

	// The user has the chart's rights and nothing more: it cannot read Pods.
	limited, err := client.New(user.Config(), client.Options{Scheme: shared.scheme})
	if err != nil {
		t.Fatal(err)
	}
	if err := limited.List(ctx, &corev1.PodList{}); !apierrors.IsForbidden(err) {
		t.Fatalf("the operator's user lists Pods (err %v): the test would not exercise the chart's RBAC", err)
	}

	idp := identitytest.Start(t)
	w := newWorld(t, idp, asUser(user.Config()))
	slug := uniqueSlug("xa-dong-hop")
	if err := w.k8s.Create(ctx, commune(slug, "12716")); err != nil {
		t.Fatal(err)
	}
	got := w.waitCondition(slug, controller.CondReady, metav1.ConditionTrue, "")
	if got.Status.Namespace == "" || len(got.Status.SecretRefs) != 2 {
		t.Errorf("status under the chart's RBAC = %+v", got.Status)
	}
	// Deleting runs the finalizer with the same rights.
	if err := w.k8s.Delete(ctx, got); err != nil {
		t.Fatal(err)
	}
	w.waitGone(got)
}
