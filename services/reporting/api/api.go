// Package api embeds reporting's REST contract, api/openapi.yaml, which the service serves as
// JSON at /reports/openapi.json.
package api

import _ "embed"

// OpenAPI is the contract of the JSON API, in YAML.
//
//go:embed openapi.yaml
var OpenAPI []byte
