package storetest

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store"
)

// Schema is what a database's schema holds, one readable line per column, index, constraint or
// other object, keyed by "table.name" (extensions and statistics by their own names). Two
// databases have the same schema when their Schemas are equal; goose's version tables are left
// out, so a migrated database compares with one AutoMigrate made.
type Schema map[string]string

// SchemaOf reads the schema of db: on PostgreSQL from the catalogs of the public schema (columns
// with type, NOT NULL, default or generation; indexes with their definition; check and foreign
// key constraints; extensions; extended statistics), on SQLite from its pragmas and sqlite_master
// (columns with declared type, NOT NULL, default and primary key position; indexes with columns,
// order, uniqueness and partial predicate; triggers and virtual tables by their SQL).
func SchemaOf(t testing.TB, db *gorm.DB) Schema {
	t.Helper()
	s := Schema{}
	var err error
	if store.Dialect(db) == store.Postgres {
		err = postgresSchema(db, s)
	} else {
		err = sqliteSchema(db, s)
	}
	if err != nil {
		t.Fatalf("read the schema: %v", err)
	}
	return s
}

// RequireSameSchema fails t with a line-by-line difference when got's schema is not want's;
// wantName and gotName say in the message where each came from ("AutoMigrate", "migrations").
func RequireSameSchema(t testing.TB, wantName string, want *gorm.DB, gotName string, got *gorm.DB) {
	t.Helper()
	if diff := DiffSchemas(SchemaOf(t, want), SchemaOf(t, got)); diff != "" {
		t.Fatalf("schema from %s (-) differs from schema from %s (+):\n%s", wantName, gotName, diff)
	}
}

// RequireMigrationsReproduce holds a service's versioned migrations to the schema it had before
// them. On migrated, migrate makes the schema; on another empty database of the same kind, the
// shared sets (the outbox's, sign-in's) and then legacy (the former AutoMigrate and hand-written
// DDL) make it the old way. Both must match, and the old-way database must take migrate without
// error and keep that schema, as an existing deployment adopts the migrations. It holds while a
// service has only its first migration; from its second on, use RequireMigrationsMatch.
func RequireMigrationsReproduce(t testing.TB, migrated *gorm.DB, migrate, legacy func(*gorm.DB) error, shared ...store.MigrationSet) {
	t.Helper()
	RequireMigrationsMatch(t, migrated, migrate, legacy, legacy, shared...)
}

// RequireMigrationsMatch is RequireMigrationsReproduce for a service whose later migrations
// changed its schema, so that the schema before versioned migrations (legacy) is no longer the
// one its row models make today (models): the migrated schema must be what models make (with
// the shared sets), and a database legacy made must take the migrations and end the same.
func RequireMigrationsMatch(t testing.TB, migrated *gorm.DB, migrate, models, legacy func(*gorm.DB) error, shared ...store.MigrationSet) {
	t.Helper()
	if err := migrate(migrated); err != nil {
		t.Fatal(err)
	}
	made := func(how func(*gorm.DB) error) *gorm.DB {
		t.Helper()
		db := Another(t, migrated)
		if len(shared) > 0 {
			if err := store.MigrateAll(context.Background(), db, shared...); err != nil {
				t.Fatal(err)
			}
		}
		if err := how(db); err != nil {
			t.Fatal(err)
		}
		return db
	}
	RequireSameSchema(t, "the row models", made(models), "migrations", migrated)
	old := made(legacy)
	if err := migrate(old); err != nil {
		t.Fatalf("a database made before versioned migrations does not take them: %v", err)
	}
	RequireSameSchema(t, "migrations", migrated, "the former schema, then migrations", old)
}

// DiffSchemas lists what differs between want and got, sorted by key: "- key: want" for what got
// lacks or has otherwise, "+ key: got" for what got has instead or in addition; "" when equal.
func DiffSchemas(want, got Schema) string {
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var b strings.Builder
	for _, k := range sorted {
		w, inWant := want[k]
		g, inGot := got[k]
		if inWant && inGot && w == g {
			continue
		}
		if inWant {
			fmt.Fprintf(&b, "- %s: %s\n", k, w)
		}
		if inGot {
			fmt.Fprintf(&b, "+ %s: %s\n", k, g)
		}
	}
	return b.String()
}

// versionTable is a goose version table, not part of an owner's schema.
func versionTable(name string) bool {
	return name == "goose_db_version" || strings.HasPrefix(name, "schema_migrations_")
}

func postgresSchema(db *gorm.DB, s Schema) error {
	var cols []struct {
		Tbl, Col, Typ, Def, Gen string
		NotNull                 bool
	}
	if err := db.Raw(`SELECT c.relname AS tbl, a.attname AS col, format_type(a.atttypid, a.atttypmod) AS typ,
			COALESCE(pg_get_expr(d.adbin, d.adrelid), '') AS def, a.attgenerated::text AS gen, a.attnotnull AS not_null
		FROM pg_attribute a
		JOIN pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p')
		JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
		LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		WHERE a.attnum > 0 AND NOT a.attisdropped`).Scan(&cols).Error; err != nil {
		return err
	}
	for _, c := range cols {
		if versionTable(c.Tbl) {
			continue
		}
		line := c.Typ
		if c.NotNull {
			line += " NOT NULL"
		}
		switch {
		case c.Gen == "s":
			line += " GENERATED ALWAYS AS " + c.Def + " STORED"
		case c.Def != "":
			line += " DEFAULT " + c.Def
		}
		s["column "+c.Tbl+"."+c.Col] = line
	}
	var idx []struct{ Tbl, Name, Def string }
	if err := db.Raw(`SELECT tablename AS tbl, indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = 'public'`).Scan(&idx).Error; err != nil {
		return err
	}
	for _, i := range idx {
		if !versionTable(i.Tbl) {
			s["index "+i.Tbl+"."+i.Name] = i.Def
		}
	}
	var cons []struct{ Tbl, Name, Def string }
	if err := db.Raw(`SELECT c.relname AS tbl, k.conname AS name, pg_get_constraintdef(k.oid) AS def
		FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
		WHERE k.contype IN ('c', 'f', 'x')`).Scan(&cons).Error; err != nil {
		return err
	}
	for _, c := range cons {
		s["constraint "+c.Tbl+"."+c.Name] = c.Def
	}
	var exts []string
	if err := db.Raw(`SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'`).Scan(&exts).Error; err != nil {
		return err
	}
	for _, e := range exts {
		s["extension "+e] = "installed"
	}
	var stats []struct{ Name, Def string }
	if err := db.Raw(`SELECT stxname AS name, pg_get_statisticsobjdef(oid) AS def FROM pg_statistic_ext`).Scan(&stats).Error; err != nil {
		return err
	}
	for _, st := range stats {
		s["statistics "+st.Name] = st.Def
	}
	return nil
}

var (
	quotes = strings.NewReplacer("`", "", `"`, "")
	spaces = regexp.MustCompile(`\s+`)
	where  = regexp.MustCompile(`(?i)\sWHERE\s(.*)$`)
)

// normalSQL is sqlite_master's text with quoting, spacing, case and "IF NOT EXISTS" evened out:
// gorm quotes names with back-ticks, hand-written SQL does not.
func normalSQL(q string) string {
	q = strings.ToLower(spaces.ReplaceAllString(quotes.Replace(q), " "))
	q = strings.ReplaceAll(q, " if not exists", "")
	q = strings.ReplaceAll(q, " (", "(")
	return strings.TrimSpace(q)
}

func sqliteSchema(db *gorm.DB, s Schema) error {
	var objects []struct{ Type, Name, TblName, SQL string }
	if err := db.Raw(`SELECT type, name, tbl_name, COALESCE(sql, '') AS sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'`).Scan(&objects).Error; err != nil {
		return err
	}
	virtual := map[string]bool{}
	for _, o := range objects {
		if o.Type == "table" && strings.Contains(strings.ToUpper(o.SQL), "CREATE VIRTUAL TABLE") {
			virtual[o.Name] = true
			s["virtual "+o.Name] = normalSQL(o.SQL)
		}
	}
	for _, o := range objects {
		if versionTable(o.TblName) {
			continue
		}
		// A virtual table's shadow tables (documents_fts_data, ...) come with it.
		shadow := false
		for v := range virtual {
			if o.TblName != v && strings.HasPrefix(o.TblName, v+"_") {
				shadow = true
			}
		}
		if shadow {
			continue
		}
		switch {
		case o.Type == "trigger":
			s["trigger "+o.TblName+"."+o.Name] = normalSQL(o.SQL)
		case o.Type == "table" && !virtual[o.Name]:
			if err := sqliteTable(db, o.Name, o.SQL, s); err != nil {
				return err
			}
		}
	}
	return nil
}

func sqliteTable(db *gorm.DB, table, createSQL string, s Schema) error {
	var cols []struct {
		Name      string
		Type      string
		NotNull   bool
		DfltValue *string
		PK        int
	}
	if err := db.Raw(`SELECT name, type, "notnull" AS not_null, dflt_value, pk FROM pragma_table_info(?)`, table).Scan(&cols).Error; err != nil {
		return err
	}
	autoincrement := strings.Contains(strings.ToUpper(createSQL), "AUTOINCREMENT")
	for _, c := range cols {
		line := strings.ToLower(c.Type)
		if c.NotNull {
			line += " NOT NULL"
		}
		if c.DfltValue != nil {
			line += " DEFAULT " + *c.DfltValue
		}
		if c.PK > 0 {
			line += fmt.Sprintf(" PRIMARY KEY(%d)", c.PK)
			if autoincrement {
				line += " AUTOINCREMENT"
			}
		}
		s["column "+table+"."+c.Name] = line
	}
	var list []struct {
		Name    string
		Unique  bool
		Origin  string
		Partial bool
	}
	if err := db.Raw(`SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, table).Scan(&list).Error; err != nil {
		return err
	}
	for _, ix := range list {
		var keys []struct {
			Name *string
			Desc bool
			Key  bool
		}
		if err := db.Raw(`SELECT name, "desc", "key" FROM pragma_index_xinfo(?) ORDER BY seqno`, ix.Name).Scan(&keys).Error; err != nil {
			return err
		}
		var parts []string
		for _, k := range keys {
			if !k.Key {
				continue
			}
			p := "<expr>"
			if k.Name != nil {
				p = *k.Name
			}
			if k.Desc {
				p += " DESC"
			}
			parts = append(parts, p)
		}
		line := "INDEX"
		if ix.Unique {
			line = "UNIQUE INDEX"
		}
		line += " (" + strings.Join(parts, ", ") + ")"
		if ix.Partial {
			var q string
			if err := db.Raw(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`, ix.Name).Scan(&q).Error; err != nil {
				return err
			}
			if m := where.FindStringSubmatch(normalSQL(q)); m != nil {
				line += " WHERE " + m[1]
			}
		}
		// Indexes SQLite makes for PRIMARY KEY and UNIQUE clauses are named by position
		// (sqlite_autoindex_t_1); key them by what they cover instead.
		name := ix.Name
		if ix.Origin != "c" {
			name = ix.Origin + "(" + strings.Join(parts, ", ") + ")"
		}
		s["index "+table+"."+name] = line
	}
	return nil
}
