package app

import (
	"context"
	"io"
	"path"
	"strings"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/filename"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/telemetry"
	"egov.vn/platform/services/hr/internal/domain"
)

// Levels returns the code list of the caller's tenant: the platform defaults and its own levels.
func (a *App) Levels(ctx context.Context) (_ domain.CodeList, err error) {
	ctx, span := a.tracer.Start(ctx, "hr.App.Levels")
	defer telemetry.End(span, &err)
	return a.repo.Levels(ctx)
}

// AddLevel extends the caller's tenant's code list; a tenant administrator does it, no code
// change needed.
func (a *App) AddLevel(ctx context.Context, actor platform.Actor, l domain.Level) (_ domain.Level, err error) {
	ctx, span := a.tracer.Start(ctx, "hr.App.AddLevel")
	defer telemetry.End(span, &err)
	if !actor.Has(platform.RoleTenantAdmin) {
		return l, apperr.Forbidden("chỉ quản trị đơn vị (vai trò " + string(platform.RoleTenantAdmin) + ") được bổ sung danh mục trình độ")
	}
	l.Tenant, l.Code, l.Name = string(actor.Tenant), strings.ToLower(strings.TrimSpace(l.Code)), strings.TrimSpace(l.Name)
	if err := l.Validate(); err != nil {
		return l, err
	}
	return l, a.repo.AddLevel(ctx, l)
}

// AddQualification records a qualification of a person of the caller's tenant and publishes
// staff.qualification-added.
func (a *App) AddQualification(ctx context.Context, actor platform.Actor, staffID string, q domain.Qualification) (_ domain.Qualification, err error) {
	ctx, span := a.tracer.Start(ctx, "hr.App.AddQualification")
	defer telemetry.End(span, &err)
	if err := requireOfficer(actor); err != nil {
		return q, err
	}
	codes, err := a.repo.Levels(ctx)
	if err != nil {
		return q, err
	}
	q.ID, q.StaffID, q.Evidence = newID(), staffID, nil
	if err := q.Check(codes); err != nil {
		return q, err
	}
	err = a.repo.Transact(ctx, func(ctx context.Context) error {
		st, err := a.ownStaff(ctx, actor, staffID)
		if err != nil {
			return err
		}
		if err := a.repo.AddQualification(ctx, q); err != nil {
			return err
		}
		return a.publishQualification(ctx, st.Tenant, q)
	})
	return q, err
}

func (a *App) publishQualification(ctx context.Context, tenant string, q domain.Qualification) error {
	evt, err := qualificationEvent(tenant, q)
	if err != nil {
		return err
	}
	return a.repo.Publish(ctx, evt)
}

func qualificationEvent(tenant string, q domain.Qualification) (events.Event, error) {
	return newEvent(tenant, "qualification-added", q.StaffID, map[string]any{"staff_id": q.StaffID, "tenant": tenant,
		"kind": string(q.Kind), "level": q.Level, "rank": q.Rank, "language": q.Language, "awarded_at": rfc3339(q.AwardedOn)})
}

// maxEvidence bounds one evidence file: a scanned diploma is a few megabytes.
const maxEvidence = 20 << 20

var evidenceTypes = map[string]bool{"application/pdf": true, "image/jpeg": true, "image/png": true}

// AttachEvidence streams the scanned diploma or certificate of a qualification into the
// evidence store and records where it is with its SHA-256.
func (a *App) AttachEvidence(ctx context.Context, actor platform.Actor, qualificationID, fileName, contentType string, size int64, r io.Reader) (_ domain.Evidence, err error) {
	ctx, span := a.tracer.Start(ctx, "hr.App.AttachEvidence")
	defer telemetry.End(span, &err)
	if err := requireOfficer(actor); err != nil {
		return domain.Evidence{}, err
	}
	if !evidenceTypes[contentType] {
		return domain.Evidence{}, apperr.Invalid("file", "tệp minh chứng phải là PDF, JPEG hoặc PNG")
	}
	if size > maxEvidence {
		return domain.Evidence{}, apperr.Invalid("file", "tệp minh chứng lớn hơn 20 MB")
	}
	q, err := a.repo.Qualification(ctx, qualificationID)
	if err != nil {
		return domain.Evidence{}, err
	}
	if _, err := a.ownStaff(ctx, actor, q.StaffID); err != nil {
		return domain.Evidence{}, err
	}
	key := path.Join("qualifications", q.StaffID, q.ID, newID())
	name := filename.Clean(fileName)
	if name == "" {
		name = "minh-chung" // a name of nothing but invisible characters
	}
	e, err := a.evidence.Put(ctx, string(actor.Tenant), key, io.LimitReader(r, maxEvidence), size,
		domain.Evidence{FileName: name, ContentType: contentType})
	if err != nil {
		return e, err
	}
	return e, a.repo.SetEvidence(ctx, q.ID, e)
}

// OpenEvidence returns the evidence file of a qualification to those who see the person's
// personal data.
func (a *App) OpenEvidence(ctx context.Context, actor platform.Actor, qualificationID string) (_ domain.Evidence, _ io.ReadCloser, err error) {
	ctx, span := a.tracer.Start(ctx, "hr.App.OpenEvidence")
	defer telemetry.End(span, &err)
	q, err := a.repo.Qualification(ctx, qualificationID)
	if err != nil {
		return domain.Evidence{}, nil, err
	}
	st, err := a.repo.Staff(ctx, q.StaffID)
	if err != nil {
		return domain.Evidence{}, nil, err
	}
	if !domain.SeesPersonal(actor, st) {
		return domain.Evidence{}, nil, apperr.Forbidden("chỉ cán bộ nhân sự của đơn vị và chính người đó được xem tệp minh chứng")
	}
	if q.Evidence == nil {
		return domain.Evidence{}, nil, apperr.NotFound("evidence", qualificationID)
	}
	rc, err := a.evidence.Open(ctx, st.Tenant, *q.Evidence)
	return *q.Evidence, rc, err
}
