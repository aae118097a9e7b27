// Package idempotency makes a retried change happen once: state-changing requests may carry an
// Idempotency-Key (IETF httpapi draft-ietf-httpapi-idempotency-key-header), and a retry with the
// same key gets the first answer back instead of a second change.
//
// The key is recorded in the same database transaction as the change it guards (a store.TxHook
// that the request's context carries into store.Transact and events.UnitOfWork), so a process that
// dies between the commit and the answer keeps both the change and the key. Once the handler has
// answered, the answer (status, Content-Type, Location, body) is added to the key's row. A retry
// then gets:
//   - the saved answer again, with the header Idempotent-Replayed: true;
//   - when the change committed but its answer was never saved (the crash), an answer derived again
//     from the resource the change made (a Rederiver the service registers for the route, e.g. the
//     dossier and its receipt code), or 409 idempotency_answer_lost naming that resource;
//   - 409 idempotency_key_in_use while the first request with the key is still committing;
//   - 422 idempotency_key_reused when the key came with another body or route.
//
// Keys are scoped by tenant and subject (the caller in the verified token), so no caller can ever
// replay another's answer, and expire after TTL (Pruner deletes them). A request without a key is
// served as before.
package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/store"
)

const (
	// HeaderName is the request header that carries the key.
	HeaderName = "Idempotency-Key"
	// FieldName is the form field that carries the key on page forms (libs/web's csrfField
	// renders one per form).
	FieldName = "idempotency_key"
	// ReplayedHeader marks an answer that was given before, not made by this request.
	ReplayedHeader = "Idempotent-Replayed"
	// DefaultTTL is how long a key is honoured: a desk retries within minutes, a service's retry
	// queue within hours; a day covers both, as the draft suggests.
	DefaultTTL = 24 * time.Hour
	// FaultExitAfterCommitEnv, set to "1" in a test's child process, makes the process exit right
	// after a keyed change commits and before it answers: the crash the keys exist for.
	FaultExitAfterCommitEnv = "EGOV_FAULT_EXIT_AFTER_COMMIT"
	// maxKeyLength bounds a key; the platform's clients send UUIDs.
	maxKeyLength = 255
	// maxSavedBody bounds the answer body kept for replay; a larger answer is derived again.
	maxSavedBody = 1 << 20
)

// keyRow is a row of idempotency_keys.
type keyRow struct {
	Tenant         string `gorm:"primaryKey"`
	Subject        string `gorm:"primaryKey"`
	IdempotencyKey string `gorm:"primaryKey"`
	// Request is "METHOD /route/:pattern": a key names one request, not one body on any route.
	Request string
	// Fingerprint is the SHA-256 of the body (or of the parsed form), hex.
	Fingerprint string
	// Resource is the id of what the change made, from its first event's subject.
	Resource string
	// Status is 0 until the answer is saved.
	Status    int
	Headers   string // JSON object of the saved answer's headers
	Body      []byte
	CreatedAt time.Time
	ExpiresAt time.Time
}

func (keyRow) TableName() string { return "idempotency_keys" }

// Rederiver answers a retry whose change committed without its answer being saved (the process
// died in between), from the id of what the change made: the same answer the first request would
// have given, e.g. 201 with the dossier and its receipt code.
type Rederiver func(c *gin.Context, resource string)

// Caller names who sent a request, from its verified token: keys are scoped by both. An empty
// subject (anonymous) leaves the request unguarded: it could not be told apart from another
// anonymous caller's.
type Caller func(c *gin.Context) (tenant, subject string)

// Options configure a Guard.
type Options struct {
	// Caller names the caller of a request; required.
	Caller Caller
	// TTL is how long a key is honoured; DefaultTTL when zero.
	TTL time.Duration
	// Now is the clock; time.Now when nil.
	Now    func() time.Time
	Logger *slog.Logger
	// ExitAfterCommit makes the process exit right after a keyed change commits (fault tests
	// only); New sets it from FaultExitAfterCommitEnv.
	ExitAfterCommit bool
}

// Guard holds the keys of one service's database.
type Guard struct {
	db       *gorm.DB
	o        Options
	mu       sync.RWMutex
	rederive map[string]Rederiver
}

// New returns a guard over db, whose schema has Migrations applied.
func New(db *gorm.DB, o Options) *Guard {
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if os.Getenv(FaultExitAfterCommitEnv) == "1" {
		o.ExitAfterCommit = true
	}
	return &Guard{db: db, o: o, rederive: map[string]Rederiver{}}
}

// Rederive registers how to answer again a retry of method on route (gin's full path, e.g.
// "/dossiers/api/v1/dossiers") whose first answer was lost.
func (g *Guard) Rederive(method, route string, fn Rederiver) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.rederive[method+" "+route] = fn
}

func (g *Guard) rederiver(request string) Rederiver {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.rederive[request]
}

// NoteResource tells the key of ctx's request, if any, what its change made (the first call
// wins); events.UnitOfWork calls it with each published event's subject.
func NoteResource(ctx context.Context, resource string) {
	if cl, ok := ctx.Value(claimKey{}).(*claim); ok && resource != "" {
		cl.mu.Lock()
		if cl.resource == "" && !cl.recorded {
			cl.resource = resource
		}
		cl.mu.Unlock()
	}
}

// NoteSecret tells the key of ctx's request, if any, that its answer holds something shown once
// (a one-time password, a client secret). Such an answer is never kept: the key's table would
// hold it in clear for the key's whole life. A retry is answered like a lost answer (the
// route's Rederiver, or 409 idempotency_answer_lost naming what was made), so the change still
// happens once and the secret is reset instead of replayed.
func NoteSecret(ctx context.Context) {
	if cl, ok := ctx.Value(claimKey{}).(*claim); ok {
		cl.mu.Lock()
		cl.secret = true
		cl.mu.Unlock()
	}
}

type claimKey struct{}

// claim is one keyed request on its way: the store.TxHook that records its key in the first
// transaction it commits.
type claim struct {
	g       *Guard
	row     keyRow
	request *http.Request
	body    *hashingBody // nil when the fingerprint comes from the parsed form

	mu       sync.Mutex
	resource string
	recorded bool
	inUse    bool
	secret   bool // the answer holds a secret shown once: never saved
}

// InTx records the key in the transaction, unless an earlier transaction of the request did. A
// row already there means another request with the key got there first: this transaction is
// rolled back, so the change happens once.
func (cl *claim) InTx(ctx context.Context, tx *gorm.DB) error {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.recorded {
		return nil
	}
	row := cl.row
	row.Fingerprint = cl.fingerprint()
	row.Resource = cl.resource
	res := tx.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		cl.inUse = true
		return errInUse
	}
	return nil
}

// PipelineStmt is InTx as one statement for store.PipelineTx (PostgreSQL): a plain INSERT, so a
// key already there fails the whole transaction, which PipelineFailed then recognises.
func (cl *claim) PipelineStmt(context.Context) (store.Stmt, error) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.recorded {
		return store.Stmt{SQL: "SELECT 1"}, nil
	}
	r := cl.row
	return store.Stmt{SQL: `INSERT INTO idempotency_keys (tenant, subject, idempotency_key, request, fingerprint, resource, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		Args: []any{r.Tenant, r.Subject, r.IdempotencyKey, r.Request, cl.fingerprint(), cl.resource, r.CreatedAt, r.ExpiresAt}}, nil
}

// uniqueViolation is PostgreSQL's SQLSTATE for a duplicate key.
const uniqueViolation = "23505"

// PipelineFailed turns the key's unique violation into errInUse, as InTx would have refused.
func (cl *claim) PipelineFailed(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == uniqueViolation && pgErr.TableName == (keyRow{}).TableName() {
		cl.mu.Lock()
		cl.inUse = true
		cl.mu.Unlock()
		return errInUse
	}
	return err
}

// Committed marks the key recorded; in a fault test it ends the process here, before the answer.
func (cl *claim) Committed(context.Context) {
	cl.mu.Lock()
	first := !cl.recorded
	cl.recorded = true
	cl.mu.Unlock()
	if first && cl.g.o.ExitAfterCommit {
		os.Exit(3)
	}
}

// fingerprint is the SHA-256 of what the request sent: its parsed form when a middleware before
// this one already read the body as a form (pages, behind CSRF), otherwise its body, read to the
// end (a handler that stored the change has read what it needs).
func (cl *claim) fingerprint() string {
	if cl.body != nil {
		_, _ = io.Copy(io.Discard, cl.body)
		return hex.EncodeToString(cl.body.h.Sum(nil))
	}
	return formFingerprint(cl.request)
}

// hashingBody hashes a request body as it is read.
type hashingBody struct {
	r io.ReadCloser
	h hash.Hash
}

func newHashingBody(r io.ReadCloser) *hashingBody {
	if r == nil {
		r = http.NoBody
	}
	return &hashingBody{r: r, h: sha256.New()}
}

func (b *hashingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.h.Write(p[:n])
	return n, err
}

func (b *hashingBody) Close() error { return b.r.Close() }

var (
	errInUse = apperr.Conflict("idempotency_key_in_use",
		"a request with this Idempotency-Key is still being processed; retry it in a moment")
	errReused = &apperr.Error{Kind: apperr.KindInvalid, Code: "idempotency_key_reused",
		Message: "this Idempotency-Key was used for a different request; send a new key with a new request",
		Fields:  []apperr.FieldError{{Field: HeaderName, Reason: "used before for a different request"}}}
	errLost = apperr.Conflict("idempotency_answer_lost",
		"this request was already carried out but its answer was not kept; look the result up instead of retrying")
	errMalformed = apperr.Malformed(HeaderName, "must be 1 to 255 visible ASCII characters")
)
