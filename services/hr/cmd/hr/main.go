// Command hr is the HR service: organisation units, staff, employment, qualifications, imports
// and statistics for every tenant.
package main

import (
	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/services/hr/internal/service"
)

func main() { bootstrap.Main(service.Name, service.New, service.Needs) }
