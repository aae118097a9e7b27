package app

import (
	"context"
	"io"
	"time"

	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/httpapi/page"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/services/dossiers/internal/domain"
)

// Settings are a tenant's own one-stop-shop settings: receipt codes and office hours.
type Settings struct {
	Name           string
	Code           string // the tenant's official code
	Kind           string
	Parent         string
	UnitCode       string // printed in receipt codes, e.g. UBXDT
	ReceiptPattern domain.ReceiptPattern
	Hours          domain.OfficeHours
}

// Filter selects dossiers for inboxes, search and the ledger. Zero fields select everything
// the caller may read.
type Filter struct {
	HeldByMe  bool   // only dossiers the caller's unit may act on
	OpenOnly  bool   // only dossiers not yet in a final state
	Handler   string // assigned to this person
	Unit      string // assigned to this unit (phòng ban)
	States    []domain.State
	DueBefore *time.Time // current appointment before this instant (due soon)
	Overdue   *time.Time // active and past their appointment at this instant
	Procedure string
	// AwaitingApproval: in process with every step done, waiting for a leader.
	AwaitingApproval bool
	Query            string // receipt code, applicant name or ID number
	// Visible is who asks (domain.VisibilityOf): the list omits the dossiers they may not
	// read. The use case sets it; the zero Visible shows nothing.
	Visible    domain.Visibility
	From, To   *time.Time
	Page       page.Request
	OldestLast bool // ledger order: by receipt time ascending
}

// Store is the dossiers' repository. Every method takes the tenant scope from ctx
// (store.ScopeFrom); the few that cross tenants say so.
type Store interface {
	ArchiveLinks
	SaveProcedure(ctx context.Context, p domain.Procedure) (created bool, err error)
	Procedure(ctx context.Context, code string) (domain.Procedure, error)
	Procedures(ctx context.Context) ([]domain.Procedure, error)
	DeleteProcedure(ctx context.Context, code string) error

	// Settings returns the caller's tenant settings; found is false before provisioning.
	Settings(ctx context.Context) (s Settings, found bool, err error)
	SaveSettings(ctx context.Context, s Settings) error
	// UnitCodeTaken reports whether another tenant already uses unit code in receipt codes.
	UnitCodeTaken(ctx context.Context, code string) (bool, error)
	CalendarDays(ctx context.Context) ([]domain.DayOverride, error)
	SetCalendarDay(ctx context.Context, o domain.DayOverride) error
	DeleteCalendarDay(ctx context.Context, d domain.Date) error

	// Intake takes the next receipt number of unit on day and builds the dossier with it, all
	// in one transaction with the dossier, its first history entry and its events.
	Intake(ctx context.Context, unit string, day domain.Date, build func(seq int) (*domain.Dossier, []events.Event, error)) (*domain.Dossier, error)
	// Update writes d if it is still at version prev and held by the caller's unit, with its
	// new history entries (fresh) and events; otherwise a 409 conflict saying what changed.
	Update(ctx context.Context, d *domain.Dossier, prev int, fresh []domain.Transition, evts []events.Event) error
	Dossier(ctx context.Context, id string) (*domain.Dossier, error)
	Dossiers(ctx context.Context, f Filter) (page.Page[*domain.Dossier], error)

	// MarkOverdue flags, across all tenants, up to limit dossiers (or steps) past due at now
	// and writes one event each via build; each is flagged once however many replicas run it.
	MarkOverdue(ctx context.Context, now time.Time, limit int, build func(d *domain.Dossier, step int) (events.Event, error)) (int, error)
	// ByReceiptCode finds a dossier in any tenant (the citizen's lookup); not found is nil.
	ByReceiptCode(ctx context.Context, code string) (*domain.Dossier, error)
	// SaveRating stores the citizen's rating (any tenant) if d is still at version prev.
	SaveRating(ctx context.Context, d *domain.Dossier, prev int, evt events.Event) error
	// RecordAccess adds one entry to the caller's unit's access log.
	RecordAccess(ctx context.Context, e domain.Access) error
	// AccessLog lists the caller's unit's access log, newest first, n entries from offset.
	AccessLog(ctx context.Context, n, offset int) ([]domain.Access, error)
	// Take records one attempt of subject at now unless limit attempts already fall within the
	// window before now (a sliding window shared by every replica); when refused, next is when
	// the next attempt will be allowed.
	Take(ctx context.Context, subject string, now time.Time, window time.Duration, limit int) (ok bool, next time.Time, err error)
	// Blocked is Take's check without recording an attempt.
	Blocked(ctx context.Context, subject string, now time.Time, window time.Duration, limit int) (blocked bool, next time.Time, err error)
}

// FileStore keeps the scanned documents received with a dossier, one bucket per tenant. The
// archives service will take this over; until then MinIO stands behind it.
type FileStore interface {
	Put(ctx context.Context, tenant, key string, r io.Reader, size int64, contentType string) (sha256hex string, err error)
	Get(ctx context.Context, tenant, key string) (io.ReadCloser, error)
	// Bucket names tenant's bucket (platform.BucketName): consumers of the returned event read
	// the result file from there.
	Bucket(tenant string) string
}

// Directory is the tenant tree and the units' staff as the identity service knows them.
type Directory interface {
	Tenant(ctx context.Context, slug string) (Tenant, error)
	Subtree(ctx context.Context, slug string) ([]string, error)
	// Staff lists the active people of unit slug.
	Staff(ctx context.Context, slug string) ([]Person, error)
}

// Person is one member of a unit's staff: who may be named handler or may approve.
type Person struct {
	Subject, Username, Name string
	Roles                   []platform.Role
}

// Tenant is one unit of the tree.
type Tenant struct{ Slug, Code, Name, Kind, Parent string }
