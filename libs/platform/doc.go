// Package platform holds the platform's contracts as types, defined once and used by every
// service and by the Tenant operator: the role names tokens carry, the tenant slug and kinds, the
// caller as an Actor, the provisioning request and answer of PUT <prefix>/api/v1/tenants/{slug},
// and the storage contract of a tenant's bucket. Changing one of them breaks, at compile time,
// every party that must change with it.
//
// It imports nothing of the platform's infrastructure (no gin, gorm, MinIO or auth), so domain
// packages may use it; only libs/apperr, for the typed errors its checks return.
package platform
