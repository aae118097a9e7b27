// Package api embeds HR's REST contract, api/openapi.yaml, which the service serves as JSON at
// <prefix>/openapi.json.
package api

import _ "embed"

// OpenAPI is the contract of the REST API, in YAML.
//
//go:embed openapi.yaml
var OpenAPI []byte
