package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/store/storetest"
)

// note is a tenant-owned row, as a service's model would be.
type note struct {
	ID uint `gorm:"primaryKey"`
	store.TenantModel
	Body string
}

// setting is not tenant-owned: the guard leaves it alone.
type setting struct {
	Key   string `gorm:"primaryKey"`
	Value string
}

// The tenant tree of the matrix: two districts, the first with two communes.
const (
	district  = "huyen-a"
	commune1  = "xa-1"
	commune2  = "xa-2"
	district2 = "huyen-b"
)

var tenants = []string{district, commune1, commune2, district2}

func TestScopeContext(t *testing.T) {
	t.Parallel()
	if _, err := store.ScopeFrom(context.Background()); !errors.Is(err, store.ErrNoScope) {
		t.Fatalf("ScopeFrom(no scope) error = %v, want ErrNoScope", err)
	}
	if _, err := store.ScopeFrom(store.WithScope(context.Background(), store.Scope{})); !errors.Is(err, store.ErrNoScope) {
		t.Fatalf("ScopeFrom(zero scope) error = %v, want ErrNoScope", err)
	}
	want := store.Scope{Tenant: district, Readable: []string{commune1}}
	got, err := store.ScopeFrom(store.WithScope(context.Background(), want))
	if err != nil || got.Tenant != want.Tenant || !slices.Equal(got.Readable, want.Readable) {
		t.Fatalf("ScopeFrom = %+v, %v; want %+v", got, err, want)
	}
	if rt := (store.Scope{Tenant: district, Readable: []string{commune1, district, "", commune1}}).ReadTenants(); !slices.Equal(rt, []string{district, commune1}) {
		t.Fatalf("ReadTenants = %v", rt)
	}
}

// seed writes one note per tenant, each through that tenant's own write scope.
func seed(t *testing.T, db *gorm.DB) map[string]uint {
	t.Helper()
	if err := db.AutoMigrate(&note{}, &setting{}); err != nil {
		t.Fatal(err)
	}
	ids := map[string]uint{}
	for _, tenant := range tenants {
		n := note{Body: "of " + tenant}
		if err := db.Scopes(store.ForWrite(store.Scope{Tenant: tenant})).Create(&n).Error; err != nil {
			t.Fatalf("create for %s: %v", tenant, err)
		}
		if n.TenantID != tenant {
			t.Fatalf("ForWrite did not stamp the tenant: %q", n.TenantID)
		}
		ids[tenant] = n.ID
	}
	return ids
}

func bodyOf(t *testing.T, db *gorm.DB, id uint) note {
	t.Helper()
	var n note
	if err := db.Scopes(store.AllTenants()).First(&n, id).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTenantMatrix proves, for every caller and every tenant's row, that reads succeed exactly
// where the scope lists the tenant and writes exactly where the row is the caller's own.
func TestTenantMatrix(t *testing.T) {
	t.Parallel()
	callers := map[string]store.Scope{
		"district leader (reads communes)": {Tenant: district, Readable: []string{commune1, commune2}},
		"district officer (own only)":      {Tenant: district},
		"commune officer":                  {Tenant: commune1},
		"other district":                   {Tenant: district2},
	}
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ids := seed(t, db)
		ctx := context.Background()
		for name, scope := range callers {
			for _, target := range tenants {
				id := ids[target]
				canRead, canWrite := scope.CanRead(target), target == scope.Tenant

				var got []note
				if err := db.WithContext(ctx).Scopes(store.ForRead(scope)).Where("id = ?", id).Find(&got).Error; err != nil {
					t.Fatal(err)
				}
				if (len(got) == 1) != canRead {
					t.Errorf("%s reading %s's row: found %d, want readable=%v", name, target, len(got), canRead)
				}
				// A write scope never sees more than its own tenant, even for reads.
				got = nil
				if err := db.Scopes(store.ForWrite(scope)).Where("id = ?", id).Find(&got).Error; err != nil {
					t.Fatal(err)
				}
				if (len(got) == 1) != canWrite {
					t.Errorf("%s reading %s's row through a write scope: found %d", name, target, len(got))
				}

				res := db.Scopes(store.ForWrite(scope)).Model(&note{ID: id}).Update("body", "edited by "+name)
				if res.Error != nil {
					t.Fatal(res.Error)
				}
				if (res.RowsAffected == 1) != canWrite {
					t.Errorf("%s updating %s's row: %d rows affected, want writable=%v", name, target, res.RowsAffected, canWrite)
				}
				if edited := bodyOf(t, db, id).Body == "edited by "+name; edited != canWrite {
					t.Errorf("%s updating %s's row: edited=%v", name, target, edited)
				}
			}
		}
		// Deletes last, so the rows exist for every caller above.
		for name, scope := range callers {
			for _, target := range tenants {
				if target == scope.Tenant {
					continue
				}
				res := db.Scopes(store.ForWrite(scope)).Delete(&note{}, ids[target])
				if res.Error != nil || res.RowsAffected != 0 {
					t.Errorf("%s deleting %s's row: %d rows, %v", name, target, res.RowsAffected, res.Error)
				}
			}
		}
		var left int64
		if err := db.Model(&note{}).Scopes(store.AllTenants()).Count(&left).Error; err != nil || left != int64(len(tenants)) {
			t.Fatalf("rows left = %d (%v), want %d: a cross-tenant delete got through", left, err, len(tenants))
		}
		own := store.Scope{Tenant: commune1}
		if res := db.Scopes(store.ForWrite(own)).Delete(&note{}, ids[commune1]); res.Error != nil || res.RowsAffected != 1 {
			t.Fatalf("deleting an own row: %d rows, %v", res.RowsAffected, res.Error)
		}
	})
}

func TestTenantGuard(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ids := seed(t, db)
		own := store.Scope{Tenant: commune1}
		reader := store.Scope{Tenant: district, Readable: []string{commune1}}

		for name, err := range map[string]error{
			"find without scope":               db.Find(&[]note{}).Error,
			"first without scope":              db.First(&note{}, ids[commune1]).Error,
			"count without scope":              db.Model(&note{}).Count(new(int64)).Error,
			"row without scope":                rowErr(db.Model(&note{}).Select("count(*)")),
			"create without scope":             db.Create(&note{TenantModel: store.TenantModel{TenantID: commune1}}).Error,
			"update without scope":             db.Model(&note{ID: ids[commune1]}).Update("body", "x").Error,
			"delete without scope":             db.Delete(&note{}, ids[commune1]).Error,
			"create through read":              db.Scopes(store.ForRead(reader)).Create(&note{}).Error,
			"update through read":              db.Scopes(store.ForRead(reader)).Model(&note{ID: ids[commune1]}).Update("body", "x").Error,
			"delete through read":              db.Scopes(store.ForRead(reader)).Delete(&note{}, ids[commune1]).Error,
			"AllTenants create without tenant": db.Scopes(store.AllTenants()).Create(&note{Body: "orphan"}).Error,
		} {
			if !errors.Is(err, store.ErrUnscoped) {
				t.Errorf("%s: error = %v, want ErrUnscoped", name, err)
			}
		}
		if err := db.Scopes(store.ForRead(store.Scope{})).Find(&[]note{}).Error; !errors.Is(err, store.ErrNoScope) {
			t.Errorf("zero read scope: error = %v, want ErrNoScope", err)
		}
		if err := db.Scopes(store.ForWrite(store.Scope{Readable: []string{commune1}})).Create(&note{}).Error; !errors.Is(err, store.ErrNoScope) {
			t.Errorf("write scope without tenant: error = %v, want ErrNoScope", err)
		}

		// Rows of another tenant cannot be created, moved there, or overwritten by an upsert.
		if err := db.Scopes(store.ForWrite(own)).Create(&note{TenantModel: store.TenantModel{TenantID: commune2}}).Error; !errors.Is(err, store.ErrCrossTenant) {
			t.Errorf("create for another tenant: error = %v, want ErrCrossTenant", err)
		}
		batch := []note{{Body: "a"}, {Body: "b", TenantModel: store.TenantModel{TenantID: district2}}}
		if err := db.Scopes(store.ForWrite(own)).Create(&batch).Error; !errors.Is(err, store.ErrCrossTenant) {
			t.Errorf("batch with another tenant's row: error = %v, want ErrCrossTenant", err)
		}
		if err := db.Scopes(store.ForWrite(own)).Model(&note{ID: ids[commune1]}).Update("tenant_id", commune2).Error; !errors.Is(err, store.ErrCrossTenant) {
			t.Errorf("moving a row by map update: error = %v, want ErrCrossTenant", err)
		}
		moved := note{ID: ids[commune1], Body: "moved", TenantModel: store.TenantModel{TenantID: commune2}}
		if err := db.Scopes(store.ForWrite(own)).Model(&moved).Updates(&moved).Error; err != nil {
			t.Fatal(err)
		}
		if n := bodyOf(t, db, ids[commune1]); n.TenantID != commune1 || n.Body != "moved" {
			t.Errorf("struct update: row is now %+v; tenant_id must not change", n)
		}
		// gorm's Save turns into an upsert when its UPDATE matches nothing, which is exactly what
		// ForWrite makes happen for another tenant's row.
		steal := note{ID: ids[district2], Body: "stolen"}
		if err := db.Scopes(store.ForWrite(own)).Save(&steal).Error; !errors.Is(err, store.ErrCrossTenant) {
			t.Errorf("Save over another tenant's row: error = %v, want ErrCrossTenant", err)
		}
		if n := bodyOf(t, db, ids[district2]); n.TenantID != district2 || n.Body != "of "+district2 {
			t.Errorf("Save overwrote another tenant's row: %+v", n)
		}
		mine := bodyOf(t, db, ids[commune1])
		mine.Body = "saved"
		if err := db.Scopes(store.ForWrite(own)).Save(&mine).Error; err != nil {
			t.Fatalf("Save of an own row: %v", err)
		}
		fresh := note{ID: 9999, Body: "upserted"}
		if err := db.Scopes(store.ForWrite(own)).Save(&fresh).Error; err != nil || fresh.TenantID != commune1 {
			t.Fatalf("Save of a new row: %v, tenant %q", err, fresh.TenantID)
		}

		// Deliberate cross-tenant access and tables without tenants are left alone.
		var all []note
		if err := db.Scopes(store.AllTenants()).Find(&all).Error; err != nil || len(all) != len(tenants)+1 {
			t.Errorf("AllTenants found %d rows (%v)", len(all), err)
		}
		if err := db.Create(&setting{Key: "k", Value: "v"}).Error; err != nil {
			t.Errorf("untenanted model: %v", err)
		}
		if err := db.Transaction(func(tx *gorm.DB) error {
			return tx.Scopes(store.ForWrite(own)).Create(&note{Body: "in a transaction"}).Error
		}); err != nil {
			t.Errorf("scoped create in a transaction: %v", err)
		}
	})
}

// rowErr runs Row, which returns a nil *sql.Row when a callback refused the statement.
func rowErr(tx *gorm.DB) error {
	if row := tx.Row(); row != nil && row.Err() != nil {
		return row.Err()
	}
	return tx.Error
}

type folder struct {
	ID uint `gorm:"primaryKey"`
	store.TenantModel
	Items []item
}

type item struct {
	ID       uint `gorm:"primaryKey"`
	FolderID uint
	store.TenantModel
}

// TestTenantPreload: a preload inherits the parent's scope (gorm copies it), and the guard
// applies it to the association's table too, so another tenant's child row stays hidden.
func TestTenantPreload(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&folder{}, &item{}); err != nil {
			t.Fatal(err)
		}
		own := store.Scope{Tenant: commune1}
		f := folder{}
		if err := db.Scopes(store.ForWrite(own)).Omit("Items").Create(&f).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Scopes(store.ForWrite(own)).Create(&[]item{{FolderID: f.ID}, {FolderID: f.ID}}).Error; err != nil {
			t.Fatal(err)
		}
		// A row that (wrongly) hangs another tenant's item under this folder.
		stray := item{FolderID: f.ID, TenantModel: store.TenantModel{TenantID: commune2}}
		if err := db.Scopes(store.AllTenants()).Create(&stray).Error; err != nil {
			t.Fatal(err)
		}
		for name, q := range map[string]*gorm.DB{
			"inherited scope": db.Scopes(store.ForRead(own)).Preload("Items"),
			"explicit scope":  db.Scopes(store.ForRead(own)).Preload("Items", store.ForRead(own)),
		} {
			var got folder
			if err := q.First(&got, f.ID).Error; err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(got.Items) != 2 {
				t.Errorf("%s: preloaded %d items, want the 2 of %s", name, len(got.Items), commune1)
			}
		}
	})
}

// TestTenantScopeSurvivesOr: gorm joins a top-level Or to everything before it, so without the
// guard "tenant_id = ? AND id = ? OR id = ?" would return the second row whatever its tenant.
func TestTenantScopeSurvivesOr(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ids := seed(t, db)
		own := store.Scope{Tenant: commune1}
		for name, scope := range map[string]func(*gorm.DB) *gorm.DB{"read": store.ForRead(own), "write": store.ForWrite(own)} {
			var got []note
			err := db.Scopes(scope).Where("id = ?", ids[commune1]).Or("id = ?", ids[district2]).Or("body = ?", "of "+district).Find(&got).Error
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].TenantID != commune1 {
				t.Errorf("%s scope with Or: got %+v, want only the %s row", name, got, commune1)
			}
			res := db.Scopes(scope).Model(&note{}).Where("id = ?", ids[commune1]).Or("id = ?", ids[district2]).Update("body", "or-"+name)
			if res.Error == nil && res.RowsAffected > 1 {
				t.Errorf("%s scope update with Or touched %d rows", name, res.RowsAffected)
			}
		}
		if n := bodyOf(t, db, ids[district2]); n.Body != "of "+district2 {
			t.Errorf("another tenant's row was updated through Or: %+v", n)
		}
	})
}

// plainRow carries a tenant column without embedding TenantModel: no guard, but the scope's
// condition still filters.
type plainRow struct {
	ID       uint `gorm:"primaryKey"`
	TenantID string
}

func TestScopesFilterModelsWithoutTheGuard(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&plainRow{}); err != nil {
			t.Fatal(err)
		}
		if err := db.Create(&[]plainRow{{TenantID: commune1}, {TenantID: commune2}, {TenantID: district}}).Error; err != nil {
			t.Fatal(err)
		}
		var got []plainRow
		if err := db.Scopes(store.ForRead(store.Scope{Tenant: district, Readable: []string{commune1}})).Order("id").Find(&got).Error; err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].TenantID != commune1 || got[1].TenantID != district {
			t.Fatalf("ForRead on an unguarded model found %+v", got)
		}
	})
}
