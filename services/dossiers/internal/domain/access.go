package domain

import (
	"strings"
	"time"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
)

// Need-to-know: who may read a dossier and see its applicant's personal data. This is the one
// rule; the use cases ask CanRead and SeesPersonalData for one dossier and VisibilityOf for
// lists, which the repository turns into the same condition in SQL.
//
//   - A dossier is in the books of two units at most: the unit that received it (Tenant) and
//     the unit holding it now (Holder, the district after a liên thông hand-over). In those
//     units it is read by the one-stop-shop roles (dossier.receive, dossier.handle,
//     dossier.approve), with the applicant's personal data: the desk needs it to return the
//     result and to call the applicant, the handler to handle, the leader to approve.
//   - Its assigned handler reads it too, with the personal data, whatever roles they hold.
//   - The leaders of a unit above (dossier.approve, report.view) follow the dossiers received
//     by the units below it (the district following its communes, passed on to it or not),
//     without the personal data unless they hold a one-stop-shop role where the dossier is
//     held: they supervise time and outcome, not the applicant.
//   - Everyone else, and accounts with no role, read nothing: the unit's administrator
//     (tenant.admin) keeps the calendar and the catalogue and reads the access log, not the
//     dossiers.
//
// Every read of unmasked personal data (the dossier with its applicant, a scan, the result
// file, the ledger) is written to the access log of the reader's unit, which its tenant.admin
// reads.

// SupervisorRoles follow the dossiers of the units below their own, masked.
var SupervisorRoles = []platform.Role{platform.RoleDossierApprove, platform.RoleReportView}

// inBooks reports whether who works for a unit that keeps d in its books.
func inBooks(d *Dossier, who platform.Actor) bool {
	return who.Tenant != "" && (string(who.Tenant) == d.Tenant || string(who.Tenant) == d.Holder)
}

// SeesPersonalData reports whether who may see d's applicant unmasked (and its scans and result).
func SeesPersonalData(d *Dossier, who platform.Actor) bool {
	if d.Handler != "" && d.Handler == who.Subject {
		return true
	}
	return inBooks(d, who) && who.HasAny(platform.DossierRoles...)
}

// CanRead applies the rule to one dossier the caller's tenant scope already reaches (its own
// unit's, or a unit's below). The error is a Forbidden that says what to ask for.
func CanRead(d *Dossier, who platform.Actor) error {
	if SeesPersonalData(d, who) {
		return nil
	}
	if d.Tenant != string(who.Tenant) && who.HasAny(SupervisorRoles...) {
		return nil // received below: the caller's scope reaches it only through the unit tree
	}
	return apperr.Forbidden("reading the unit's dossiers needs the role dossier.receive, dossier.handle or dossier.approve; ask your unit's administrator").
		WithDetail("required_roles", platform.DossierRoles)
}

// Visibility is which dossiers of the caller's scope a list may show: those in the books of
// Unit when Own; those received by the units below when Below; and, always, those assigned to
// Subject.
type Visibility struct {
	Unit    string
	Subject string
	Own     bool
	Below   bool
}

// VisibilityOf is the listing rule for who.
func VisibilityOf(who platform.Actor) Visibility {
	return Visibility{Unit: string(who.Tenant), Subject: who.Subject,
		Own: who.HasAny(platform.DossierRoles...), Below: who.HasAny(SupervisorRoles...)}
}

// MaskedApplicant is the applicant as a reader without need-to-know sees them: the name (a
// dossier without it is not recognisable in a list), the organisation, and the last digits of
// the ID number and phone, enough to tell two applicants apart but not to reach them.
func MaskedApplicant(a Applicant) Applicant {
	return Applicant{Name: a.Name, Organisation: a.Organisation, IDNumber: maskTail(a.IDNumber, 3), Phone: maskTail(a.Phone, 2),
		Address: maskAll(a.Address), TaxCode: maskTail(a.TaxCode, 3), Email: maskAll(a.Email)}
}

// Mask is the mark that stands for hidden characters.
const Mask = "•"

func maskTail(s string, keep int) string {
	r := []rune(s)
	if len(r) == 0 {
		return ""
	}
	if len(r) <= keep+2 {
		return strings.Repeat(Mask, len(r))
	}
	return strings.Repeat(Mask, len(r)-keep) + string(r[len(r)-keep:])
}

func maskAll(s string) string {
	if s == "" {
		return ""
	}
	return strings.Repeat(Mask, 6)
}

// Masked returns a copy of d with the applicant's personal data masked.
func (d *Dossier) Masked() *Dossier {
	m := *d
	m.Applicant = MaskedApplicant(d.Applicant)
	return &m
}

// Access is one read of a dossier's personal data, as the access log keeps it.
type Access struct {
	ID        string
	Tenant    string // the reader's unit, whose administrator reads the log
	DossierID string // empty for a read of many (the ledger)
	Receipt   string
	Actor     string
	ActorName string
	What      string // AccessDossier, AccessScan, AccessResult, AccessLedger
	At        time.Time
}

// What an access log entry records as read.
const (
	AccessDossier = "dossier" // the dossier (JSON, page, form) with its applicant unmasked
	AccessScan    = "scan"    // a received document's scan
	AccessResult  = "result"  // the result document
	AccessLedger  = "ledger"  // the ledger (sổ theo dõi), page or export
)
