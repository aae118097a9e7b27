// Package openapitest holds a service's API to its contract (api/openapi.yaml) in two ways.
// Check compares the contract with the routes the API mounts: OpenAPI 3.1, servable as JSON,
// exactly the mounted routes, complete operations and resolving $refs; a service's api package
// calls it from one test. Recorder watches the answers the running API gives during the
// integration tests and validates every one against the contract: documented route and status, and
// a JSON body matching the documented schema.
package openapitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"go.yaml.in/yaml/v3"
)

// Contract is one service's contract and the API it describes.
type Contract struct {
	// Spec is the embedded api/openapi.yaml.
	Spec []byte
	// Prefix is where the service mounts the API, "/auth/api/v1"; the contract's first server
	// must say the same.
	Prefix string
	// Mount registers the API's routes on g (handlers only run on requests, so an API without
	// its use cases will do).
	Mount func(g *gin.RouterGroup)
}

// Check runs every contract check as a subtest.
func Check(t *testing.T, c Contract) {
	t.Helper()
	t.Run("IsOpenAPI31", c.isOpenAPI31)
	t.Run("DocumentsExactlyTheMountedRoutes", c.documentsExactlyTheMountedRoutes)
	t.Run("OperationsAreComplete", c.operationsAreComplete)
	t.Run("RefsResolve", c.refsResolve)
}

// operationKeys are the members of an OpenAPI path item that are operations.
var operationKeys = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// contract parses the embedded YAML the way the service does before serving it as JSON.
func (c Contract) contract(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := yaml.Unmarshal(c.Spec, &doc); err != nil {
		t.Fatalf("api/openapi.yaml is not valid YAML: %v", err)
	}
	if doc == nil {
		t.Fatal("api/openapi.yaml is empty")
	}
	return doc
}

func object(t *testing.T, v any, where string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s: want a mapping with string keys, got %T", where, v)
	}
	return m
}

func (c Contract) isOpenAPI31(t *testing.T) {
	doc := c.contract(t)
	version, _ := doc["openapi"].(string)
	if !strings.HasPrefix(version, "3.1.") {
		t.Errorf("openapi = %q, want 3.1.x", version)
	}
	info := object(t, doc["info"], "info")
	for _, key := range []string{"title", "version", "description"} {
		if s, _ := info[key].(string); s == "" {
			t.Errorf("info.%s is missing", key)
		}
	}
	servers, _ := doc["servers"].([]any)
	if len(servers) == 0 {
		t.Fatal("servers is missing")
	}
	if url := object(t, servers[0], "servers[0]")["url"]; url != c.Prefix {
		t.Errorf("servers[0].url = %v, want %s (where the service mounts the API)", url, c.Prefix)
	}
	if _, ok := doc["security"].([]any); !ok {
		t.Error("no global security requirement: every route needs a bearer token")
	}
	// The service serves the contract as JSON (httpapi.OpenAPIHandler): every mapping must have
	// string keys, e.g. response codes quoted as "200", or json.Marshal fails at run time.
	if _, err := json.Marshal(doc); err != nil {
		t.Errorf("the contract cannot be served as JSON: %v (quote numeric keys such as response codes)", err)
	}
}

// ginParam matches gin's path parameters, ":slug" or "*path".
var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// mountedRoutes returns "METHOD /path" for every route Mount registers, with gin's
// :param written as OpenAPI's {param} and the mount prefix removed.
func (c Contract) mountedRoutes(t *testing.T) map[string]bool {
	t.Helper()
	gin.SetMode(gin.TestMode)
	engine := gin.New()
	c.Mount(engine.Group(c.Prefix))
	routes := map[string]bool{}
	for _, r := range engine.Routes() {
		path, ok := strings.CutPrefix(r.Path, c.Prefix)
		if !ok {
			t.Errorf("route %s %s is outside %s", r.Method, r.Path, c.Prefix)
			continue
		}
		routes[r.Method+" "+ginParam.ReplaceAllString(path, "{$1}")] = true
	}
	if len(routes) == 0 {
		t.Fatal("the API mounted no routes")
	}
	return routes
}

// documentedRoutes returns "METHOD /path" for every operation in the contract.
func documentedRoutes(t *testing.T, doc map[string]any) map[string]bool {
	t.Helper()
	paths := object(t, doc["paths"], "paths")
	routes := map[string]bool{}
	for path, item := range paths {
		for key := range object(t, item, "paths."+path) {
			if slices.Contains(operationKeys, key) {
				routes[strings.ToUpper(key)+" "+path] = true
			}
		}
	}
	return routes
}

func missing(want, have map[string]bool) []string {
	var out []string
	for r := range want {
		if !have[r] {
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return out
}

func (c Contract) documentsExactlyTheMountedRoutes(t *testing.T) {
	doc := c.contract(t)
	mounted, documented := c.mountedRoutes(t), documentedRoutes(t, doc)
	if undocumented := missing(mounted, documented); len(undocumented) > 0 {
		t.Errorf("routes the API mounts but api/openapi.yaml misses (prefix %s):\n  %s",
			c.Prefix, strings.Join(undocumented, "\n  "))
	}
	if unmounted := missing(documented, mounted); len(unmounted) > 0 {
		t.Errorf("operations in api/openapi.yaml that the API does not mount:\n  %s",
			strings.Join(unmounted, "\n  "))
	}
}

// templateParam matches an OpenAPI path template's parameters.
var templateParam = regexp.MustCompile(`\{([^}]+)\}`)

// operationsAreComplete checks what every operation must say: a unique operationId,
// its path parameters, and the answers every route can give.
func (c Contract) operationsAreComplete(t *testing.T) {
	doc := c.contract(t)
	paths := object(t, doc["paths"], "paths")
	ids := map[string]string{}
	for path, rawItem := range paths {
		item := object(t, rawItem, "paths."+path)
		var want []string
		for _, m := range templateParam.FindAllStringSubmatch(path, -1) {
			want = append(want, m[1])
		}
		slices.Sort(want)
		for _, method := range operationKeys {
			rawOp, ok := item[method]
			if !ok {
				continue
			}
			where := strings.ToUpper(method) + " " + path
			op := object(t, rawOp, where)
			id, _ := op["operationId"].(string)
			if id == "" {
				t.Errorf("%s: no operationId", where)
			} else if other, dup := ids[id]; dup {
				t.Errorf("%s: operationId %q is also used by %s", where, id, other)
			} else {
				ids[id] = where
			}
			if got := pathParams(t, doc, item, op, where); !slices.Equal(got, want) {
				t.Errorf("%s: declares path parameters %v, the template has %v", where, got, want)
			}
			responses := object(t, op["responses"], where+" responses")
			for _, status := range []string{"401", "403"} {
				if _, ok := responses[status]; !ok {
					t.Errorf("%s: no %s response (every route needs a bearer token)", where, status)
				}
			}
			if _, ok := op["requestBody"]; ok {
				for _, status := range []string{"400", "413", "422"} {
					if _, ok := responses[status]; !ok {
						t.Errorf("%s: has a request body but no %s response", where, status)
					}
				}
			}
			for status := range responses {
				if status == "default" || status == "5XX" || status == "4XX" {
					continue
				}
				if n, err := strconv.Atoi(status); err != nil || http.StatusText(n) == "" {
					t.Errorf("%s: response %q is not an HTTP status", where, status)
				}
			}
		}
	}
}

// pathParams returns the names of the path parameters declared on the path item and the
// operation, following $refs.
func pathParams(t *testing.T, doc, item, op map[string]any, where string) []string {
	t.Helper()
	var names []string
	for _, list := range []any{item["parameters"], op["parameters"]} {
		params, _ := list.([]any)
		for i, p := range params {
			param := object(t, p, fmt.Sprintf("%s parameters[%d]", where, i))
			if ref, ok := param["$ref"].(string); ok {
				target, err := resolve(doc, ref)
				if err != nil {
					t.Errorf("%s: %v", where, err)
					continue
				}
				param = object(t, target, ref)
			}
			if param["in"] == "path" {
				if param["required"] != true {
					t.Errorf("%s: path parameter %v must be required", where, param["name"])
				}
				names = append(names, fmt.Sprint(param["name"]))
			}
		}
	}
	slices.Sort(names)
	return names
}

func (c Contract) refsResolve(t *testing.T) {
	doc := c.contract(t)
	var refs []string
	collectRefs(doc, &refs)
	if len(refs) == 0 {
		t.Fatal("the contract has no $ref at all; the shared schemas are not used")
	}
	for _, ref := range refs {
		if !strings.HasPrefix(ref, "#/components/") {
			t.Errorf("$ref %q: only references to #/components/... are allowed", ref)
			continue
		}
		if _, err := resolve(doc, ref); err != nil {
			t.Error(err)
		}
	}
}

func collectRefs(v any, refs *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if s, ok := e.(string); ok && k == "$ref" {
				*refs = append(*refs, s)
				continue
			}
			collectRefs(e, refs)
		}
	case map[any]any: // a mapping with a non-string key; TestContractIsOpenAPI31 reports it
		for k, e := range v {
			if s, ok := e.(string); ok && k == "$ref" {
				*refs = append(*refs, s)
				continue
			}
			collectRefs(e, refs)
		}
	case []any:
		for _, e := range v {
			collectRefs(e, refs)
		}
	}
}

// resolve follows a local JSON pointer reference (RFC 6901) in doc.
func resolve(doc map[string]any, ref string) (any, error) {
	pointer, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("$ref %q is not a local reference", ref)
	}
	var cur any = doc
	for _, token := range strings.Split(pointer, "/") {
		token = strings.ReplaceAll(strings.ReplaceAll(token, "~1", "/"), "~0", "~")
		switch node := cur.(type) {
		case map[string]any:
			next, ok := node[token]
			if !ok {
				return nil, fmt.Errorf("$ref %q does not resolve: no %q", ref, token)
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(token)
			if err != nil || i < 0 || i >= len(node) {
				return nil, fmt.Errorf("$ref %q does not resolve: no element %q", ref, token)
			}
			cur = node[i]
		default:
			return nil, fmt.Errorf("$ref %q does not resolve: %q is inside a scalar", ref, token)
		}
	}
	return cur, nil
}
