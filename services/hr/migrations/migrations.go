// Package migrations holds hr's versioned schema: goose SQL files in postgres/ and sqlite/ (the
// same version numbers in both), applied at start by store.MigrateAll with their own version
// table, schema_migrations_hr. A schema change is a new file here, never an edit of an applied one.
package migrations

import (
	"embed"

	"egov.vn/platform/libs/store"
)

//go:embed postgres sqlite
var files embed.FS

// Set is hr's migration set.
var Set = store.MigrationSet{Name: "hr", FS: files, Dir: "."}
