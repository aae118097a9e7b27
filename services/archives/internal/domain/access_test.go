package domain

import (
	"testing"
	"time"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
)

// TestCanRead: the need-to-know rule for one document, role by security mark; the service's
// TestNeedToKnowMatrix holds every door to the same rule.
func TestCanRead(t *testing.T) {
	clerk := platform.Actor{Subject: "vanthu", Roles: []platform.Role{platform.RoleArchiveClerk}}
	otherClerk := platform.Actor{Subject: "vanthu2", Roles: []platform.Role{platform.RoleArchiveClerk}}
	leader := platform.Actor{Subject: "lanhdao", Roles: []platform.Role{platform.RoleDossierApprove}}
	admin := platform.Actor{Subject: "quantri", Roles: []platform.Role{platform.RoleTenantAdmin}}
	nobody := platform.Actor{Subject: "ai-do"}
	for _, c := range []struct {
		who      platform.Actor
		security Security
		granted  bool
		ok       bool
	}{
		{clerk, SecurityNormal, false, true},
		{leader, SecurityNormal, false, true},
		{admin, SecurityNormal, false, false},
		{nobody, SecurityNormal, false, false},
		{nobody, SecurityNormal, true, true},       // assigned to a person without a reader role
		{clerk, SecurityConfidential, false, true}, // the keeper who registered it
		{otherClerk, SecurityConfidential, false, false},
		{leader, SecuritySecret, false, false},
		{leader, SecurityTopSecret, true, true},
		{nobody, SecurityTopSecret, true, true},
		{admin, SecuritySecret, false, false},
		{platform.Actor{Subject: "vanthu", Roles: []platform.Role{platform.RoleDossierHandle}}, SecurityConfidential, false, false}, // no longer a clerk
	} {
		d := Document{Security: c.security, RegisteredBy: "vanthu"}
		err := CanRead(d, c.who, c.granted)
		if (err == nil) != c.ok {
			t.Errorf("%s reads %s (granted %v): %v, want ok=%v", c.who.Subject, c.security, c.granted, err, c.ok)
		}
		if err != nil && apperr.KindOf(err) != apperr.KindForbidden {
			t.Errorf("refusal of %s is %v, want forbidden", c.who.Subject, apperr.KindOf(err))
		}
	}
	at := time.Now()
	grants := []Grant{{Subject: "a", RevokedAt: &at}, {Subject: "b"}}
	if HasGrant(grants, "a") || !HasGrant(grants, "b") || HasGrant(grants, "c") {
		t.Fatalf("HasGrant ignores revocation: %v", grants)
	}
	if v := VisibilityOf(nobody); v.AllUnclassified || v.Subject != "ai-do" {
		t.Fatalf("visibility of a person without roles: %+v", v)
	}
}
