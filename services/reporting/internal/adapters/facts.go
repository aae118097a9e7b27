package adapters

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/reporting/internal/app"
	"egov.vn/platform/services/reporting/internal/domain"
)

// chunk bounds the ids of one lookup well below SQLite's and PostgreSQL's parameter limits.
const chunk = 500

// Parameters per INSERT statement on SQLite (PostgreSQL takes arrays: see insertRows). The SQLite driver (glebarez/go-sqlite) finds each placeholder's
// argument by scanning the argument list, so binding costs the square of the parameters of a
// statement: 400 fact rows of 30 columns, as gorm's CreateInBatches wrote them, spent more time
// binding than SQLite spent inserting. A few hundred parameters keep binding cheap and still
// spread the parsing of a statement over many rows.
const paramsSQLite = 256

// TxFacts is the read model inside one consumer transaction. The consumer applies events of
// every tenant, so its statements cross tenants on purpose (store.AllTenants for the guarded
// gorm calls; the raw statements below carry no tenant condition); nothing a caller chooses
// reaches them. The hot statements are written by hand: gorm's reflection over 30-column rows
// cost more than the database work.
type TxFacts struct {
	tx *gorm.DB
	// registered are tenants known to be in report_tenants already (nil: none known), which Save
	// need not insert again; see Ingest.registered.
	registered map[string]bool
}

// NewTxFacts wraps the consumer's transaction.
func NewTxFacts(tx *gorm.DB) TxFacts { return TxFacts{tx: tx} }

var _ app.Facts = TxFacts{}

// insertRows runs head (an INSERT's "INSERT INTO t (columns)") + rows + tail over args, cols
// values per row, straight on the transaction's connection (gorm's statement building cost more
// than the database work), and hands the rows a RETURNING tail yields to scan (nil: none).
//
// PostgreSQL takes every row in one statement as one array per column (SELECT * FROM unnest(…)):
// parsing and planning a VALUES list of thousands of parameters cost the server more than the
// inserts themselves (500 claims: 18 ms as VALUES, 4 ms as an array, measured with psql). SQLite
// takes VALUES lists of a few hundred parameters each (see paramsSQLite).
func insertRows(ctx context.Context, tx *gorm.DB, head string, cols int, tail string, args []any, scan func(*sql.Rows) error) error {
	if len(args) == 0 {
		return nil
	}
	if store.Dialect(tx) == store.Postgres {
		arrays, from, err := unnest(args, cols)
		if err != nil {
			return err
		}
		return runRows(ctx, tx, head+" SELECT * FROM "+from+tail, arrays, scan)
	}
	per := max(1, paramsSQLite/cols) * cols
	row := "(" + strings.Repeat("?,", cols-1) + "?)"
	var sql strings.Builder
	for part := range slices.Chunk(args, per) {
		sql.Reset()
		sql.Grow(len(head) + 8 + len(part)/cols*(len(row)+1) + len(tail))
		sql.WriteString(head)
		sql.WriteString(" VALUES ")
		for i := range len(part) / cols {
			if i > 0 {
				sql.WriteByte(',')
			}
			sql.WriteString(row)
		}
		sql.WriteString(tail)
		if err := runRows(ctx, tx, sql.String(), part, scan); err != nil {
			return err
		}
	}
	return nil
}

func runRows(ctx context.Context, tx *gorm.DB, query string, args []any, scan func(*sql.Rows) error) error {
	if scan == nil {
		_, err := tx.Statement.ConnPool.ExecContext(ctx, query, args...)
		return err
	}
	rows, err := tx.Statement.ConnPool.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	return eachRow(rows, scan)
}

// eachRow hands every row of rows to scan, then closes rows.
func eachRow(rows *sql.Rows, scan func(*sql.Rows) error) error {
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// unnest turns rows of args (cols values each) into one typed array per column and the FROM item
// that reads them back as rows, e.g. unnest($1::text[], $2::bigint[]) AS r. A column's Go type
// is the same in every row (appendValues fixes it), so the first row decides the array's type.
func unnest(args []any, cols int) (arrays []any, from string, err error) {
	n := len(args) / cols
	casts := make([]string, cols)
	arrays = make([]any, cols)
	for c := range cols {
		switch args[c].(type) {
		case string:
			a := make([]string, n)
			for r := range n {
				a[r] = args[r*cols+c].(string)
			}
			arrays[c], casts[c] = a, "text[]"
		case int:
			a := make([]int64, n)
			for r := range n {
				a[r] = int64(args[r*cols+c].(int))
			}
			arrays[c], casts[c] = a, "bigint[]"
		case int64:
			a := make([]int64, n)
			for r := range n {
				a[r] = args[r*cols+c].(int64)
			}
			arrays[c], casts[c] = a, "bigint[]"
		case bool:
			a := make([]bool, n)
			for r := range n {
				a[r] = args[r*cols+c].(bool)
			}
			arrays[c], casts[c] = a, "boolean[]"
		case time.Time:
			a := make([]time.Time, n)
			for r := range n {
				a[r] = args[r*cols+c].(time.Time)
			}
			arrays[c], casts[c] = a, "timestamptz[]"
		case *time.Time:
			a := make([]*time.Time, n)
			for r := range n {
				a[r] = args[r*cols+c].(*time.Time)
			}
			arrays[c], casts[c] = a, "timestamptz[]"
		default:
			return nil, "", fmt.Errorf("reporting: no PostgreSQL array for column %d of type %T", c+1, args[c])
		}
		casts[c] = fmt.Sprintf("$%d::%s", c+1, casts[c])
	}
	return arrays, "unnest(" + strings.Join(casts, ", ") + ") AS r", nil
}

func execRows(ctx context.Context, tx *gorm.DB, head string, cols int, tail string, args []any) error {
	return insertRows(ctx, tx, head, cols, tail, args, nil)
}

// upsertSQL is the head and tail of an INSERT of columns into table that overwrites every column
// but the key's on conflict.
func upsertSQL(table string, columns []string, key ...string) (head, tail string) {
	head = "INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ")"
	var set []string
	for _, c := range columns {
		if !slices.Contains(key, c) {
			set = append(set, c+" = excluded."+c)
		}
	}
	tail = " ON CONFLICT (" + strings.Join(key, ", ") + ") DO UPDATE SET " + strings.Join(set, ", ")
	return head, tail
}

// factTable is one per-entity fact table: its columns, and the statements that read its rows by
// id and write them, keyed on (id, tenant_id). The statements are built once.
type factTable struct {
	columns                []string
	upsertHead, upsertTail string
	selectPostgres         string // the ids as one array, $1
	selectSQLite           string // the ids as an IN list, ?
}

func newFactTable(table, id string, columns []string) factTable {
	head, tail := upsertSQL(table, columns, id, "tenant_id")
	cols := "t." + strings.Join(columns, ", t.")
	return factTable{columns: columns, upsertHead: head, upsertTail: tail,
		selectPostgres: "SELECT " + cols + " FROM unnest($1::text[]) AS k(id) JOIN " + table + " t ON t." + id + " = k.id",
		selectSQLite:   "SELECT " + cols + " FROM " + table + " t WHERE t." + id + " IN ?"}
}

var (
	dossierFacts  = newFactTable("report_dossiers", "dossier_id", dossierColumns)
	documentFacts = newFactTable("report_documents", "document_id", documentColumns)
	staffFacts    = newFactTable("report_staff", "staff_id", staffColumns)
)

// load reads the rows of t whose id is one of ids and scans each through scan. On PostgreSQL
// the ids are one array joined to the table: with "id = ANY(array)" the planner, misled by a
// young table's statistics, compared every row with every id (22 ms a batch of 500 at a few
// thousand rows), where a join hashes the ids or probes the index. SQLite takes IN lists in
// chunks.
func (f TxFacts) load(ctx context.Context, t factTable, ids []string, scan func(*sql.Rows) error) error {
	if len(ids) == 0 {
		return nil
	}
	if store.Dialect(f.tx) == store.Postgres {
		return runRows(ctx, f.tx, t.selectPostgres, []any{ids}, scan)
	}
	for part := range slices.Chunk(ids, chunk) {
		rows, err := f.tx.WithContext(ctx).Raw(t.selectSQLite, part).Rows() // gorm spells out the IN list
		if err != nil {
			return err
		}
		if err := eachRow(rows, scan); err != nil {
			return err
		}
	}
	return nil
}

// loadFacts loads the facts of keys that exist: the rows of t with the keys' ids (id), each
// turned by fromRow into its fact and key, kept if that key was asked for (an id may exist in
// other tenants).
func loadFacts[K comparable, F, R any, PR factRow[R]](ctx context.Context, f TxFacts, t factTable, keys []K, id func(K) string,
	fromRow func(R) (F, K, error)) (map[K]F, error) {
	want := map[K]bool{}
	var ids []string
	for _, k := range keys {
		if !want[k] {
			want[k] = true
			ids = append(ids, id(k))
		}
	}
	out := make(map[K]F, len(ids))
	err := f.load(ctx, t, ids, func(rows *sql.Rows) error {
		var r R
		if err := rows.Scan(PR(&r).fields()...); err != nil {
			return err
		}
		fact, k, err := fromRow(r)
		if err != nil {
			return err
		}
		if want[k] {
			out[k] = fact
		}
		return nil
	})
	return out, err
}

// Dossiers loads the facts of keys that exist.
func (f TxFacts) Dossiers(ctx context.Context, keys []domain.DossierKey) (map[domain.DossierKey]domain.DossierFact, error) {
	return loadFacts(ctx, f, dossierFacts, keys, func(k domain.DossierKey) string { return k.DossierID },
		func(r dossierRow) (domain.DossierFact, domain.DossierKey, error) {
			fact := dossierFromRow(r)
			return fact, fact.DossierKey, nil
		})
}

// Documents loads the facts of keys that exist.
func (f TxFacts) Documents(ctx context.Context, keys []domain.DocumentKey) (map[domain.DocumentKey]domain.DocumentFact, error) {
	return loadFacts(ctx, f, documentFacts, keys, func(k domain.DocumentKey) string { return k.DocumentID },
		func(r documentRow) (domain.DocumentFact, domain.DocumentKey, error) {
			fact := documentFromRow(r)
			return fact, fact.DocumentKey, nil
		})
}

// Staff loads the facts of keys that exist.
func (f TxFacts) Staff(ctx context.Context, keys []domain.StaffKey) (map[domain.StaffKey]domain.StaffFact, error) {
	return loadFacts(ctx, f, staffFacts, keys, func(k domain.StaffKey) string { return k.StaffID },
		func(r staffRow) (domain.StaffFact, domain.StaffKey, error) {
			fact, err := staffFromRow(r)
			return fact, fact.StaffKey, err
		})
}

// Save upserts the facts and adds the counter changes. Rows are written in key order: should two
// transactions ever overlap (replicas take turns, see lockConsumer), they lock rows in the same
// order and cannot deadlock.
func (f TxFacts) Save(ctx context.Context, c app.Changes) error {
	tx := f.tx.WithContext(ctx)
	var args []any
	now := tx.NowFunc()
	for _, t := range slices.Sorted(slices.Values(c.Tenants)) {
		if !f.registered[t] {
			// As gorm's Create of tenantRow{Slug: t} wrote them: empty details, both times now.
			args = append(args, t, "", "", "", "", now, now)
		}
	}
	if len(args) > 0 {
		err := execRows(ctx, tx, "INSERT INTO report_tenants (slug, code, name, kind, parent, created_at, updated_at)", 7,
			" ON CONFLICT DO NOTHING", args)
		if err != nil {
			return err
		}
	}
	if err := saveFacts(ctx, tx, dossierFacts, c.Dossiers, func(d domain.DossierFact) (dossierRow, error) { return dossierToRow(d), nil }); err != nil {
		return err
	}
	if err := saveFacts(ctx, tx, documentFacts, c.Documents, func(d domain.DocumentFact) (documentRow, error) { return documentToRow(d), nil }); err != nil {
		return err
	}
	if err := saveFacts(ctx, tx, staffFacts, c.Staff, staffToRow); err != nil {
		return err
	}
	return addCounters(ctx, tx, c.Counters)
}

// factRow is a fact table's row (*R): its values in the table's column order, the fields to scan
// them into in the same order, and its key.
type factRow[R any] interface {
	*R
	appendValues(args []any) []any
	fields() []any
	key() (id, tenant string)
}

// saveFacts upserts facts into t as rows (toRow), in (id, tenant) order (see Save).
func saveFacts[F, R any, PR factRow[R]](ctx context.Context, tx *gorm.DB, t factTable, facts []F, toRow func(F) (R, error)) error {
	if len(facts) == 0 {
		return nil
	}
	rows := make([]R, 0, len(facts))
	for _, f := range facts {
		r, err := toRow(f)
		if err != nil {
			return err
		}
		rows = append(rows, r)
	}
	// Sorted by pointer: swapping rows of 30 columns cost more than the rest of saving them.
	order := make([]*R, len(rows))
	for i := range rows {
		order[i] = &rows[i]
	}
	slices.SortFunc(order, func(a, b *R) int {
		aid, at := PR(a).key()
		bid, bt := PR(b).key()
		return cmp.Or(cmp.Compare(aid, bid), cmp.Compare(at, bt))
	})
	args := make([]any, 0, len(rows)*len(t.columns))
	for _, r := range order {
		args = PR(r).appendValues(args)
	}
	return execRows(ctx, tx, t.upsertHead, len(t.columns), t.upsertTail, args)
}

// addCounters adds the batch's deltas, summed per counter already, to the monthly counters.
func addCounters(ctx context.Context, tx *gorm.DB, deltas domain.Deltas) error {
	keys := make([]domain.DeltaKey, 0, len(deltas))
	for k, v := range deltas {
		if v != 0 {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.SortFunc(keys, func(a, b domain.DeltaKey) int {
		return cmp.Or(cmp.Compare(a.Tenant, b.Tenant), cmp.Compare(a.Month, b.Month), cmp.Compare(a.Indicator, b.Indicator))
	})
	args := make([]any, 0, 4*len(keys))
	for _, k := range keys {
		args = append(args, k.Tenant, int(k.Month), k.Indicator, deltas[k])
	}
	return execRows(ctx, tx, "INSERT INTO report_counters (tenant_id, month, indicator, value)", 4,
		" ON CONFLICT (tenant_id, month, indicator) DO UPDATE SET value = report_counters.value + excluded.value", args)
}
