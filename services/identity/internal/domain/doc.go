// Package domain holds identity's types and rules: tenants and their tree, staff accounts and
// their roles, the password policy, and OIDC clients. It imports neither gin nor gorm; the app
// layer enforces these rules and the adapters store the result.
package domain
