package app

import (
	"context"
	"strings"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/telemetry"
	"egov.vn/platform/services/archives/internal/domain"
)

// Grant records the approval for a person of the unit to read a document (domain.CanRead): for a
// classified document the approval the Law on Protection of State Secrets asks for, for another
// one the assignment of a person who holds no reader role. The clerk who records it must be able
// to read the document. Granting again what is granted changes nothing.
func (a *App) Grant(ctx context.Context, who platform.Actor, documentID, subject, subjectName string) (_ domain.Grant, err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.Grant")
	defer telemetry.End(span, &err)
	if err := requireClerk(who); err != nil {
		return domain.Grant{}, err
	}
	subject, subjectName = strings.TrimSpace(subject), strings.TrimSpace(subjectName)
	if subject == "" || len(subject) > 255 || len(subjectName) > 255 {
		return domain.Grant{}, apperr.Invalid("subject", "Nhập mã tài khoản (sub) của người được cho phép đọc, tối đa 255 ký tự")
	}
	d, err := a.ownDocument(ctx, who, documentID)
	if err != nil {
		return domain.Grant{}, err
	}
	grants, err := a.store.Grants(ctx, d.ID)
	if err != nil {
		return domain.Grant{}, err
	}
	for _, g := range grants {
		if g.Active() && g.Subject == subject {
			return g, nil
		}
	}
	g := domain.Grant{ID: newID(), Tenant: d.Tenant, DocumentID: d.ID, Subject: subject, SubjectName: subjectName,
		GrantedBy: who.Subject, GrantedName: who.Name, GrantedAt: a.now()}
	if err := a.store.AddGrant(ctx, g); err != nil {
		return domain.Grant{}, err
	}
	return g, nil
}

// RevokeGrant ends a person's grant on a document; the grant's record stays, marked revoked.
func (a *App) RevokeGrant(ctx context.Context, who platform.Actor, documentID, subject string) (err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.RevokeGrant")
	defer telemetry.End(span, &err)
	if err := requireClerk(who); err != nil {
		return err
	}
	d, err := a.ownDocument(ctx, who, documentID)
	if err != nil {
		return err
	}
	found, err := a.store.RevokeGrant(ctx, d.ID, subject, who.Subject, a.now())
	if err != nil {
		return err
	}
	if !found {
		return apperr.NotFound("grant", subject)
	}
	return nil
}

// UnitAccessLog is the unit's log of reads of documents' files and classified documents, for its
// administrator (tenant.admin), newest first.
func (a *App) UnitAccessLog(ctx context.Context, who platform.Actor, n, offset int) (_ []domain.Access, err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.UnitAccessLog")
	defer telemetry.End(span, &err)
	if err := signedIn(who); err != nil {
		return nil, err
	}
	if !who.Has(platform.RoleTenantAdmin) {
		return nil, apperr.Forbidden("the access log is read by the unit's administrator (tenant.admin)")
	}
	return a.store.UnitAccessLog(ctx, n, offset)
}
