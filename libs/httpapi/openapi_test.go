package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

func TestOpenAPIHandlerServesTheContractAsJSON(t *testing.T) {
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.GET("/svc/openapi.json", OpenAPIHandler([]byte("openapi: 3.1.0\ninfo: {title: Một cửa, version: '1'}\npaths: {}\n")))
	r.GET("/broken/openapi.json", OpenAPIHandler([]byte("openapi: [unclosed\n")))

	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/svc/openapi.json", nil))
	var doc map[string]any
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &doc) != nil || doc["info"].(map[string]any)["title"] != "Một cửa" {
		t.Fatalf("contract: %d %s", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/broken/openapi.json", nil))
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("a broken contract: %d %s", w.Code, w.Body)
	}
}
