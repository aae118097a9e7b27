package identitytest_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/identity/identitytest"
)

// TestAServiceTrustsIdentity is the wiring every service uses: auth.NewService against a real
// identity verifies a person's token and reads the tenant tree with the service's own client.
func TestAServiceTrustsIdentity(t *testing.T) {
	idp := identitytest.Start(t)
	ctx := context.Background()
	base := "http://127.0.0.1:1/dossiers"
	id, secret := idp.ServiceClient(t, "dossiers", base)
	cfg := auth.ServiceConfig{OIDCIssuer: idp.Issuer, OIDCClientID: id, OIDCClientSecret: secret, SecretKeyFile: t.TempDir() + "/key"}
	keys, err := cfg.Keys("dossiers")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := auth.NewService(ctx, cfg, auth.ServiceOptions{Name: "dossiers", PublicBaseURL: base, DB: storetest.SQLite(t), Keys: keys})
	if err != nil {
		t.Fatal(err)
	}

	tok := idp.Token(t, identitytest.Person{Tenant: "xa-dong-tan", Username: "hoa.nt", Name: "Nguyễn Thị Hoa",
		Roles: []string{string(platform.RoleDossierReceive)}, StaffID: "cb-0001"}, "dossiers")
	claims, err := svc.Verifier.Verify(ctx, tok)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if claims.Tenant != "xa-dong-tan" || !claims.HasRole(string(platform.RoleDossierReceive)) || claims.Name != "Nguyễn Thị Hoa" || claims.StaffID != "cb-0001" {
		t.Fatalf("claims = %+v", claims)
	}
	// A later call with other roles brings the account in line.
	tok = idp.Token(t, identitytest.Person{Tenant: "xa-dong-tan", Username: "hoa.nt", Roles: []string{string(platform.RoleDossierHandle)}}, "dossiers")
	if claims, err = svc.Verifier.Verify(ctx, tok); err != nil || claims.HasRole(string(platform.RoleDossierReceive)) || !claims.HasRole(string(platform.RoleDossierHandle)) {
		t.Fatalf("roles after update: %+v, %v", claims, err)
	}
	// A token for another audience is refused.
	other := idp.Token(t, identitytest.Person{Tenant: "xa-dong-tan", Username: "hoa.nt", Roles: []string{string(platform.RoleDossierHandle)}}, "hr")
	if _, err := svc.Verifier.Verify(ctx, other); err == nil {
		t.Fatal("a token meant for hr was accepted by dossiers")
	}

	in, err := svc.Directory.Within(ctx, "huyen-dong-hung", "xa-dong-tan")
	if err != nil || !in {
		t.Fatalf("xa-dong-tan within huyen-dong-hung = %v, %v", in, err)
	}
	if in, _ := svc.Directory.Within(ctx, "xa-dong-la", "xa-dong-tan"); in {
		t.Fatal("a commune lies within its sibling")
	}
	sub, err := svc.Directory.Subtree(ctx, "huyen-dong-hung")
	slices.Sort(sub)
	if err != nil || !slices.Equal(sub, []string{"huyen-dong-hung", "xa-dong-la", "xa-dong-tan"}) {
		t.Fatalf("subtree = %v, %v", sub, err)
	}
	// A unit onboarded after the first read is found at once.
	idp.Tenant(t, identitytest.Tenant{Slug: "xa-dong-xuan", Code: "12706", Name: "UBND xã Đông Xuân", Kind: "commune", Parent: "huyen-dong-hung"})
	u, err := svc.Directory.Tenant(ctx, "xa-dong-xuan")
	if err != nil || u.Parent != "huyen-dong-hung" || u.Code != "12706" {
		t.Fatalf("new unit = %+v, %v", u, err)
	}
	if _, err := svc.Directory.Tenant(ctx, "xa-khong-co"); err == nil {
		t.Fatal("an unknown unit was found")
	}

	// The unit's staff directory, read with the service's own token: hoa.nt with her roles now.
	people, err := svc.Directory.Staff(ctx, "xa-dong-tan")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(people, func(p auth.Person) bool { return p.Username == "hoa.nt" })
	if i < 0 || people[i].Subject != claims.Subject || !people[i].HasRole(string(platform.RoleDossierHandle)) || people[i].Name != "hoa.nt" {
		t.Fatalf("staff of xa-dong-tan = %+v, want hoa.nt (%s) with dossier.handle", people, claims.Subject)
	}
	if _, err := svc.Directory.Staff(ctx, "xa-khong-co"); err == nil {
		t.Fatal("the staff of an unknown unit was listed")
	}

	st := idp.ServiceToken(t, "reporting", "tinh-thai-binh", []string{string(platform.RoleService)}, "dossiers")
	if c, err := svc.Verifier.Verify(ctx, st); err != nil || c.Subject != "reporting" || !c.HasRole(string(platform.RoleService)) {
		t.Fatalf("service token: %+v, %v", c, err)
	}
}

// TestWithoutASecretTheDirectoryNamesTheVariable: a service started without its client secret
// says which variable to set instead of failing obscurely.
func TestWithoutASecretTheDirectoryNamesTheVariable(t *testing.T) {
	idp := identitytest.Start(t)
	cfg := auth.ServiceConfig{OIDCIssuer: idp.Issuer, SecretKeyFile: t.TempDir() + "/key"}
	keys, err := cfg.Keys("hr")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := auth.NewService(context.Background(), cfg, auth.ServiceOptions{Name: "hr", PublicBaseURL: "http://127.0.0.1:1/hr", DB: storetest.SQLite(t), Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.Directory.Tenant(context.Background(), "xa-dong-tan")
	if err == nil || !strings.Contains(err.Error(), "HR_OIDC_CLIENT_SECRET") {
		t.Fatalf("err = %v", err)
	}
}
