package openapitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// Answer is one response a service's API gave during a test, as the contract sees it: the
// route's path below the API prefix ("/dossiers/0190…/actions"), its status, content type and
// body.
type Answer struct {
	Method, Path, ContentType string
	Status                    int
	Body                      []byte
}

// Recorder keeps every answer an API gives during a test run, so that one check at the end
// (Validate) holds each of them to the contract: its route and status are documented, and a JSON
// body matches the schema documented for that status and content type. Recording costs the tests
// nothing to write: they go on calling the API as they do, through a client or an engine the
// recorder watches.
//
// A service adopts it in its integration-test harness, in three lines:
//
//	rec := openapitest.NewRecorder("/hr/api/v1")               // the API prefix, as in Contract
//	client := &http.Client{Transport: rec.Transport(nil)}       // or engine.Use(rec.Middleware())
//	defer rec.Validate(t, api.OpenAPI, 20)                      // after the test's calls
//
// Transport records what a real client receives from a service on a port; Middleware records
// what a gin engine answers, for tests that call engine.ServeHTTP. Requests outside the prefix
// (pages, /openapi.json, sign-in) are not recorded. A Recorder is safe for concurrent use.
type Recorder struct {
	prefix  string
	mu      sync.Mutex
	answers []Answer
}

// NewRecorder returns a recorder of the answers under prefix, the API's mount path such as
// "/dossiers/api/v1" (the contract's first server URL).
func NewRecorder(prefix string) *Recorder {
	return &Recorder{prefix: strings.TrimSuffix(prefix, "/")}
}

// Record adds one answer; path may carry the prefix, which is removed. Transport and Middleware
// call it; a test with its own way of calling the API may too.
func (r *Recorder) Record(a Answer) {
	a.Path = strings.TrimPrefix(a.Path, r.prefix)
	r.mu.Lock()
	r.answers = append(r.answers, a)
	r.mu.Unlock()
}

// Answers returns a copy of what was recorded so far.
func (r *Recorder) Answers() []Answer {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Answer(nil), r.answers...)
}

func (r *Recorder) watches(path string) bool {
	return path == r.prefix || strings.HasPrefix(path, r.prefix+"/")
}

// Transport returns an http.RoundTripper that sends requests through next
// (http.DefaultTransport when nil) and records every answer to a path under the prefix. It reads
// each recorded body whole and hands the caller an identical copy.
func (r *Recorder) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripper{r: r, next: next}
}

type roundTripper struct {
	r    *Recorder
	next http.RoundTripper
}

func (t roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || !t.r.watches(req.URL.Path) {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	t.r.Record(Answer{Method: req.Method, Path: req.URL.Path, ContentType: resp.Header.Get("Content-Type"),
		Status: resp.StatusCode, Body: body})
	return resp, nil
}

// Middleware returns gin middleware that records every answer the engine gives under the prefix.
// Use it first on the engine, so that answers from the authentication middleware are recorded
// too.
func (r *Recorder) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		if !r.watches(c.Request.URL.Path) {
			c.Next()
			return
		}
		w := &bodyWriter{ResponseWriter: c.Writer}
		c.Writer = w
		c.Next()
		r.Record(Answer{Method: c.Request.Method, Path: c.Request.URL.Path, ContentType: w.Header().Get("Content-Type"),
			Status: w.Status(), Body: w.body.Bytes()})
	}
}

// bodyWriter keeps a copy of what a handler writes.
type bodyWriter struct {
	gin.ResponseWriter
	body bytes.Buffer
}

func (w *bodyWriter) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *bodyWriter) WriteString(s string) (int, error) {
	w.body.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}

// Validate holds every recorded answer to spec, the embedded api/openapi.yaml, and reports each
// that breaks it: a route or method the contract does not list, a status its operation does not
// document (exactly, as a range such as "4XX", or as "default"), or a JSON body (application/json
// or any +json type) that does not match the schema documented for that status and media type.
// Other bodies (PDF, CSV, HTML) are checked for route and status only. atLeast is the number of
// JSON answers that must have been validated, so that a harness which stopped recording fails
// instead of passing on nothing.
func (r *Recorder) Validate(t testing.TB, spec []byte, atLeast int) {
	t.Helper()
	c, err := compileContract(spec)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, a := range r.Answers() {
		ok, err := c.validate(a)
		if err != nil {
			t.Errorf("%v\n%s", err, a.Body)
		}
		if ok {
			checked++
		}
	}
	if checked < atLeast {
		t.Errorf("only %d JSON answers were validated against the contract, want at least %d", checked, atLeast)
	}
}

// schemaBase is the URI the contract is compiled under; only its pointers matter.
const schemaBase = "https://contract.invalid/openapi.json"

type compiledContract struct {
	paths    map[string]any
	routes   []route
	compiler *jsonschema.Compiler
}

type route struct {
	re       *regexp.Regexp
	template string
}

// pathParam matches an OpenAPI template parameter once regexp.QuoteMeta has escaped it.
var pathParam = regexp.MustCompile(`\\\{[^}]+\\\}`)

func compileContract(spec []byte) (*compiledContract, error) {
	var doc any
	if err := yaml.Unmarshal(spec, &doc); err != nil {
		return nil, fmt.Errorf("api/openapi.yaml is not valid YAML: %w", err)
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("api/openapi.yaml cannot be served as JSON: %w", err)
	}
	jdoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	// OpenAPI 3.1 schemas are JSON Schema 2020-12.
	comp := jsonschema.NewCompiler()
	comp.DefaultDraft(jsonschema.Draft2020)
	if err := comp.AddResource(schemaBase, jdoc); err != nil {
		return nil, err
	}
	root, _ := doc.(map[string]any)
	paths, _ := root["paths"].(map[string]any)
	c := &compiledContract{paths: paths, compiler: comp}
	for p := range paths {
		re := "^" + pathParam.ReplaceAllString(regexp.QuoteMeta(p), `[^/]+`) + "$"
		c.routes = append(c.routes, route{regexp.MustCompile(re), p})
	}
	return c, nil
}

// template finds the documented path of a concrete one; a literal path beats a template
// (/procedures/export against /procedures/{code}).
func (c *compiledContract) template(path string) string {
	var tmpl string
	for _, rt := range c.routes {
		if rt.re.MatchString(path) && (tmpl == "" || !strings.Contains(rt.template, "{")) {
			tmpl = rt.template
		}
	}
	return tmpl
}

// validate checks one answer; validated is true when its body was checked against a schema.
func (c *compiledContract) validate(a Answer) (validated bool, err error) {
	where := fmt.Sprintf("%s %s (%d)", a.Method, a.Path, a.Status)
	tmpl := c.template(a.Path)
	if tmpl == "" {
		return false, fmt.Errorf("%s: the route is not in the contract", where)
	}
	method := strings.ToLower(a.Method)
	op, ok := c.paths[tmpl].(map[string]any)[method].(map[string]any)
	if !ok {
		return false, fmt.Errorf("%s: %s %s is not in the contract", where, a.Method, tmpl)
	}
	responses, _ := op["responses"].(map[string]any)
	status := fmt.Sprint(a.Status)
	for _, key := range []string{status, status[:1] + "XX", "default"} {
		if _, ok := responses[key]; ok {
			status = key
			break
		}
	}
	resp, ok := responses[status]
	if !ok {
		return false, fmt.Errorf("%s: %s %s answered %d, which the contract does not document", where, a.Method, tmpl, a.Status)
	}
	ct, _, _ := strings.Cut(a.ContentType, ";")
	ct = strings.TrimSpace(ct)
	if isJSON := ct == "application/json" || strings.HasSuffix(ct, "+json"); len(a.Body) == 0 || !isJSON {
		return false, nil
	}
	// The schema sits under the operation's response, or under the shared response it refers to.
	ptr := "#/paths/" + escape(tmpl) + "/" + method + "/responses/" + escape(status)
	if m, _ := resp.(map[string]any); m != nil {
		if ref, ok := m["$ref"].(string); ok {
			ptr = ref
		}
	}
	ptr += "/content/" + escape(ct) + "/schema"
	sch, err := c.compiler.Compile(schemaBase + ptr)
	if err != nil {
		return false, fmt.Errorf("%s: the contract documents no %s schema for this answer: %w", where, ct, err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(a.Body))
	if err != nil {
		return false, fmt.Errorf("%s: the body is not JSON: %w", where, err)
	}
	if err := sch.Validate(v); err != nil {
		return false, fmt.Errorf("%s: the answer does not match the contract: %w", where, err)
	}
	return true, nil
}

// escape makes s one JSON-pointer token (RFC 6901) inside a URI fragment.
func escape(s string) string {
	return url.PathEscape(strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1"))
}
