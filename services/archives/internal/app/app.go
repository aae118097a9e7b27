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

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/services/archives/internal/domain"
)

// Store is the repository (adapters.Store). Tenant scope comes from the context.
type Store interface {
	Transact(ctx context.Context, fn func(ctx context.Context) error) error
	AddEvent(ctx context.Context, evt events.Event) error
	NextNumber(ctx context.Context, dir domain.Direction, year int) (int, error)
	CreateDocument(ctx context.Context, d *domain.Document) error
	Document(ctx context.Context, id string) (domain.Document, error)
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

// Objects is the object store (adapters.Objects).
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

// Directory answers questions about the tenant tree (auth.Directory).
type Directory interface {
	Tenant(ctx context.Context, slug string) (auth.Tenant, error)
	Within(ctx context.Context, ancestor, slug string) (bool, error)
	Children(ctx context.Context, slug string) ([]auth.Tenant, error)
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
	return &App{store: d.Store, objects: d.Objects, dir: d.Directory, cfg: cfg, tracer: d.Tracer, now: func() time.Time { return d.Now().UTC() }}
}

// Config returns the limits the App runs with.
func (a *App) Config() Config { return a.cfg }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// actor is the caller, from the verified token or page session.
func actor(ctx context.Context) (*auth.Claims, error) {
	c, ok := auth.ClaimsFrom(ctx)
	if !ok || c.Tenant == "" {
		return nil, apperr.Unauthenticated("sign in first: this request carries no verified identity with a unit")
	}
	return c, nil
}

// Roles the archives know.
const (
	RoleClerk         = "archive.clerk"
	RoleTenantAdmin   = "tenant.admin"
	RolePlatformAdmin = "platform.admin"
	RoleService       = "service"
)

func requireClerk(ctx context.Context) (*auth.Claims, error) {
	c, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !c.HasRole(RoleClerk) {
		return nil, apperr.Forbidden("this needs the role archive.clerk (văn thư); ask your unit's administrator to grant it")
	}
	return c, nil
}

func authClaims(ctx context.Context) (*auth.Claims, bool) { return auth.ClaimsFrom(ctx) }

func withClaims(ctx context.Context, c *auth.Claims) context.Context { return auth.WithClaims(ctx, c) }
