package api_test

import (
	"testing"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/httpapi/openapitest"
	"egov.vn/platform/services/reporting/api"
	reportingapi "egov.vn/platform/services/reporting/internal/ports/api"
)

// TestContract: the contract documents exactly the routes reporting mounts under
// /reports/api/v1, completely.
func TestContract(t *testing.T) {
	openapitest.Check(t, openapitest.Contract{Spec: api.OpenAPI, Prefix: "/reports/api/v1", Mount: func(g *gin.RouterGroup) {
		reportingapi.New(nil).Routes(g, g)
	}})
}
