package api_test

import (
	"testing"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/httpapi/openapitest"
	"egov.vn/platform/services/hr/api"
	hrapi "egov.vn/platform/services/hr/internal/ports/api"
)

// TestContract: the contract documents exactly the routes hr mounts under /hr/api/v1, completely.
func TestContract(t *testing.T) {
	openapitest.Check(t, openapitest.Contract{Spec: api.OpenAPI, Prefix: "/hr/api/v1", Mount: func(g *gin.RouterGroup) {
		hrapi.New(nil).Routes(g, g)
	}})
}
