package service_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
)

// tree is the province of the tests with two districts and their communes:
//
//	tinh-thai-binh
//	├── huyen-dong-hung ── xa-dong-tan, xa-dong-hoa
//	└── huyen-vu-thu ───── xa-vu-hoi
type tree struct {
	admins map[string]domain.User // the tenant.admin of each unit, by slug
	staff  map[string]domain.User // one reception officer of each unit, by slug
}

var treeUnits = []app.TenantInput{
	{Slug: "huyen-dong-hung", Code: "342", Name: "UBND huyện Đông Hưng", Kind: platform.KindDistrict, Parent: "tinh-thai-binh"},
	{Slug: "huyen-vu-thu", Code: "343", Name: "UBND huyện Vũ Thư", Kind: platform.KindDistrict, Parent: "tinh-thai-binh"},
	{Slug: "xa-dong-tan", Code: "12700", Name: "UBND xã Đông Tân", Kind: platform.KindCommune, Parent: "huyen-dong-hung"},
	{Slug: "xa-dong-hoa", Code: "12701", Name: "UBND xã Đông Hòa", Kind: platform.KindCommune, Parent: "huyen-dong-hung"},
	{Slug: "xa-vu-hoi", Code: "12900", Name: "UBND xã Vũ Hội", Kind: platform.KindCommune, Parent: "huyen-vu-thu"},
}

func (h *harness) seedTree(t testing.TB) tree {
	t.Helper()
	ctx := context.Background()
	tr := tree{admins: map[string]domain.User{}, staff: map[string]domain.User{}}
	for _, in := range treeUnits {
		if _, _, err := h.ID.App.EnsureTenant(ctx, "test", in); err != nil {
			t.Fatal(err)
		}
	}
	for _, slug := range []string{"tinh-thai-binh", "huyen-dong-hung", "huyen-vu-thu", "xa-dong-tan", "xa-dong-hoa", "xa-vu-hoi"} {
		a, _, _, err := h.ID.App.EnsureUser(ctx, "test", app.UserInput{Tenant: slug, Username: "admin." + slug, Name: "Quản trị " + slug,
			Roles: []string{string(platform.RoleTenantAdmin)}, Password: h.Password})
		if err != nil {
			t.Fatal(err)
		}
		s, _, _, err := h.ID.App.EnsureUser(ctx, "test", app.UserInput{Tenant: slug, Username: "mc." + slug, Name: "Một cửa " + slug,
			Roles: []string{string(platform.RoleDossierReceive)}, Password: h.Password})
		if err != nil {
			t.Fatal(err)
		}
		tr.admins[slug], tr.staff[slug] = a, s
	}
	return tr
}

// reach is who manages whom: the admin's own unit and the units below it.
var reach = map[string][]string{
	"xa-dong-tan":     {"xa-dong-tan"},
	"huyen-dong-hung": {"huyen-dong-hung", "xa-dong-tan", "xa-dong-hoa"},
	"tinh-thai-binh":  {"tinh-thai-binh", "huyen-dong-hung", "huyen-vu-thu", "xa-dong-tan", "xa-dong-hoa", "xa-vu-hoi"},
}

// delegatedOps are the operations of delegated administration, each run by admin on the
// reception officer of unit target (create makes a new account there).
var delegatedOps = map[string]func(ctx context.Context, a *app.App, admin domain.User, target domain.User, unit string) error{
	"create": func(ctx context.Context, a *app.App, admin, _ domain.User, unit string) error {
		_, otp, err := a.CreateAccount(ctx, admin, app.NewAccount{Tenant: unit, Username: "moi." + unit + "." + admin.Username, Name: "Cán bộ mới",
			Roles: []string{string(platform.RoleDossierHandle)}})
		if err == nil && otp == "" {
			return errors.New("created without a one-time password")
		}
		return err
	},
	"reset": func(ctx context.Context, a *app.App, admin, target domain.User, _ string) error {
		_, err := a.ResetAccountPassword(ctx, admin, target.Username)
		return err
	},
	"unlock": func(ctx context.Context, a *app.App, admin, target domain.User, _ string) error {
		return a.UnlockAccount(ctx, admin, target.Username)
	},
	"disable": func(ctx context.Context, a *app.App, admin, target domain.User, _ string) error {
		if _, err := a.SetAccountDisabled(ctx, admin, target.Username, true); err != nil {
			return err
		}
		_, err := a.SetAccountDisabled(ctx, admin, target.Username, false)
		return err
	},
	"end_sessions": func(ctx context.Context, a *app.App, admin, target domain.User, _ string) error {
		_, err := a.EndAccountSessions(ctx, admin, target.Username)
		return err
	},
	"roles": func(ctx context.Context, a *app.App, admin, target domain.User, _ string) error {
		// Toggle report.view, so every run is a change whatever earlier runs left.
		current, err := a.UserByUsername(ctx, target.Username)
		if err != nil {
			return err
		}
		roles := []string{string(platform.RoleDossierReceive)}
		if !current.HasRole(platform.RoleReportView) {
			roles = append(roles, string(platform.RoleReportView))
		}
		_, err = a.SetAccountRoles(ctx, admin, target.Username, roles)
		return err
	},
}

// accountState is what an operation may change on an account.
func accountState(t *testing.T, db *gorm.DB, username string) string {
	t.Helper()
	var row struct {
		PasswordHash string
		Roles        string
		Disabled     bool
		UpdatedAt    string
	}
	if err := db.Raw("SELECT password_hash, CAST(roles AS TEXT) AS roles, disabled, CAST(updated_at AS TEXT) AS updated_at FROM users WHERE username = ?", username).Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%+v", row)
}

func countRows(t *testing.T, db *gorm.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// The tree rule as a matrix: administrators of a commune, a district and the province, each
// operation on an account of their own unit, a child, a sibling and a parent. Allowed is done
// and audited by the administrator; refused is Forbidden (403 at the edge) and changes nothing,
// not even the audit log.
func TestDelegatedAdministrationFollowsTheTenantTree(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		tr := h.seedTree(t)
		ctx := context.Background()
		targets := []string{"tinh-thai-binh", "huyen-dong-hung", "huyen-vu-thu", "xa-dong-tan", "xa-dong-hoa", "xa-vu-hoi"}
		for adminUnit, allowed := range reach {
			admin := tr.admins[adminUnit]
			for _, target := range targets {
				for name, op := range delegatedOps {
					want := slices.Contains(allowed, target)
					t.Run(fmt.Sprintf("%s/%s/%s", adminUnit, target, name), func(t *testing.T) {
						staff := tr.staff[target]
						before := accountState(t, db, staff.Username)
						audits := countRows(t, db, "SELECT COUNT(*) FROM audit_events WHERE actor = ?", admin.ID)
						users := countRows(t, db, "SELECT COUNT(*) FROM users")
						err := op(ctx, h.ID.App, admin, staff, target)
						if want {
							if err != nil {
								t.Fatalf("admin of %s on %s: want allowed, got %v", adminUnit, target, err)
							}
							if got := countRows(t, db, "SELECT COUNT(*) FROM audit_events WHERE actor = ?", admin.ID); got <= audits {
								t.Fatalf("allowed %s left no audit line by the administrator", name)
							}
							return
						}
						if apperr.KindOf(err) != apperr.KindForbidden {
							t.Fatalf("admin of %s on %s: want Forbidden, got %v", adminUnit, target, err)
						}
						if after := accountState(t, db, staff.Username); after != before {
							t.Fatalf("refused %s changed the account:\n%s\n%s", name, before, after)
						}
						if got := countRows(t, db, "SELECT COUNT(*) FROM users"); got != users {
							t.Fatalf("refused %s created an account", name)
						}
						if got := countRows(t, db, "SELECT COUNT(*) FROM audit_events WHERE actor = ?", admin.ID); got != audits {
							t.Fatalf("refused %s wrote an audit line", name)
						}
					})
				}
			}
		}
		// A person without tenant.admin manages nobody, even in their own unit.
		if _, err := h.ID.App.ResetAccountPassword(ctx, tr.staff["xa-dong-tan"], tr.admins["xa-dong-tan"].Username); apperr.KindOf(err) != apperr.KindForbidden {
			t.Fatalf("reception officer reset the admin's password: %v", err)
		}
		// An unknown username answers as one outside the reach: nothing leaks about other units.
		if _, err := h.ID.App.ResetAccountPassword(ctx, tr.admins["xa-dong-tan"], "khong.ai"); apperr.KindOf(err) != apperr.KindForbidden {
			t.Fatalf("unknown username: %v", err)
		}
	})
}

// Only the roles a unit may hold are granted from a unit: never platform.admin or service, and
// a platform administrator's account is out of reach even inside the admin's own unit. Nobody
// changes their own roles or disables themselves.
func TestDelegatedAdministratorGrantsOnlyUnitRoles(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		tr := h.seedTree(t)
		ctx := context.Background()
		a := h.ID.App
		district := tr.admins["huyen-dong-hung"]
		officer := tr.staff["xa-dong-tan"]
		for _, role := range []platform.Role{platform.RolePlatformAdmin, platform.RoleService} {
			before := accountState(t, db, officer.Username)
			if _, err := a.SetAccountRoles(ctx, district, officer.Username, []string{string(role)}); apperr.KindOf(err) != apperr.KindForbidden {
				t.Fatalf("granting %s: want Forbidden, got %v", role, err)
			}
			if accountState(t, db, officer.Username) != before {
				t.Fatalf("refused grant of %s changed the account", role)
			}
			if _, _, err := a.CreateAccount(ctx, district, app.NewAccount{Tenant: "xa-dong-tan", Username: "leo.thang", Name: "Leo Thang",
				Roles: []string{string(role)}}); apperr.KindOf(err) != apperr.KindForbidden {
				t.Fatalf("creating with %s: want Forbidden, got %v", role, err)
			}
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM users WHERE username = 'leo.thang'"); n != 0 {
			t.Fatal("an escalating create left an account")
		}
		// tenant.admin of its own subtree may be granted: the district names the commune's administrator.
		u, err := a.SetAccountRoles(ctx, district, officer.Username, []string{string(platform.RoleTenantAdmin), string(platform.RoleDossierReceive)})
		if err != nil || !u.HasRole(platform.RoleTenantAdmin) {
			t.Fatalf("grant tenant.admin in the subtree: %v %v", u.Roles, err)
		}
		// ... and that new commune administrator cannot reach the district's administrator.
		if _, err := a.SetAccountRoles(ctx, u, district.Username, nil); apperr.KindOf(err) != apperr.KindForbidden {
			t.Fatalf("commune admin changed the district admin's roles: %v", err)
		}
		// Self-service of power is refused.
		if _, err := a.SetAccountRoles(ctx, district, district.Username, []string{string(platform.RoleTenantAdmin), string(platform.RoleReportView)}); apperr.KindOf(err) != apperr.KindForbidden {
			t.Fatalf("admin changed own roles: %v", err)
		}
		if _, err := a.SetAccountDisabled(ctx, district, district.Username, true); apperr.KindOf(err) != apperr.KindForbidden {
			t.Fatalf("admin disabled self: %v", err)
		}
		// The bootstrap platform administrator sits in the province; its own province's unit
		// administrator still cannot reset its password.
		if _, err := a.ResetAccountPassword(ctx, tr.admins["tinh-thai-binh"], "admin"); apperr.KindOf(err) != apperr.KindForbidden {
			t.Fatalf("province admin reset the platform admin's password: %v", err)
		}
	})
}

// The change and its audit line commit together: when the audit line cannot be written, the
// change is rolled back.
func TestDelegatedChangeAndAuditCommitTogether(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		tr := h.seedTree(t)
		ctx := context.Background()
		admin, officer := tr.admins["xa-dong-tan"], tr.staff["xa-dong-tan"]
		errAuditDown := errors.New("audit log unavailable")
		if err := db.Callback().Create().Before("gorm:create").Register("test:fail_audit", func(tx *gorm.DB) {
			if tx.Statement.Table == "audit_events" {
				_ = tx.AddError(errAuditDown)
			}
		}); err != nil {
			t.Fatal(err)
		}
		before := accountState(t, db, officer.Username)
		ops := map[string]func() error{
			"roles": func() error {
				_, err := h.ID.App.SetAccountRoles(ctx, admin, officer.Username, []string{string(platform.RoleDossierHandle)})
				return err
			},
			"disable": func() error {
				_, err := h.ID.App.SetAccountDisabled(ctx, admin, officer.Username, true)
				return err
			},
			"reset": func() error {
				_, err := h.ID.App.ResetAccountPassword(ctx, admin, officer.Username)
				return err
			},
			"create": func() error {
				_, _, err := h.ID.App.CreateAccount(ctx, admin, app.NewAccount{Tenant: "xa-dong-tan", Username: "lan.pt", Name: "Phạm Thị Lan"})
				return err
			},
		}
		for name, op := range ops {
			if err := op(); !errors.Is(err, errAuditDown) {
				t.Fatalf("%s with the audit log down: want its error, got %v", name, err)
			}
		}
		if err := db.Callback().Create().Remove("test:fail_audit"); err != nil {
			t.Fatal(err)
		}
		if after := accountState(t, db, officer.Username); after != before {
			t.Fatalf("a change whose audit failed was kept:\n%s\n%s", before, after)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM users WHERE username = 'lan.pt'"); n != 0 {
			t.Fatal("an account whose audit failed was kept")
		}
	})
}
