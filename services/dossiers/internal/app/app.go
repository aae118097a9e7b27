package app

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/trace"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/filename"
	"egov.vn/platform/libs/httpapi/page"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/telemetry"
	"egov.vn/platform/services/dossiers/internal/domain"
)

// Config tunes the use cases.
type Config struct {
	// LookupLimit is how many citizen lookups one client address may make in any LookupWindow
	// (a sliding window).
	LookupLimit  int
	LookupWindow time.Duration
	// CodeLimit is how many failed lookups one receipt code may take in any CodeWindow, from
	// all addresses together: receipt codes are sequential, so the phone digits of a known code
	// are what a guesser would spread over many addresses.
	CodeLimit  int
	CodeWindow time.Duration
	// DueSoon is how far ahead the "due soon" inbox looks.
	DueSoon time.Duration
	// UnitCacheTTL is how long a unit's settings, calendar and procedures are kept in memory
	// (0 = not kept): how long another replica's edit of them may go unseen here.
	UnitCacheTTL time.Duration
}

// DefaultConfig: 10 lookups per client per 10 minutes, 5 failures per receipt code per hour
// (10,000 phone endings then take a guesser months); due soon = within a day; a unit's
// settings kept 5 seconds.
func DefaultConfig() Config {
	return Config{LookupLimit: 10, LookupWindow: 10 * time.Minute, CodeLimit: 5, CodeWindow: time.Hour, DueSoon: 24 * time.Hour, UnitCacheTTL: 5 * time.Second}
}

// Deps are the use cases' collaborators.
type Deps struct {
	Store     Store
	Files     FileStore
	Directory Directory
	Tracer    trace.Tracer
	Now       func() time.Time
}

// App is the dossiers use cases.
type App struct {
	store  Store
	files  FileStore
	dir    Directory
	tracer trace.Tracer
	now    func() time.Time
	cfg    Config
	cache  *unitCache
}

// New returns the use cases.
func New(d Deps, cfg Config) *App {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	return &App{store: d.Store, files: d.Files, dir: d.Directory, tracer: d.Tracer, now: now, cfg: cfg, cache: newUnitCache(cfg.UnitCacheTTL)}
}

// readerRoles reach the dossiers of the units below their own: a district leader follows its
// communes, the district's staff read what a commune passed on to it. Which of those dossiers a
// person then reads, and how much of them, is domain.CanRead's; acting stays with the unit
// holding a dossier.
var readerRoles = append(slices.Clone(platform.DossierRoles), platform.RoleReportView, platform.RoleTenantAdmin)

// Scope is the one place a request's tenant scope is set (auth.RequireActor calls it): the
// actor's own unit, plus the units below it, read-only, when a role allows.
func (s *App) Scope(ctx context.Context, a platform.Actor) (context.Context, error) {
	var below store.Subtree
	if s.dir != nil {
		below = s.dir.Subtree
	}
	return store.ScopeFor(ctx, a, a.HasAny(readerRoles...), below)
}

// ---- calendar ----

// Calendar returns the working-day calendar and settings of the caller's unit, as kept for up
// to Config.UnitCacheTTL.
func (s *App) Calendar(ctx context.Context) (*domain.WorkingDayCalendar, Settings, error) {
	tenant, ok := s.cache.tenantOf(ctx)
	if !ok {
		return s.loadCalendar(ctx)
	}
	cal, st, gen, hit := s.cache.calendar(tenant)
	if hit {
		return cal, st, nil
	}
	cal, st, err := s.loadCalendar(ctx)
	if err != nil {
		return nil, Settings{}, err
	}
	s.cache.putCalendar(tenant, gen, cal, st)
	return cal, st, nil
}

// loadCalendar reads the calendar and settings of the caller's unit from the store.
func (s *App) loadCalendar(ctx context.Context) (*domain.WorkingDayCalendar, Settings, error) {
	st, found, err := s.store.Settings(ctx)
	if err != nil {
		return nil, Settings{}, err
	}
	if !found {
		st = Settings{Hours: domain.DefaultOfficeHours, ReceiptPattern: domain.DefaultReceiptPattern}
		if sc, err := store.ScopeFrom(ctx); err == nil {
			st.UnitCode = domain.DefaultUnitCode(sc.Tenant)
		}
	}
	days, err := s.store.CalendarDays(ctx)
	if err != nil {
		return nil, Settings{}, err
	}
	return domain.NewWorkingDayCalendar(st.Hours, days), st, nil
}

// SetCalendarDay records a swapped day off or a make-up working day (tenant.admin).
func (s *App) SetCalendarDay(ctx context.Context, a platform.Actor, o domain.DayOverride) (err error) {
	ctx, span := s.tracer.Start(ctx, "dossiers.App.SetCalendarDay")
	defer telemetry.End(span, &err)
	if err := requireAdmin(a); err != nil {
		return err
	}
	if o.Kind != domain.DayOff && o.Kind != domain.DayWork {
		return apperr.Invalid("kind", "must be off or work")
	}
	if len([]rune(o.Note)) > 200 {
		return apperr.Invalid("note", "must be at most 200 characters")
	}
	defer s.cache.forget(ctx)
	return s.store.SetCalendarDay(ctx, o)
}

// DeleteCalendarDay removes an override (tenant.admin).
func (s *App) DeleteCalendarDay(ctx context.Context, a platform.Actor, d domain.Date) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	defer s.cache.forget(ctx)
	return s.store.DeleteCalendarDay(ctx, d)
}

// UpdateSettings changes office hours, unit code and receipt pattern (tenant.admin).
func (s *App) UpdateSettings(ctx context.Context, a platform.Actor, hours domain.OfficeHours, unitCode string, pattern domain.ReceiptPattern) (err error) {
	ctx, span := s.tracer.Start(ctx, "dossiers.App.UpdateSettings")
	defer telemetry.End(span, &err)
	if err := requireAdmin(a); err != nil {
		return err
	}
	var errs apperr.FieldErrors
	if e := hours.Validate(); e != nil {
		errs.Add("office_hours", e.Error())
	}
	if e := pattern.Validate(); e != nil {
		errs.Add("receipt_pattern", e.Error())
	}
	if unitCode == "" || len(unitCode) > 20 || strings.ContainsAny(unitCode, " /") {
		errs.Add("unit_code", "must be 1–20 characters without spaces or '/'")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if taken, err := s.store.UnitCodeTaken(ctx, unitCode); err != nil {
		return err
	} else if taken {
		return apperr.Conflict("unit_code_taken", "another unit already prints this code in its receipt codes; choose another").
			WithDetail("unit_code", unitCode)
	}
	_, st, err := s.loadCalendar(ctx)
	if err != nil {
		return err
	}
	st.Hours, st.UnitCode, st.ReceiptPattern = hours, unitCode, pattern
	defer s.cache.forget(ctx)
	return s.store.SaveSettings(ctx, st)
}

func requireAdmin(a platform.Actor) error {
	if !a.Has(platform.RoleTenantAdmin) {
		return apperr.Forbidden("editing the catalogue and the calendar needs the role tenant.admin").
			WithDetail("required_roles", []platform.Role{platform.RoleTenantAdmin})
	}
	return nil
}

// ---- catalogue ----

// Procedures lists the caller's catalogue.
func (s *App) Procedures(ctx context.Context) ([]domain.Procedure, error) {
	return s.store.Procedures(ctx)
}

// Procedure returns one procedure.
func (s *App) Procedure(ctx context.Context, code string) (domain.Procedure, error) {
	return s.store.Procedure(ctx, code)
}

// SaveProcedure validates and stores a procedure (tenant.admin).
func (s *App) SaveProcedure(ctx context.Context, a platform.Actor, p domain.Procedure) (created bool, err error) {
	ctx, span := s.tracer.Start(ctx, "dossiers.App.SaveProcedure")
	defer telemetry.End(span, &err)
	if err := requireAdmin(a); err != nil {
		return false, err
	}
	if err := p.Validate(); err != nil {
		return false, err
	}
	defer s.cache.forget(ctx)
	return s.store.SaveProcedure(ctx, p)
}

// DeleteProcedure removes a procedure (tenant.admin).
func (s *App) DeleteProcedure(ctx context.Context, a platform.Actor, code string) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	defer s.cache.forget(ctx)
	return s.store.DeleteProcedure(ctx, code)
}

// RowError names the line and field of one bad row of an import.
type RowError struct {
	Line   int    `json:"line"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// ImportProcedures validates every row first and stores them only if all are valid, so an
// import is all or nothing; the errors name the line (1-based, counting a CSV header) and field.
// cellErrors are what the file's reader could not read (a fee that is not a number); they are
// reported together with the rows' own mistakes, so that one attempt lists everything to fix.
func (s *App) ImportProcedures(ctx context.Context, a platform.Actor, rows []domain.Procedure, lines []int, cellErrors []RowError) (n int, err error) {
	ctx, span := s.tracer.Start(ctx, "dossiers.App.ImportProcedures")
	defer telemetry.End(span, &err)
	if err := requireAdmin(a); err != nil {
		return 0, err
	}
	if bad := append(slices.Clone(cellErrors), CheckProcedures(rows, lines, cellErrors)...); len(bad) > 0 {
		slices.SortStableFunc(bad, func(x, y RowError) int { return x.Line - y.Line })
		fields := make([]apperr.FieldError, len(bad))
		for i, b := range bad {
			fields[i] = apperr.FieldError{Field: fmt.Sprintf("line %d: %s", b.Line, b.Field), Reason: b.Reason}
		}
		return 0, apperr.InvalidFields(fields...).WithDetail("rows", bad)
	}
	defer s.cache.forget(ctx)
	for _, p := range rows {
		if _, err := s.store.SaveProcedure(ctx, p); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// CheckProcedures lists the mistakes of an import's rows, each by line and field: what a
// procedure's Validate finds, and a code repeated within the file. A field the reader already
// reported on a line (in known) is not reported again from the value it could not read.
func CheckProcedures(rows []domain.Procedure, lines []int, known []RowError) []RowError {
	reported := map[string]bool{}
	base := func(field string) string { // "documents[0].count" → "documents"
		if i := strings.IndexAny(field, "[."); i >= 0 {
			return field[:i]
		}
		return field
	}
	for _, k := range known {
		reported[fmt.Sprint(k.Line, base(k.Field))] = true
	}
	var bad []RowError
	seen := map[string]int{}
	for i, p := range rows {
		line := i + 1
		if i < len(lines) {
			line = lines[i]
		}
		if e := apperr.As(p.Validate()); e != nil {
			for _, f := range e.Fields {
				if f.Field != "" && reported[fmt.Sprint(line, base(f.Field))] {
					continue
				}
				bad = append(bad, RowError{Line: line, Field: f.Field, Reason: f.Reason})
			}
		}
		if prev, dup := seen[p.Code]; dup && p.Code != "" {
			bad = append(bad, RowError{Line: line, Field: "code", Reason: fmt.Sprintf("repeats the code of line %d", prev)})
		}
		seen[p.Code] = line
	}
	return bad
}

// ---- provisioning ----

// Provision makes slug ready for the one-stop shop (provision.Routes calls it with the
// operator's request, already checked on its own): its settings (unit code, receipt pattern,
// office hours) and the shipped catalogue. Idempotent: existing procedures are left as the
// unit's admins edited them, and a second call seeds nothing.
func (s *App) Provision(ctx context.Context, _ platform.Actor, slug platform.Slug, p platform.Provisioning) (out platform.Provisioned, err error) {
	ctx, span := s.tracer.Start(ctx, "dossiers.App.Provision")
	defer telemetry.End(span, &err)
	// The operator acts for the new unit: the scope is the unit being provisioned.
	ctx = store.WithScope(ctx, store.Scope{Tenant: string(slug)})
	defer s.cache.forget(ctx)
	st, found, err := s.store.Settings(ctx)
	if err != nil {
		return out, err
	}
	if !found {
		st = Settings{UnitCode: domain.DefaultUnitCode(string(slug)), ReceiptPattern: domain.DefaultReceiptPattern, Hours: domain.DefaultOfficeHours}
		// Initials can clash (xã Đông Tân and xã Định Tiến are both UBXDT): the official code
		// then makes the unit code unique, as receipt codes must be.
		taken, err := s.store.UnitCodeTaken(ctx, st.UnitCode)
		if err != nil {
			return out, err
		}
		if taken {
			st.UnitCode += strings.TrimSpace(p.Code)
		}
	}
	st.Name, st.Code, st.Kind, st.Parent = p.Name, p.Code, string(p.Kind), string(p.Parent)
	if err := s.store.SaveSettings(ctx, st); err != nil {
		return out, err
	}
	existing, err := s.store.Procedures(ctx)
	if err != nil {
		return out, err
	}
	have := map[string]bool{}
	for _, p := range existing {
		have[p.Code] = true
	}
	n := 0
	for _, p := range ShippedCatalogue() {
		if have[p.Code] {
			continue
		}
		if _, err := s.store.SaveProcedure(ctx, p); err != nil {
			return out, err
		}
		n++
	}
	settings := 1
	if found {
		settings = 0
	}
	return platform.Provisioned{Tenant: slug, Created: !found, Seeded: map[string]int{"procedures": n, "settings": settings}}, nil
}

// ---- intake and lifecycle ----

// procedure is the caller's procedure code as kept for up to Config.UnitCacheTTL.
func (s *App) procedure(ctx context.Context, code string) (domain.Procedure, error) {
	tenant, ok := s.cache.tenantOf(ctx)
	if !ok {
		return s.store.Procedure(ctx, code)
	}
	p, gen, hit := s.cache.procedure(tenant, code)
	if hit {
		return p, nil
	}
	p, err := s.store.Procedure(ctx, code)
	if err != nil {
		return domain.Procedure{}, err
	}
	s.cache.putProcedure(tenant, gen, p)
	return p, nil
}

// IntakeRequest is what the desk sends.
type IntakeRequest struct {
	ProcedureCode string
	Applicant     domain.Applicant
	Channel       domain.Channel
	Documents     []domain.ReceivedDocument
	Note          string
}

// Intake receives a dossier: validates it against the procedure, gives it the next receipt
// code and the appointment, and publishes dossier.received.
func (s *App) Intake(ctx context.Context, a platform.Actor, req IntakeRequest) (d *domain.Dossier, err error) {
	ctx, span := s.tracer.Start(ctx, "dossiers.App.Intake")
	defer telemetry.End(span, &err)
	if !a.Has(platform.RoleDossierReceive) {
		return nil, apperr.Forbidden("receiving dossiers needs the role dossier.receive").WithDetail("required_roles", []platform.Role{platform.RoleDossierReceive})
	}
	if strings.TrimSpace(req.ProcedureCode) == "" {
		return nil, apperr.Invalid("procedure_code", "is required")
	}
	p, err := s.procedure(ctx, req.ProcedureCode)
	if err != nil {
		if apperr.KindOf(err) == apperr.KindNotFound {
			return nil, apperr.Invalid("procedure_code", "no such procedure in this unit's catalogue")
		}
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	in := domain.Intake{Procedure: p, Applicant: req.Applicant, Channel: req.Channel, Documents: req.Documents, Note: req.Note}
	if err := in.Validate(now); err != nil {
		return nil, err
	}
	cal, st, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, err
	}
	day := domain.DateOf(now)
	return s.store.Intake(ctx, st.UnitCode, day, func(seq int) (*domain.Dossier, []events.Event, error) {
		code := st.ReceiptPattern.Render(st.UnitCode, day, seq)
		d, err := domain.NewDossier(id.String(), code, in, a, cal, st.Hours, now)
		if err != nil {
			return nil, nil, err
		}
		e, err := dossierEvent("received", d.Holder, d, a.Subject, now, map[string]any{"legal_minutes": d.LegalMinutes})
		if err != nil {
			return nil, nil, err
		}
		return d, []events.Event{e}, nil
	})
}

// Act applies one lifecycle action to dossier id, which the caller last saw at version
// (0 = whatever is current), and publishes its events.
func (s *App) Act(ctx context.Context, a platform.Actor, id string, version int, c domain.Command) (d *domain.Dossier, err error) {
	ctx, span := s.tracer.Start(ctx, "dossiers.App.Act")
	defer telemetry.End(span, &err)
	d, err = s.store.Dossier(ctx, id)
	if err != nil {
		return nil, err
	}
	if version != 0 && version != d.Version {
		return nil, domain.VersionConflict(d, version)
	}
	prev := d.Version
	if c.Action == domain.ActAssign && c.Handler != "" && c.Handler != a.Subject {
		if err := s.checkHandler(ctx, d.Holder, c.Handler); err != nil {
			return nil, err
		}
	}
	if c.Action == domain.ActTransfer {
		if c.ToTenant, err = s.parentOf(ctx, string(a.Tenant)); err != nil {
			return nil, err
		}
	}
	// The clock that matters is the unit's that holds the dossier.
	cal, _, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	before := len(d.History)
	t, err := d.Apply(a, c, cal, s.now().UTC().Truncate(time.Microsecond))
	if err != nil {
		return nil, err
	}
	evts, err := s.eventsFor(d, t, cal)
	if err != nil {
		return nil, err
	}
	if err := s.store.Update(ctx, d, prev, d.History[before:], evts); err != nil {
		return nil, err
	}
	return d, nil
}

// checkHandler makes sure subject is one of unit's people who may handle dossiers: a named
// handler is someone the dossier will show up for, not free text.
func (s *App) checkHandler(ctx context.Context, unit, subject string) error {
	handlers, err := s.StaffWith(ctx, unit, platform.RoleDossierHandle)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(handlers, func(p Person) bool { return p.Subject == subject }) {
		return apperr.Invalid("handler", "chọn người xử lý trong danh sách cán bộ xử lý hồ sơ của đơn vị")
	}
	return nil
}

// StaffWith lists the people of unit who hold role, by name.
func (s *App) StaffWith(ctx context.Context, unit string, role platform.Role) ([]Person, error) {
	people, err := s.Staff(ctx, unit)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(people, func(p Person) bool { return !slices.Contains(p.Roles, role) }), nil
}

// Staff lists the people of unit, by name, from identity's staff directory.
func (s *App) Staff(ctx context.Context, unit string) ([]Person, error) {
	if s.dir == nil {
		return nil, apperr.Unavailable("the staff directory", nil)
	}
	people, err := s.dir.Staff(ctx, unit)
	if err != nil {
		if apperr.KindOf(err) == apperr.KindNotFound {
			return nil, err
		}
		return nil, apperr.Unavailable("the staff directory", err)
	}
	people = slices.Clone(people)
	slices.SortFunc(people, func(x, y Person) int { return strings.Compare(x.Name, y.Name) })
	return people, nil
}

func (s *App) parentOf(ctx context.Context, slug string) (string, error) {
	if s.dir == nil {
		return "", apperr.Unavailable("the unit directory", nil)
	}
	t, err := s.dir.Tenant(ctx, slug)
	if err != nil {
		return "", apperr.Unavailable("the unit directory", err)
	}
	if t.Parent == "" {
		return "", apperr.Invalid("action", "this unit has no unit above it to hand the dossier to")
	}
	return t.Parent, nil
}

// Dossier returns one dossier the caller may read (domain.CanRead), its applicant masked unless
// the caller may see the personal data; an unmasked read is written to the access log.
func (s *App) Dossier(ctx context.Context, a platform.Actor, id string) (*domain.Dossier, error) {
	d, err := s.readable(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !domain.SeesPersonalData(d, a) {
		return d.Masked(), nil
	}
	if err := s.logAccess(ctx, a, d, domain.AccessDossier); err != nil {
		return nil, err
	}
	return d, nil
}

// readable reads dossier id and applies the need-to-know rule.
func (s *App) readable(ctx context.Context, a platform.Actor, id string) (*domain.Dossier, error) {
	d, err := s.store.Dossier(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := domain.CanRead(d, a); err != nil {
		return nil, err
	}
	return d, nil
}

// withPersonalData reads dossier id for a use that shows the applicant's personal data whole
// (a scan, the result document): only those who may see it. The caller logs the read once it
// has found what was asked for.
func (s *App) withPersonalData(ctx context.Context, a platform.Actor, id string) (*domain.Dossier, error) {
	d, err := s.readable(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !domain.SeesPersonalData(d, a) {
		return nil, apperr.Forbidden("the scans and the result carry the applicant's personal data: they are opened by the one-stop-shop roles of the unit keeping the dossier and by its handler").
			WithDetail("required_roles", platform.DossierRoles)
	}
	return d, nil
}

// logAccess writes one read of personal data to the log of a's unit. A read that cannot be
// logged is refused: the log is what the unit's administrator relies on.
func (s *App) logAccess(ctx context.Context, a platform.Actor, d *domain.Dossier, what string) error {
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	e := domain.Access{ID: id.String(), Actor: a.Subject, ActorName: a.Name, What: what, At: s.now().UTC().Truncate(time.Microsecond)}
	if d != nil {
		e.DossierID, e.Receipt = d.ID, d.ReceiptCode
	}
	return s.store.RecordAccess(ctx, e)
}

// LedgerRead records a read of the unit's ledger (its page or an export), which lists the
// applicants' ID numbers.
func (s *App) LedgerRead(ctx context.Context, a platform.Actor) error {
	return s.logAccess(ctx, a, nil, domain.AccessLedger)
}

// AccessLog lists the log of reads of personal data by the caller's unit's staff, newest
// first (tenant.admin).
func (s *App) AccessLog(ctx context.Context, a platform.Actor, n, offset int) ([]domain.Access, error) {
	if !a.Has(platform.RoleTenantAdmin) {
		return nil, apperr.Forbidden("the access log is read by the unit's administrator (tenant.admin)").
			WithDetail("required_roles", []platform.Role{platform.RoleTenantAdmin})
	}
	if n <= 0 || n > 500 {
		n = 500
	}
	return s.store.AccessLog(ctx, n, max(offset, 0))
}

// Inbox names the staff inboxes.
type Inbox string

// The inboxes.
const (
	InboxMine    Inbox = "mine"
	InboxUnit    Inbox = "unit"
	InboxDueSoon Inbox = "due_soon"
	InboxOverdue Inbox = "overdue"
	// InboxAwaitingApproval: the unit's dossiers whose steps are done, for its leaders.
	InboxAwaitingApproval Inbox = "awaiting_approval"
	InboxAll              Inbox = ""
)

// Dossiers lists dossiers for an inbox plus filters.
func (s *App) Dossiers(ctx context.Context, a platform.Actor, inbox Inbox, f Filter) (page.Page[*domain.Dossier], error) {
	now := s.now()
	switch inbox {
	case InboxMine:
		f.HeldByMe, f.Handler, f.OpenOnly = true, a.Subject, true
	case InboxUnit:
		f.HeldByMe, f.OpenOnly = true, true
	case InboxDueSoon:
		soon := now.Add(s.cfg.DueSoon)
		f.HeldByMe, f.DueBefore = true, &soon
	case InboxOverdue:
		f.HeldByMe, f.Overdue = true, &now
	case InboxAwaitingApproval:
		f.HeldByMe, f.AwaitingApproval = true, true
	case InboxAll:
	default:
		return page.Page[*domain.Dossier]{}, apperr.Malformed("inbox", "must be mine, unit, due_soon, overdue or awaiting_approval")
	}
	f.Visible = domain.VisibilityOf(a)
	res, err := s.store.Dossiers(ctx, f)
	if err != nil {
		return res, err
	}
	for i, d := range res.Items {
		if !domain.SeesPersonalData(d, a) {
			res.Items[i] = d.Masked()
		}
	}
	return res, nil
}

// RunOverdue flags what is overdue now; safe to run on every replica at once.
func (s *App) RunOverdue(ctx context.Context) (n int, err error) {
	ctx, span := s.tracer.Start(ctx, "dossiers.App.RunOverdue")
	defer telemetry.End(span, &err)
	now := s.now()
	return s.store.MarkOverdue(ctx, now, 500, func(d *domain.Dossier, step int) (events.Event, error) {
		return dossierEvent("overdue", d.Holder, d, "", now, map[string]any{"step": step})
	})
}

// ---- documents ----

// UploadDocument stores the scan of the index-th received document of dossier id.
func (s *App) UploadDocument(ctx context.Context, a platform.Actor, id string, index int, r io.Reader, size int64, contentType string) (d *domain.Dossier, err error) {
	ctx, span := s.tracer.Start(ctx, "dossiers.App.UploadDocument")
	defer telemetry.End(span, &err)
	if s.files == nil {
		return nil, apperr.Unavailable("document storage", nil)
	}
	if !a.Has(platform.RoleDossierReceive) {
		return nil, apperr.Forbidden("attaching scans needs the role dossier.receive")
	}
	d, err = s.store.Dossier(ctx, id)
	if err != nil {
		return nil, err
	}
	if d.Holder != string(a.Tenant) {
		return nil, apperr.Forbidden("only the unit holding the dossier may attach documents")
	}
	if index < 0 || index >= len(d.Documents) {
		return nil, apperr.Invalid("index", fmt.Sprintf("the dossier has %d documents", len(d.Documents)))
	}
	key := fmt.Sprintf("dossiers/%s/%d", d.ID, index)
	if _, err := s.files.Put(ctx, d.Tenant, key, r, size, contentType); err != nil {
		return nil, apperr.Unavailable("document storage", err)
	}
	prev := d.Version
	d.Documents[index].FileKey = key
	d.Version++
	if err := s.store.Update(ctx, d, prev, nil, nil); err != nil {
		return nil, err
	}
	return d, nil
}

// DocumentFile opens the scan of a received document for those who may see the applicant's
// personal data, and logs the read.
func (s *App) DocumentFile(ctx context.Context, a platform.Actor, id string, index int) (io.ReadCloser, error) {
	if s.files == nil {
		return nil, apperr.Unavailable("document storage", nil)
	}
	d, err := s.withPersonalData(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if index < 0 || index >= len(d.Documents) || d.Documents[index].FileKey == "" {
		return nil, apperr.NotFound("document file", index)
	}
	if err := s.logAccess(ctx, a, d, domain.AccessScan); err != nil {
		return nil, err
	}
	return s.files.Get(ctx, d.Tenant, d.Documents[index].FileKey)
}

// ResultUpload is a result document as staff hand it in: its description and its file.
type ResultUpload struct {
	Type, Summary, Signer string
	FileName              string
	// Size is the file's length as the request declared it; the body may not exceed it.
	Size int64
	Body io.Reader
}

// AttachResult stores the result document (kết quả) of dossier id, which the caller last saw at
// version, in the receiving unit's bucket, and records it in the dossier's history. The file is
// checked (PDF, JPEG or PNG by its content, at most domain.MaxResultSize) before it is stored,
// and it is stored under a key of its own, so a result attached again never overwrites the one
// it replaces.
func (s *App) AttachResult(ctx context.Context, a platform.Actor, id string, version int, up ResultUpload) (d *domain.Dossier, err error) {
	ctx, span := s.tracer.Start(ctx, "dossiers.App.AttachResult")
	defer telemetry.End(span, &err)
	if s.files == nil {
		return nil, apperr.Unavailable("document storage", nil)
	}
	d, err = s.store.Dossier(ctx, id)
	if err != nil {
		return nil, err
	}
	if version != 0 && version != d.Version {
		return nil, domain.VersionConflict(d, version)
	}
	if err := d.Check(a, domain.ActAttachResult); err != nil {
		return nil, err
	}
	r := domain.Result{Type: up.Type, Summary: up.Summary, Signer: up.Signer, FileName: filename.Clean(up.FileName), Size: up.Size}
	if err := r.ValidateDescription(); err != nil {
		return nil, err
	}
	if up.Body == nil || up.Size <= 0 {
		return nil, apperr.Invalid("result_file", "chọn tệp văn bản kết quả (PDF, JPEG hoặc PNG)")
	}
	if up.Size > domain.MaxResultSize {
		return nil, apperr.Invalid("result_file", fmt.Sprintf("tệp kết quả không được quá %d MB", domain.MaxResultSize>>20))
	}
	// The content decides the type, not the name or the browser's guess.
	body := bufio.NewReaderSize(io.LimitReader(up.Body, up.Size), 512)
	head, err := body.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, apperr.Invalid("result_file", "không đọc được tệp kết quả")
	}
	r.ContentType, _, _ = strings.Cut(http.DetectContentType(head), ";")
	if !slices.Contains(domain.ResultContentTypes, r.ContentType) {
		return nil, apperr.Invalid("result_file", "tệp kết quả phải là PDF, JPEG hoặc PNG")
	}
	if r.FileName == "" {
		r.FileName = "ket-qua" + resultExt[r.ContentType]
	}
	r.Bucket = s.files.Bucket(d.Tenant)
	r.ObjectKey = fmt.Sprintf("dossiers/%s/result-%d%s", d.ID, len(d.History)+1, resultExt[r.ContentType])
	counted := &countingReader{r: body}
	if r.SHA256, err = s.files.Put(ctx, d.Tenant, r.ObjectKey, counted, up.Size, r.ContentType); err != nil {
		return nil, apperr.Unavailable("document storage", err)
	}
	if counted.n != up.Size {
		return nil, apperr.Invalid("result_file", "tệp kết quả tải lên không trọn vẹn; vui lòng tải lại")
	}
	cal, _, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	prev, before := d.Version, len(d.History)
	if _, err := d.Apply(a, domain.Command{Action: domain.ActAttachResult, Result: &r}, cal, s.now().UTC().Truncate(time.Microsecond)); err != nil {
		return nil, err
	}
	if err := s.store.Update(ctx, d, prev, d.History[before:], nil); err != nil {
		return nil, err
	}
	return d, nil
}

var resultExt = map[string]string{"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// ResultFile opens the result document of dossier id for those who may see the applicant's
// personal data (it is addressed to the applicant), and logs the read.
func (s *App) ResultFile(ctx context.Context, a platform.Actor, id string) (*domain.Result, io.ReadCloser, error) {
	if s.files == nil {
		return nil, nil, apperr.Unavailable("document storage", nil)
	}
	d, err := s.withPersonalData(ctx, a, id)
	if err != nil {
		return nil, nil, err
	}
	if d.Result == nil {
		return nil, nil, apperr.NotFound("result document", id)
	}
	if err := s.logAccess(ctx, a, d, domain.AccessResult); err != nil {
		return nil, nil, err
	}
	rc, err := s.files.Get(ctx, d.Tenant, d.Result.ObjectKey)
	if err != nil {
		return nil, nil, apperr.Unavailable("document storage", err)
	}
	return d.Result, rc, nil
}

// ---- citizens ----

// ErrLookupFailed is the one answer to a wrong code or wrong phone digits, so that neither can
// be probed separately.
var ErrLookupFailed = apperr.NotFound("dossier", "").WithMessage("Không tìm thấy hồ sơ với mã và số điện thoại đã nhập.")

// ErrTooManyLookups answers a client over its lookup budget, or a lookup of a receipt code over
// its budget of failures. Its detail "retry_after_seconds" is the real time left.
var ErrTooManyLookups = &apperr.Error{Kind: apperr.KindConflict, Code: "too_many_lookups",
	Message: "Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau ít phút."}

// tooManyLookups says how long to wait, in whole seconds and minutes rounded up.
func tooManyLookups(wait time.Duration) error {
	secs := max(int64((wait+time.Second-1)/time.Second), 1)
	mins := (secs + 59) / 60
	return ErrTooManyLookups.WithDetail("retry_after_seconds", secs).
		WithMessage(fmt.Sprintf("Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau %d phút.", mins))
}

// lookupSubject keys a rate-limit subject without storing the address or code itself.
func lookupSubject(kind, v string) string {
	sum := sha256.Sum256([]byte(v))
	return kind + ":" + hex.EncodeToString(sum[:16])
}

// Lookup finds a dossier for a citizen by receipt code and the last four digits of the phone
// number given at receipt. client identifies the caller for rate limiting (its address). Both
// limits are sliding windows: the address's counts every lookup, the receipt code's counts
// failures only, so the citizen who knows the digits is never locked out by their own success,
// and a wrong code or wrong digits count the same (neither tells whether the code exists).
func (s *App) Lookup(ctx context.Context, client, code, phone4 string) (d *domain.Dossier, err error) {
	ctx, span := s.tracer.Start(ctx, "dossiers.App.Lookup")
	defer telemetry.End(span, &err)
	now := s.now().UTC()
	ok, next, err := s.store.Take(ctx, lookupSubject("addr", client), now, s.cfg.LookupWindow, s.cfg.LookupLimit)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, tooManyLookups(next.Sub(now))
	}
	code = strings.ToUpper(strings.TrimSpace(code))
	phone4 = strings.TrimSpace(phone4)
	if code == "" || len(code) > 64 || len(phone4) != 4 {
		return nil, ErrLookupFailed
	}
	codeKey := lookupSubject("code", code)
	blocked, next, err := s.store.Blocked(ctx, codeKey, now, s.cfg.CodeWindow, s.cfg.CodeLimit)
	if err != nil {
		return nil, err
	}
	if blocked {
		return nil, tooManyLookups(next.Sub(now))
	}
	d, err = s.store.ByReceiptCode(ctx, code)
	if err != nil {
		return nil, err
	}
	// Compare against a dummy when there is no dossier, so both failures take the same path.
	want := "\x00\x00\x00\x00"
	if d != nil && len(d.Applicant.Phone) >= 4 {
		want = d.Applicant.Phone[len(d.Applicant.Phone)-4:]
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(phone4)) != 1 || d == nil {
		if _, _, err := s.store.Take(ctx, codeKey, now, s.cfg.CodeWindow, s.cfg.CodeLimit); err != nil {
			return nil, err
		}
		return nil, ErrLookupFailed
	}
	return d, nil
}

// Rate records a citizen's rating of a returned dossier, once.
func (s *App) Rate(ctx context.Context, client, code, phone4 string, r domain.Rating, comment string) (err error) {
	ctx, span := s.tracer.Start(ctx, "dossiers.App.Rate")
	defer telemetry.End(span, &err)
	d, err := s.Lookup(ctx, client, code, phone4)
	if err != nil {
		return err
	}
	prev := d.Version
	now := s.now().UTC().Truncate(time.Microsecond)
	if err := d.Rate(r, comment, now); err != nil {
		return err
	}
	e, err := dossierEvent("rated", d.Holder, d, "", now, map[string]any{"rating": string(r), "comment": d.RatingComment})
	if err != nil {
		return err
	}
	return s.store.SaveRating(ctx, d, prev, e)
}
