// Package store owns the platform's relational storage plumbing: opening a gorm database from a
// URL (an embedded SQLite file or PostgreSQL) with tracing, quiet logging and sane pool limits;
// running a service's versioned SQL migrations with goose; and tenant scoping, so that every
// repository reads and writes only the tenants its caller's token allows. It holds no business
// rules and no tables of its own besides goose's version table.
//
// Tenant scoping works in three layers. A request's [Scope] is resolved once from the caller's
// token and put in the context ([WithScope]); a repository takes it back with [ScopeFrom] and
// applies [ForRead] or [ForWrite] to its queries; and for models that embed [TenantModel] a
// guard registered by [Open] refuses any statement that carries no scope, any write through a
// read scope, and any row stamped with another tenant, so a forgotten scope fails loudly
// instead of leaking data.
package store
