// Package app holds HR's use cases: organisation units, hiring, moving and releasing staff,
// qualifications and their code lists, import and export, statistics, and provisioning a new
// tenant. It decides who may do what from the caller's Viewer, resolves the tenant scope the
// repository applies, and writes every change together with its event.
package app

import (
	"context"
	"io"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/trace"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/hr/internal/domain"
)

// Repository is what the use cases need from storage; adapters.Store is the implementation.
// Every call is scoped by the store.Scope in its context.
type Repository interface {
	Transact(ctx context.Context, fn func(ctx context.Context) error) error
	Publish(ctx context.Context, evt events.Event) error
	PublishAll(ctx context.Context, evts []events.Event) error

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

// Sheets reads and writes the rows of CSV and XLSX files.
type Sheets interface {
	// Read calls each with every row after the header, numbered as a spreadsheet shows it (the
	// header is line 1), and returns the header.
	Read(format string, r io.Reader, each func(line int, cells []string) error) (header []string, err error)
	// Write writes header and then every row next yields, until it returns false.
	Write(format string, w io.Writer, header []string, next func() ([]string, bool)) error
}

// App is HR's use cases.
type App struct {
	repo     Repository
	evidence EvidenceStore
	tree     TenantTree
	sheets   Sheets
	tracer   trace.Tracer
	now      func() time.Time
}

// Deps are App's collaborators. Tree may be nil: then every caller reads its own tenant only.
type Deps struct {
	Repo     Repository
	Evidence EvidenceStore
	Tree     TenantTree
	Sheets   Sheets
	Tracer   trace.Tracer
	Now      func() time.Time
}

// New returns the use cases over d.
func New(d Deps) *App {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &App{repo: d.Repo, evidence: d.Evidence, tree: d.Tree, sheets: d.Sheets, tracer: d.Tracer, now: d.Now}
}

func (a *App) today() time.Time { return domain.Day(a.now()) }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

type viewerKey struct{}

// WithViewer returns ctx carrying the caller and the tenant scope their token allows: their own
// tenant to write, and — for roles that read downwards — every tenant below it to read. This is
// the one place a scope is made from a token; ports call it once per request.
func (a *App) WithViewer(ctx context.Context, v domain.Viewer) (context.Context, error) {
	if v.Tenant == "" {
		return ctx, apperr.Forbidden("your account belongs to no unit, so it sees no staff records")
	}
	sc := store.Scope{Tenant: v.Tenant}
	if v.ReadsSubtree() && a.tree != nil {
		below, err := a.tree.Subtree(ctx, v.Tenant)
		if err != nil {
			return ctx, apperr.Unavailable("the tenant directory", err)
		}
		sc.Readable = below
	}
	ctx = context.WithValue(ctx, viewerKey{}, v)
	return store.WithScope(ctx, sc), nil
}

// ViewerFrom returns the caller WithViewer recorded.
func ViewerFrom(ctx context.Context) domain.Viewer {
	v, _ := ctx.Value(viewerKey{}).(domain.Viewer)
	return v
}

func requireOfficer(ctx context.Context) (domain.Viewer, error) {
	v := ViewerFrom(ctx)
	if !v.ManagesStaff() {
		return v, apperr.Forbidden("chỉ cán bộ tổ chức – nhân sự (vai trò hr.officer) của đơn vị được thay đổi hồ sơ nhân sự")
	}
	return v, nil
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
