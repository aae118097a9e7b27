// Package app holds the archives' use cases: registering documents with their files, record
// files and retention, electronic exchange between units, downloads with their access log,
// attachments for other services, and the fixity and cleanup jobs. It speaks to the database
// and MinIO only through the small interfaces below.
package app

import (
	"context"
	"io"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/archives/internal/domain"
)

// Store is the repository (adapters.Store). Tenant scope comes from the context. Transact and
// Publish are its events.UnitOfWork: a use case calls Transact once around a change, and Publish
// puts the change's events in the same transaction.
type Store interface {
	Transact(ctx context.Context, fn func(ctx context.Context) error) error
	Publish(ctx context.Context, evts ...events.Event) error
	NextNumber(ctx context.Context, dir domain.Direction, year int) (int, error)
	CreateDocument(ctx context.Context, d *domain.Document) error
	Document(ctx context.Context, id string) (domain.Document, error)
	DocumentOfDossier(ctx context.Context, dossierID string) (domain.Document, error)
	Documents(ctx context.Context, q domain.DocumentQuery) ([]domain.Document, error)
	FileDocument(ctx context.Context, documentID, recordID string) error
	MarkRead(ctx context.Context, documentID string, at time.Time) (bool, error)
	CreateRecord(ctx context.Context, r *domain.RecordFile) error
	Record(ctx context.Context, id string) (domain.RecordFile, error)
	Records(ctx context.Context, q domain.RecordQuery) ([]domain.RecordFile, error)
	AddFile(ctx context.Context, f *domain.StoredFile) error
	File(ctx context.Context, id string) (domain.StoredFile, error)
	FilesOf(ctx context.Context, documentID string) ([]domain.StoredFile, error)
	Attachments(ctx context.Context, service, ref string) ([]domain.StoredFile, error)
	SetFileLock(ctx context.Context, id string, until *time.Time, hold bool) error
	BeginUpload(ctx context.Context, u domain.PendingUpload) error
	EndUpload(ctx context.Context, id string) error
	StaleUploads(ctx context.Context, cutoff time.Time, n int) ([]domain.PendingUpload, error)
	LogAccess(ctx context.Context, a domain.Access) error
	AccessLog(ctx context.Context, documentID string) ([]domain.Access, error)
	UnitAccessLog(ctx context.Context, n, offset int) ([]domain.Access, error)
	AddGrant(ctx context.Context, g domain.Grant) error
	RevokeGrant(ctx context.Context, documentID, subject, by string, at time.Time) (bool, error)
	Grants(ctx context.Context, documentID string) ([]domain.Grant, error)
	CreateDelivery(ctx context.Context, d domain.Delivery) error
	Deliveries(ctx context.Context, documentID string) ([]domain.Delivery, error)
	DeliveryOfIncoming(ctx context.Context, incomingID string) (domain.Delivery, error)
	MarkDeliveryRead(ctx context.Context, id string, at time.Time) error
	ClaimFixity(ctx context.Context, now time.Time, lease time.Duration, n int) ([]domain.StoredFile, error)
	FixityPassed(ctx context.Context, id string, at, next time.Time) error
	FixityFailed(ctx context.Context, id string, next time.Time) error
	VersionsOf(ctx context.Context, tenant, key string) ([]string, error)
	AddAlert(ctx context.Context, a domain.FixityAlert) error
	Alerts(ctx context.Context) ([]domain.FixityAlert, error)
}

// Objects is the object store (adapters.Objects): one bucket per tenant, as the platform's
// storage contract names and makes it.
type Objects interface {
	Bucket(tenant string) string
	EnsureBucket(ctx context.Context, tenant string) (bool, error)
	Put(ctx context.Context, tenant, key string, r io.Reader, contentType string) (versionID string, size int64, err error)
	Open(ctx context.Context, bucket, key, versionID string) (io.ReadCloser, error)
	Latest(ctx context.Context, bucket, key string) (string, error)
	Presign(ctx context.Context, bucket, key, versionID, name string, ttl time.Duration) (string, error)
	Lock(ctx context.Context, bucket, key, versionID string, until *time.Time, hold bool) error
	Copy(ctx context.Context, bucket, key, versionID, toTenant, toKey string) (string, error)
	RemoveAll(ctx context.Context, bucket, key string) error
}

// Tenant is a unit as the tenant tree (identity) shows it.
type Tenant struct {
	Slug     string
	Name     string
	Parent   string
	Disabled bool
}

// Directory answers questions about the tenant tree (identity's, through the composition root).
type Directory interface {
	Tenant(ctx context.Context, slug string) (Tenant, error)
	Within(ctx context.Context, ancestor, slug string) (bool, error)
	Children(ctx context.Context, slug string) ([]Tenant, error)
}

// Config holds the limits and periods of the use cases.
type Config struct {
	MaxUploadBytes int64         // larger files are refused with 413
	PresignTTL     time.Duration // how long a download URL works
	FixityInterval time.Duration // how often each file is re-read
	FixityLease    time.Duration // how long one replica holds a claimed check
	OrphanAge      time.Duration // an upload pending longer than this is abandoned
	// ServiceClients are the OAuth clients whose service tokens may store attachments.
	ServiceClients []string
}

// App is the archives' use cases.
type App struct {
	store   Store
	objects Objects
	dir     Directory
	cfg     Config
	tracer  trace.Tracer
	now     func() time.Time
}

// Deps are the App's collaborators.
type Deps struct {
	Store     Store
	Objects   Objects
	Directory Directory // may be nil where no exchange or service calls happen (repository tests)
	Tracer    trace.Tracer
	Now       func() time.Time
}

// New returns the App.
func New(d Deps, cfg Config) *App {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Tracer == nil {
		d.Tracer = noop.NewTracerProvider().Tracer("archives")
	}
	return &App{store: d.Store, objects: d.Objects, dir: d.Directory, cfg: cfg, tracer: d.Tracer, now: func() time.Time { return d.Now().UTC() }}
}

// Config returns the limits the App runs with.
func (a *App) Config() Config { return a.cfg }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// Scope is the one place a request's tenant scope is set: a unit reads and writes only its own
// documents (those sent to it arrive as its own incoming copies). The archives give parent units
// no read-through, since a register and its secrets belong to the unit that keeps it.
func (a *App) Scope(ctx context.Context, who platform.Actor) (context.Context, error) {
	return store.ScopeFor(ctx, who, false, nil)
}

// signedIn insists the caller works for a unit: every record belongs to one.
func signedIn(who platform.Actor) error {
	if who.Tenant == "" {
		return apperr.Unauthenticated("sign in first: this request carries no verified identity with a unit")
	}
	return nil
}

// requireClerk insists the caller is a clerk (văn thư) of a unit.
func requireClerk(who platform.Actor) error {
	if err := signedIn(who); err != nil {
		return err
	}
	if !who.Has(platform.RoleArchiveClerk) {
		return apperr.Forbidden("this needs the role archive.clerk (văn thư); ask your unit's administrator to grant it")
	}
	return nil
}
