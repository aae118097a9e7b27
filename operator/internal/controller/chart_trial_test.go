package controller_test

import (
	"context"
	"encoding/base64"
	"net/url"
	"regexp"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

const platformChartDir = "../../../charts/platform"

var trialServices = []string{"identity", "dossiers", "archives", "hr", "reporting"}

// The trial profile (values-trial.yaml) renders the platform with its own PostgreSQL, NATS, MinIO
// and front proxy, and every object passes a server-side dry run on a real API server.
func TestTrialProfilePassesServerSideDryRun(t *testing.T) {
	needCluster(t)
	// The profile hands the operator its credentials in the operator's namespace; a namespaced
	// object's dry run needs its namespace to exist.
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "egov-operator"}}
	if err := shared.k8s.Create(context.Background(), ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	kinds := dryRunChart(t, "egov", platformChartDir, "egov-platform", "-f", platformChartDir+"/values-trial.yaml")
	want := map[string]int{
		"Deployment":          6, // five services and the proxy
		"StatefulSet":         3, // PostgreSQL, NATS, MinIO
		"Service":             9,
		"PodDisruptionBudget": 5,
		"NetworkPolicy":       3,
		"Secret":              5, // generated keys, DSNs, MinIO keys, PostgreSQL's init, the operator's
		"ConfigMap":           2, // identity's client seed, the proxy's Caddyfile
		"Namespace":           1,
		"Pod":                 1, // helm test's check
	}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("the trial profile renders %d %s, want %d (got %v)", kinds[k], k, n, kinds)
		}
	}
	if kinds["Ingress"] != 0 {
		t.Errorf("the trial profile renders an Ingress: %v", kinds)
	}
	if len(kinds) != len(want) {
		t.Errorf("the trial profile renders kinds beyond %v: %v", want, kinds)
	}
}

// What the trial's objects say agrees: the init SQL (real statements, not comments) makes the
// databases and roles the DSNs name, with btree_gin in each; the services reach the trial's
// NATS and MinIO; the operator's Secret holds the client secret identity is given.
func TestTrialProfileWiring(t *testing.T) {
	objs := mustRenderPlatform(t, "-f", platformChartDir+"/values-trial.yaml")
	secret := func(ns, name string) map[string]string {
		t.Helper()
		for _, o := range objs {
			if o.GetKind() == "Secret" && o.GetName() == name && o.GetNamespace() == ns {
				out := map[string]string{}
				sd, _, _ := unstructured.NestedStringMap(o.Object, "stringData")
				for k, v := range sd {
					out[k] = v
				}
				d, _, _ := unstructured.NestedStringMap(o.Object, "data")
				for k, v := range d {
					b, err := base64.StdEncoding.DecodeString(v)
					if err != nil {
						t.Fatal(err)
					}
					out[k] = string(b)
				}
				return out
			}
		}
		t.Fatalf("no Secret %s/%s", ns, name)
		return nil
	}
	gen := secret("egov-platform", "egov-generated")
	dbs := secret("egov-platform", "egov-databases")
	sql := secret("egov-platform", "egov-postgresql-init")["00-egov.sql"]

	var statements []string
	for _, line := range strings.Split(sql, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "--") {
			continue
		}
		statements = append(statements, line)
	}
	if len(statements) == 0 || statements[0] != "CREATE EXTENSION IF NOT EXISTS btree_gin;" {
		t.Errorf("the init SQL does not start by creating btree_gin in template1:\n%s", sql)
	}
	for _, svc := range trialServices {
		u, err := url.Parse(dbs[svc+"-dsn"])
		if err != nil || u.Scheme != "postgres" || u.Host != "egov-postgresql:5432" || u.Path != "/"+svc || u.User.Username() != svc {
			t.Errorf("%s-dsn = %q (%v)", svc, dbs[svc+"-dsn"], err)
			continue
		}
		pw, _ := u.User.Password()
		if pw == "" || pw != gen["postgres-"+svc+"-password"] {
			t.Errorf("%s's DSN password is not the generated one", svc)
		}
		role := regexp.MustCompile(`^CREATE ROLE ` + svc + ` LOGIN PASSWORD '([A-Za-z0-9]+)';$`)
		db := "CREATE DATABASE " + svc + " OWNER " + svc + " TEMPLATE template1;"
		var roleOK, dbOK bool
		for _, s := range statements {
			if m := role.FindStringSubmatch(s); m != nil && m[1] == pw {
				roleOK = true
			}
			dbOK = dbOK || s == db
		}
		if !roleOK || !dbOK {
			t.Errorf("the init SQL lacks %s's role (%v) or database (%v):\n%s", svc, roleOK, dbOK, sql)
		}
	}
	op := secret("egov-operator", "tenant-operator-credentials")
	if op["identity-client-secret"] == "" || op["identity-client-secret"] != gen["operator-client-secret"] {
		t.Error("the operator's Secret does not hold identity's operator client secret")
	}
	minio := secret("egov-platform", "egov-minio")
	if op["minio-secret-key"] != minio["secret-key"] || minio["secret-key"] != gen["minio-root-password"] || minio["access-key"] != "egov-root" {
		t.Error("MinIO's keys differ between the services, the operator and the server")
	}
	for _, o := range objs {
		if o.GetKind() != "Deployment" || o.GetName() == "egov-proxy" {
			continue
		}
		env := map[string]string{}
		containers, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
		for _, e := range containers[0].(map[string]any)["env"].([]any) {
			m := e.(map[string]any)
			v, _ := m["value"].(string)
			env[m["name"].(string)] = v
		}
		p := strings.ToUpper(o.GetName())
		if env[p+"_NATS_URL"] != "nats://egov-nats:4222" || env[p+"_MINIO_ENDPOINT"] != "egov-minio:9000" {
			t.Errorf("%s reaches NATS at %q and MinIO at %q", o.GetName(), env[p+"_NATS_URL"], env[p+"_MINIO_ENDPOINT"])
		}
	}
	// Without the profile nothing of it is rendered.
	for _, o := range mustRenderPlatform(t, "--set", "trustedProxies[0]=10.244.0.0/16") {
		if o.GetKind() == "StatefulSet" || o.GetName() == "egov-proxy" || o.GetName() == "egov-databases" {
			t.Errorf("the default values render the trial's %s %s", o.GetKind(), o.GetName())
		}
	}
}

// mustRenderPlatform is renderPlatform for values the chart must take.
func mustRenderPlatform(t *testing.T, args ...string) []unstructured.Unstructured {
	t.Helper()
	objs, msg := renderPlatform(t, args...)
	if msg != "" {
		t.Fatalf("helm template: %s", msg)
	}
	return objs
}
