// Command reporting is the read model of the reform indicators: it consumes the platform's
// events, keeps the indicators per unit and month, and serves the dashboards, exports and API.
// "reporting rebuild" replays the whole stream into the configured database and exits.
package main

import (
	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/services/reporting/internal/service"
)

func main() { bootstrap.Main(service.Name, service.New, service.Needs) }
