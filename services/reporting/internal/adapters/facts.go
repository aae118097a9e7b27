package adapters

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/reporting/internal/app"
	"egov.vn/platform/services/reporting/internal/domain"
)

// chunk bounds the ids of one lookup well below SQLite's and PostgreSQL's parameter limits.
const chunk = 500

// Parameters per INSERT statement. PostgreSQL takes up to 65535 and each statement is a round
// trip, so many rows go in one. The SQLite driver (glebarez/go-sqlite) finds each placeholder's
// argument by scanning the argument list, so binding costs the square of the parameters of a
// statement: 400 fact rows of 30 columns, as gorm's CreateInBatches wrote them, spent more time
// binding than SQLite spent inserting. A few hundred parameters keep binding cheap and still
// spread the parsing of a statement over many rows.
const (
	paramsPostgres = 8000
	paramsSQLite   = 256
)

// TxFacts is the read model inside one consumer transaction. The consumer applies events of
// every tenant, so its statements cross tenants on purpose (store.AllTenants for the guarded
// gorm calls; the raw statements below carry no tenant condition); nothing a caller chooses
// reaches them. The hot statements are written by hand: gorm's reflection over 30-column rows
// cost more than the database work.
type TxFacts struct{ tx *gorm.DB }

// NewTxFacts wraps the consumer's transaction.
func NewTxFacts(tx *gorm.DB) TxFacts { return TxFacts{tx: tx} }

var _ app.Facts = TxFacts{}

// insertRows runs head + "(?,…),(?,…)…" + tail over args (cols values per row), as many rows per
// statement as the dialect's parameter budget allows, each statement through run.
func insertRows(tx *gorm.DB, head string, cols int, tail string, args []any, run func(tx *gorm.DB, sql string, args []any) error) error {
	budget := paramsPostgres
	if store.Dialect(tx) == store.SQLite {
		budget = paramsSQLite
	}
	per := max(1, budget/cols) * cols
	row := "(" + strings.Repeat("?,", cols-1) + "?)"
	var sql strings.Builder
	for part := range slices.Chunk(args, per) {
		sql.Reset()
		sql.Grow(len(head) + len(part)/cols*(len(row)+1) + len(tail))
		sql.WriteString(head)
		for i := range len(part) / cols {
			if i > 0 {
				sql.WriteByte(',')
			}
			sql.WriteString(row)
		}
		sql.WriteString(tail)
		if err := run(tx, sql.String(), part); err != nil {
			return err
		}
	}
	return nil
}

func execRows(tx *gorm.DB, head string, cols int, tail string, args []any) error {
	return insertRows(tx, head, cols, tail, args, func(tx *gorm.DB, sql string, args []any) error {
		return tx.Exec(sql, args...).Error
	})
}

// upsertSQL is the head and tail of an INSERT of columns into table that overwrites every column
// but the key's on conflict.
func upsertSQL(table string, columns []string, key ...string) (head, tail string) {
	head = "INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") VALUES "
	var set []string
	for _, c := range columns {
		if !slices.Contains(key, c) {
			set = append(set, c+" = excluded."+c)
		}
	}
	tail = " ON CONFLICT (" + strings.Join(key, ", ") + ") DO UPDATE SET " + strings.Join(set, ", ")
	return head, tail
}

var (
	dossierUpsertHead, dossierUpsertTail   = upsertSQL("report_dossiers", dossierColumns, "dossier_id", "tenant_id")
	documentUpsertHead, documentUpsertTail = upsertSQL("report_documents", documentColumns, "document_id", "tenant_id")
	staffUpsertHead, staffUpsertTail       = upsertSQL("report_staff", staffColumns, "staff_id", "tenant_id")
	dossierSelect                          = "SELECT " + strings.Join(dossierColumns, ", ") + " FROM report_dossiers WHERE dossier_id IN ?"
	documentSelect                         = "SELECT " + strings.Join(documentColumns, ", ") + " FROM report_documents WHERE document_id IN ?"
	staffSelect                            = "SELECT " + strings.Join(staffColumns, ", ") + " FROM report_staff WHERE staff_id IN ?"
)

// load runs query (one "IN ?") over ids in chunks and scans each row through scan.
func (f TxFacts) load(ctx context.Context, query string, ids []string, scan func(*sql.Rows) error) error {
	for part := range slices.Chunk(ids, chunk) {
		if err := f.loadPart(ctx, query, part, scan); err != nil {
			return err
		}
	}
	return nil
}

func (f TxFacts) loadPart(ctx context.Context, query string, ids []string, scan func(*sql.Rows) error) error {
	rows, err := f.tx.WithContext(ctx).Raw(query, ids).Rows()
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Dossiers loads the facts of keys that exist.
func (f TxFacts) Dossiers(ctx context.Context, keys []domain.DossierKey) (map[domain.DossierKey]domain.DossierFact, error) {
	want := map[domain.DossierKey]bool{}
	var ids []string
	for _, k := range keys {
		if !want[k] {
			want[k] = true
			ids = append(ids, k.DossierID)
		}
	}
	out := map[domain.DossierKey]domain.DossierFact{}
	err := f.load(ctx, dossierSelect, ids, func(rows *sql.Rows) error {
		var r dossierRow
		if err := rows.Scan(r.fields()...); err != nil {
			return err
		}
		if fact := dossierFromRow(r); want[fact.DossierKey] {
			out[fact.DossierKey] = fact
		}
		return nil
	})
	return out, err
}

// Documents loads the facts of keys that exist.
func (f TxFacts) Documents(ctx context.Context, keys []domain.DocumentKey) (map[domain.DocumentKey]domain.DocumentFact, error) {
	want := map[domain.DocumentKey]bool{}
	var ids []string
	for _, k := range keys {
		if !want[k] {
			want[k] = true
			ids = append(ids, k.DocumentID)
		}
	}
	out := map[domain.DocumentKey]domain.DocumentFact{}
	err := f.load(ctx, documentSelect, ids, func(rows *sql.Rows) error {
		var r documentRow
		if err := rows.Scan(r.fields()...); err != nil {
			return err
		}
		if fact := documentFromRow(r); want[fact.DocumentKey] {
			out[fact.DocumentKey] = fact
		}
		return nil
	})
	return out, err
}

// Staff loads the facts of keys that exist.
func (f TxFacts) Staff(ctx context.Context, keys []domain.StaffKey) (map[domain.StaffKey]domain.StaffFact, error) {
	want := map[domain.StaffKey]bool{}
	var ids []string
	for _, k := range keys {
		if !want[k] {
			want[k] = true
			ids = append(ids, k.StaffID)
		}
	}
	out := map[domain.StaffKey]domain.StaffFact{}
	err := f.load(ctx, staffSelect, ids, func(rows *sql.Rows) error {
		var r staffRow
		if err := rows.Scan(r.fields()...); err != nil {
			return err
		}
		fact, err := staffFromRow(r)
		if err != nil {
			return err
		}
		if want[fact.StaffKey] {
			out[fact.StaffKey] = fact
		}
		return nil
	})
	return out, err
}

// Save upserts the facts and adds the counter changes. Rows are written in key order so that two
// replicas' transactions lock them in the same order and cannot deadlock.
func (f TxFacts) Save(ctx context.Context, c app.Changes) error {
	tx := f.tx.WithContext(ctx)
	if len(c.Tenants) > 0 {
		// As gorm's Create of tenantRow{Slug: t} wrote them: empty details, both times now.
		now := tx.NowFunc()
		var args []any
		for _, t := range slices.Sorted(slices.Values(c.Tenants)) {
			args = append(args, t, "", "", "", "", now, now)
		}
		err := execRows(tx, "INSERT INTO report_tenants (slug, code, name, kind, parent, created_at, updated_at) VALUES ", 7,
			" ON CONFLICT DO NOTHING", args)
		if err != nil {
			return err
		}
	}
	if len(c.Dossiers) > 0 {
		rows := make([]dossierRow, 0, len(c.Dossiers))
		for _, d := range c.Dossiers {
			rows = append(rows, dossierToRow(d))
		}
		slices.SortFunc(rows, func(a, b dossierRow) int {
			return cmp.Or(cmp.Compare(a.DossierID, b.DossierID), cmp.Compare(a.TenantID, b.TenantID))
		})
		args := make([]any, 0, len(rows)*len(dossierColumns))
		for i := range rows {
			args = rows[i].appendValues(args)
		}
		if err := execRows(tx, dossierUpsertHead, len(dossierColumns), dossierUpsertTail, args); err != nil {
			return err
		}
	}
	if len(c.Documents) > 0 {
		rows := make([]documentRow, 0, len(c.Documents))
		for _, d := range c.Documents {
			rows = append(rows, documentToRow(d))
		}
		slices.SortFunc(rows, func(a, b documentRow) int {
			return cmp.Or(cmp.Compare(a.DocumentID, b.DocumentID), cmp.Compare(a.TenantID, b.TenantID))
		})
		args := make([]any, 0, len(rows)*len(documentColumns))
		for i := range rows {
			args = rows[i].appendValues(args)
		}
		if err := execRows(tx, documentUpsertHead, len(documentColumns), documentUpsertTail, args); err != nil {
			return err
		}
	}
	if len(c.Staff) > 0 {
		rows := make([]staffRow, 0, len(c.Staff))
		for _, s := range c.Staff {
			r, err := staffToRow(s)
			if err != nil {
				return err
			}
			rows = append(rows, r)
		}
		slices.SortFunc(rows, func(a, b staffRow) int {
			return cmp.Or(cmp.Compare(a.StaffID, b.StaffID), cmp.Compare(a.TenantID, b.TenantID))
		})
		args := make([]any, 0, len(rows)*len(staffColumns))
		for i := range rows {
			args = rows[i].appendValues(args)
		}
		if err := execRows(tx, staffUpsertHead, len(staffColumns), staffUpsertTail, args); err != nil {
			return err
		}
	}
	return addCounters(tx, c.Counters)
}

// addCounters adds the batch's deltas, summed per counter already, to the monthly counters.
func addCounters(tx *gorm.DB, deltas domain.Deltas) error {
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
	return execRows(tx, "INSERT INTO report_counters (tenant_id, month, indicator, value) VALUES ", 4,
		" ON CONFLICT (tenant_id, month, indicator) DO UPDATE SET value = report_counters.value + excluded.value", args)
}
