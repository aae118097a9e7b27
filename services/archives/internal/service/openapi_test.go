package service_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"go.yaml.in/yaml/v3"

	archivesapi "egov.vn/platform/services/archives/api"
)

// TestOpenAPIContractMatchesTheRoutes: the contract served at /archives/openapi.json is the
// YAML in api/, and its paths and methods are exactly the API's routes, both ways.
func TestOpenAPIContractMatchesTheRoutes(t *testing.T) {
	h := start(t, options{})
	r := h.getJSON("", "/openapi.json")
	mustStatus(t, r, http.StatusOK, "openapi.json")
	var served, file map[string]any
	if err := json.Unmarshal(r.Body, &served); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(archivesapi.OpenAPI, &file); err != nil {
		t.Fatalf("api/openapi.yaml: %v", err)
	}
	if served["openapi"] != "3.1.0" || len(served["paths"].(map[string]any)) != len(file["paths"].(map[string]any)) {
		t.Fatalf("served contract differs from api/openapi.yaml")
	}
	documented := map[string]bool{}
	for path, ops := range served["paths"].(map[string]any) {
		for method := range ops.(map[string]any) {
			if method != "parameters" {
				documented[strings.ToUpper(method)+" /archives/api/v1"+path] = true
			}
		}
	}
	engine := gin.New()
	h.ar.Routes(engine)
	param := regexp.MustCompile(`:([a-z]+)`)
	routed := map[string]bool{}
	for _, rt := range engine.Routes() {
		if strings.HasPrefix(rt.Path, "/archives/api/v1/") {
			routed[rt.Method+" "+param.ReplaceAllString(rt.Path, "{$1}")] = true
		}
	}
	for k := range routed {
		if !documented[k] {
			t.Errorf("route %s is not in api/openapi.yaml", k)
		}
	}
	for k := range documented {
		if !routed[k] {
			t.Errorf("api/openapi.yaml documents %s, which is not routed", k)
		}
	}
	// Every problem the API answers with has the documented shape.
	p := h.getJSON(h.clerk("xa-dong-tan"), "/api/v1/documents?year=abc")
	var problem map[string]any
	_ = json.Unmarshal(p.Body, &problem)
	for _, k := range []string{"type", "title", "status", "code"} {
		if _, ok := problem[k]; !ok {
			t.Errorf("problem lacks %q: %s", k, p.Body)
		}
	}
	if !slices.Contains([]string{"application/problem+json"}, p.Header.Get("Content-Type")) {
		t.Errorf("problem content type %q", p.Header.Get("Content-Type"))
	}
}
