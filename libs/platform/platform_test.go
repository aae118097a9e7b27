package platform

import (
	"strings"
	"testing"
)

func TestSlugsFitTheirNamespaceAndBucket(t *testing.T) {
	longest := strings.Repeat("a", MaxSlugLength)
	for s, want := range map[string]bool{
		"xa-dong-tan": true, "x": true, "26734": true, longest: true,
		longest + "a": false, "": false, "-xa": false, "xa-": false, "Xa-Dong-Tan": false, "xã": false, "xa_dong": false,
	} {
		if got := ValidSlug(s); got != want {
			t.Errorf("ValidSlug(%q) = %v, want %v", s, got, want)
		}
	}
	if n := len(BucketName("", Slug(longest))); n != 63 {
		t.Errorf("the longest slug's bucket name has %d characters, want 63", n)
	}
}

func TestProvisioningValidate(t *testing.T) {
	ok := []Provisioning{
		{Code: "34", Name: "UBND tỉnh Thái Bình", Kind: KindProvince},
		{Code: "12700", Name: "UBND xã Đông Tân", Kind: KindCommune, Parent: "huyen-dong-hung"},
		{Code: "12700", Name: "UBND phường Trần Lãm", Kind: KindWard, Parent: "tinh-thai-binh"},
	}
	for _, p := range ok {
		if err := p.Validate(); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
	bad := map[string]Provisioning{
		"parent": {Code: "34", Name: "x", Kind: KindProvince, Parent: "viet-nam"},
		"kind":   {Code: "34", Name: "x", Kind: "village", Parent: "x"},
		"code":   {Code: "3a", Name: "x", Kind: KindCommune, Parent: "x"},
		"name":   {Code: "12700", Name: " ", Kind: KindCommune, Parent: "x"},
	}
	for field, p := range bad {
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%+v: %v, want an error naming %s", p, err, field)
		}
	}
	if err := (Provisioning{Code: "12700", Name: "x", Kind: KindCommune}).Validate(); err == nil {
		t.Error("a commune without its parent was accepted")
	}
}

func TestNormalizeRoles(t *testing.T) {
	got, err := NormalizeRoles("roles", []string{"report.view", " dossier.receive", "report.view"})
	if err != nil || strings.Join(got, ",") != "dossier.receive,report.view" {
		t.Errorf("got %v, %v", got, err)
	}
	if _, err := NormalizeRoles("roles", []string{"dossier.delete"}); err == nil || !strings.Contains(err.Error(), "known roles") {
		t.Errorf("unknown role: %v", err)
	}
}

func TestActor(t *testing.T) {
	a := Actor{Roles: []Role{RoleDossierReceive, RoleService}}
	if !a.Has(RoleDossierReceive) || a.Has(RoleDossierApprove) || !a.HasAny(RoleDossierApprove, RoleDossierReceive) || !a.IsService() {
		t.Errorf("role checks wrong for %+v", a)
	}
}
