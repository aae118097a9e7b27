package adapters

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/archives/internal/domain"
)

// Store is the archives' gorm repository. Every statement on tenant data takes its scope from
// the context (store.ScopeFrom): that is the one place tenancy is applied. The few statements
// that cross tenants on purpose (the fixity and cleanup jobs) say so with store.AllTenants.
// Writes with events go through its UnitOfWork (Transact, Publish).
type Store struct {
	*events.UnitOfWork
	db *gorm.DB
}

// NewStore returns a Store over db (migrated with Migrate) writing events through outbox (nil:
// they stay in the outbox table with no relay to wake).
func NewStore(db *gorm.DB, outbox *events.Outbox) *Store {
	return &Store{UnitOfWork: events.NewUnitOfWork(db, outbox), db: db}
}

// q is the database for ctx: the transaction Transact opened, or the pool.
func (s *Store) q(ctx context.Context) *gorm.DB { return s.DB(ctx) }

func scope(ctx context.Context) (store.Scope, error) {
	sc, err := store.ScopeFrom(ctx)
	if err != nil {
		return store.Scope{}, fmt.Errorf("archives store: %w", err)
	}
	return sc, nil
}

func (s *Store) read(ctx context.Context) (*gorm.DB, error) {
	sc, err := scope(ctx)
	if err != nil {
		return nil, err
	}
	return s.q(ctx).Scopes(store.ForRead(sc)), nil
}

func (s *Store) write(ctx context.Context) (*gorm.DB, error) {
	sc, err := scope(ctx)
	if err != nil {
		return nil, err
	}
	return s.q(ctx).Scopes(store.ForWrite(sc)), nil
}

// notFound turns gorm's "no row" into the domain's 404.
func notFound(err error, what, id string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return apperr.NotFound(what, id)
	}
	return err
}

// NextNumber takes the next number of the scope tenant's register for dir and year. Call it in
// the transaction that creates the document: the counter row stays locked until that commits,
// and a rollback gives the number back, so numbers have neither gaps nor duplicates.
func (s *Store) NextNumber(ctx context.Context, dir domain.Direction, year int) (int, error) {
	sc, err := scope(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	// One statement on both dialects (INSERT … ON CONFLICT … RETURNING): the first registration
	// of a year creates the counter, later ones increment it under the row lock.
	err = s.q(ctx).Raw(`INSERT INTO register_counters (tenant_id, direction, year, last_number) VALUES (?, ?, ?, 1)
		ON CONFLICT (tenant_id, direction, year) DO UPDATE SET last_number = register_counters.last_number + 1
		RETURNING last_number`, sc.Tenant, string(dir), year).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("archives store: next number of %s %d: %w", dir, year, err)
	}
	return n, nil
}

// CreateDocument inserts d in the scope tenant.
func (s *Store) CreateDocument(ctx context.Context, d *domain.Document) error {
	db, err := s.write(ctx)
	if err != nil {
		return err
	}
	row := toDocumentRow(*d)
	if err := db.Create(&row).Error; err != nil {
		return fmt.Errorf("archives store: create document: %w", err)
	}
	d.Tenant = row.TenantID
	if d.DossierID == "" {
		return nil
	}
	link := dossierLinkRow{DocumentID: d.ID, TenantModel: store.TenantModel{TenantID: d.Tenant}, DossierID: d.DossierID, ReceiptCode: d.ReceiptCode}
	wdb, err := s.write(ctx)
	if err != nil {
		return err
	}
	if err := wdb.Create(&link).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return apperr.Conflict("dossier_archived", "the result of dossier "+d.ReceiptCode+" is already registered").WithDetail("dossier_id", d.DossierID)
		}
		return fmt.Errorf("archives store: link document to dossier: %w", err)
	}
	return nil
}

// DocumentOfDossier reads the document registered as the result of a dossier in the scope's
// tenant, or answers not found.
func (s *Store) DocumentOfDossier(ctx context.Context, dossierID string) (domain.Document, error) {
	db, err := s.read(ctx)
	if err != nil {
		return domain.Document{}, err
	}
	var link dossierLinkRow
	if err := db.Where("dossier_id = ?", dossierID).Take(&link).Error; err != nil {
		return domain.Document{}, notFound(err, "dossier result", dossierID)
	}
	return s.Document(ctx, link.DocumentID)
}

// Document reads one document the scope may read.
func (s *Store) Document(ctx context.Context, id string) (domain.Document, error) {
	db, err := s.read(ctx)
	if err != nil {
		return domain.Document{}, err
	}
	var row documentRow
	if err := db.Where("id = ?", id).Take(&row).Error; err != nil {
		return domain.Document{}, notFound(err, "document", id)
	}
	d := row.domain()
	var links []dossierLinkRow
	if db, err = s.read(ctx); err != nil {
		return domain.Document{}, err
	}
	if err := db.Where("document_id = ?", id).Limit(1).Find(&links).Error; err != nil {
		return domain.Document{}, fmt.Errorf("archives store: dossier of document: %w", err)
	}
	if len(links) == 1 {
		d.DossierID, d.ReceiptCode = links[0].DossierID, links[0].ReceiptCode
	}
	return d, nil
}

// Documents lists documents matching q, newest registration first.
func (s *Store) Documents(ctx context.Context, q domain.DocumentQuery) ([]domain.Document, error) {
	words := strings.Fields(domain.SearchWords(q.Text))
	n := limit(q.Limit)
	var rows []documentRow
	var err error
	if len(words) > 0 && store.Dialect(s.db) == store.Postgres {
		rows, err = s.searchDocuments(ctx, q, strings.Join(words, " "), n)
	} else {
		var db *gorm.DB
		if db, err = s.documentsWhere(ctx, q); err == nil {
			db, err = s.matchText(db, "documents", q.Text)
		}
		if err == nil {
			err = db.Order(newestFirst).Limit(n).Offset(q.Offset).Find(&rows).Error
		}
	}
	if err != nil {
		return nil, fmt.Errorf("archives store: list documents: %w", err)
	}
	out := make([]domain.Document, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// documentsWhere is the documents the scope may read, filtered by q's metadata (not its text).
// Each call starts a new statement, so that one search may use it twice.
func (s *Store) documentsWhere(ctx context.Context, q domain.DocumentQuery) (*gorm.DB, error) {
	db, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	db = db.Model(&documentRow{})
	if q.Direction != "" {
		db = db.Where("direction = ?", string(q.Direction))
	}
	if q.Year != 0 {
		db = db.Where("year = ?", q.Year)
	}
	if q.Type != "" {
		db = db.Where("type = ?", q.Type)
	}
	if q.RecordID != "" {
		db = db.Where("record_id = ?", q.RecordID)
	}
	if q.From != nil {
		db = db.Where("issued_date >= ?", *q.From)
	}
	if q.To != nil {
		db = db.Where("issued_date <= ?", *q.To)
	}
	if v := q.Visible; v != nil {
		// domain.CanRead as SQL: unclassified ones for the reader roles, classified ones for
		// their keepers, and any document with an active grant.
		conds := []string{"id IN (SELECT document_id FROM document_grants WHERE subject = ? AND revoked_at IS NULL)"}
		args := []any{v.Subject}
		if v.AllUnclassified {
			conds, args = append(conds, "security = ?"), append(args, string(domain.SecurityNormal))
		}
		if v.Keeper {
			conds, args = append(conds, "registered_by = ?"), append(args, v.Subject)
		}
		db = db.Where("("+strings.Join(conds, " OR ")+")", args...)
	}
	return db, nil
}

// newestFirst is the register's order, walked by ix_documents_order. The id makes it total, so
// that pages do not overlap and a prefix of it is well defined (searchDocuments relies on that).
const newestFirst = "year DESC, registered_at DESC, number DESC, id DESC"

// searchWindow is how many of the newest documents a PostgreSQL search reads in order before it
// turns to the full-text index: 20 per row up to the page's end (so matches of 1 row in 20 fill
// it from there), from 1,000 to 5,000. Past a few thousand PostgreSQL stops walking the order
// index for the window and sorts the whole unit instead (measured: 7 ms for a window of 5,000
// over a unit of 20,000, 290 ms for 10,000), so a deep page of a broad search goes to the index.
func searchWindow(offset, n int) int {
	return min(max(1000, 20*(offset+n)), 5000)
}

// searchDocuments is the full-text search on PostgreSQL, in at most two bounded steps. A search
// matches a few rows or very many, and which one PostgreSQL cannot tell: its estimate multiplies
// the unit's share of rows by the words' share of all rows, while words cluster by unit. Left
// to choose, it walks the register in order (fast when matches are dense) also for words common
// elsewhere and absent from this unit, reading the unit's every row (0.7 s over a million), or
// it reads and sorts every match (1.9 s for a word in a quarter of them).
//
//  1. Walk the newest searchWindow rows in order, keeping matches. The matches among them are a
//     prefix of all matches in that order, so when they fill the page they are the answer.
//  2. Otherwise the matches are sparse: take them all from the GIN index on (tenant_id,
//     search_vector), which intersects the unit and every word inside the index, and sort them.
//     MATERIALIZED keeps PostgreSQL from merging them into the ordered, limited outer query,
//     which would let it choose the walk again.
func (s *Store) searchDocuments(ctx context.Context, q domain.DocumentQuery, words string, n int) ([]documentRow, error) {
	const match = "search_vector @@ plainto_tsquery('simple', ?)"
	recent, err := s.documentsWhere(ctx, q)
	if err != nil {
		return nil, err
	}
	outer, err := s.read(ctx) // the inner statement is scoped already; the guard wants this one too
	if err != nil {
		return nil, err
	}
	recent = recent.Order(newestFirst).Limit(searchWindow(q.Offset, n))
	var rows []documentRow
	err = outer.Table("(?) AS documents", recent).Where(match, words).Order(newestFirst).Limit(n).Offset(q.Offset).Find(&rows).Error
	if err != nil || len(rows) == n {
		return rows, err
	}
	all, err := s.documentsWhere(ctx, q)
	if err != nil {
		return nil, err
	}
	rows = rows[:0]
	err = s.q(ctx).Raw("WITH matches AS MATERIALIZED (?) SELECT * FROM matches ORDER BY "+newestFirst+" LIMIT ? OFFSET ?",
		all.Where(match, words), n, q.Offset).Scan(&rows).Error
	return rows, err
}

func limit(n int) int {
	if n <= 0 || n > 500 {
		return 50
	}
	return n
}

// matchText adds the full-text condition on table's search_text, folded like the stored copy:
// the stored tsvector on PostgreSQL (indexed with the tenant, btree_gin), the FTS5 table on
// SQLite. Every word must match.
func (s *Store) matchText(db *gorm.DB, table, text string) (*gorm.DB, error) {
	words := strings.Fields(domain.SearchWords(text))
	if len(words) == 0 {
		return db, nil
	}
	if store.Dialect(s.db) == store.Postgres {
		return db.Where("search_vector @@ plainto_tsquery('simple', ?)", strings.Join(words, " ")), nil
	}
	// FTS5 query syntax: each word quoted (so "and", "-" or "*" typed by a person are plain words).
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
	}
	return db.Where(table+".rowid IN (SELECT rowid FROM "+table+"_fts WHERE "+table+"_fts MATCH ?)", strings.Join(quoted, " ")), nil
}

// FileDocument puts a document of the scope tenant into a record file (or takes it out with "").
func (s *Store) FileDocument(ctx context.Context, documentID, recordID string) error {
	db, err := s.write(ctx)
	if err != nil {
		return err
	}
	var rec *string
	if recordID != "" {
		rec = &recordID
	}
	res := db.Model(&documentRow{}).Where("id = ?", documentID).Update("record_id", rec)
	if res.Error != nil {
		return fmt.Errorf("archives store: file document: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.NotFound("document", documentID)
	}
	return nil
}

// MarkRead sets read_at on an incoming document of the scope tenant the first time; it reports
// whether this call was the first.
func (s *Store) MarkRead(ctx context.Context, documentID string, at time.Time) (bool, error) {
	db, err := s.write(ctx)
	if err != nil {
		return false, err
	}
	res := db.Model(&documentRow{}).Where("id = ? AND read_at IS NULL", documentID).Update("read_at", at)
	if res.Error != nil {
		return false, fmt.Errorf("archives store: mark read: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// CreateRecord inserts a record file in the scope tenant; a file code already used there is a
// conflict.
func (s *Store) CreateRecord(ctx context.Context, r *domain.RecordFile) error {
	db, err := s.write(ctx)
	if err != nil {
		return err
	}
	row := toRecordRow(*r)
	if err := db.Create(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return apperr.Conflict("file_code_taken", fmt.Sprintf("số, ký hiệu hồ sơ %q đã được dùng cho một hồ sơ khác", r.FileCode)).
				WithDetail("field", "file_code")
		}
		return fmt.Errorf("archives store: create record file: %w", err)
	}
	r.Tenant = row.TenantID
	return nil
}

// Record reads one record file.
func (s *Store) Record(ctx context.Context, id string) (domain.RecordFile, error) {
	db, err := s.read(ctx)
	if err != nil {
		return domain.RecordFile{}, err
	}
	var row recordRow
	if err := db.Where("id = ?", id).Take(&row).Error; err != nil {
		return domain.RecordFile{}, notFound(err, "record file", id)
	}
	return row.domain(), nil
}

// Records lists record files, newest first.
func (s *Store) Records(ctx context.Context, q domain.RecordQuery) ([]domain.RecordFile, error) {
	db, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	if db, err = s.matchText(db, "record_files", q.Text); err != nil {
		return nil, err
	}
	var rows []recordRow
	if err := db.Order("created_at DESC").Limit(limit(q.Limit)).Offset(q.Offset).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("archives store: list record files: %w", err)
	}
	out := make([]domain.RecordFile, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// AddFile inserts a stored file version of the scope tenant.
func (s *Store) AddFile(ctx context.Context, f *domain.StoredFile) error {
	db, err := s.write(ctx)
	if err != nil {
		return err
	}
	row := toFileRow(*f)
	if err := db.Create(&row).Error; err != nil {
		return fmt.Errorf("archives store: add file: %w", err)
	}
	f.Tenant = row.TenantID
	return nil
}

// File reads one stored file version.
func (s *Store) File(ctx context.Context, id string) (domain.StoredFile, error) {
	db, err := s.read(ctx)
	if err != nil {
		return domain.StoredFile{}, err
	}
	var row fileRow
	if err := db.Where("id = ?", id).Take(&row).Error; err != nil {
		return domain.StoredFile{}, notFound(err, "file", id)
	}
	return row.domain(), nil
}

// FilesOf lists the file versions of a document, oldest first.
func (s *Store) FilesOf(ctx context.Context, documentID string) ([]domain.StoredFile, error) {
	return s.files(ctx, "document_id = ?", documentID)
}

// Attachments lists the file versions another service stored for one of its things.
func (s *Store) Attachments(ctx context.Context, service, ref string) ([]domain.StoredFile, error) {
	return s.files(ctx, "owner_service = ? AND owner_ref = ?", service, ref)
}

func (s *Store) files(ctx context.Context, cond string, args ...any) ([]domain.StoredFile, error) {
	db, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	var rows []fileRow
	if err := db.Where(cond, args...).Order("created_at").Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("archives store: list files: %w", err)
	}
	out := make([]domain.StoredFile, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// SetFileLock records the object-lock state applied to a file version in MinIO.
func (s *Store) SetFileLock(ctx context.Context, id string, until *time.Time, hold bool) error {
	db, err := s.write(ctx)
	if err != nil {
		return err
	}
	if err := db.Model(&fileRow{}).Where("id = ?", id).Updates(map[string]any{"retain_until": until, "legal_hold": hold}).Error; err != nil {
		return fmt.Errorf("archives store: set file lock: %w", err)
	}
	return nil
}

// BeginUpload notes, in its own statement before any byte is sent, that key is being written.
func (s *Store) BeginUpload(ctx context.Context, u domain.PendingUpload) error {
	row := uploadRow(u)
	if err := s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("archives store: begin upload: %w", err)
	}
	return nil
}

// EndUpload forgets a pending upload: in the committing transaction, or after its object was removed.
func (s *Store) EndUpload(ctx context.Context, id string) error {
	if err := s.q(ctx).Where("id = ?", id).Delete(&uploadRow{}).Error; err != nil {
		return fmt.Errorf("archives store: end upload: %w", err)
	}
	return nil
}

// StaleUploads lists uploads started before cutoff and never committed, across all tenants
// (the cleanup job's work).
func (s *Store) StaleUploads(ctx context.Context, cutoff time.Time, n int) ([]domain.PendingUpload, error) {
	var rows []uploadRow
	if err := s.db.WithContext(ctx).Where("started_at < ?", cutoff).Order("started_at").Limit(n).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("archives store: stale uploads: %w", err)
	}
	out := make([]domain.PendingUpload, len(rows))
	for i, r := range rows {
		out[i] = domain.PendingUpload(r)
	}
	return out, nil
}

// LogAccess appends to the access log of the scope tenant.
func (s *Store) LogAccess(ctx context.Context, a domain.Access) error {
	db, err := s.write(ctx)
	if err != nil {
		return err
	}
	row := accessRow{ID: a.ID, DocumentID: a.DocumentID, FileID: a.FileID, Actor: a.Actor, ActorName: a.ActorName,
		Action: a.Action, ClientIP: a.ClientIP, At: a.At}
	if err := db.Create(&row).Error; err != nil {
		return fmt.Errorf("archives store: log access: %w", err)
	}
	return nil
}

// AccessLog lists a document's access log, newest first.
func (s *Store) AccessLog(ctx context.Context, documentID string) ([]domain.Access, error) {
	db, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	var rows []accessRow
	if err := db.Where("document_id = ?", documentID).Order("at DESC").Limit(500).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("archives store: access log: %w", err)
	}
	return accessOut(rows), nil
}

// AddGrant records an approval to read a classified document of the scope tenant.
func (s *Store) AddGrant(ctx context.Context, g domain.Grant) error {
	db, err := s.write(ctx)
	if err != nil {
		return err
	}
	row := grantRow{ID: g.ID, DocumentID: g.DocumentID, Subject: g.Subject, SubjectName: g.SubjectName,
		GrantedBy: g.GrantedBy, GrantedName: g.GrantedName, GrantedAt: g.GrantedAt}
	if err := db.Create(&row).Error; err != nil {
		return fmt.Errorf("archives store: add grant: %w", err)
	}
	return nil
}

// RevokeGrant ends a document's active grants to subject; it reports whether there was one.
func (s *Store) RevokeGrant(ctx context.Context, documentID, subject, by string, at time.Time) (bool, error) {
	db, err := s.write(ctx)
	if err != nil {
		return false, err
	}
	res := db.Model(&grantRow{}).Where("document_id = ? AND subject = ? AND revoked_at IS NULL", documentID, subject).
		Updates(map[string]any{"revoked_by": by, "revoked_at": at})
	if res.Error != nil {
		return false, fmt.Errorf("archives store: revoke grant: %w", res.Error)
	}
	return res.RowsAffected > 0, nil
}

// Grants lists a document's grants, revoked ones included, oldest first.
func (s *Store) Grants(ctx context.Context, documentID string) ([]domain.Grant, error) {
	db, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	var rows []grantRow
	if err := db.Where("document_id = ?", documentID).Order("granted_at, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("archives store: grants: %w", err)
	}
	out := make([]domain.Grant, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// UnitAccessLog lists the scope tenant's access log, newest first, n entries from offset.
func (s *Store) UnitAccessLog(ctx context.Context, n, offset int) ([]domain.Access, error) {
	db, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	var rows []accessRow
	if err := db.Order("at DESC, id DESC").Limit(limit(n)).Offset(offset).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("archives store: unit access log: %w", err)
	}
	return accessOut(rows), nil
}

func accessOut(rows []accessRow) []domain.Access {
	out := make([]domain.Access, len(rows))
	for i, r := range rows {
		out[i] = domain.Access{ID: r.ID, Tenant: r.TenantID, DocumentID: r.DocumentID, FileID: r.FileID, Actor: r.Actor,
			ActorName: r.ActorName, Action: r.Action, ClientIP: r.ClientIP, At: r.At.UTC()}
	}
	return out
}

// CreateDelivery records one recipient of a sent document. The scope tenant must be the sender.
func (s *Store) CreateDelivery(ctx context.Context, d domain.Delivery) error {
	sc, err := scope(ctx)
	if err != nil {
		return err
	}
	if d.SenderTenant != sc.Tenant {
		return fmt.Errorf("archives store: %w: delivery of %q in scope of %q", store.ErrCrossTenant, d.SenderTenant, sc.Tenant)
	}
	row := deliveryRow{ID: d.ID, SenderTenant: d.SenderTenant, DocumentID: d.DocumentID, RecipientTenant: d.RecipientTenant,
		IncomingDocumentID: d.IncomingDocumentID, IncomingNumber: d.IncomingNumber, State: string(d.State), SentAt: d.SentAt,
		ReceivedAt: d.ReceivedAt, ReadAt: d.ReadAt}
	if err := s.q(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("archives store: create delivery: %w", err)
	}
	return nil
}

// deliveries is the delivery table limited to rows the scope tenant sent or received.
func (s *Store) deliveries(ctx context.Context) (*gorm.DB, error) {
	sc, err := scope(ctx)
	if err != nil {
		return nil, err
	}
	return s.q(ctx).Model(&deliveryRow{}).Where(clause.Or(clause.Eq{Column: "sender_tenant", Value: sc.Tenant},
		clause.Eq{Column: "recipient_tenant", Value: sc.Tenant})), nil
}

// Deliveries lists the recipients of a document the scope tenant sent.
func (s *Store) Deliveries(ctx context.Context, documentID string) ([]domain.Delivery, error) {
	db, err := s.deliveries(ctx)
	if err != nil {
		return nil, err
	}
	var rows []deliveryRow
	if err := db.Where("document_id = ?", documentID).Order("recipient_tenant").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("archives store: deliveries: %w", err)
	}
	out := make([]domain.Delivery, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// DeliveryOfIncoming finds the delivery that brought an incoming document of the scope tenant.
func (s *Store) DeliveryOfIncoming(ctx context.Context, incomingID string) (domain.Delivery, error) {
	db, err := s.deliveries(ctx)
	if err != nil {
		return domain.Delivery{}, err
	}
	var row deliveryRow
	if err := db.Where("incoming_document_id = ?", incomingID).Take(&row).Error; err != nil {
		return domain.Delivery{}, notFound(err, "delivery", incomingID)
	}
	return row.domain(), nil
}

// MarkDeliveryRead moves a delivery the scope tenant received to read.
func (s *Store) MarkDeliveryRead(ctx context.Context, id string, at time.Time) error {
	sc, err := scope(ctx)
	if err != nil {
		return err
	}
	err = s.q(ctx).Model(&deliveryRow{}).Where("id = ? AND recipient_tenant = ? AND read_at IS NULL", id, sc.Tenant).
		Updates(map[string]any{"state": string(domain.DeliveryRead), "read_at": at}).Error
	if err != nil {
		return fmt.Errorf("archives store: mark delivery read: %w", err)
	}
	return nil
}

// ClaimFixity takes up to n files, of every tenant, whose check is due, and moves their due time
// lease ahead so that no other replica takes them meanwhile. A file is claimed by one
// conditional UPDATE: when two replicas race, only the one whose UPDATE matched keeps it.
func (s *Store) ClaimFixity(ctx context.Context, now time.Time, lease time.Duration, n int) ([]domain.StoredFile, error) {
	var due []fileRow
	db := s.db.WithContext(ctx).Scopes(store.AllTenants())
	if err := db.Where("fixity_due <= ?", now).Order("fixity_due").Limit(n).Find(&due).Error; err != nil {
		return nil, fmt.Errorf("archives store: due fixity checks: %w", err)
	}
	var out []domain.StoredFile
	for _, r := range due {
		res := s.db.WithContext(ctx).Scopes(store.AllTenants()).Model(&fileRow{}).
			Where("id = ? AND fixity_due = ?", r.ID, r.FixityDue).Update("fixity_due", now.Add(lease))
		if res.Error != nil {
			return nil, fmt.Errorf("archives store: claim fixity check: %w", res.Error)
		}
		if res.RowsAffected == 1 {
			out = append(out, r.domain())
		}
	}
	return out, nil
}

// FixityPassed records a good check of a file and when the next is due.
func (s *Store) FixityPassed(ctx context.Context, id string, at, next time.Time) error {
	err := s.db.WithContext(ctx).Scopes(store.AllTenants()).Model(&fileRow{}).Where("id = ?", id).
		Updates(map[string]any{"fixity_at": at, "fixity_due": next}).Error
	if err != nil {
		return fmt.Errorf("archives store: fixity passed: %w", err)
	}
	return nil
}

// AddAlert records a failed check, with its event, in ctx's transaction. The tenant is the
// file's: the fixity job works for every tenant.
func (s *Store) AddAlert(ctx context.Context, a domain.FixityAlert) error {
	row := alertRow{ID: a.ID, TenantModel: store.TenantModel{TenantID: a.Tenant}, FileID: a.FileID, DocumentID: a.DocumentID, Key: a.Key,
		VersionID: a.VersionID, Problem: string(a.Problem), ExpectedSHA256: a.ExpectedSHA256, ActualSHA256: a.ActualSHA256,
		Detail: a.Detail, DetectedAt: a.DetectedAt}
	if err := s.q(ctx).Scopes(store.AllTenants()).Create(&row).Error; err != nil {
		return fmt.Errorf("archives store: add fixity alert: %w", err)
	}
	return nil
}

// Alerts lists the fixity alerts of the tenants the scope may read, newest first.
func (s *Store) Alerts(ctx context.Context) ([]domain.FixityAlert, error) {
	db, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	var rows []alertRow
	if err := db.Order("detected_at DESC").Limit(500).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("archives store: fixity alerts: %w", err)
	}
	out := make([]domain.FixityAlert, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// FixityFailed schedules the next check of a file whose check raised an alert.
func (s *Store) FixityFailed(ctx context.Context, id string, next time.Time) error {
	err := s.q(ctx).Scopes(store.AllTenants()).Model(&fileRow{}).Where("id = ?", id).Update("fixity_due", next).Error
	if err != nil {
		return fmt.Errorf("archives store: fixity failed: %w", err)
	}
	return nil
}

// VersionsOf lists the version ids the archive stored under one key of tenant (for the fixity
// job, which works across tenants).
func (s *Store) VersionsOf(ctx context.Context, tenant, key string) ([]string, error) {
	var out []string
	err := s.q(ctx).Scopes(store.AllTenants()).Model(&fileRow{}).Where("tenant_id = ? AND object_key = ?", tenant, key).Pluck("version_id", &out).Error
	if err != nil {
		return nil, fmt.Errorf("archives store: versions of %s: %w", key, err)
	}
	return out, nil
}
