package adapters

import (
	"cmp"
	"context"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/reporting/internal/app"
	"egov.vn/platform/services/reporting/internal/domain"
)

// chunk bounds the parameters of one statement well below SQLite's and PostgreSQL's limits.
const chunk = 500

// TxFacts is the read model inside one consumer transaction. The consumer applies events of
// every tenant, so its statements cross tenants on purpose (store.AllTenants); nothing a caller
// chooses reaches them.
type TxFacts struct{ tx *gorm.DB }

// NewTxFacts wraps the consumer's transaction.
func NewTxFacts(tx *gorm.DB) TxFacts { return TxFacts{tx: tx} }

var _ app.Facts = TxFacts{}

func (f TxFacts) db(ctx context.Context) *gorm.DB {
	return f.tx.WithContext(ctx).Scopes(store.AllTenants())
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
	for part := range slices.Chunk(ids, chunk) {
		var rows []dossierRow
		if err := f.db(ctx).Where("dossier_id IN ?", part).Find(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			if fact := dossierFromRow(r); want[fact.DossierKey] {
				out[fact.DossierKey] = fact
			}
		}
	}
	return out, nil
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
	for part := range slices.Chunk(ids, chunk) {
		var rows []documentRow
		if err := f.db(ctx).Where("document_id IN ?", part).Find(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			if fact := documentFromRow(r); want[fact.DocumentKey] {
				out[fact.DocumentKey] = fact
			}
		}
	}
	return out, nil
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
	for part := range slices.Chunk(ids, chunk) {
		var rows []staffRow
		if err := f.db(ctx).Where("staff_id IN ?", part).Find(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			fact, err := staffFromRow(r)
			if err != nil {
				return nil, err
			}
			if want[fact.StaffKey] {
				out[fact.StaffKey] = fact
			}
		}
	}
	return out, nil
}

// Save upserts the facts and adds the counter changes. Rows are written in key order so that two
// replicas' transactions lock them in the same order and cannot deadlock.
func (f TxFacts) Save(ctx context.Context, c app.Changes) error {
	if len(c.Tenants) > 0 {
		rows := make([]tenantRow, 0, len(c.Tenants))
		for _, t := range slices.Sorted(slices.Values(c.Tenants)) {
			rows = append(rows, tenantRow{Slug: t})
		}
		if err := f.tx.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error; err != nil {
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
		err := f.db(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "dossier_id"}, {Name: "tenant_id"}},
			UpdateAll: true,
		}).CreateInBatches(&rows, 400).Error
		if err != nil {
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
		err := f.db(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "document_id"}, {Name: "tenant_id"}},
			UpdateAll: true,
		}).CreateInBatches(&rows, 500).Error
		if err != nil {
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
		err := f.db(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "staff_id"}, {Name: "tenant_id"}},
			UpdateAll: true,
		}).CreateInBatches(&rows, 500).Error
		if err != nil {
			return err
		}
	}
	return addCounters(ctx, f.db(ctx), c.Counters)
}

// addCounters adds deltas to the monthly counters in one upsert per chunk.
func addCounters(ctx context.Context, db *gorm.DB, deltas domain.Deltas) error {
	rows := make([]counterRow, 0, len(deltas))
	for k, v := range deltas {
		if v == 0 {
			continue
		}
		r := counterRow{Month: int(k.Month), Indicator: k.Indicator, Value: v}
		r.TenantID = k.Tenant
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		return nil
	}
	slices.SortFunc(rows, func(a, b counterRow) int {
		return cmp.Or(cmp.Compare(a.TenantID, b.TenantID), cmp.Compare(a.Month, b.Month), cmp.Compare(a.Indicator, b.Indicator))
	})
	return db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "tenant_id"}, {Name: "month"}, {Name: "indicator"}},
		DoUpdates: clause.Assignments(map[string]any{"value": gorm.Expr("report_counters.value + excluded.value")}),
	}).CreateInBatches(&rows, 1000).Error
}
