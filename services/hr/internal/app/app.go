// Package app holds HR's use cases: organisation units, hiring, moving and releasing staff,
// qualifications and their code lists, import and export, statistics, and provisioning a new
// tenant. Every use case takes the caller as a platform.Actor, passed explicitly by the ports; it
// decides who may do what from it, resolves the tenant scope the repository applies (Scope), and
// writes every change together with its event (one unit of work).
package app

import (
	"context"
	"io"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/trace"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/sheet"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/hr/internal/domain"
)

// Repository is what the use cases need from storage; adapters.Store is the implementation.
// Every call is scoped by the store.Scope in its context. Transact and Publish are the unit of
// work (events.UnitOfWork): a use case calls Transact once, every call made with the context it
// gives joins the transaction, and Publish adds the change's events in it.
type Repository interface {
	Transact(ctx context.Context, fn func(ctx context.Context) error) error
	Publish(ctx context.Context, evts ...events.Event) error

	Units(ctx context.Context, tenant string) ([]domain.Unit, error)
	Unit(ctx context.Context, id string) (domain.Unit, error)
	UnitVersions(ctx context.Context, tenant, unitID string) ([]domain.UnitVersion, error)
	CreateUnit(ctx context.Context, u domain.Unit, seedKey, actor string) error
	SeededUnits(ctx context.Context) (map[string]string, error)
	ChangeUnit(ctx context.Context, u domain.Unit, change domain.Change, d time.Time, reason, actor string) error

	CreateStaff(ctx context.Context, s domain.Staff) error
	UpdateStaff(ctx context.Context, s domain.Staff) error
	Staff(ctx context.Context, id string) (domain.Staff, error)
	StaffBySubject(ctx context.Context, subject string) (domain.Staff, error)
	StaffIDsByCCCD(ctx context.Context, cccds []string) (map[string]string, error)
	ListStaff(ctx context.Context, f domain.StaffFilter) ([]domain.Listing, int, error)

	Employment(ctx context.Context, staffID string) (domain.Employment, error)
	AddAssignment(ctx context.Context, a domain.Assignment, actor string) error
	CloseAssignment(ctx context.Context, a domain.Assignment) error
	ActiveInUnit(ctx context.Context, unitID string, d time.Time) (int, error)

	Levels(ctx context.Context) (domain.CodeList, error)
	AddLevel(ctx context.Context, l domain.Level) error
	AddQualification(ctx context.Context, q domain.Qualification) error
	Qualifications(ctx context.Context, staffID string) ([]domain.Qualification, error)
	Qualification(ctx context.Context, id string) (domain.Qualification, error)
	SetEvidence(ctx context.Context, id string, e domain.Evidence) error
	AllQualifications(ctx context.Context) ([]domain.Qualification, error)

	ImportStaff(ctx context.Context, hires []domain.Hire, actor string) error
	ImportQualifications(ctx context.Context, qs []domain.Qualification) error

	Statistics(ctx context.Context, tenant string, units []string, d time.Time) (domain.RawStatistics, error)
	Movements(ctx context.Context, tenant string, units []string, from, to time.Time) (domain.Movements, error)
}

// EvidenceStore keeps evidence files; adapters.MinIOEvidence now, the archives service later.
type EvidenceStore interface {
	Put(ctx context.Context, tenant, key string, r io.Reader, size int64, e domain.Evidence) (domain.Evidence, error)
	Open(ctx context.Context, tenant string, e domain.Evidence) (io.ReadCloser, error)
}

// TenantTree answers which tenants lie below a tenant (auth.Directory reads it from identity).
type TenantTree interface {
	Subtree(ctx context.Context, slug string) ([]string, error)
}

// App is HR's use cases.
type App struct {
	repo     Repository
	evidence EvidenceStore
	tree     TenantTree
	tracer   trace.Tracer
	now      func() time.Time
	imports  sheet.Limits
}

// Deps are App's collaborators. Tree may be nil: then every caller reads its own tenant only.
type Deps struct {
	Repo     Repository
	Evidence EvidenceStore
	Tree     TenantTree
	Tracer   trace.Tracer
	Now      func() time.Time
	// ImportLimits bound one import file (rows, cells, unpacked size); zero fields take
	// sheet.DefaultLimits, which hold one dry run to a few seconds of CPU.
	ImportLimits sheet.Limits
}

// New returns the use cases over d.
func New(d Deps) *App {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &App{repo: d.Repo, evidence: d.Evidence, tree: d.Tree, tracer: d.Tracer, now: d.Now, imports: d.ImportLimits}
}

// today is the Vietnamese calendar day: the effective date of a change sent without one.
func (a *App) today() time.Time { return domain.Today(a.now()) }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// Scope is HR's one rule for what a request reaches: the actor's own tenant to write, and — for
// roles that read downwards (domain.ReadsSubtree) — every tenant below it to read. Ports call it
// once per request (auth.RequireActor); repositories read the result with store.ScopeFrom.
func (a *App) Scope(ctx context.Context, actor platform.Actor) (context.Context, error) {
	var below store.Subtree
	if a.tree != nil {
		below = a.tree.Subtree
	}
	return store.ScopeFor(ctx, actor, domain.ReadsSubtree(actor), below)
}

func requireOfficer(actor platform.Actor) error {
	if !domain.ManagesStaff(actor) {
		return apperr.Forbidden("chỉ cán bộ tổ chức – nhân sự (vai trò " + string(platform.RoleHROfficer) + ") của đơn vị được thay đổi hồ sơ nhân sự")
	}
	return nil
}

func (a *App) publish(ctx context.Context, tenant, verb, subject string, data any) error {
	evt, err := newEvent(tenant, verb, subject, data)
	if err != nil {
		return err
	}
	return a.repo.Publish(ctx, evt)
}

func newEvent(tenant, verb, subject string, data any) (events.Event, error) {
	return events.New(events.Topic{Tenant: tenant, Service: "hr", Entity: "staff", Verb: verb}, subject, data)
}

// rfc3339 is an effective day as the events contract writes times: RFC 3339 in UTC.
func rfc3339(d time.Time) string { return d.UTC().Format(time.RFC3339) }
