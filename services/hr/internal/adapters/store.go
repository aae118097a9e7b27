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
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/hr/internal/domain"
)

// Store is HR's repository. Every method takes the tenant scope from the context (put there by
// the app's Scope rule from the caller): reads see the scope's readable tenants, writes only its
// own tenant. This is the one place scoping happens. Writes with their events go through the
// embedded unit of work: Transact once, every call with its context joins, Publish in it.
type Store struct {
	*events.UnitOfWork
	db *gorm.DB
}

// NewStore returns a Store over db (migrated: Migrations, outbox included); a nil outbox keeps events in the outbox table with no relay to wake.
func NewStore(db *gorm.DB, outbox *events.Outbox) *Store {
	return &Store{UnitOfWork: events.NewUnitOfWork(db, outbox), db: db}
}

func (s *Store) q(ctx context.Context) *gorm.DB { return s.DB(ctx) }

func (s *Store) read(ctx context.Context) (*gorm.DB, store.Scope, error) {
	sc, err := store.ScopeFrom(ctx)
	if err != nil {
		return nil, sc, err
	}
	return s.q(ctx).Scopes(store.ForRead(sc)), sc, nil
}

func (s *Store) write(ctx context.Context) (*gorm.DB, store.Scope, error) {
	sc, err := store.ScopeFrom(ctx)
	if err != nil {
		return nil, sc, err
	}
	return s.q(ctx).Scopes(store.ForWrite(sc)), sc, nil
}

// readTenant checks that tenant is readable in the scope; "" means the scope's own.
func readTenant(sc store.Scope, tenant string) (string, error) {
	if tenant == "" {
		return sc.Tenant, nil
	}
	if !sc.CanRead(tenant) {
		return "", apperr.Forbidden("you may not read the staff records of tenant " + tenant)
	}
	return tenant, nil
}

func notFound(err error, resource string, id any) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return apperr.NotFound(resource, id)
	}
	return err
}

func ptr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ---- units

func (r unitRow) domain() domain.Unit {
	return domain.Unit{ID: r.ID, Tenant: r.TenantID, Code: r.Code, Name: r.Name, Kind: domain.UnitKind(r.Kind),
		ParentID: deref(r.ParentID), OpenedOn: r.OpenedOn.UTC(), ClosedOn: utcPtr(r.ClosedOn), CloseReason: r.CloseReason}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Units returns every unit of tenant ("" = the caller's own), open or closed, by code.
func (s *Store) Units(ctx context.Context, tenant string) ([]domain.Unit, error) {
	q, sc, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	if tenant, err = readTenant(sc, tenant); err != nil {
		return nil, err
	}
	var rows []unitRow
	if err := q.Where("tenant_id = ?", tenant).Order("code").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]domain.Unit, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// Unit returns one unit the caller may read.
func (s *Store) Unit(ctx context.Context, id string) (domain.Unit, error) {
	q, _, err := s.read(ctx)
	if err != nil {
		return domain.Unit{}, err
	}
	var row unitRow
	if err := q.Where("id = ?", id).Take(&row).Error; err != nil {
		return domain.Unit{}, notFound(err, "unit", id)
	}
	return row.domain(), nil
}

// UnitVersions returns the history of the units of tenant ("" = own), oldest first; with
// unitID set, of that unit only.
func (s *Store) UnitVersions(ctx context.Context, tenant, unitID string) ([]domain.UnitVersion, error) {
	q, sc, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	if tenant, err = readTenant(sc, tenant); err != nil {
		return nil, err
	}
	q = q.Where("tenant_id = ?", tenant)
	if unitID != "" {
		q = q.Where("unit_id = ?", unitID)
	}
	var rows []unitVersionRow
	if err := q.Order("valid_from, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]domain.UnitVersion, len(rows))
	for i, r := range rows {
		out[i] = domain.UnitVersion{UnitID: r.UnitID, Name: r.Name, ParentID: deref(r.ParentID), ValidFrom: r.ValidFrom.UTC(),
			ValidTo: utcPtr(r.ValidTo), Change: domain.Change(r.Change), Reason: r.Reason}
	}
	return out, nil
}

// CreateUnit stores a new unit and its first version; seedKey marks a provisioned unit. A
// taken code among the tenant's open units is a conflict.
func (s *Store) CreateUnit(ctx context.Context, u domain.Unit, seedKey, actor string) error {
	q, sc, err := s.write(ctx)
	if err != nil {
		return err
	}
	var n int64
	if err := s.q(ctx).Scopes(store.ForWrite(sc)).Model(&unitRow{}).Where("code = ? AND closed_on IS NULL", u.Code).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return apperr.Conflict("unit_code_taken", "mã đơn vị "+u.Code+" đã được dùng cho một đơn vị đang hoạt động")
	}
	row := unitRow{ID: u.ID, Code: u.Code, Name: u.Name, Kind: string(u.Kind), ParentID: ptr(u.ParentID),
		OpenedOn: u.OpenedOn, SeedKey: ptr(seedKey)}
	if err := q.Create(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return apperr.Conflict("unit_exists", "đơn vị đã tồn tại")
		}
		return err
	}
	v := unitVersionRow{UnitID: u.ID, Name: u.Name, ParentID: ptr(u.ParentID), ValidFrom: u.OpenedOn,
		Change: string(domain.ChangeCreated), Actor: actor}
	return s.q(ctx).Scopes(store.ForWrite(sc)).Create(&v).Error
}

// SeededUnits returns the codes of the units provisioning made in the caller's tenant, by seed key.
func (s *Store) SeededUnits(ctx context.Context) (map[string]string, error) {
	q, _, err := s.write(ctx)
	if err != nil {
		return nil, err
	}
	var rows []unitRow
	if err := q.Where("seed_key IS NOT NULL").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range rows {
		out[deref(r.SeedKey)] = r.ID
	}
	return out, nil
}

// ChangeUnit saves u as it is after a rename, move or close and records the change as a new
// version from day d: the version current on d is closed on d, history stays.
func (s *Store) ChangeUnit(ctx context.Context, u domain.Unit, change domain.Change, d time.Time, reason, actor string) error {
	q, sc, err := s.write(ctx)
	if err != nil {
		return err
	}
	res := q.Model(&unitRow{}).Where("id = ?", u.ID).Updates(map[string]any{
		"name": u.Name, "parent_id": ptr(u.ParentID), "closed_on": u.ClosedOn, "close_reason": u.CloseReason,
		"updated_at": time.Now().UTC()})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return apperr.NotFound("unit", u.ID)
	}
	w := s.q(ctx).Scopes(store.ForWrite(sc))
	var cur unitVersionRow
	if err := w.Where("unit_id = ? AND valid_to IS NULL", u.ID).Take(&cur).Error; err != nil {
		return notFound(err, "unit version", u.ID)
	}
	if d.Before(cur.ValidFrom) {
		return apperr.Invalid("effective_on", "ngày hiệu lực phải từ "+domain.FormatDate(cur.ValidFrom.UTC())+" trở đi (lần thay đổi trước)")
	}
	if err := s.q(ctx).Scopes(store.ForWrite(sc)).Model(&unitVersionRow{}).Where("id = ?", cur.ID).Update("valid_to", d).Error; err != nil {
		return err
	}
	if change == domain.ChangeClosed {
		// A closed unit has no current version; its last one ends on the closing day, and the
		// close itself is recorded as an empty-length version carrying the reason.
		v := unitVersionRow{UnitID: u.ID, Name: u.Name, ParentID: ptr(u.ParentID), ValidFrom: d, ValidTo: &d,
			Change: string(change), Reason: reason, Actor: actor}
		return s.q(ctx).Scopes(store.ForWrite(sc)).Create(&v).Error
	}
	v := unitVersionRow{UnitID: u.ID, Name: u.Name, ParentID: ptr(u.ParentID), ValidFrom: d,
		Change: string(change), Reason: reason, Actor: actor}
	return s.q(ctx).Scopes(store.ForWrite(sc)).Create(&v).Error
}

// ---- staff

func staffToRow(st domain.Staff) staffRow {
	return staffRow{ID: st.ID, FullName: st.FullName, BirthDate: st.BirthDate, Gender: string(st.Gender), CCCD: st.CCCD,
		Category: string(st.Category), Phone: st.Contacts.Phone, Email: st.Contacts.Email, Address: st.Contacts.Address,
		UserSubject: ptr(st.UserSubject)}
}

func (r staffRow) domain() domain.Staff {
	return domain.Staff{ID: r.ID, Tenant: r.TenantID, FullName: r.FullName, BirthDate: r.BirthDate.UTC(), Gender: domain.Gender(r.Gender),
		CCCD: r.CCCD, Category: domain.Category(r.Category), UserSubject: deref(r.UserSubject), CreatedAt: r.CreatedAt,
		Contacts: domain.Contacts{Phone: r.Phone, Email: r.Email, Address: r.Address}}
}

var errCCCDTaken = apperr.Conflict("cccd_taken", "số CCCD này đã có trong hồ sơ nhân sự của đơn vị")

// CreateStaff stores a new person; a CCCD already on file in the tenant is a conflict.
func (s *Store) CreateStaff(ctx context.Context, st domain.Staff) error {
	q, _, err := s.write(ctx)
	if err != nil {
		return err
	}
	row := staffToRow(st)
	if err := q.Create(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return errCCCDTaken
		}
		return err
	}
	return nil
}

// UpdateStaff saves the changeable fields of a person.
func (s *Store) UpdateStaff(ctx context.Context, st domain.Staff) error {
	q, _, err := s.write(ctx)
	if err != nil {
		return err
	}
	res := q.Model(&staffRow{}).Where("id = ?", st.ID).Updates(map[string]any{
		"full_name": st.FullName, "birth_date": st.BirthDate, "gender": string(st.Gender), "cccd": st.CCCD,
		"category": string(st.Category), "phone": st.Contacts.Phone, "email": st.Contacts.Email,
		"address": st.Contacts.Address, "user_subject": ptr(st.UserSubject), "updated_at": time.Now().UTC()})
	if res.Error != nil {
		if errors.Is(res.Error, gorm.ErrDuplicatedKey) {
			return errCCCDTaken
		}
		return res.Error
	}
	if res.RowsAffected == 0 {
		return apperr.NotFound("staff", st.ID)
	}
	return nil
}

// Staff returns one person the caller may read.
func (s *Store) Staff(ctx context.Context, id string) (domain.Staff, error) {
	q, _, err := s.read(ctx)
	if err != nil {
		return domain.Staff{}, err
	}
	var row staffRow
	if err := q.Where("id = ?", id).Take(&row).Error; err != nil {
		return domain.Staff{}, notFound(err, "staff", id)
	}
	return row.domain(), nil
}

// StaffBySubject returns the person linked to an identity account in the caller's tenant.
func (s *Store) StaffBySubject(ctx context.Context, subject string) (domain.Staff, error) {
	q, _, err := s.write(ctx) // one's own record lives in one's own tenant
	if err != nil {
		return domain.Staff{}, err
	}
	var row staffRow
	if err := q.Where("user_subject = ?", subject).Take(&row).Error; err != nil {
		return domain.Staff{}, notFound(err, "staff", subject)
	}
	return row.domain(), nil
}

// StaffIDsByCCCD maps those of cccds already on file in the caller's tenant to their staff ids.
func (s *Store) StaffIDsByCCCD(ctx context.Context, cccds []string) (map[string]string, error) {
	out := map[string]string{}
	for chunk := range slices.Chunk(cccds, 500) {
		q, _, err := s.write(ctx)
		if err != nil {
			return nil, err
		}
		var rows []staffRow
		if err := q.Select("id", "cccd").Where("cccd IN ?", chunk).Find(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.CCCD] = r.ID
		}
	}
	return out, nil
}

type listingRow struct {
	ID, TenantID, FullName, Gender, CCCD, Category, Phone, Email, Address string
	BirthDate                                                             time.Time
	UserSubject                                                           *string
	CreatedAt                                                             time.Time
	AssignmentID                                                          string
	UnitID                                                                string
	Position                                                              string
	CivilRank                                                             string
	Step                                                                  int
	StartsOn                                                              time.Time
	EndsOn                                                                *time.Time
	Change                                                                string
	EndReason                                                             string
}

const activeOn = "a.starts_on <= ? AND (a.ends_on IS NULL OR a.ends_on > ?)"

// ListStaff returns the people matching f with their assignment on f.On, by name, and the total
// count before paging.
func (s *Store) ListStaff(ctx context.Context, f domain.StaffFilter) ([]domain.Listing, int, error) {
	q, sc, err := s.read(ctx)
	if err != nil {
		return nil, 0, err
	}
	tenant, err := readTenant(sc, f.Tenant)
	if err != nil {
		return nil, 0, err
	}
	q = q.Model(&staffRow{}).Joins("JOIN hr_assignments a ON a.staff_id = hr_staff.id AND "+activeOn, f.On, f.On).
		Where("hr_staff.tenant_id = ?", tenant)
	if len(f.UnitIDs) > 0 {
		q = q.Where("a.unit_id IN ?", f.UnitIDs)
	}
	if f.Category != "" {
		q = q.Where("hr_staff.category = ?", string(f.Category))
	}
	if t := strings.TrimSpace(f.Query); t != "" {
		q = q.Where("LOWER(hr_staff.full_name) LIKE ?", "%"+strings.ToLower(escapeLike(t))+"%")
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	q = q.Select("hr_staff.id, hr_staff.tenant_id, hr_staff.full_name, hr_staff.gender, hr_staff.cccd, hr_staff.category, hr_staff.phone, " +
		"hr_staff.email, hr_staff.address, hr_staff.birth_date, hr_staff.user_subject, hr_staff.created_at, a.id AS assignment_id, a.unit_id, a.position, a.civil_rank, a.step, a.starts_on, a.ends_on, a.change, a.end_reason").
		Order("hr_staff.full_name, hr_staff.id")
	if f.Limit > 0 {
		q = q.Limit(f.Limit).Offset(f.Offset)
	}
	var rows []listingRow
	if err := q.Scan(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]domain.Listing, len(rows))
	for i, r := range rows {
		st := staffRow{ID: r.ID, TenantModel: store.TenantModel{TenantID: r.TenantID}, FullName: r.FullName, BirthDate: r.BirthDate,
			Gender: r.Gender, CCCD: r.CCCD, Category: r.Category, Phone: r.Phone, Email: r.Email, Address: r.Address,
			UserSubject: r.UserSubject, CreatedAt: r.CreatedAt}
		out[i] = domain.Listing{Staff: st.domain(), Assignment: domain.Assignment{ID: r.AssignmentID, StaffID: r.ID,
			UnitID: r.UnitID, Position: r.Position, Rank: r.CivilRank, Step: r.Step, From: r.StartsOn.UTC(), To: utcPtr(r.EndsOn),
			Change: domain.Change(r.Change), EndReason: r.EndReason}}
	}
	return out, int(total), nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`%`, ``, `_`, ``).Replace(s)
}

// ---- employment

func (r assignmentRow) domain() domain.Assignment {
	return domain.Assignment{ID: r.ID, StaffID: r.StaffID, UnitID: r.UnitID, Position: r.Position, Rank: r.Rank, Step: r.Step,
		From: r.StartsOn.UTC(), To: utcPtr(r.EndsOn), Change: domain.Change(r.Change), EndReason: r.EndReason}
}

func assignmentToRow(a domain.Assignment, actor string) assignmentRow {
	return assignmentRow{ID: a.ID, StaffID: a.StaffID, UnitID: a.UnitID, Position: a.Position, Rank: a.Rank, Step: a.Step,
		StartsOn: a.From, EndsOn: a.To, Change: string(a.Change), EndReason: a.EndReason, Actor: actor}
}

// Employment returns a person's assignments, oldest first.
func (s *Store) Employment(ctx context.Context, staffID string) (domain.Employment, error) {
	q, _, err := s.read(ctx)
	if err != nil {
		return domain.Employment{}, err
	}
	var rows []assignmentRow
	if err := q.Where("staff_id = ?", staffID).Order("starts_on, created_at").Find(&rows).Error; err != nil {
		return domain.Employment{}, err
	}
	e := domain.Employment{Assignments: make([]domain.Assignment, len(rows))}
	for i, r := range rows {
		e.Assignments[i] = r.domain()
	}
	return e, nil
}

// AddAssignment stores a new assignment.
func (s *Store) AddAssignment(ctx context.Context, a domain.Assignment, actor string) error {
	q, _, err := s.write(ctx)
	if err != nil {
		return err
	}
	row := assignmentToRow(a, actor)
	return q.Create(&row).Error
}

// CloseAssignment records the end of an assignment (its end day and reason); nothing else of it
// changes. It refuses to close one that is already closed, so two officers moving the same
// person at once cannot both succeed.
func (s *Store) CloseAssignment(ctx context.Context, a domain.Assignment) error {
	q, _, err := s.write(ctx)
	if err != nil {
		return err
	}
	res := q.Model(&assignmentRow{}).Where("id = ? AND ends_on IS NULL", a.ID).
		Updates(map[string]any{"ends_on": a.To, "end_reason": a.EndReason, "updated_at": time.Now().UTC()})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return apperr.Conflict("assignment_changed", "quá trình công tác vừa được người khác thay đổi; tải lại trang")
	}
	return nil
}

// ActiveInUnit counts the people whose assignment on day d is in unit.
func (s *Store) ActiveInUnit(ctx context.Context, unitID string, d time.Time) (int, error) {
	q, _, err := s.write(ctx)
	if err != nil {
		return 0, err
	}
	var n int64
	err = q.Model(&assignmentRow{}).Where("unit_id = ? AND starts_on <= ? AND (ends_on IS NULL OR ends_on > ?)", unitID, d, d).Count(&n).Error
	return int(n), err
}

// ---- qualifications and code lists

// Levels returns the code list the caller's tenant sees: the defaults and its own levels.
func (s *Store) Levels(ctx context.Context) (domain.CodeList, error) {
	sc, err := store.ScopeFrom(ctx)
	if err != nil {
		return nil, err
	}
	var rows []levelRow
	if err := s.q(ctx).Where("tenant_id IN ?", []string{"", sc.Tenant}).Order("kind, level_rank, code").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(domain.CodeList, len(rows))
	for i, r := range rows {
		out[i] = domain.Level{Tenant: r.TenantID, Kind: domain.Kind(r.Kind), Code: r.Code, Name: r.Name, Rank: r.Rank}
	}
	return out, nil
}

// AddLevel stores a level of the caller's own tenant; a code the tenant already sees is a
// conflict.
func (s *Store) AddLevel(ctx context.Context, l domain.Level) error {
	sc, err := store.ScopeFrom(ctx)
	if err != nil {
		return err
	}
	var n int64
	if err := s.q(ctx).Model(&levelRow{}).Where("tenant_id IN ? AND kind = ? AND code = ?", []string{"", sc.Tenant}, string(l.Kind), l.Code).
		Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return apperr.Conflict("level_exists", "mã trình độ "+l.Code+" đã có trong danh mục "+l.Kind.Label())
	}
	row := levelRow{TenantID: sc.Tenant, Kind: string(l.Kind), Code: l.Code, Name: l.Name, Rank: l.Rank}
	return s.q(ctx).Create(&row).Error
}

func qualificationToRow(q domain.Qualification) qualificationRow {
	r := qualificationRow{ID: q.ID, StaffID: q.StaffID, Kind: string(q.Kind), Level: q.Level, Rank: q.Rank, Field: q.Field,
		Language: q.Language, AwardingBody: q.AwardingBody, AwardedOn: q.AwardedOn, Course: q.Course, StartOn: q.StartOn,
		EndOn: q.EndOn, Result: q.Result, EvidenceRef: q.EvidenceRef}
	if e := q.Evidence; e != nil {
		r.EvidenceKey, r.EvidenceName, r.EvidenceType, r.EvidenceSize, r.EvidenceSHA = ptr(e.Key), e.FileName, e.ContentType, e.Size, e.SHA256
	}
	return r
}

func (r qualificationRow) domain() domain.Qualification {
	q := domain.Qualification{ID: r.ID, StaffID: r.StaffID, Kind: domain.Kind(r.Kind), Level: r.Level, Rank: r.Rank, Field: r.Field,
		Language: r.Language, AwardingBody: r.AwardingBody, AwardedOn: r.AwardedOn.UTC(), Course: r.Course,
		StartOn: utcPtr(r.StartOn), EndOn: utcPtr(r.EndOn), Result: r.Result, EvidenceRef: r.EvidenceRef}
	if r.EvidenceKey != nil {
		q.Evidence = &domain.Evidence{Key: *r.EvidenceKey, FileName: r.EvidenceName, ContentType: r.EvidenceType,
			Size: r.EvidenceSize, SHA256: r.EvidenceSHA}
	}
	return q
}

// AddQualification stores a qualification.
func (s *Store) AddQualification(ctx context.Context, q domain.Qualification) error {
	w, _, err := s.write(ctx)
	if err != nil {
		return err
	}
	row := qualificationToRow(q)
	return w.Create(&row).Error
}

// Qualifications returns a person's qualifications, oldest first.
func (s *Store) Qualifications(ctx context.Context, staffID string) ([]domain.Qualification, error) {
	q, _, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	var rows []qualificationRow
	if err := q.Where("staff_id = ?", staffID).Order("awarded_on, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]domain.Qualification, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// Qualification returns one qualification the caller may read.
func (s *Store) Qualification(ctx context.Context, id string) (domain.Qualification, error) {
	q, _, err := s.read(ctx)
	if err != nil {
		return domain.Qualification{}, err
	}
	var row qualificationRow
	if err := q.Where("id = ?", id).Take(&row).Error; err != nil {
		return domain.Qualification{}, notFound(err, "qualification", id)
	}
	return row.domain(), nil
}

// SetEvidence records the file attached to a qualification.
func (s *Store) SetEvidence(ctx context.Context, id string, e domain.Evidence) error {
	q, _, err := s.write(ctx)
	if err != nil {
		return err
	}
	res := q.Model(&qualificationRow{}).Where("id = ?", id).Updates(map[string]any{"evidence_key": e.Key,
		"evidence_name": e.FileName, "evidence_type": e.ContentType, "evidence_size": e.Size, "evidence_sha256": e.SHA256})
	if res.Error == nil && res.RowsAffected == 0 {
		return apperr.NotFound("qualification", id)
	}
	return res.Error
}

// AllQualifications returns every qualification of the caller's tenant (for export), by staff.
func (s *Store) AllQualifications(ctx context.Context) ([]domain.Qualification, error) {
	q, _, err := s.write(ctx)
	if err != nil {
		return nil, err
	}
	var rows []qualificationRow
	if err := q.Order("staff_id, awarded_on, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]domain.Qualification, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// ---- bulk import

const batch = 500

// ImportStaff creates people and their first assignments in batches (inside the caller's
// transaction, so an import is all-or-nothing).
func (s *Store) ImportStaff(ctx context.Context, hires []domain.Hire, actor string) error {
	for chunk := range slices.Chunk(hires, batch) {
		staff := make([]staffRow, len(chunk))
		assignments := make([]assignmentRow, len(chunk))
		for i, h := range chunk {
			staff[i] = staffToRow(h.Staff)
			assignments[i] = assignmentToRow(h.Assignment, actor)
		}
		q, _, err := s.write(ctx)
		if err != nil {
			return err
		}
		if err := q.Create(&staff).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return errCCCDTaken
			}
			return err
		}
		if q, _, err = s.write(ctx); err != nil {
			return err
		}
		if err := q.Create(&assignments).Error; err != nil {
			return err
		}
	}
	return s.analyze(ctx, "hr_staff", "hr_assignments")
}

// analyze refreshes PostgreSQL's planner statistics of tables after a bulk load. Without it a
// freshly loaded table still looks empty to the planner until autovacuum comes by, and the
// statistics queries pick nested loops that take seconds instead of milliseconds. ANALYZE may run
// inside the import's transaction and counts the rows that transaction inserted.
func (s *Store) analyze(ctx context.Context, tables ...string) error {
	if store.Dialect(s.db) != store.Postgres {
		return nil
	}
	for _, t := range tables {
		if err := s.q(ctx).Exec("ANALYZE " + t).Error; err != nil {
			return fmt.Errorf("hr: analyze %s: %w", t, err)
		}
	}
	return nil
}

// ImportQualifications creates qualifications in batches.
func (s *Store) ImportQualifications(ctx context.Context, qs []domain.Qualification) error {
	for chunk := range slices.Chunk(qs, batch) {
		rows := make([]qualificationRow, len(chunk))
		for i, q := range chunk {
			rows[i] = qualificationToRow(q)
		}
		w, _, err := s.write(ctx)
		if err != nil {
			return err
		}
		if err := w.Create(&rows).Error; err != nil {
			return err
		}
	}
	return s.analyze(ctx, "hr_qualifications")
}

// ---- statistics

// Statistics counts, for tenant ("" = own) on day d and optionally only in units, the people by
// category, their best level per graded kind, and trainings finished in the year up to d. Raw
// SQL for the nested aggregate: the tenant condition is added by hand after the scope check.
func (s *Store) Statistics(ctx context.Context, tenant string, units []string, d time.Time) (domain.RawStatistics, error) {
	out := domain.RawStatistics{ByCategory: map[domain.Category]int{}, BestRanks: map[domain.Kind]map[int]int{}}
	sc, err := store.ScopeFrom(ctx)
	if err != nil {
		return out, err
	}
	if tenant, err = readTenant(sc, tenant); err != nil {
		return out, err
	}
	active := "SELECT a.staff_id FROM hr_assignments a WHERE a.tenant_id = ? AND " + activeOn
	args := []any{tenant, d, d}
	if len(units) > 0 {
		active += " AND a.unit_id IN ?"
		args = append(args, units)
	}
	db := s.q(ctx)

	var cats []struct {
		Category string
		N        int
	}
	if err := db.Raw("SELECT s.category, COUNT(*) AS n FROM hr_staff s WHERE s.tenant_id = ? AND s.id IN ("+active+") GROUP BY s.category",
		append([]any{tenant}, args...)...).Scan(&cats).Error; err != nil {
		return out, err
	}
	for _, c := range cats {
		out.ByCategory[domain.Category(c.Category)] = c.N
	}

	var best []struct {
		Kind string
		Best int
		N    int
	}
	if err := db.Raw(`SELECT kind, best, COUNT(*) AS n FROM (
		SELECT q.staff_id, q.kind, MAX(q.level_rank) AS best FROM hr_qualifications q
		WHERE q.tenant_id = ? AND q.kind <> ? AND q.awarded_on <= ? AND q.staff_id IN (`+active+`)
		GROUP BY q.staff_id, q.kind) b GROUP BY kind, best`,
		append([]any{tenant, string(domain.Training), d}, args...)...).Scan(&best).Error; err != nil {
		return out, err
	}
	for _, b := range best {
		k := domain.Kind(b.Kind)
		if out.BestRanks[k] == nil {
			out.BestRanks[k] = map[int]int{}
		}
		out.BestRanks[k][b.Best] = b.N
	}

	var trainings int64
	if err := db.Raw(`SELECT COUNT(*) FROM hr_qualifications q WHERE q.tenant_id = ? AND q.kind = ? AND q.awarded_on <= ? AND q.awarded_on > ?
		AND q.staff_id IN (`+active+`)`, append([]any{tenant, string(domain.Training), d, d.AddDate(-1, 0, 0)}, args...)...).
		Scan(&trainings).Error; err != nil {
		return out, err
	}
	out.Trainings = int(trainings)
	return out, nil
}

// Movements counts hires, moves and departures in (from, to] for tenant ("" = own), optionally
// only those touching units.
func (s *Store) Movements(ctx context.Context, tenant string, units []string, from, to time.Time) (domain.Movements, error) {
	var m domain.Movements
	sc, err := store.ScopeFrom(ctx)
	if err != nil {
		return m, err
	}
	if tenant, err = readTenant(sc, tenant); err != nil {
		return m, err
	}
	base := func() *gorm.DB {
		x := s.q(ctx).Scopes(store.ForRead(sc)).Model(&assignmentRow{}).Where("tenant_id = ?", tenant)
		if len(units) > 0 {
			x = x.Where("unit_id IN ?", units)
		}
		return x
	}
	var n int64
	if err := base().Where("change = ? AND starts_on > ? AND starts_on <= ?", string(domain.ChangeHired), from, to).Count(&n).Error; err != nil {
		return m, err
	}
	m.Hired = int(n)
	if err := base().Where("change = ? AND starts_on > ? AND starts_on <= ?", string(domain.ChangeMoved), from, to).Count(&n).Error; err != nil {
		return m, err
	}
	m.Moved = int(n)
	if err := base().Where("end_reason <> '' AND ends_on > ? AND ends_on <= ?", from, to).Count(&n).Error; err != nil {
		return m, err
	}
	m.Left = int(n)
	return m, nil
}
