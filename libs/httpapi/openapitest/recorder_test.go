package openapitest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

const recorderSpec = `
openapi: 3.1.0
info: {title: t, version: "1", description: d}
servers: [{url: /svc/api/v1}]
security: [{bearer: []}]
paths:
  /things/{id}:
    get:
      operationId: getThing
      responses:
        "200":
          description: the thing
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
        "404": {$ref: "#/components/responses/Problem"}
  /things/export:
    get:
      operationId: exportThings
      responses:
        "200":
          description: CSV
          content:
            text/csv: {schema: {type: string}}
        4XX: {$ref: "#/components/responses/Problem"}
components:
  schemas:
    Thing:
      type: object
      required: [id, name]
      properties:
        id: {type: string}
        name: {type: string}
  responses:
    Problem:
      description: a problem
      content:
        application/problem+json:
          schema:
            type: object
            required: [status, code]
            properties:
              status: {type: integer}
              code: {type: string}
`

// service answers as a service with its contract mostly kept would.
func service(rec *Recorder) *gin.Engine {
	gin.SetMode(gin.TestMode)
	e := gin.New()
	if rec != nil {
		e.Use(rec.Middleware())
	}
	e.GET("/svc/api/v1/things/:id", func(c *gin.Context) {
		switch c.Param("id") {
		case "export":
			c.Data(200, "text/csv", []byte("id,name\n1,a\n"))
		case "missing":
			c.Data(404, "application/problem+json", []byte(`{"status":404,"code":"not_found"}`))
		case "bad":
			c.JSON(200, gin.H{"id": 5})
		case "teapot":
			c.JSON(418, gin.H{"status": 418, "code": "teapot"})
		case "gone":
			c.JSON(410, gin.H{"status": 410})
		default:
			c.JSON(200, gin.H{"id": c.Param("id"), "name": "a"})
		}
	})
	e.GET("/svc/page", func(c *gin.Context) { c.String(200, "<html>") })
	return e
}

func TestRecorderTransportAndMiddlewareRecordTheAPIOnly(t *testing.T) {
	viaClient := NewRecorder("/svc/api/v1")
	srv := httptest.NewServer(service(nil))
	defer srv.Close()
	client := &http.Client{Transport: viaClient.Transport(nil)}
	viaEngine := NewRecorder("/svc/api/v1/")
	engine := service(viaEngine)
	for _, p := range []string{"/svc/api/v1/things/1", "/svc/api/v1/things/missing", "/svc/api/v1/things/export", "/svc/page"} {
		resp, err := client.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if len(b) == 0 {
			t.Errorf("%s: the recorder took the body from the caller", p)
		}
		engine.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	for name, rec := range map[string]*Recorder{"Transport": viaClient, "Middleware": viaEngine} {
		answers := rec.Answers()
		if len(answers) != 3 || answers[0].Path != "/things/1" || answers[1].Status != 404 || !strings.Contains(string(answers[0].Body), `"name"`) {
			t.Errorf("%s recorded %+v", name, answers)
		}
		rec.Validate(t, []byte(recorderSpec), 2)
	}
}

func TestRecorderFindsWhatBreaksTheContract(t *testing.T) {
	c, err := compileContract([]byte(recorderSpec))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		answer Answer
		want   string // "" = valid
	}{
		{Answer{Method: "GET", Path: "/things/1", ContentType: "application/json; charset=utf-8", Status: 200, Body: []byte(`{"id":"1","name":"a"}`)}, ""},
		{Answer{Method: "GET", Path: "/things/1", ContentType: "application/problem+json", Status: 404, Body: []byte(`{"status":404,"code":"not_found"}`)}, ""},
		{Answer{Method: "GET", Path: "/things/export", ContentType: "application/problem+json", Status: 403, Body: []byte(`{"status":403,"code":"forbidden"}`)}, ""},
		{Answer{Method: "GET", Path: "/things/export", ContentType: "text/csv", Status: 200, Body: []byte("id\n")}, ""},
		{Answer{Method: "GET", Path: "/things/1", ContentType: "application/json", Status: 200, Body: []byte(`{"id":5}`)}, "does not match"},
		{Answer{Method: "GET", Path: "/things/1", ContentType: "application/json", Status: 418, Body: []byte(`{}`)}, "does not document"},
		{Answer{Method: "GET", Path: "/things/1", ContentType: "application/problem+json", Status: 404, Body: []byte(`{"status":404}`)}, "does not match"},
		{Answer{Method: "GET", Path: "/things/1", ContentType: "application/problem+json", Status: 200, Body: []byte(`{}`)}, "no application/problem+json schema"},
		{Answer{Method: "DELETE", Path: "/things/1", Status: 204}, "not in the contract"},
		{Answer{Method: "GET", Path: "/others", Status: 200}, "route is not in the contract"},
		{Answer{Method: "GET", Path: "/things/1", ContentType: "application/json", Status: 200, Body: []byte(`{`)}, "not JSON"},
	} {
		ok, err := c.validate(tc.answer)
		switch {
		case tc.want == "" && (err != nil || !ok && strings.Contains(tc.answer.ContentType, "json")):
			t.Errorf("%+v: %v (validated %v)", tc.answer, err, ok)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%+v: %v, want an error saying %q", tc.answer, err, tc.want)
		}
	}
}
