// Command identity is the platform's OpenID Provider: single sign-on for staff, tokens for the
// services, and the admin API the operator uses to onboard communes.
package main

import (
	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/services/identity/internal/service"
)

func main() { bootstrap.Main(service.Name, service.New, service.Needs) }
