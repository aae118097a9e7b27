package api_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"go.yaml.in/yaml/v3"

	"egov.vn/platform/services/reporting/api"
	"egov.vn/platform/services/reporting/internal/ports"
)

const prefix = "/reports"

func contract(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := yaml.Unmarshal(api.OpenAPI, &doc); err != nil {
		t.Fatalf("api/openapi.yaml is not valid YAML: %v", err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	return doc
}

var operations = []string{"get", "put", "post", "delete", "patch"}

// TestContractDocumentsExactlyTheMountedRoutes: every API route the service mounts is in the
// contract and every operation in the contract is mounted, with the same path parameters.
func TestContractDocumentsExactlyTheMountedRoutes(t *testing.T) {
	doc := contract(t)
	servers := doc["servers"].([]any)
	base := servers[0].(map[string]any)["url"].(string)
	if base != prefix+"/api/v1" {
		t.Fatalf("servers[0].url = %s, want %s/api/v1", base, prefix)
	}
	gin.SetMode(gin.TestMode)
	e := gin.New()
	(&ports.API{}).Mount(e, prefix, func(c *gin.Context) {})
	mounted := map[string]bool{}
	param := regexp.MustCompile(`:([a-z_]+)`)
	for _, r := range e.Routes() {
		p, ok := strings.CutPrefix(r.Path, base)
		if !ok {
			continue // /reports/openapi.json
		}
		mounted[r.Method+" "+param.ReplaceAllString(p, "{$1}")] = true
	}
	documented := map[string]bool{}
	for path, item := range doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			if !slices.Contains(operations, method) {
				continue
			}
			documented[strings.ToUpper(method)+" "+path] = true
			o := op.(map[string]any)
			if o["operationId"] == nil || o["summary"] == nil || o["responses"] == nil {
				t.Errorf("%s %s: operationId, summary and responses are required", method, path)
			}
		}
	}
	for r := range mounted {
		if !documented[r] {
			t.Errorf("%s is mounted but not in api/openapi.yaml", r)
		}
	}
	for r := range documented {
		if !mounted[r] {
			t.Errorf("%s is in api/openapi.yaml but not mounted", r)
		}
	}
	if len(mounted) < 10 {
		t.Fatalf("only %d routes mounted; the API did not mount", len(mounted))
	}
}

// TestContractRefsResolve: every $ref points at a component that exists.
func TestContractRefsResolve(t *testing.T) {
	doc := contract(t)
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				parts := strings.Split(strings.TrimPrefix(ref, "#/"), "/")
				var cur any = doc
				for _, p := range parts {
					m, ok := cur.(map[string]any)
					if !ok || m[p] == nil {
						t.Errorf("$ref %s does not resolve", ref)
						return
					}
					cur = m[p]
				}
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(doc)
}
