// Command archives keeps the units' official documents and records: registers, files in MinIO
// under object lock, electronic exchange between units, and attachments for other services.
package main

import (
	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/services/archives/internal/service"
)

func main() { bootstrap.Main(service.Name, service.New, service.Needs) }
