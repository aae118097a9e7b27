package app

import (
	"context"
	"strings"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/telemetry"
	"egov.vn/platform/services/identity/internal/domain"
)

// One person, one record: an account may be linked to the person's HR record (its staff_id,
// carried in tokens as the staff_id claim). A record is linked to at most one account of its
// unit, so that HR's "has an account" and a departure's "disable the account" name one account.

// maxStaffID is the column's size (users.staff_id varchar(64)).
const maxStaffID = 64

// staffLinked refuses a staff_id already linked to another account of the unit.
func staffLinked(username string) error {
	return &apperr.Error{Kind: apperr.KindConflict, Code: "staff_linked",
		Message: "this HR record is already linked to the account " + username + " of the unit; unlink it there first",
		Fields:  []apperr.FieldError{{Field: "staff_id", Reason: "is already linked to the account " + username}}}
}

// checkStaffLink validates u's staff_id and refuses it when another account of u's unit holds
// it. Called inside the transaction that writes u.
func (s *App) checkStaffLink(ctx context.Context, u domain.User) error {
	if u.StaffID == "" {
		return nil
	}
	if len(u.StaffID) > maxStaffID || strings.TrimSpace(u.StaffID) != u.StaffID {
		return apperr.Invalid("staff_id", "must be the HR record's id, at most 64 characters")
	}
	other, err := s.store.UserByStaffID(ctx, u.TenantID, u.StaffID)
	switch {
	case apperr.KindOf(err) == apperr.KindNotFound:
		return nil
	case err != nil:
		return err
	case other.ID != u.ID:
		return staffLinked(other.Username)
	}
	return nil
}

// LinkAccountStaff links a managed account to the HR record staffID of its unit ("" unlinks),
// audited in the same transaction.
func (s *App) LinkAccountStaff(ctx context.Context, admin domain.User, username, staffID string) (domain.User, error) {
	u, _, err := s.ManagedAccount(ctx, admin, username)
	if err != nil {
		return u, err
	}
	staffID = strings.TrimSpace(staffID)
	if u.StaffID == staffID {
		return u, nil
	}
	before := u.StaffID
	u.StaffID, u.UpdatedAt = staffID, s.Now()
	err = s.store.Transact(ctx, func(ctx context.Context) error {
		if err := s.checkStaffLink(ctx, u); err != nil {
			return err
		}
		if err := s.store.UpdateUser(ctx, u); err != nil {
			return err
		}
		return s.auditTx(ctx, domain.AuditEvent{TenantID: u.TenantID, Actor: admin.ID, Action: domain.AuditUserStaffLink, Subject: u.ID,
			Detail: u.Username + " staff_id " + orDash(before) + " -> " + orDash(staffID)})
	})
	return u, err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Departure is HR's staff.left event as identity reads it.
type Departure struct {
	EventID string // the event's id, written into the audit line
	Tenant  string // the unit's slug
	StaffID string
}

// DepartureActor is the audit log's actor of a disable that HR's departure caused.
const DepartureActor = "hr"

// RecordDeparture disables the account linked to a person HR recorded as having left, writes the
// audit line in the same transaction, and ends the person's sessions. The caller (the events
// consumer) runs it inside the transaction that records the event as processed, so a replayed
// event never reaches it; an account already disabled, or no account linked to the record, is
// left as it is and nothing is written. It reports whether an account was disabled.
//
// The rule: the account is disabled as soon as HR records the departure, whatever its effective
// date, because HR records a departure on or after the day it takes effect.
func (s *App) RecordDeparture(ctx context.Context, d Departure) (disabled bool, err error) {
	ctx, span := s.tracer.Start(ctx, "identity.App.RecordDeparture")
	defer telemetry.End(span, &err)
	if d.Tenant == "" || d.StaffID == "" {
		return false, apperr.Invalid("staff_id", "a departure names the unit and the HR record")
	}
	err = s.store.Transact(ctx, func(ctx context.Context) error {
		t, err := s.store.TenantBySlug(ctx, d.Tenant)
		if apperr.KindOf(err) == apperr.KindNotFound {
			return nil // a unit identity does not know has no accounts
		}
		if err != nil {
			return err
		}
		u, err := s.store.UserByStaffID(ctx, t.ID, d.StaffID)
		if apperr.KindOf(err) == apperr.KindNotFound || (err == nil && u.Disabled) {
			return nil
		}
		if err != nil {
			return err
		}
		u.Disabled, u.UpdatedAt = true, s.Now()
		if err := s.store.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := s.auditTx(ctx, domain.AuditEvent{TenantID: u.TenantID, Actor: DepartureActor, Action: domain.AuditUserDisable, Subject: u.ID,
			Detail: u.Username + " staff.left " + d.StaffID + " event " + d.EventID}); err != nil {
			return err
		}
		// The sessions end in the same transaction as the disable: their end and its sign_out
		// lines commit with it or not at all. The back-channel logouts go out before the commit;
		// a rollback after them only means the event comes again and ends nothing new.
		s.endSessions(ctx, DepartureActor, u.ID)
		disabled = true
		return nil
	})
	return disabled, err
}
