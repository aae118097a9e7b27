package domain

import (
	"strings"
	"testing"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
)

// TestReadRule: the need-to-know rule for one dossier received by a commune, before and after
// it is passed on to the district, for each kind of reader.
func TestReadRule(t *testing.T) {
	at := func(tenant string, roles ...platform.Role) platform.Actor {
		return platform.Actor{Subject: "someone-else", Tenant: platform.Slug(tenant), Roles: roles}
	}
	handler := platform.Actor{Subject: "handler-1", Tenant: "xa-dong-tan"}
	received := &Dossier{Tenant: "xa-dong-tan", Holder: "xa-dong-tan", Handler: "handler-1"}
	passedOn := &Dossier{Tenant: "xa-dong-tan", Holder: "huyen-dong-hung"}
	for _, c := range []struct {
		name      string
		d         *Dossier
		who       platform.Actor
		read, pii bool
	}{
		{"desk", received, at("xa-dong-tan", platform.RoleDossierReceive), true, true},
		{"handler role", received, at("xa-dong-tan", platform.RoleDossierHandle), true, true},
		{"leader", received, at("xa-dong-tan", platform.RoleDossierApprove), true, true},
		{"assigned handler without roles", received, handler, true, true},
		{"no roles", received, at("xa-dong-tan"), false, false},
		{"tenant.admin", received, at("xa-dong-tan", platform.RoleTenantAdmin), false, false},
		{"commune report.view", received, at("xa-dong-tan", platform.RoleReportView), false, false},
		{"archive.clerk", received, at("xa-dong-tan", platform.RoleArchiveClerk), false, false},
		{"district leader", received, at("huyen-dong-hung", platform.RoleDossierApprove), true, false},
		{"district report.view", received, at("huyen-dong-hung", platform.RoleReportView), true, false},
		{"district handler role", received, at("huyen-dong-hung", platform.RoleDossierHandle), false, false},
		{"district tenant.admin", received, at("huyen-dong-hung", platform.RoleTenantAdmin), false, false},
		{"district handler, passed on", passedOn, at("huyen-dong-hung", platform.RoleDossierHandle), true, true},
		{"commune desk keeps it in its books", passedOn, at("xa-dong-tan", platform.RoleDossierReceive), true, true},
		{"district report.view, passed on", passedOn, at("huyen-dong-hung", platform.RoleReportView), true, false},
		{"district tenant.admin, passed on", passedOn, at("huyen-dong-hung", platform.RoleTenantAdmin), false, false},
		{"commune report.view, passed on", passedOn, at("xa-dong-tan", platform.RoleReportView), false, false},
	} {
		err := CanRead(c.d, c.who)
		if (err == nil) != c.read {
			t.Errorf("%s: CanRead = %v, want read %v", c.name, err, c.read)
		}
		if err != nil && apperr.KindOf(err) != apperr.KindForbidden {
			t.Errorf("%s: refused with %v, want forbidden", c.name, err)
		}
		if got := SeesPersonalData(c.d, c.who); got != c.pii {
			t.Errorf("%s: SeesPersonalData = %v, want %v", c.name, got, c.pii)
		}
	}
}

func TestMaskedApplicant(t *testing.T) {
	a := Applicant{Name: "Trần Văn Nam", IDNumber: "034090001234", Phone: "0912345678", Address: "Thôn 1, Đông Tân",
		Organisation: "HTX Đông Tân", TaxCode: "1000123456", Email: "nam@example.vn"}
	m := MaskedApplicant(a)
	if m.Name != a.Name || m.Organisation != a.Organisation {
		t.Errorf("the name and organisation are kept: %+v", m)
	}
	for field, got := range map[string]string{"id_number": m.IDNumber, "phone": m.Phone, "address": m.Address, "tax_code": m.TaxCode, "email": m.Email} {
		if got == "" || !strings.Contains(got, Mask) {
			t.Errorf("%s = %q, want it masked, not dropped", field, got)
		}
	}
	if m.IDNumber != strings.Repeat(Mask, 9)+"234" || m.Phone != strings.Repeat(Mask, 8)+"78" {
		t.Errorf("id %q phone %q", m.IDNumber, m.Phone)
	}
	if short := MaskedApplicant(Applicant{IDNumber: "123"}); short.IDNumber != strings.Repeat(Mask, 3) {
		t.Errorf("a short number is masked whole: %q", short.IDNumber)
	}
	if empty := MaskedApplicant(Applicant{}); empty.Address != "" || empty.Email != "" {
		t.Errorf("nothing stays nothing: %+v", empty)
	}
}
