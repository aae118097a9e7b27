package domain

import (
	"slices"
	"time"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
)

// Need-to-know: who inside a unit may read its official documents. This is the one rule; the
// use cases ask CanRead for one document and Visibility for listings and searches, which the
// repository turns into the same condition in SQL.
//
//   - A document that is not a state secret (độ mật "thường") is read by the unit's clerks
//     (archive.clerk, văn thư: they keep the registers, Decree 30/2020/NĐ-CP) and by its leaders
//     (dossier.approve, the leaders who sign and approve). Other staff, and accounts with no role,
//     read nothing: the document model names no recipients or handlers inside the unit, so there
//     is no one else to whom a document is addressed.
//   - A document marked mật, tối mật or tuyệt mật is read only by its keeper and by the people
//     holding an explicit, unrevoked grant. The keeper is the clerk (archive.clerk) who registered
//     it. (Classified documents never arrive electronically: Send refuses them, they travel by
//     secret post and are registered by hand.) The Law on Protection of State Secrets (29/2018/QH14, art. 10 and 11) lets
//     a person reach a state secret only with the approval of the competent person (người có
//     thẩm quyền); a role alone is not that approval, so clerks and leaders need a grant too.
//     The grant records the approval: who, by whom, when. A clerk who may read the document
//     records grants and revokes them, as the văn thư carries out the head of the unit's decision.
//
// Every read of a classified document (its metadata, a download, a download URL) is written to
// the access log, which the unit's administrator (tenant.admin) reads.

// DocumentReaderRoles read every unclassified document of their unit.
var DocumentReaderRoles = []platform.Role{platform.RoleArchiveClerk, platform.RoleDossierApprove}

// Grant is the recorded approval for one person to read one classified document.
type Grant struct {
	ID          string
	Tenant      string
	DocumentID  string
	Subject     string // the person's account id (sub)
	SubjectName string
	GrantedBy   string
	GrantedName string
	GrantedAt   time.Time
	RevokedBy   string
	RevokedAt   *time.Time
}

// Active reports whether the grant still lets its person read.
func (g Grant) Active() bool { return g.RevokedAt == nil }

// Visibility is what a person may see in listings and searches: every unclassified document of
// the unit when AllUnclassified, the classified documents they keep (registered by Subject, when
// Keeper), and those they hold a grant for.
type Visibility struct {
	AllUnclassified bool
	Keeper          bool
	Subject         string
}

// VisibilityOf is the listing rule for who.
func VisibilityOf(who platform.Actor) Visibility {
	return Visibility{AllUnclassified: who.HasAny(DocumentReaderRoles...), Keeper: who.Has(platform.RoleArchiveClerk), Subject: who.Subject}
}

// CanRead applies the rule to one document of who's unit; granted says whether who holds an
// active grant on it. The error is a Forbidden that says what to ask for.
func CanRead(d Document, who platform.Actor, granted bool) error {
	if !d.Security.Classified() {
		if who.HasAny(DocumentReaderRoles...) || granted {
			return nil
		}
		return apperr.Forbidden("reading the unit's documents needs the role archive.clerk (văn thư) or dossier.approve (lãnh đạo); ask your unit's administrator")
	}
	if granted || keeper(d, who) {
		return nil
	}
	return apperr.Forbidden("this document is marked " + d.Security.Name() + " (state secret): reading it needs a grant approved by the competent person and recorded by the unit's clerk")
}

// keeper reports whether who keeps a classified document: the clerk who registered it, while
// still a clerk.
func keeper(d Document, who platform.Actor) bool {
	return who.Has(platform.RoleArchiveClerk) && d.RegisteredBy == who.Subject
}

// CanReadRecords says whether who may browse the unit's record files (hồ sơ): the reader roles
// only. A person reading a document by grant reaches it directly, not through the records.
func CanReadRecords(who platform.Actor) error {
	if who.HasAny(DocumentReaderRoles...) {
		return nil
	}
	return apperr.Forbidden("the unit's record files are read by archive.clerk (văn thư) and dossier.approve (lãnh đạo)")
}

// HasGrant reports whether grants hold an active one for subject.
func HasGrant(grants []Grant, subject string) bool {
	return slices.ContainsFunc(grants, func(g Grant) bool { return g.Active() && g.Subject == subject })
}
