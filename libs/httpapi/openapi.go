package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"
	"go.yaml.in/yaml/v3"
)

// OpenAPIJSON converts a service's contract, kept as YAML in api/openapi.yaml, to JSON.
func OpenAPIJSON(spec []byte) ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(spec, &doc); err != nil {
		return nil, fmt.Errorf("api/openapi.yaml: %w", err)
	}
	return json.Marshal(doc)
}

// OpenAPIHandler serves the contract as JSON (GET <prefix>/openapi.json). It is converted once,
// on the first request; a broken contract answers 500 there and fails the service's contract
// test long before.
func OpenAPIHandler(spec []byte) gin.HandlerFunc {
	doc := sync.OnceValues(func() ([]byte, error) { return OpenAPIJSON(spec) })
	return func(c *gin.Context) {
		b, err := doc()
		if err != nil {
			RespondError(c, err)
			return
		}
		c.Data(http.StatusOK, "application/json", b)
	}
}
