package api_test

import (
	"testing"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/httpapi/openapitest"
	"egov.vn/platform/services/identity/api"
	adminapi "egov.vn/platform/services/identity/internal/ports/api"
)

// TestContract: the admin API's contract documents exactly the routes identity mounts under
// /auth/api/v1 (the tenant tree and the administration routes), completely.
func TestContract(t *testing.T) {
	openapitest.Check(t, openapitest.Contract{Spec: api.OpenAPI, Prefix: "/auth/api/v1", Mount: func(g *gin.RouterGroup) {
		adminapi.New(nil).Routes(g)
	}})
}
