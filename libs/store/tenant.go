package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
)

var (
	// ErrNoScope means the context carries no tenant scope, or one without a tenant: the request
	// was not authenticated or the caller forgot WithScope. It is a programming error, not a
	// reason to fall back to an unscoped query.
	ErrNoScope = errors.New("store: no tenant scope")
	// ErrUnscoped means a statement on a model embedding TenantModel carried no tenant scope, or
	// tried to write through a read scope.
	ErrUnscoped = errors.New("store: statement on a tenant table without the tenant scope it needs")
	// ErrCrossTenant means a write would have created or overwritten a row of another tenant.
	ErrCrossTenant = errors.New("store: row belongs to another tenant")
)

// Scope is what the caller's token allows: Tenant is its own tenant, the only one it may write;
// Readable lists further tenants it may read (for example the communes under a district, where
// its role allows), resolved by the caller from the tenant tree. Tenant is always readable.
type Scope struct {
	Tenant   string
	Readable []string
}

// ReadTenants is Tenant followed by Readable, without duplicates or empty entries.
func (s Scope) ReadTenants() []string {
	out := []string{s.Tenant}
	for _, t := range s.Readable {
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// CanRead reports whether rows of tenant are visible through s.
func (s Scope) CanRead(tenant string) bool {
	return s.Tenant != "" && slices.Contains(s.ReadTenants(), tenant)
}

func (s Scope) valid() error {
	if s.Tenant == "" {
		return fmt.Errorf("%w: the scope names no tenant", ErrNoScope)
	}
	return nil
}

type scopeCtxKey struct{}

// WithScope returns ctx carrying s, for ScopeFrom in the repository layer.
func WithScope(ctx context.Context, s Scope) context.Context {
	return context.WithValue(ctx, scopeCtxKey{}, s)
}

// ScopeFrom returns the scope WithScope put in ctx, or ErrNoScope: never a zero scope that a
// repository could query with by accident.
func ScopeFrom(ctx context.Context) (Scope, error) {
	s, ok := ctx.Value(scopeCtxKey{}).(Scope)
	if !ok {
		return Scope{}, fmt.Errorf("%w in the context", ErrNoScope)
	}
	if err := s.valid(); err != nil {
		return Scope{}, err
	}
	return s, nil
}

// TenantModel is embedded by every model whose rows belong to a tenant. Embedding it opts the
// model into the guard: statements on it fail with ErrUnscoped unless they carry ForRead,
// ForWrite or AllTenants; the tenant condition is ANDed with the caller's conditions as a whole
// (so an Or cannot escape it) and applied to preloaded associations too. TenantID is written on
// create only ("<-:create"), so no update can move a row to another tenant.
//
// Limits: nested creates of tenant associations (gorm's association saving) start statements
// without the scope and fail; create children in their own statement or Omit them. Raw SQL
// (Raw, Exec) and db.Table without a model are not guarded: add the condition by hand.
type TenantModel struct {
	TenantID string `gorm:"index;not null;<-:create"`
}

func (TenantModel) tenantScoped() {}

type tenantScoped interface{ tenantScoped() }

var tenantScopedType = reflect.TypeFor[tenantScoped]()

type scopeMode int

const (
	modeRead scopeMode = iota + 1
	modeWrite
	modeAll
)

// appliedScope is what a scope function leaves on the statement for the guard to check.
type appliedScope struct {
	mode  scopeMode
	scope Scope
}

type scopeSettingKey struct{}

// tenantColumn is qualified with the statement's own table so that joins stay unambiguous.
var tenantColumn = clause.Column{Table: clause.CurrentTable, Name: "tenant_id"}

// tenantCond is the condition a scope adds, typed so that the guard can find and re-place it.
type tenantCond struct{ expr clause.Expression }

func (c tenantCond) Build(b clause.Builder) { c.expr.Build(b) }

func (as appliedScope) cond() tenantCond {
	if as.mode == modeWrite {
		return tenantCond{clause.Eq{Column: tenantColumn, Value: as.scope.Tenant}}
	}
	tenants := as.scope.ReadTenants()
	values := make([]any, len(tenants))
	for i, t := range tenants {
		values[i] = t
	}
	return tenantCond{clause.IN{Column: tenantColumn, Values: values}}
}

// grouped parenthesises the caller's own conditions, so that an Or among them stays inside.
type grouped struct{ where clause.Where }

func (g grouped) Build(b clause.Builder) {
	_ = b.WriteByte('(')
	g.where.Build(b)
	_ = b.WriteByte(')')
}

// ForRead limits a query to the tenants s may read: use it with db.Scopes for every read.
func ForRead(s Scope) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		if err := s.valid(); err != nil {
			tx := db.Clauses()
			_ = tx.AddError(err)
			return tx
		}
		as := appliedScope{mode: modeRead, scope: s}
		tx := db.Where(as.cond())
		tx.Statement.Settings.Store(scopeSettingKey{}, as)
		return tx
	}
}

// ForWrite limits a statement to the caller's own tenant: use it with db.Scopes for every
// create, update and delete (and for reads of one's own rows only). On create it stamps
// TenantID, refuses rows of another tenant, and keeps an upsert (including gorm's Save) from
// overwriting another tenant's row.
func ForWrite(s Scope) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		if err := s.valid(); err != nil {
			tx := db.Clauses()
			_ = tx.AddError(err)
			return tx
		}
		as := appliedScope{mode: modeWrite, scope: s}
		tx := db.Where(as.cond())
		tx.Statement.Settings.Store(scopeSettingKey{}, as)
		return tx
	}
}

// AllTenants marks a statement as deliberately crossing tenants (an outbox relay, the reporting
// replay, the operator seeding a new tenant): it adds no condition and only satisfies the guard.
// Rows created through it must carry their TenantID. Keep its uses few and easy to grep.
func AllTenants() func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		tx := db.Clauses()
		tx.Statement.Settings.Store(scopeSettingKey{}, appliedScope{mode: modeAll})
		return tx
	}
}

type upsertCheckKey struct{}

// registerTenantGuard installs the callbacks that enforce scoping for TenantModel models. Scopes
// run before any callback, so the guard sees what ForRead/ForWrite/AllTenants left behind.
func registerTenantGuard(db *gorm.DB) error {
	cb := db.Callback()
	return errors.Join(
		cb.Query().Before("gorm:query").Register("store:tenant_guard", guard("query", false)),
		cb.Row().Before("gorm:row").Register("store:tenant_guard", guard("row", false)),
		cb.Update().After("gorm:before_update").Before("gorm:update").Register("store:tenant_guard", guard("update", true)),
		cb.Delete().After("gorm:before_delete").Before("gorm:delete").Register("store:tenant_guard", guard("delete", true)),
		cb.Create().After("gorm:before_create").Before("gorm:create").Register("store:tenant_guard", guardCreate),
		cb.Create().After("gorm:create").Register("store:tenant_upsert_check", checkUpsert),
	)
}

func isTenantModel(stmt *gorm.Statement) bool {
	return stmt.Schema != nil && reflect.PointerTo(stmt.Schema.ModelType).Implements(tenantScopedType)
}

func scopeOf(stmt *gorm.Statement) (appliedScope, bool) {
	v, ok := stmt.Settings.Load(scopeSettingKey{})
	if !ok {
		return appliedScope{}, false
	}
	as, ok := v.(appliedScope)
	return as, ok
}

func guard(op string, writes bool) func(*gorm.DB) {
	return func(db *gorm.DB) {
		stmt := db.Statement
		if db.Error != nil || !isTenantModel(stmt) {
			return
		}
		as, ok := scopeOf(stmt)
		switch {
		case !ok:
			_ = db.AddError(fmt.Errorf("%w: %s on %s: use store.ForRead/ForWrite (or store.AllTenants)", ErrUnscoped, op, stmt.Table))
		case writes && as.mode == modeRead:
			_ = db.AddError(fmt.Errorf("%w: %s on %s through a read scope: use store.ForWrite", ErrUnscoped, op, stmt.Table))
		case as.mode == modeAll:
		default:
			enforceTenantCond(stmt, as)
			if op == "update" {
				checkUpdateMap(db, as.scope)
			}
		}
	}
}

// enforceTenantCond rewrites the WHERE clause as "<tenant condition> AND (<the rest>)". gorm
// joins a top-level Or to everything before it ("tenant_id = ? AND a OR b"), which would let
// rows of any tenant through; and a preload copies the parent's scope but not its conditions.
// Re-placing the condition here closes both.
func enforceTenantCond(stmt *gorm.Statement, as appliedScope) {
	var rest []clause.Expression
	c, ok := stmt.Clauses["WHERE"]
	if w, isWhere := c.Expression.(clause.Where); ok && isWhere {
		for _, e := range w.Exprs {
			if _, ours := e.(tenantCond); !ours {
				rest = append(rest, e)
			}
		}
	}
	exprs := []clause.Expression{as.cond()}
	if len(rest) > 0 {
		exprs = append(exprs, grouped{clause.Where{Exprs: rest}})
	}
	c.Name = "WHERE"
	c.Expression = clause.Where{Exprs: exprs}
	stmt.Clauses["WHERE"] = c
}

// checkUpdateMap refuses Updates/Update with a map that sets tenant_id: "<-:create" protects
// struct updates only.
func checkUpdateMap(db *gorm.DB, s Scope) {
	m, ok := db.Statement.Dest.(map[string]any)
	if !ok {
		return
	}
	for k, v := range m {
		if f := db.Statement.Schema.LookUpField(k); f != nil && f.DBName == "tenant_id" && v != s.Tenant {
			_ = db.AddError(fmt.Errorf("%w: an update may not change tenant_id", ErrCrossTenant))
		}
	}
}

func guardCreate(db *gorm.DB) {
	stmt := db.Statement
	if db.Error != nil || !isTenantModel(stmt) {
		return
	}
	as, ok := scopeOf(stmt)
	if !ok || as.mode == modeRead {
		_ = db.AddError(fmt.Errorf("%w: create on %s needs store.ForWrite (or store.AllTenants)", ErrUnscoped, stmt.Table))
		return
	}
	field := stmt.Schema.LookUpField("tenant_id")
	if field == nil {
		_ = db.AddError(fmt.Errorf("%w: %s embeds TenantModel but has no tenant_id column", ErrUnscoped, stmt.Table))
		return
	}
	rows := 0
	stamp := func(rv reflect.Value) {
		for rv.Kind() == reflect.Pointer {
			rv = rv.Elem()
		}
		if rv.Kind() != reflect.Struct {
			_ = db.AddError(fmt.Errorf("%w: create on %s with a %s: use the model struct", ErrUnscoped, stmt.Table, rv.Kind()))
			return
		}
		rows++
		v, zero := field.ValueOf(stmt.Context, rv)
		switch {
		case zero && as.mode == modeWrite:
			_ = db.AddError(field.Set(stmt.Context, rv, as.scope.Tenant))
		case zero:
			_ = db.AddError(fmt.Errorf("%w: a row created through AllTenants must carry its TenantID", ErrUnscoped))
		case as.mode == modeWrite && v != as.scope.Tenant:
			_ = db.AddError(fmt.Errorf("%w: cannot create a row of tenant %q in scope of %q", ErrCrossTenant, v, as.scope.Tenant))
		}
	}
	switch rv := stmt.ReflectValue; rv.Kind() {
	case reflect.Slice, reflect.Array:
		for i := range rv.Len() {
			stamp(rv.Index(i))
		}
	default:
		stamp(rv)
	}
	if db.Error != nil || as.mode != modeWrite {
		return
	}
	// An upsert that updates on conflict (gorm's Save falls back to one when its UPDATE matched
	// no row, which ForWrite ensures for another tenant's row) would otherwise overwrite the
	// conflicting row whoever owns it. Only own rows may be updated; checkUpsert reports the rest.
	if c, ok := stmt.Clauses["ON CONFLICT"]; ok {
		if oc, ok := c.Expression.(clause.OnConflict); ok && !oc.DoNothing {
			oc.Where.Exprs = append(oc.Where.Exprs, clause.Eq{Column: tenantColumn, Value: as.scope.Tenant})
			stmt.AddClause(oc)
			stmt.Settings.Store(upsertCheckKey{}, rows)
		}
	}
}

// checkUpsert turns an upsert that skipped rows into ErrCrossTenant: in a write-scoped upsert a
// row is only skipped when the conflicting row belongs to another tenant.
func checkUpsert(db *gorm.DB) {
	v, ok := db.Statement.Settings.Load(upsertCheckKey{})
	if !ok || db.Error != nil {
		return
	}
	if want := v.(int); db.Statement.RowsAffected < int64(want) {
		_ = db.AddError(fmt.Errorf("%w: %d of %d rows conflict with rows of another tenant", ErrCrossTenant, int64(want)-db.Statement.RowsAffected, want))
	}
}

// Subtree lists the tenants below a tenant, children first (auth.Directory does, from identity's
// tenant tree).
type Subtree func(ctx context.Context, tenant string) ([]string, error)

// ScopeFor is the one way a service sets up the tenant scope of a request, in its app's Scope
// rule: the actor's own tenant, and, when readsBelow (the service's rule for the actor's roles),
// the tenants under it as read-only. A token naming no unit is refused: every row belongs to one.
func ScopeFor(ctx context.Context, a platform.Actor, readsBelow bool, below Subtree) (context.Context, error) {
	if a.Tenant == "" {
		return ctx, apperr.Forbidden("this token names no unit (tenant): ask the administrator to attach the account to its unit")
	}
	sc := Scope{Tenant: string(a.Tenant)}
	if readsBelow && below != nil {
		tenants, err := below(ctx, string(a.Tenant))
		if err != nil {
			return ctx, apperr.Unavailable("the unit directory (identity)", err)
		}
		sc.Readable = tenants
	}
	return WithScope(ctx, sc), nil
}
