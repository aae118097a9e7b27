package controller_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"egov.vn/platform/libs/testenv"
)

// renderPlatform renders the platform chart with args; it returns the objects, or helm's error
// text when the chart refuses the values.
func renderPlatform(t *testing.T, args ...string) ([]unstructured.Unstructured, string) {
	t.Helper()
	helm := testenv.Binary(t, "helm")
	args = append([]string{"template", "egov", platformChartDir, "--namespace", "egov-platform", "--kube-version", "1.34.2"}, args...)
	out, err := exec.Command(helm, args...).CombinedOutput()
	if err != nil {
		return nil, string(out)
	}
	var objs []unstructured.Unstructured
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(out), 4096)
	for {
		var u unstructured.Unstructured
		if err := dec.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatal(err)
		}
		if len(u.Object) > 0 {
			objs = append(objs, u)
		}
	}
	return objs, ""
}

func ofKind(objs []unstructured.Unstructured, kind string) []unstructured.Unstructured {
	var out []unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

// TestPlatformChartForProduction (issue 19 item 4): the knobs a production install needs, as the
// rendered objects show them, and the values the chart refuses with what to fix.
func TestPlatformChartForProduction(t *testing.T) {
	proxies := []string{"--set", "trustedProxies[0]=10.244.0.0/16"}

	t.Run("refusals", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			args []string
			want string
		}{
			{"no trustedProxies", nil, "trustedProxies is required"},
			{"a proxy that is no CIDR", []string{"--set", "trustedProxies[0]=ingress-nginx"}, "trustedProxies"},
			{"startup shorter than the migration lock", append([]string{"--set", "startupSeconds=120"}, proxies...), "startupSeconds"},
			{"a digest that is none", append([]string{"--set", "image.digests.identity=latest"}, proxies...), "digests"},
		} {
			if _, msg := renderPlatform(t, tc.args...); !strings.Contains(msg, tc.want) {
				t.Errorf("%s: helm said %q, want a refusal naming %q", tc.name, msg, tc.want)
			}
		}
	})

	t.Run("defaults", func(t *testing.T) {
		objs, msg := renderPlatform(t, proxies...)
		if msg != "" {
			t.Fatal(msg)
		}
		for _, d := range ofKind(objs, "Deployment") {
			pod, _, _ := unstructured.NestedMap(d.Object, "spec", "template")
			c := containerOf(t, d)
			if env(c, strings.ToUpper(d.GetName())+"_TRUSTED_PROXIES") != "10.244.0.0/16" {
				t.Errorf("%s: trusted proxies not passed on", d.GetName())
			}
			// The startup probe outlasts a peer's migration (the lock waits 600 s).
			th, per := number(c, "startupProbe", "failureThreshold"), number(c, "startupProbe", "periodSeconds")
			if th*per < 660 {
				t.Errorf("%s: the startup probe gives up after %d s, before a migration may end", d.GetName(), th*per)
			}
			ann, _, _ := unstructured.NestedStringMap(pod, "metadata", "annotations")
			if ann["checksum/secrets"] == "" {
				t.Errorf("%s: no checksum of the generated Secret: %v", d.GetName(), ann)
			}
			if number(d.Object, "spec", "replicas") == 0 {
				t.Errorf("%s: fixed replicas missing without autoscaling", d.GetName())
			}
		}
		// `helm test`: the operator's image checks every service's readiness and one sign-in.
		if pods := ofKind(objs, "Pod"); len(pods) != 1 || pods[0].GetAnnotations()["helm.sh/hook"] != "test" {
			t.Errorf("helm test pods: %v", pods)
		} else {
			c := containerOf(t, pods[0])
			img, _, _ := unstructured.NestedString(c, "image")
			args, _, _ := unstructured.NestedStringSlice(c, "args")
			if img != "egov.local/tenant-operator:dev" || len(args) == 0 || args[0] != "check" ||
				!strings.Contains(strings.Join(args, " "), "http://reporting:8080/readyz") {
				t.Errorf("the check pod runs %s %v", img, args)
			}
		}
		if n := len(ofKind(objs, "HorizontalPodAutoscaler")); n != 0 {
			t.Errorf("%d HPAs without autoscaling.enabled", n)
		}
		// The identity seed in its ConfigMap names files, never a secret.
		cm := ofKind(objs, "ConfigMap")
		if len(cm) != 1 {
			t.Fatalf("%d ConfigMaps, want identity's clients", len(cm))
		}
		seed, _, _ := unstructured.NestedString(cm[0].Object, "data", "clients.yaml")
		if !strings.Contains(seed, "secret_file: \"/etc/egov/secrets/dossiers-client-secret\"") || strings.Contains(seed, "secret:") {
			t.Errorf("the clients seed:\n%s", seed)
		}
		// identity posts sign-outs to the services itself, by their Service names: a pod may not
		// reach the public origin.
		if !strings.Contains(seed, `backchannel_logout_uri: "http://reporting:8080/reports/auth/backchannel-logout"`) {
			t.Errorf("the clients seed does not send reporting's sign-out to its Service:\n%s", seed)
		}
		// archives' path has its own Ingress with the upload limits; the rest keeps the defaults.
		for _, ing := range ofKind(objs, "Ingress") {
			ann := ing.GetAnnotations()
			uploads := ing.GetName() == "egov-uploads"
			want := map[bool]string{true: "2g", false: "40m"}[uploads]
			if got := ann["nginx.ingress.kubernetes.io/proxy-body-size"]; got != want {
				t.Errorf("Ingress %s: proxy-body-size %q, want %q", ing.GetName(), got, want)
			}
		}
	})

	t.Run("existingSecret, digests, pull secrets, scheduling, autoscaling", func(t *testing.T) {
		const digest = "sha256:bdd4b9bc2e3b6b8c8f0a1a7e5f5b3c1d2e4f6a8b0c2d4e6f8a0b2c4d6e8ff841b"
		args := append([]string{
			"--set", "secrets.existingSecret=egov-keys",
			"--set", "image.digests.reporting=" + digest[:len("sha256:")+64],
			"--set", "image.pullSecrets[0]=registry-so-noi-vu",
			"--set", "nodeSelector.egov\\.vn/pool=services",
			"--set", "tolerations[0].key=dedicated", "--set", "tolerations[0].operator=Exists",
			"--set", "autoscaling.enabled=true",
		}, proxies...)
		objs, msg := renderPlatform(t, args...)
		if msg != "" {
			t.Fatal(msg)
		}
		// The API server takes every object as rendered (the HPAs included).
		dryRunChart(t, "egov", platformChartDir, "egov-platform", args...)
		if s := ofKind(objs, "Secret"); len(s) != 0 {
			t.Errorf("with existingSecret the chart still renders %s", s[0].GetName())
		}
		if n := len(ofKind(objs, "HorizontalPodAutoscaler")); n != 5 {
			t.Errorf("%d HPAs, want one per service", n)
		}
		for _, d := range ofKind(objs, "Deployment") {
			name := d.GetName()
			pod, _, _ := unstructured.NestedMap(d.Object, "spec", "template", "spec")
			c := containerOf(t, d)
			if _, ok, _ := unstructured.NestedFieldNoCopy(d.Object, "spec", "replicas"); ok {
				t.Errorf("%s: fixed replicas beside its HPA", name)
			}
			img, _, _ := unstructured.NestedString(c, "image")
			if want := "egov.local/" + name + ":dev"; name == "reporting" {
				if img != want+"@"+digest[:len("sha256:")+64] {
					t.Errorf("reporting's image %q is not pinned by its digest", img)
				}
			} else if img != want {
				t.Errorf("%s's image %q", name, img)
			}
			if ps, _, _ := unstructured.NestedSlice(pod, "imagePullSecrets"); len(ps) != 1 {
				t.Errorf("%s: imagePullSecrets %v", name, ps)
			}
			if ns, _, _ := unstructured.NestedStringMap(pod, "nodeSelector"); ns["egov.vn/pool"] != "services" {
				t.Errorf("%s: nodeSelector %v", name, ns)
			}
			if tol, _, _ := unstructured.NestedSlice(pod, "tolerations"); len(tol) != 1 {
				t.Errorf("%s: tolerations %v", name, tol)
			}
			// Every secret comes from the operator's own Secret; no checksum of a Secret the chart cannot read.
			for _, e := range envs(c) {
				if ref, ok, _ := unstructured.NestedString(e, "valueFrom", "secretKeyRef", "name"); ok &&
					ref != "egov-keys" && ref != "egov-databases" && ref != "egov-minio" {
					t.Errorf("%s: %s from Secret %s", name, e["name"], ref)
				}
			}
			if ann, _, _ := unstructured.NestedStringMap(d.Object, "spec", "template", "metadata", "annotations"); ann["checksum/secrets"] != "" {
				t.Errorf("%s: a checksum of a Secret the chart never rendered", name)
			}
			if name == "identity" {
				vols, _, _ := unstructured.NestedSlice(pod, "volumes")
				found := false
				for _, v := range vols {
					if n, _, _ := unstructured.NestedString(v.(map[string]any), "secret", "secretName"); n == "egov-keys" {
						found = true
					}
				}
				if !found {
					t.Errorf("identity does not mount the client secrets of egov-keys: %v", vols)
				}
			}
		}
	})

	t.Run("observability and the stream", func(t *testing.T) {
		objs, msg := renderPlatform(t, append([]string{"--set", "metrics.serviceMonitor.enabled=true",
			"--set", "metrics.serviceMonitor.labels.release=kube-prometheus-stack",
			"--set", "otel.endpoint=http://otel-collector.observability.svc:4318", "--set", "nats.streamReplicas=3"}, proxies...)...)
		if msg != "" {
			t.Fatal(msg)
		}
		sm := ofKind(objs, "ServiceMonitor")
		if len(sm) != 1 || sm[0].GetLabels()["release"] != "kube-prometheus-stack" {
			t.Errorf("ServiceMonitors: %v", sm)
		}
		np := ofKind(objs, "NetworkPolicy")
		if len(np) != 1 || !strings.Contains(fmt.Sprint(np[0].Object["spec"]), "monitoring") {
			t.Errorf("the NetworkPolicy does not admit the scraper's namespace: %v", np)
		}
		for _, d := range ofKind(objs, "Deployment") {
			c := containerOf(t, d)
			if env(c, strings.ToUpper(d.GetName())+"_NATS_STREAM_REPLICAS") != "3" ||
				env(c, "OTEL_EXPORTER_OTLP_ENDPOINT") != "http://otel-collector.observability.svc:4318" {
				t.Errorf("%s: stream replicas or OTLP endpoint not passed on", d.GetName())
			}
		}
		if objs, _ := renderPlatform(t, proxies...); len(ofKind(objs, "ServiceMonitor")) != 0 {
			t.Error("a ServiceMonitor without metrics.serviceMonitor.enabled")
		}
	})
}

// containerOf is the one container of a Deployment's pod, or of a Pod.
func containerOf(t *testing.T, d unstructured.Unstructured) map[string]any {
	t.Helper()
	path := []string{"spec", "template", "spec", "containers"}
	if d.GetKind() == "Pod" {
		path = []string{"spec", "containers"}
	}
	cs, _, _ := unstructured.NestedSlice(d.Object, path...)
	if len(cs) != 1 {
		t.Fatalf("%s: %d containers", d.GetName(), len(cs))
	}
	return cs[0].(map[string]any)
}

func envs(c map[string]any) []map[string]any {
	list, _, _ := unstructured.NestedSlice(c, "env")
	out := make([]map[string]any, 0, len(list))
	for _, e := range list {
		out = append(out, e.(map[string]any))
	}
	return out
}

func env(c map[string]any, name string) string {
	for _, e := range envs(c) {
		if e["name"] == name {
			v, _ := e["value"].(string)
			return v
		}
	}
	return ""
}

// number reads a number of a decoded object, which YAML gives as int64 and JSON as float64.
func number(obj map[string]any, fields ...string) int64 {
	v, _, _ := unstructured.NestedFieldNoCopy(obj, fields...)
	switch n := v.(type) {
	case int64:
		return n
	case float64:
		return int64(n)
	}
	return 0
}
