package app

import (
	"context"
	"strings"
	"time"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/telemetry"
	"egov.vn/platform/services/hr/internal/domain"
)

// StaffInput is a person's own data, as an HR officer enters it.
type StaffInput struct {
	FullName    string
	BirthDate   time.Time
	Gender      domain.Gender
	CCCD        string
	Category    domain.Category
	Contacts    domain.Contacts
	UserSubject string
}

func (in StaffInput) staff(id, tenant string) domain.Staff {
	return domain.Staff{ID: id, Tenant: tenant, FullName: strings.Join(strings.Fields(in.FullName), " "), BirthDate: domain.Day(in.BirthDate),
		Gender: in.Gender, CCCD: strings.TrimSpace(in.CCCD), Category: in.Category, UserSubject: strings.TrimSpace(in.UserSubject),
		Contacts: domain.Contacts{Phone: strings.TrimSpace(in.Contacts.Phone), Email: strings.TrimSpace(in.Contacts.Email),
			Address: strings.TrimSpace(in.Contacts.Address)}}
}

// AssignmentInput is a position in a unit from a day.
type AssignmentInput struct {
	UnitID      string
	Position    string
	Rank        string
	Step        int
	EffectiveOn time.Time
}

func (in AssignmentInput) assignment(staffID string) domain.Assignment {
	return domain.Assignment{ID: newID(), StaffID: staffID, UnitID: in.UnitID, Position: strings.TrimSpace(in.Position),
		Rank: strings.TrimSpace(in.Rank), Step: in.Step, From: domain.Day(in.EffectiveOn)}
}

// Profile is a person as the caller may see them. When Personal is false the personal fields of
// Staff are blank and Qualifications are left out: the caller gets the directory entry only.
type Profile struct {
	Staff          domain.Staff
	Personal       bool
	Current        *domain.Assignment
	Employment     domain.Employment
	Qualifications []domain.Qualification
}

// Hire records a new person with their first assignment and publishes staff.hired.
func (a *App) Hire(ctx context.Context, actor platform.Actor, in StaffInput, as AssignmentInput) (_ Profile, err error) {
	ctx, span := a.tracer.Start(ctx, "hr.App.Hire")
	defer telemetry.End(span, &err)
	if err := requireOfficer(actor); err != nil {
		return Profile{}, err
	}
	st := in.staff(newID(), string(actor.Tenant))
	if as.EffectiveOn.IsZero() {
		as.EffectiveOn = a.today()
	}
	first, err := domain.Employment{}.Hire(as.assignment(st.ID))
	if err := joinInvalid(st.Validate(), err); err != nil {
		return Profile{}, err
	}
	err = a.repo.Transact(ctx, func(ctx context.Context) error {
		if err := a.checkUnitOpen(ctx, actor, first.UnitID, first.From); err != nil {
			return err
		}
		if err := a.repo.CreateStaff(ctx, st); err != nil {
			return err
		}
		if err := a.repo.AddAssignment(ctx, first, actor.Subject); err != nil {
			return err
		}
		return a.publishHired(ctx, st, first)
	})
	if err != nil {
		return Profile{}, err
	}
	return Profile{Staff: st, Personal: true, Current: &first, Employment: domain.Employment{Assignments: []domain.Assignment{first}}}, nil
}

func (a *App) publishHired(ctx context.Context, st domain.Staff, as domain.Assignment) error {
	evt, err := hiredEvent(st, as)
	if err != nil {
		return err
	}
	return a.repo.Publish(ctx, evt)
}

func hiredEvent(st domain.Staff, as domain.Assignment) (events.Event, error) {
	return newEvent(st.Tenant, "hired", st.ID, map[string]any{"staff_id": st.ID, "tenant": st.Tenant, "unit_id": as.UnitID,
		"category": string(st.Category), "position": as.Position, "effective_at": rfc3339(as.From)})
}

// joinInvalid merges the field errors of several validations into one 422, so that a form shows
// every problem at once; any other error wins as it is.
func joinInvalid(errs ...error) error {
	var fields apperr.FieldErrors
	for _, err := range errs {
		if err == nil {
			continue
		}
		e := apperr.As(err)
		if e == nil || e.Kind != apperr.KindInvalid {
			return err
		}
		fields = append(fields, e.Fields...)
	}
	return fields.Err()
}

func (a *App) checkUnitOpen(ctx context.Context, actor platform.Actor, unitID string, d time.Time) error {
	u, err := a.repo.Unit(ctx, unitID)
	if err != nil {
		if apperr.KindOf(err) == apperr.KindNotFound {
			return apperr.Invalid("unit_id", "đơn vị không tồn tại")
		}
		return err
	}
	if u.Tenant != string(actor.Tenant) {
		return apperr.Invalid("unit_id", "đơn vị không thuộc cơ quan của bạn")
	}
	if !u.OpenOn(d) {
		return apperr.Invalid("unit_id", "đơn vị chưa thành lập hoặc đã giải thể vào ngày hiệu lực")
	}
	return nil
}

// UpdateStaff corrects a person's own data.
func (a *App) UpdateStaff(ctx context.Context, actor platform.Actor, id string, in StaffInput) (_ domain.Staff, err error) {
	ctx, span := a.tracer.Start(ctx, "hr.App.UpdateStaff")
	defer telemetry.End(span, &err)
	if err := requireOfficer(actor); err != nil {
		return domain.Staff{}, err
	}
	old, err := a.repo.Staff(ctx, id)
	if err != nil {
		return domain.Staff{}, err
	}
	if old.Tenant != string(actor.Tenant) {
		return domain.Staff{}, apperr.Forbidden("chỉ cán bộ nhân sự của chính đơn vị được sửa hồ sơ này")
	}
	st := in.staff(id, string(actor.Tenant))
	st.CreatedAt = old.CreatedAt
	if err := st.Validate(); err != nil {
		return domain.Staff{}, err
	}
	return st, a.repo.UpdateStaff(ctx, st)
}

// Move ends the person's current assignment and starts the next one on in.EffectiveOn: a
// transfer to another unit, a new position, rank or step. Publishes staff.moved.
func (a *App) Move(ctx context.Context, actor platform.Actor, staffID string, in AssignmentInput) (_ domain.Assignment, err error) {
	ctx, span := a.tracer.Start(ctx, "hr.App.Move")
	defer telemetry.End(span, &err)
	if err := requireOfficer(actor); err != nil {
		return domain.Assignment{}, err
	}
	var opened domain.Assignment
	err = a.repo.Transact(ctx, func(ctx context.Context) error {
		st, err := a.ownStaff(ctx, actor, staffID)
		if err != nil {
			return err
		}
		emp, err := a.repo.Employment(ctx, staffID)
		if err != nil {
			return err
		}
		if in.EffectiveOn.IsZero() {
			in.EffectiveOn = a.today()
		}
		closed, next, err := emp.Move(in.assignment(staffID))
		if err != nil {
			return err
		}
		if err := a.checkUnitOpen(ctx, actor, next.UnitID, next.From); err != nil {
			return err
		}
		if err := a.repo.CloseAssignment(ctx, closed); err != nil {
			return err
		}
		if err := a.repo.AddAssignment(ctx, next, actor.Subject); err != nil {
			return err
		}
		opened = next
		return a.publish(ctx, st.Tenant, "moved", st.ID, map[string]any{"staff_id": st.ID, "tenant": st.Tenant,
			"unit_id": next.UnitID, "position": next.Position, "effective_at": rfc3339(next.From)})
	})
	return opened, err
}

// Leave ends the person's employment on day on (the first day they no longer work) for a
// reason, which is required. Publishes staff.left. Nothing is deleted.
func (a *App) Leave(ctx context.Context, actor platform.Actor, staffID string, on time.Time, reason string) (err error) {
	ctx, span := a.tracer.Start(ctx, "hr.App.Leave")
	defer telemetry.End(span, &err)
	if err := requireOfficer(actor); err != nil {
		return err
	}
	if on.IsZero() {
		on = a.today()
	}
	return a.repo.Transact(ctx, func(ctx context.Context) error {
		st, err := a.ownStaff(ctx, actor, staffID)
		if err != nil {
			return err
		}
		emp, err := a.repo.Employment(ctx, staffID)
		if err != nil {
			return err
		}
		closed, err := emp.Leave(domain.Day(on), reason)
		if err != nil {
			return err
		}
		if err := a.repo.CloseAssignment(ctx, closed); err != nil {
			return err
		}
		return a.publish(ctx, st.Tenant, "left", st.ID, map[string]any{"staff_id": st.ID, "tenant": st.Tenant,
			"reason": closed.EndReason, "effective_at": rfc3339(*closed.To)})
	})
}

// Rehire starts a new employment for someone who left. Publishes staff.hired.
func (a *App) Rehire(ctx context.Context, actor platform.Actor, staffID string, in AssignmentInput) (_ domain.Assignment, err error) {
	ctx, span := a.tracer.Start(ctx, "hr.App.Rehire")
	defer telemetry.End(span, &err)
	if err := requireOfficer(actor); err != nil {
		return domain.Assignment{}, err
	}
	var out domain.Assignment
	err = a.repo.Transact(ctx, func(ctx context.Context) error {
		st, err := a.ownStaff(ctx, actor, staffID)
		if err != nil {
			return err
		}
		emp, err := a.repo.Employment(ctx, staffID)
		if err != nil {
			return err
		}
		if in.EffectiveOn.IsZero() {
			in.EffectiveOn = a.today()
		}
		if out, err = emp.Hire(in.assignment(staffID)); err != nil {
			return err
		}
		if err := a.checkUnitOpen(ctx, actor, out.UnitID, out.From); err != nil {
			return err
		}
		if err := a.repo.AddAssignment(ctx, out, actor.Subject); err != nil {
			return err
		}
		return a.publishHired(ctx, st, out)
	})
	return out, err
}

func (a *App) ownStaff(ctx context.Context, actor platform.Actor, id string) (domain.Staff, error) {
	st, err := a.repo.Staff(ctx, id)
	if err != nil {
		return st, err
	}
	if st.Tenant != string(actor.Tenant) {
		return st, apperr.Forbidden("chỉ cán bộ nhân sự của chính đơn vị được thay đổi hồ sơ này")
	}
	return st, nil
}

// Profile returns a person with their employment history and qualifications, or only their
// directory entry when the caller may not see personal data (see domain.SeesPersonal).
func (a *App) Profile(ctx context.Context, actor platform.Actor, id string) (_ Profile, err error) {
	ctx, span := a.tracer.Start(ctx, "hr.App.Profile")
	defer telemetry.End(span, &err)
	st, err := a.repo.Staff(ctx, id)
	if err != nil {
		return Profile{}, err
	}
	return a.profile(ctx, actor, st)
}

// Me returns the caller's own record, linked by their account's subject.
func (a *App) Me(ctx context.Context, actor platform.Actor) (_ Profile, err error) {
	ctx, span := a.tracer.Start(ctx, "hr.App.Me")
	defer telemetry.End(span, &err)
	if actor.Subject == "" {
		return Profile{}, apperr.NotFound("staff", "me")
	}
	st, err := a.repo.StaffBySubject(ctx, actor.Subject)
	if err != nil {
		return Profile{}, err
	}
	return a.profile(ctx, actor, st)
}

func (a *App) profile(ctx context.Context, actor platform.Actor, st domain.Staff) (Profile, error) {
	emp, err := a.repo.Employment(ctx, st.ID)
	if err != nil {
		return Profile{}, err
	}
	p := Profile{Staff: st, Personal: domain.SeesPersonal(actor, st), Employment: emp}
	if cur, ok := emp.Current(); ok {
		p.Current = &cur
	}
	history := domain.SeesCareer(actor, st)
	if !p.Personal {
		p.Staff = Directory(st)
	}
	if !history {
		p.Employment = domain.Employment{}
		return p, nil
	}
	if p.Qualifications, err = a.repo.Qualifications(ctx, st.ID); err != nil {
		return Profile{}, err
	}
	return p, nil
}

// Directory strips a person to what anyone of the platform may see: id, tenant, name, category.
func Directory(st domain.Staff) domain.Staff {
	return domain.Staff{ID: st.ID, Tenant: st.Tenant, FullName: st.FullName, Category: st.Category}
}

// StaffPage is one page of a staff list.
type StaffPage struct {
	Items    []domain.Listing
	Personal []bool // per item: whether personal fields are shown
	Total    int
	On       time.Time
}

// ListStaff returns the people matching f on day f.On (today when zero). Rows whose personal
// fields the caller may not see carry the directory entry only, so the same list serves HR
// officers and other services' assignment pickers.
func (a *App) ListStaff(ctx context.Context, actor platform.Actor, f domain.StaffFilter) (_ StaffPage, err error) {
	ctx, span := a.tracer.Start(ctx, "hr.App.ListStaff")
	defer telemetry.End(span, &err)
	if f.On.IsZero() {
		f.On = a.today()
	}
	f.On = domain.Day(f.On)
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	if f.Category != "" && !f.Category.Valid() {
		return StaffPage{}, apperr.Malformed("category", "must be can_bo, cong_chuc, vien_chuc or hop_dong")
	}
	if len(f.UnitIDs) == 1 {
		// A unit stands for its subunits too.
		units, err := a.repo.Units(ctx, f.Tenant)
		if err != nil {
			return StaffPage{}, err
		}
		f.UnitIDs = domain.NewTree(units).Subtree(f.UnitIDs[0])
	}
	items, total, err := a.repo.ListStaff(ctx, f)
	if err != nil {
		return StaffPage{}, err
	}
	page := StaffPage{Items: items, Personal: make([]bool, len(items)), Total: total, On: f.On}
	for i := range items {
		if page.Personal[i] = domain.SeesPersonal(actor, items[i].Staff); !page.Personal[i] {
			items[i].Staff = Directory(items[i].Staff)
		}
	}
	return page, nil
}
