package adapters

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/httpapi/page"
	"egov.vn/platform/libs/idempotency"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/dossiers/internal/app"
	"egov.vn/platform/services/dossiers/internal/domain"
	"egov.vn/platform/services/dossiers/migrations"
)

// Store is the gorm repository of the dossiers service.
//
// Scoping: rows carry tenant_id (store.TenantModel), read through store.ForRead and written
// through store.ForWrite from the caller's scope. Dossiers add one rule: a dossier stays in the
// books of the unit that received it (tenant_id) but is acted on by the unit holding it
// (holder_tenant), which differs after a hand-over to the parent unit (liên thông). Writes to
// dossiers therefore use store.AllTenants with the condition holder_tenant = caller's tenant,
// here and only here; the citizen's lookup, the rating and the overdue job are the other
// deliberate cross-tenant statements, each marked.
//
// Writes go through the embedded events.UnitOfWork: one transaction (Transact) that every call
// made with its context joins (DB), with the change's events added to the outbox in it (Publish).
// Intake, Update, SaveRating and the overdue flags are dossiers' update-function style built on
// top: each is one Transact that writes the rows the use case decided on and Publishes its events.
type Store struct {
	*events.UnitOfWork
	db        *gorm.DB
	outbox    *events.Outbox
	pipelined bool
}

var _ app.Store = (*Store)(nil)

// Option changes how a Store writes.
type Option func(*Store)

// PipelinedIntake says whether Intake runs in two round trips on PostgreSQL (store.PipelineTx);
// on by default there. Off, PostgreSQL takes the unit-of-work path SQLite always takes, which is
// how the tests hold both paths to the same contract on PostgreSQL. It has no effect on SQLite,
// whose driver has no pipeline.
func PipelinedIntake(on bool) Option {
	return func(s *Store) { s.pipelined = on && store.Dialect(s.db) == store.Postgres }
}

// NewStore returns the repository; events are written through outbox (nil: kept in the outbox
// table, no relay to wake) in the same transactions as the rows they describe.
func NewStore(db *gorm.DB, outbox *events.Outbox, opts ...Option) *Store {
	if outbox == nil {
		outbox = events.NewOutbox(nil)
	}
	s := &Store{UnitOfWork: events.NewUnitOfWork(db, outbox), db: db, outbox: outbox}
	PipelinedIntake(true)(s)
	for _, o := range opts {
		o(s)
	}
	return s
}

// Migrations are the schema's sets in the order they apply: the outbox's, the idempotency keys',
// sign-in's and the service's own. The bootstrap applies them at start (Needs); tests apply
// them with Migrate.
var Migrations = []store.MigrationSet{events.Migrations, idempotency.Migrations, auth.Migrations, migrations.Set}

// Migrate brings the database to its newest schema: the outbox's, sign-in's and the service's
// versioned SQL (migrations/), applied once under the platform's migration lock by
// store.MigrateAll, so replicas starting together do not race.
func Migrate(ctx context.Context, db *gorm.DB) error {
	if err := store.MigrateAll(ctx, db, Migrations...); err != nil {
		return fmt.Errorf("dossiers: migrate: %w", err)
	}
	return nil
}

func scopeOf(ctx context.Context) (store.Scope, error) {
	s, err := store.ScopeFrom(ctx)
	if err != nil {
		return store.Scope{}, apperr.Unauthenticated("no tenant in the caller's token").WithCause(err)
	}
	return s, nil
}

func dbError(what string, err error) error {
	if err == nil {
		return nil
	}
	if apperr.As(err) != nil {
		return err
	}
	return fmt.Errorf("dossiers: %s: %w", what, err)
}

// ---- catalogue ----

// SaveProcedure creates or replaces a procedure of the caller's tenant, by code.
func (s *Store) SaveProcedure(ctx context.Context, p domain.Procedure) (bool, error) {
	sc, err := scopeOf(ctx)
	if err != nil {
		return false, err
	}
	row := procedureToRow(p)
	row.Key = sc.Tenant + "/" + p.Code
	created := false
	err = s.Transact(ctx, func(ctx context.Context) error {
		tx := s.DB(ctx)
		var existing procedureRow
		err := tx.Scopes(store.ForWrite(sc)).Where("key = ?", row.Key).Take(&existing).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			created = true
			return tx.Scopes(store.ForWrite(sc)).Create(&row).Error
		case err != nil:
			return err
		}
		row.ID, row.TenantID = existing.ID, existing.TenantID
		return tx.Scopes(store.ForWrite(sc)).Save(&row).Error
	})
	return created, dbError("save procedure", err)
}

// Procedure returns one procedure of the caller's own catalogue.
func (s *Store) Procedure(ctx context.Context, code string) (domain.Procedure, error) {
	sc, err := scopeOf(ctx)
	if err != nil {
		return domain.Procedure{}, err
	}
	var row procedureRow
	err = s.DB(ctx).Scopes(store.ForWrite(sc)).Where("code = ?", code).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.Procedure{}, apperr.NotFound("procedure", code)
	}
	if err != nil {
		return domain.Procedure{}, dbError("read procedure", err)
	}
	return row.domain(), nil
}

// Procedures lists the caller's catalogue by code.
func (s *Store) Procedures(ctx context.Context) ([]domain.Procedure, error) {
	sc, err := scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	var rows []procedureRow
	if err := s.DB(ctx).Scopes(store.ForWrite(sc)).Order("code").Find(&rows).Error; err != nil {
		return nil, dbError("list procedures", err)
	}
	out := make([]domain.Procedure, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// DeleteProcedure removes a procedure; dossiers keep their copy of it.
func (s *Store) DeleteProcedure(ctx context.Context, code string) error {
	sc, err := scopeOf(ctx)
	if err != nil {
		return err
	}
	res := s.DB(ctx).Scopes(store.ForWrite(sc)).Where("code = ?", code).Delete(&procedureRow{})
	if res.Error != nil {
		return dbError("delete procedure", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.NotFound("procedure", code)
	}
	return nil
}

// ---- settings and calendar ----

// Settings returns the caller's tenant settings.
func (s *Store) Settings(ctx context.Context) (app.Settings, bool, error) {
	sc, err := scopeOf(ctx)
	if err != nil {
		return app.Settings{}, false, err
	}
	var row settingsRow
	err = s.DB(ctx).Scopes(store.ForWrite(sc)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return app.Settings{}, false, nil
	}
	if err != nil {
		return app.Settings{}, false, dbError("read settings", err)
	}
	return app.Settings{Name: row.Name, Code: row.Code, Kind: row.Kind, Parent: row.Parent, UnitCode: row.UnitCode,
		ReceiptPattern: domain.ReceiptPattern(row.ReceiptPattern),
		Hours: domain.OfficeHours{MorningStart: domain.TimeOfDay(row.MorningStart), MorningEnd: domain.TimeOfDay(row.MorningEnd),
			AfternoonStart: domain.TimeOfDay(row.AfternoonStart), AfternoonEnd: domain.TimeOfDay(row.AfternoonEnd)}}, true, nil
}

// SaveSettings creates or replaces the caller's tenant settings.
func (s *Store) SaveSettings(ctx context.Context, st app.Settings) error {
	sc, err := scopeOf(ctx)
	if err != nil {
		return err
	}
	row := settingsRow{Slug: sc.Tenant, Name: st.Name, Code: st.Code, Kind: st.Kind, Parent: st.Parent, UnitCode: st.UnitCode,
		ReceiptPattern: string(st.ReceiptPattern), MorningStart: int(st.Hours.MorningStart), MorningEnd: int(st.Hours.MorningEnd),
		AfternoonStart: int(st.Hours.AfternoonStart), AfternoonEnd: int(st.Hours.AfternoonEnd)}
	err = s.Transact(ctx, func(ctx context.Context) error {
		tx := s.DB(ctx)
		var existing settingsRow
		err := tx.Scopes(store.ForWrite(sc)).Take(&existing).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return tx.Scopes(store.ForWrite(sc)).Create(&row).Error
		}
		if err != nil {
			return err
		}
		row.ID, row.TenantID = existing.ID, existing.TenantID
		return tx.Scopes(store.ForWrite(sc)).Save(&row).Error
	})
	return dbError("save settings", err)
}

// CalendarDays lists the caller's calendar overrides by date.
func (s *Store) CalendarDays(ctx context.Context) ([]domain.DayOverride, error) {
	sc, err := scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	var rows []calendarDayRow
	if err := s.DB(ctx).Scopes(store.ForWrite(sc)).Order("date").Find(&rows).Error; err != nil {
		return nil, dbError("list calendar", err)
	}
	out := make([]domain.DayOverride, 0, len(rows))
	for _, r := range rows {
		d, err := domain.ParseDate(r.Date)
		if err != nil {
			continue
		}
		out = append(out, domain.DayOverride{Date: d, Kind: domain.DayKind(r.Kind), Note: r.Note})
	}
	return out, nil
}

// SetCalendarDay creates or replaces one override.
func (s *Store) SetCalendarDay(ctx context.Context, o domain.DayOverride) error {
	sc, err := scopeOf(ctx)
	if err != nil {
		return err
	}
	key := sc.Tenant + "/" + o.Date.String()
	err = s.Transact(ctx, func(ctx context.Context) error {
		tx := s.DB(ctx)
		if err := tx.Scopes(store.ForWrite(sc)).Where("key = ?", key).Delete(&calendarDayRow{}).Error; err != nil {
			return err
		}
		return tx.Scopes(store.ForWrite(sc)).Create(&calendarDayRow{Key: key, Date: o.Date.String(), Kind: string(o.Kind), Note: o.Note}).Error
	})
	return dbError("set calendar day", err)
}

// DeleteCalendarDay removes an override, so the rules decide that date again.
func (s *Store) DeleteCalendarDay(ctx context.Context, d domain.Date) error {
	sc, err := scopeOf(ctx)
	if err != nil {
		return err
	}
	res := s.DB(ctx).Scopes(store.ForWrite(sc)).Where("key = ?", sc.Tenant+"/"+d.String()).Delete(&calendarDayRow{})
	if res.Error != nil {
		return dbError("delete calendar day", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.NotFound("calendar day", d.String())
	}
	return nil
}

// UnitCodeTaken reports whether a tenant other than the caller's prints unit code in its
// receipt codes. Cross-tenant on purpose: receipt codes are unique platform-wide, because the
// citizen's lookup knows no tenant.
func (s *Store) UnitCodeTaken(ctx context.Context, code string) (bool, error) {
	sc, err := scopeOf(ctx)
	if err != nil {
		return false, err
	}
	var n int64
	err = s.DB(ctx).Model(&settingsRow{}).Scopes(store.AllTenants()).
		Where("unit_code = ? AND slug <> ?", code, sc.Tenant).Count(&n).Error
	return n > 0, dbError("check unit code", err)
}

// ---- dossiers ----

// nextSeq increments the unit's counter for the day inside tx and returns the new number. The
// row lock it takes serialises concurrent intakes of one unit and day, and a rollback returns
// the number, so receipt numbers have no gaps. (Raw SQL: receipt_counters is not a TenantModel;
// the tenant is written explicitly.)
func nextSeq(tx *gorm.DB, tenant, unit, day string) (int, error) {
	var seq int
	err := tx.Raw(`INSERT INTO receipt_counters (tenant_id, unit, day, seq) VALUES (?, ?, ?, 1)
ON CONFLICT (tenant_id, unit, day) DO UPDATE SET seq = receipt_counters.seq + 1 RETURNING seq`, tenant, unit, day).Scan(&seq).Error
	return seq, err
}

// Intake records a new dossier with the next receipt number.
func (s *Store) Intake(ctx context.Context, unit string, day domain.Date, build func(seq int) (*domain.Dossier, []events.Event, error)) (*domain.Dossier, error) {
	sc, err := scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	if _, inTx := store.TxFrom(ctx); s.pipelined && !inTx {
		return s.intakePipelined(ctx, sc, unit, day, build)
	}
	var d *domain.Dossier
	err = s.Transact(ctx, func(ctx context.Context) error {
		tx := s.DB(ctx)
		seq, err := nextSeq(tx, sc.Tenant, unit, day.String())
		if err != nil {
			return err
		}
		var evts []events.Event
		if d, evts, err = build(seq); err != nil {
			return err
		}
		row := dossierToRow(d)
		if err := tx.Scopes(store.ForWrite(sc)).Create(&row).Error; err != nil {
			return err
		}
		t := transitionToRow(d.Tenant, d.ID, d.History[0])
		if err := tx.Scopes(store.ForWrite(sc)).Create(&t).Error; err != nil {
			return err
		}
		return s.Publish(ctx, evts...)
	})
	if err != nil {
		return nil, dbError("intake", err)
	}
	return d, nil
}

// intakePipelined is Intake on PostgreSQL in two round trips instead of six: the receipt counter
// with BEGIN, then the dossier, its first history entry, its events and COMMIT. The same rows as
// the gorm path, built by gorm (store.CreateStmt) with the same tenant guard; the counter's row
// lock is held for one round trip instead of four, so one unit's desks queue less behind it.
func (s *Store) intakePipelined(ctx context.Context, sc store.Scope, unit string, day domain.Date, build func(seq int) (*domain.Dossier, []events.Event, error)) (*domain.Dossier, error) {
	var (
		seq int
		d   *domain.Dossier
	)
	counter := store.Stmt{SQL: `INSERT INTO receipt_counters (tenant_id, unit, day, seq) VALUES ($1, $2, $3, 1)
ON CONFLICT (tenant_id, unit, day) DO UPDATE SET seq = receipt_counters.seq + 1 RETURNING seq`,
		Args: []any{sc.Tenant, unit, day.String()}, Dest: []any{&seq}}
	err := store.PipelineTx(ctx, s.db, []store.Stmt{counter}, func() ([]store.Stmt, error) {
		var (
			evts []events.Event
			err  error
		)
		if d, evts, err = build(seq); err != nil {
			return nil, err
		}
		scoped := s.DB(ctx).Scopes(store.ForWrite(sc))
		row := dossierToRow(d)
		insDossier, err := store.CreateStmt(scoped, &row)
		if err != nil {
			return nil, err
		}
		t := transitionToRow(d.Tenant, d.ID, d.History[0])
		insTransition, err := store.CreateStmt(scoped, &t)
		if err != nil {
			return nil, err
		}
		stmts := []store.Stmt{insDossier, insTransition}
		outboxRows, err := s.outbox.Rows(ctx, evts)
		if err != nil {
			return nil, err
		}
		for i := range outboxRows {
			ins, err := store.CreateStmt(s.DB(ctx), &outboxRows[i])
			if err != nil {
				return nil, err
			}
			stmts = append(stmts, ins)
		}
		return stmts, nil
	})
	if err != nil {
		return nil, dbError("intake", err)
	}
	s.outbox.Notify()
	return d, nil
}

// dossierUpdates lists the columns an officer's action may change. The overdue flags belong to
// the overdue job, and late only ever goes from false to true, so neither can be undone by an
// action based on a row read before the job ran.
func dossierUpdates(d *domain.Dossier) map[string]any {
	r := dossierToRow(d)
	return map[string]any{
		"holder_tenant": r.HolderTenant, "version": r.Version, "state": r.State, "steps_done": r.StepsDone,
		"step_due_at": r.StepDueAt, "unit": r.Unit, "handler": r.Handler, "resume_state": r.ResumeState,
		"due_at": r.DueAt, "extended_due_at": r.ExtendedDueAt, "current_due_at": r.CurrentDueAt, "active": r.Active, "open": r.Open,
		"clock_start": r.ClockStart, "paused_at": r.PausedAt, "paused_minutes": r.PausedMinutes,
		"resolved_at": r.ResolvedAt, "returned_at": r.ReturnedAt, "late": gorm.Expr("late OR ?", r.Late),
		"documents": r.Documents, "updated_at": time.Now().UTC(),
	}
}

// Update writes an officer's action with optimistic locking.
func (s *Store) Update(ctx context.Context, d *domain.Dossier, prev int, fresh []domain.Transition, evts []events.Event) error {
	sc, err := scopeOf(ctx)
	if err != nil {
		return err
	}
	err = s.Transact(ctx, func(ctx context.Context) error {
		tx := s.DB(ctx)
		// Cross-tenant on purpose: the holder acts on a dossier in another unit's books.
		res := tx.Model(&dossierRow{}).Scopes(store.AllTenants()).
			Where("id = ? AND version = ? AND holder_tenant = ?", d.ID, prev, sc.Tenant).Updates(dossierUpdates(d))
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return s.conflict(ctx, tx, sc, d.ID, prev)
		}
		for _, t := range fresh {
			row := transitionToRow(d.Tenant, d.ID, t)
			if err := tx.Scopes(store.AllTenants()).Create(&row).Error; err != nil {
				return err
			}
			if t.Action == domain.ActAttachResult && d.Result != nil && d.Result.Seq == t.Seq {
				res := resultToRow(d.Tenant, d.ID, d.Result)
				if err := tx.Scopes(store.AllTenants()).Create(&res).Error; err != nil {
					return err
				}
			}
		}
		return s.Publish(ctx, evts...)
	})
	return dbError("update dossier", err)
}

// conflict explains why an update matched no row: someone else changed the dossier (409 with
// the changes since prev), or it is not the caller's to act on.
func (s *Store) conflict(ctx context.Context, tx *gorm.DB, sc store.Scope, id string, prev int) error {
	var row dossierRow
	err := tx.Scopes(store.ForRead(sc)).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return apperr.NotFound("dossier", id)
	}
	if err != nil {
		return err
	}
	if row.Version == prev {
		return apperr.Forbidden(fmt.Sprintf("dossier %s is held by %s; only that unit may act on it", row.ReceiptCode, row.HolderTenant))
	}
	var hist []transitionRow
	if err := tx.Scopes(store.ForRead(sc)).Where("dossier_id = ? AND version > ?", id, prev).Order("seq").Find(&hist).Error; err != nil {
		return err
	}
	d := row.domain()
	for _, h := range hist {
		d.History = append(d.History, h.domain())
	}
	return domain.VersionConflict(d, prev)
}

// Dossier reads one dossier the caller may see, by id or receipt code, with its history.
func (s *Store) Dossier(ctx context.Context, id string) (*domain.Dossier, error) {
	sc, err := scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	var row dossierRow
	err = s.DB(ctx).Scopes(store.ForRead(sc)).Where("id = ? OR receipt_code = ?", id, id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperr.NotFound("dossier", id)
	}
	if err != nil {
		return nil, dbError("read dossier", err)
	}
	d := row.domain()
	var hist []transitionRow
	if err := s.DB(ctx).Scopes(store.ForRead(sc)).Where("dossier_id = ?", row.ID).Order("seq").Find(&hist).Error; err != nil {
		return nil, dbError("read history", err)
	}
	for _, h := range hist {
		d.History = append(d.History, h.domain())
	}
	var results []resultRow
	if err := s.DB(ctx).Scopes(store.ForRead(sc)).Where("dossier_id = ?", row.ID).Order("seq DESC").Limit(1).Find(&results).Error; err != nil {
		return nil, dbError("read result", err)
	}
	if len(results) == 1 {
		d.Result = results[0].domain()
	}
	return d, nil
}

// visible limits q to the dossiers v may read (domain.CanRead as SQL): those in the books of
// v.Unit (received or held there) when Own, those received by the units below when Below, and
// those assigned to v.Subject. When the scope reaches no unit but the caller's own (a commune),
// Own already covers every row, and no condition is added: the inboxes keep their index-only
// scans (bench_test.go).
func visible(q *gorm.DB, sc store.Scope, v domain.Visibility) *gorm.DB {
	switch {
	case v.Own && v.Below, v.Own && slices.Equal(sc.ReadTenants(), []string{v.Unit}):
		return q
	case v.Own:
		return q.Where("(tenant_id = ? OR holder_tenant = ? OR (handler = ? AND handler <> ''))", v.Unit, v.Unit, v.Subject)
	case v.Below:
		return q.Where("(tenant_id <> ? OR (handler = ? AND handler <> ''))", v.Unit, v.Subject)
	default:
		return q.Where("(handler = ? AND handler <> '')", v.Subject)
	}
}

// seesPersonalData is domain.SeesPersonalData as SQL: the dossier is assigned to v.Subject, or
// it is in the books of v.Unit and v holds a one-stop-shop role there.
func seesPersonalData(v domain.Visibility) (string, []any) {
	if v.Own {
		return "(tenant_id = ? OR holder_tenant = ? OR (handler = ? AND handler <> ''))", []any{v.Unit, v.Unit, v.Subject}
	}
	return "(handler = ? AND handler <> '')", []any{v.Subject}
}

// Dossiers lists dossiers the caller may read, one keyset page at a time.
func (s *Store) Dossiers(ctx context.Context, f app.Filter) (page.Page[*domain.Dossier], error) {
	sc, err := scopeOf(ctx)
	if err != nil {
		return page.Page[*domain.Dossier]{}, err
	}
	q := s.DB(ctx).Model(&dossierRow{}).Scopes(store.ForRead(sc))
	q = visible(q, sc, f.Visible)
	if f.HeldByMe {
		q = q.Where("holder_tenant = ?", sc.Tenant)
	}
	if f.OpenOnly {
		q = q.Where("open = ?", true)
	}
	if f.Handler != "" {
		q = q.Where("handler = ?", f.Handler)
	}
	if f.Unit != "" {
		q = q.Where("unit = ?", f.Unit)
	}
	if f.AwaitingApproval {
		// In process with no step left to plan: every step is done (domain.WaitsForApproval).
		q = q.Where("state = ? AND step_due_at IS NULL", string(domain.StateInProcess))
	}
	if len(f.States) > 0 {
		q = q.Where("state IN ?", f.States)
	}
	if f.DueBefore != nil {
		q = q.Where("active = ? AND current_due_at < ?", true, f.DueBefore.UTC())
	}
	if f.Overdue != nil {
		q = q.Where("active = ? AND current_due_at < ?", true, f.Overdue.UTC())
	}
	if f.Procedure != "" {
		q = q.Where("procedure_code = ?", f.Procedure)
	}
	if qs := strings.TrimSpace(f.Query); qs != "" {
		// Codes and ID numbers are looked up exactly, on their indexes; only a query without
		// digits searches names, which scans the caller's rows.
		if strings.ContainsAny(qs, "0123456789") {
			// A dossier is found by its applicant's ID number only by who may see that
			// number: to anyone else an answer would tell whether that person applied.
			sees, args := seesPersonalData(f.Visible)
			q = q.Where("receipt_code = ? OR (applicant_id_number = ? AND "+sees+")", append([]any{strings.ToUpper(qs), qs}, args...)...)
		} else {
			q = q.Where("applicant_name LIKE ?", "%"+qs+"%")
		}
	}
	if f.From != nil {
		q = q.Where("received_at >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("received_at < ?", f.To.UTC())
	}
	col, desc := "received_at", !f.OldestLast
	if f.DueBefore != nil || f.Overdue != nil {
		col, desc = "current_due_at", false
	}
	if f.Page.After != nil {
		at, err := time.Parse(time.RFC3339Nano, f.Page.After.SortKey)
		if err != nil {
			return page.Page[*domain.Dossier]{}, apperr.Malformed("cursor", "is not a cursor of this list")
		}
		op := ">"
		if desc {
			op = "<"
		}
		q = q.Where(fmt.Sprintf("(%s %s ?) OR (%s = ? AND id %s ?)", col, op, col, op), at, at, f.Page.After.ID)
	}
	dir := "ASC"
	if desc {
		dir = "DESC"
	}
	limit := f.Page.Limit
	if limit <= 0 {
		limit = page.DefaultLimit
	}
	// A deferred join: the page's ids come from an index-only scan of the inbox's covering
	// index, which stops after one page, and only those rows are read. Asked for whole rows at
	// once, PostgreSQL tends to read every row of the unit to sort them.
	ids := q.Select("id").Order(col + " " + dir).Order("id " + dir).Limit(limit + 1)
	var rows []dossierRow
	if err := s.DB(ctx).Scopes(store.ForRead(sc)).Where("id IN (?)", ids).
		Order(col + " " + dir).Order("id " + dir).Find(&rows).Error; err != nil {
		return page.Page[*domain.Dossier]{}, dbError("list dossiers", err)
	}
	out := page.Page[*domain.Dossier]{Items: make([]*domain.Dossier, 0, min(len(rows), limit))}
	for i, r := range rows {
		if i == limit {
			last := rows[limit-1]
			key := last.ReceivedAt
			if col == "current_due_at" {
				key = last.CurrentDueAt
			}
			out.NextCursor = page.Encode(page.Cursor{SortKey: key.UTC().Format(time.RFC3339Nano), ID: last.ID})
			break
		}
		out.Items = append(out.Items, r.domain())
	}
	return out, nil
}

// MarkOverdue flags overdue dossiers and steps, each once. Cross-tenant on purpose: the job
// serves every tenant. A conditional UPDATE decides which replica flags a row: the first one's
// update matches, every other's finds the flag already set (PostgreSQL re-checks the condition
// after waiting for the row lock), so each overdue event is written exactly once.
func (s *Store) MarkOverdue(ctx context.Context, now time.Time, limit int, build func(d *domain.Dossier, step int) (events.Event, error)) (int, error) {
	now = now.UTC()
	db := s.DB(ctx)
	var whole, steps []string
	if err := db.Model(&dossierRow{}).Scopes(store.AllTenants()).
		Where("active = ? AND overdue_notified = ? AND current_due_at < ?", true, false, now).
		Order("current_due_at").Limit(limit).Pluck("id", &whole).Error; err != nil {
		return 0, dbError("find overdue dossiers", err)
	}
	if err := db.Model(&dossierRow{}).Scopes(store.AllTenants()).
		Where("step_due_at < ? AND active = ? AND step_overdue_notified < steps_done + 1", now, true).
		Order("step_due_at").Limit(limit).Pluck("id", &steps).Error; err != nil {
		return 0, dbError("find overdue steps", err)
	}
	flagged := 0
	flag := func(id string, step bool) error {
		return s.Transact(ctx, func(ctx context.Context) error {
			tx := s.DB(ctx)
			var res *gorm.DB
			if step {
				res = tx.Model(&dossierRow{}).Scopes(store.AllTenants()).
					Where("id = ? AND step_due_at < ? AND active = ? AND step_overdue_notified < steps_done + 1", id, now, true).
					Update("step_overdue_notified", gorm.Expr("steps_done + 1"))
			} else {
				res = tx.Model(&dossierRow{}).Scopes(store.AllTenants()).
					Where("id = ? AND active = ? AND overdue_notified = ? AND current_due_at < ?", id, true, false, now).
					Updates(map[string]any{"overdue_notified": true, "late": true})
			}
			if res.Error != nil || res.RowsAffected == 0 {
				return res.Error
			}
			var row dossierRow
			if err := tx.Scopes(store.AllTenants()).Where("id = ?", id).Take(&row).Error; err != nil {
				return err
			}
			n := 0
			if step {
				n = row.StepOverdueNotified
			}
			evt, err := build(row.domain(), n)
			if err != nil {
				return err
			}
			flagged++
			return s.Publish(ctx, evt)
		})
	}
	for _, id := range whole {
		if err := flag(id, false); err != nil {
			return flagged, dbError("flag overdue dossier", err)
		}
	}
	for _, id := range steps {
		if err := flag(id, true); err != nil {
			return flagged, dbError("flag overdue step", err)
		}
	}
	return flagged, nil
}

// ByReceiptCode finds a dossier by its receipt code in any tenant, for the citizen's lookup.
func (s *Store) ByReceiptCode(ctx context.Context, code string) (*domain.Dossier, error) {
	var row dossierRow
	// Cross-tenant on purpose: the citizen has no account; the app checks the phone digits.
	err := s.DB(ctx).Scopes(store.AllTenants()).Where("receipt_code = ?", code).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, dbError("look up dossier", err)
	}
	d := row.domain()
	var hist []transitionRow
	if err := s.DB(ctx).Scopes(store.AllTenants()).Where("dossier_id = ?", row.ID).Order("seq").Find(&hist).Error; err != nil {
		return nil, dbError("read history", err)
	}
	for _, h := range hist {
		d.History = append(d.History, h.domain())
	}
	return d, nil
}

// SaveRating stores the citizen's rating once.
func (s *Store) SaveRating(ctx context.Context, d *domain.Dossier, prev int, evt events.Event) error {
	err := s.Transact(ctx, func(ctx context.Context) error {
		tx := s.DB(ctx)
		// Cross-tenant on purpose: the citizen proved the receipt code and phone digits.
		res := tx.Model(&dossierRow{}).Scopes(store.AllTenants()).Where("id = ? AND version = ? AND rating = ''", d.ID, prev).
			Updates(map[string]any{"rating": string(d.Rating), "rating_comment": d.RatingComment, "rated_at": utcPtr(d.RatedAt),
				"version": d.Version, "updated_at": time.Now().UTC()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperr.Conflict("already_rated", "this dossier has already been rated")
		}
		return s.Publish(ctx, evt)
	})
	return dbError("save rating", err)
}

// Take records one attempt of subject at now unless limit attempts of it already fall within
// the window before now. Refused attempts are not kept, so hammering does not stretch the wait;
// next is when the oldest counted attempt leaves the window. Attempts of one subject take turns
// (PostgreSQL: a transaction advisory lock on the subject; SQLite: its one writer), so racing
// replicas never both pass the last free place.
func (s *Store) Take(ctx context.Context, subject string, now time.Time, window time.Duration, limit int) (ok bool, next time.Time, err error) {
	err = s.DB(ctx).Transaction(func(tx *gorm.DB) error {
		if store.Dialect(tx) == store.Postgres {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "lookup:"+subject).Error; err != nil {
				return err
			}
		}
		ats, err := recentHits(tx, subject, now, window, limit)
		if err != nil {
			return err
		}
		if len(ats) >= limit {
			next = ats[limit-1].Add(window)
			return nil
		}
		ok = true
		return tx.Create(&hitRow{Subject: subject, At: now.UTC()}).Error
	})
	return ok, next, dbError("count lookup", err)
}

// Blocked reports, without recording anything, whether limit attempts of subject fall within
// the window before now, and if so when the next one will be allowed.
func (s *Store) Blocked(ctx context.Context, subject string, now time.Time, window time.Duration, limit int) (bool, time.Time, error) {
	ats, err := recentHits(s.DB(ctx), subject, now, window, limit)
	if err != nil || len(ats) < limit {
		return false, time.Time{}, dbError("count lookup", err)
	}
	return true, ats[limit-1].Add(window), nil
}

// recentHits lists, newest first, up to limit attempts of subject within the window before now.
func recentHits(db *gorm.DB, subject string, now time.Time, window time.Duration, limit int) ([]time.Time, error) {
	var ats []time.Time
	err := db.Model(&hitRow{}).Where("subject = ? AND at > ?", subject, now.Add(-window).UTC()).
		Order("at DESC").Limit(limit).Pluck("at", &ats).Error
	return ats, err
}

// PurgeAttempts deletes lookup attempts older than before.
func (s *Store) PurgeAttempts(ctx context.Context, before time.Time) error {
	return dbError("purge lookups", s.DB(ctx).Where("at < ?", before.UTC()).Delete(&hitRow{}).Error)
}
