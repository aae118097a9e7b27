package service

import (
	"encoding/json"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"
	"go.yaml.in/yaml/v3"

	"egov.vn/platform/services/identity/api"
)

// openAPIJSON converts the embedded YAML once; a broken contract fails the first request loudly
// and the contract test at build time.
var openAPIJSON = sync.OnceValues(func() ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(api.OpenAPI, &doc); err != nil {
		return nil, err
	}
	return json.Marshal(doc)
})

func serveOpenAPI(c *gin.Context) {
	b, err := openAPIJSON()
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.Data(http.StatusOK, "application/json", b)
}
