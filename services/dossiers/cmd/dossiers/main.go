// Command dossiers is the one-stop shop (bộ phận một cửa): procedure catalogue, intake with
// receipts and appointments, processing with deadlines, forms, the citizen's lookup and rating.
package main

import (
	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/services/dossiers/internal/service"
)

func main() { bootstrap.Main(service.Name, service.New, service.Needs) }
