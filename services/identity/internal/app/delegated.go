package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/services/identity/internal/domain"
)

// Delegated administration: a person holding tenant.admin manages the accounts of their unit's
// subtree (domain.Manages). Every operation takes the administrator as a domain.User read from
// their own session, never a unit they named; a target outside their reach is refused with the
// same Forbidden whether or not it exists elsewhere, and nothing is changed.

// ErrNotAdministrator is a person without tenant.admin asking for the administration pages.
var ErrNotAdministrator = &apperr.Error{Kind: apperr.KindForbidden, Code: "not_administrator", Message: "only a unit's administrator (tenant.admin) manages accounts"}

// errOutOfReach is an account or unit outside the administrator's subtree.
var errOutOfReach = &apperr.Error{Kind: apperr.KindForbidden, Code: "out_of_reach", Message: "this account or unit is outside the units you administer; ask the administrator of the unit above"}

// ManagedTenants returns the administrator's unit and every unit below it, the administrator's
// own unit first, then by slug.
func (s *App) ManagedTenants(ctx context.Context, admin domain.User) ([]domain.Tenant, error) {
	if !admin.HasRole(platform.RoleTenantAdmin) || admin.Disabled {
		return nil, ErrNotAdministrator
	}
	all, err := s.store.ListTenants(ctx)
	if err != nil {
		return nil, err
	}
	children := map[string][]domain.Tenant{}
	var root domain.Tenant
	for _, t := range all {
		children[t.ParentID] = append(children[t.ParentID], t)
		if t.ID == admin.TenantID {
			root = t
		}
	}
	if root.ID == "" {
		return nil, apperr.NotFound("tenant", admin.TenantID)
	}
	out := []domain.Tenant{root}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i].ID]...)
	}
	slices.SortStableFunc(out[1:], func(a, b domain.Tenant) int { return strings.Compare(a.Slug, b.Slug) })
	return out, nil
}

// chain is tenantID's unit followed by its parents up to the province.
func (s *App) chain(ctx context.Context, tenantID string) ([]domain.Tenant, error) {
	var out []domain.Tenant
	for id := tenantID; id != "" && len(out) < 16; { // the tree is three levels; 16 stops a corrupt loop
		t, err := s.store.TenantByID(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		id = t.ParentID
	}
	return out, nil
}

// reachTenant checks that admin may manage accounts of the unit tenantID.
func (s *App) reachTenant(ctx context.Context, admin domain.User, tenantID string) error {
	if !admin.HasRole(platform.RoleTenantAdmin) || admin.Disabled {
		return ErrNotAdministrator
	}
	chain, err := s.chain(ctx, tenantID)
	if err != nil {
		return err
	}
	if !domain.Manages(admin.TenantID, chain) {
		return errOutOfReach
	}
	return nil
}

// ManagedAccount returns an account the administrator may manage, with its unit. A platform
// administrator's account is out of every unit administrator's reach: resetting its password
// would hand the platform to a unit.
func (s *App) ManagedAccount(ctx context.Context, admin domain.User, username string) (domain.User, domain.Tenant, error) {
	u, err := s.store.UserByUsername(ctx, strings.ToLower(strings.TrimSpace(username)))
	if apperr.KindOf(err) == apperr.KindNotFound {
		// Same answer as an account elsewhere: a unit's administrator learns nothing of other units.
		return u, domain.Tenant{}, errOutOfReach
	}
	if err != nil {
		return u, domain.Tenant{}, err
	}
	if err := s.reachTenant(ctx, admin, u.TenantID); err != nil {
		return u, domain.Tenant{}, err
	}
	if u.HasRole(platform.RolePlatformAdmin) {
		return u, domain.Tenant{}, errOutOfReach
	}
	t, err := s.store.TenantByID(ctx, u.TenantID)
	return u, t, err
}

// ManagedAccounts lists the accounts of one unit of the administrator's subtree, or of all of it
// when tenantSlug is "".
func (s *App) ManagedAccounts(ctx context.Context, admin domain.User, tenantSlug string) ([]domain.User, error) {
	tenants, err := s.ManagedTenants(ctx, admin)
	if err != nil {
		return nil, err
	}
	var out []domain.User
	for _, t := range tenants {
		if tenantSlug != "" && t.Slug != tenantSlug {
			continue
		}
		us, err := s.store.ListUsers(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, us...)
	}
	if tenantSlug != "" && !slices.ContainsFunc(tenants, func(t domain.Tenant) bool { return t.Slug == tenantSlug }) {
		return nil, errOutOfReach
	}
	return out, nil
}

// checkGrant refuses roles a unit's administrator may not give.
func checkGrant(roles []string) error {
	for _, r := range roles {
		if !domain.Grantable(r) {
			return &apperr.Error{Kind: apperr.KindForbidden, Code: "role_not_grantable",
				Message: "the role " + r + " cannot be granted by a unit's administrator",
				Fields:  []apperr.FieldError{{Field: "roles", Reason: r + " is not grantable from a unit"}}}
		}
	}
	return nil
}

// NewAccount is what an administrator fills in to create an account.
type NewAccount struct {
	Tenant   string // slug of a unit in the administrator's subtree
	Username string
	Name     string
	Email    string
	Roles    []string
	// StaffID links the account to the person's HR record (the "create account" way from HR's
	// staff page fills it in); "" makes an account without a record.
	StaffID string
}

// CreateAccount creates an account in a unit of the administrator's subtree with a one-time
// password, returned once: the person must replace it at first sign-in. A taken username is a
// Conflict (never the existing account: it may be another unit's).
func (s *App) CreateAccount(ctx context.Context, admin domain.User, in NewAccount) (u domain.User, oneTime string, err error) {
	t, err := s.store.TenantBySlug(ctx, in.Tenant)
	if apperr.KindOf(err) == apperr.KindNotFound {
		return u, "", apperr.Invalid("tenant", "choose one of the units you administer")
	}
	if err != nil {
		return u, "", err
	}
	if err := s.reachTenant(ctx, admin, t.ID); err != nil {
		return u, "", err
	}
	roles, err := platform.NormalizeRoles("roles", in.Roles)
	if err != nil {
		return u, "", err
	}
	if err := checkGrant(roles); err != nil {
		return u, "", err
	}
	now := s.Now()
	u = domain.User{ID: newID(), TenantID: t.ID, Username: strings.ToLower(strings.TrimSpace(in.Username)), Name: strings.TrimSpace(in.Name),
		Email: strings.TrimSpace(in.Email), Roles: roles, StaffID: strings.TrimSpace(in.StaffID), MustChangePassword: true, CreatedAt: now, UpdatedAt: now}
	if err := u.Validate(); err != nil {
		return u, "", err
	}
	oneTime = OneTimePassword()
	if u.PasswordHash, err = s.hasher.Hash(oneTime); err != nil {
		return u, "", err
	}
	err = s.store.Transact(ctx, func(ctx context.Context) error {
		if err := s.checkStaffLink(ctx, u); err != nil {
			return err
		}
		if err := s.store.CreateUser(ctx, u); err != nil {
			return err
		}
		return s.auditTx(ctx, domain.AuditEvent{TenantID: t.ID, Actor: admin.ID, Action: domain.AuditUserCreate, Subject: u.ID,
			Detail: u.Username + " roles " + strings.Join(u.Roles, ",")})
	})
	if err != nil {
		return u, "", err
	}
	return u, oneTime, nil
}

// ResetAccountPassword gives a managed account a new one-time password, returned once; it also
// lifts a lock, so the person can use it at once.
func (s *App) ResetAccountPassword(ctx context.Context, admin domain.User, username string) (string, error) {
	u, _, err := s.ManagedAccount(ctx, admin, username)
	if err != nil {
		return "", err
	}
	return s.resetPassword(ctx, admin.ID, u, u.Username)
}

// AccountLockedUntil says until when sign-in to a managed account is locked after failures;
// zero when it is not.
func (s *App) AccountLockedUntil(ctx context.Context, admin domain.User, username string) (time.Time, error) {
	u, _, err := s.ManagedAccount(ctx, admin, username)
	if err != nil {
		return time.Time{}, err
	}
	return s.store.SignInLockedUntil(ctx, domain.AccountKey(u.Username), s.Now())
}

// UnlockAccount lifts the lock of repeated failed sign-ins on a managed account.
func (s *App) UnlockAccount(ctx context.Context, admin domain.User, username string) error {
	u, _, err := s.ManagedAccount(ctx, admin, username)
	if err != nil {
		return err
	}
	return s.store.Transact(ctx, func(ctx context.Context) error {
		if err := s.store.ClearSignIns(ctx, domain.AccountKey(u.Username)); err != nil {
			return err
		}
		return s.auditTx(ctx, domain.AuditEvent{TenantID: u.TenantID, Actor: admin.ID, Action: domain.AuditUserUnlock, Subject: u.ID, Detail: u.Username})
	})
}

// errSelf refuses changes an administrator would make to their own access: they would lock
// themselves out, or keep a power nobody above granted.
var errSelf = &apperr.Error{Kind: apperr.KindForbidden, Code: "self_change", Message: "you cannot change your own roles or disable your own account; ask the administrator of the unit above"}

// SetAccountDisabled disables or enables a managed account. Disabling ends its sessions
// everywhere; enabling clears the failures made while it was off.
func (s *App) SetAccountDisabled(ctx context.Context, admin domain.User, username string, disabled bool) (domain.User, error) {
	u, _, err := s.ManagedAccount(ctx, admin, username)
	if err != nil {
		return u, err
	}
	if u.ID == admin.ID {
		return u, errSelf
	}
	if u.Disabled == disabled {
		return u, nil
	}
	u.Disabled, u.UpdatedAt = disabled, s.Now()
	action := domain.AuditUserEnable
	if disabled {
		action = domain.AuditUserDisable
	}
	err = s.store.Transact(ctx, func(ctx context.Context) error {
		if err := s.store.UpdateUser(ctx, u); err != nil {
			return err
		}
		if !disabled {
			if err := s.store.ClearSignIns(ctx, domain.AccountKey(u.Username)); err != nil {
				return err
			}
		}
		return s.auditTx(ctx, domain.AuditEvent{TenantID: u.TenantID, Actor: admin.ID, Action: action, Subject: u.ID, Detail: u.Username})
	})
	if err == nil && disabled {
		s.endSessions(ctx, admin.ID, u.ID)
	}
	return u, err
}

// EndAccountSessions signs a managed account out of every service (back-channel logout to each);
// it returns how many sessions were ended.
func (s *App) EndAccountSessions(ctx context.Context, admin domain.User, username string) (int, error) {
	u, _, err := s.ManagedAccount(ctx, admin, username)
	if err != nil {
		return 0, err
	}
	sessions, err := s.store.ActiveSessions(ctx, u.ID, s.Now())
	if err != nil {
		return 0, err
	}
	// The request is audited in its own transaction before the sessions end: each SignOut then
	// writes its own sign_out line, so the log shows who asked and what ended.
	if err := s.store.Transact(ctx, func(ctx context.Context) error {
		return s.auditTx(ctx, domain.AuditEvent{TenantID: u.TenantID, Actor: admin.ID, Action: domain.AuditUserEndSessions, Subject: u.ID,
			Detail: fmt.Sprintf("%s sessions %d", u.Username, len(sessions))})
	}); err != nil {
		return 0, err
	}
	return s.signOutAll(ctx, admin.ID, sessions), nil
}

// endSessions signs a user out of every session still active (an account just disabled).
func (s *App) endSessions(ctx context.Context, actor, userID string) int {
	sessions, err := s.store.ActiveSessions(ctx, userID, s.Now())
	if err != nil {
		s.log.ErrorContext(ctx, "listing sessions to end failed", "user_id", userID, "error", err)
		return 0
	}
	return s.signOutAll(ctx, actor, sessions)
}

// signOutAll ends sessions (back-channel logout to each service) and reports how many ended.
func (s *App) signOutAll(ctx context.Context, actor string, sessions []domain.Session) int {
	n := 0
	for _, sess := range sessions {
		if err := s.SignOut(ctx, sess.ID, actor, ""); err != nil {
			s.log.ErrorContext(ctx, "ending a session failed", "sid", sess.ID, "error", err)
			continue
		}
		n++
	}
	return n
}

// SetAccountRoles replaces a managed account's roles with roles, all of them grantable.
func (s *App) SetAccountRoles(ctx context.Context, admin domain.User, username string, roles []string) (domain.User, error) {
	u, _, err := s.ManagedAccount(ctx, admin, username)
	if err != nil {
		return u, err
	}
	if u.ID == admin.ID {
		return u, errSelf
	}
	norm, err := platform.NormalizeRoles("roles", roles)
	if err != nil {
		return u, err
	}
	if err := checkGrant(norm); err != nil {
		return u, err
	}
	if slices.Equal(norm, u.Roles) {
		return u, nil
	}
	before := strings.Join(u.Roles, ",")
	u.Roles, u.UpdatedAt = norm, s.Now()
	err = s.store.Transact(ctx, func(ctx context.Context) error {
		if err := s.store.UpdateUser(ctx, u); err != nil {
			return err
		}
		return s.auditTx(ctx, domain.AuditEvent{TenantID: u.TenantID, Actor: admin.ID, Action: domain.AuditUserRoles, Subject: u.ID,
			Detail: u.Username + " roles " + before + " -> " + strings.Join(norm, ",")})
	})
	return u, err
}

// AuditQuery is what an administrator filters the audit log by.
type AuditQuery struct {
	Tenant string // slug of one unit of the subtree; "" for all of it
	Person string // a username; events they did or that were done to them
	Action string
	Since  time.Time
	Before time.Time
	Limit  int
}

// ManagedAuditLog reads the audit log of the administrator's subtree.
func (s *App) ManagedAuditLog(ctx context.Context, admin domain.User, q AuditQuery) ([]domain.AuditEvent, error) {
	tenants, err := s.ManagedTenants(ctx, admin)
	if err != nil {
		return nil, err
	}
	f := domain.AuditFilter{Action: q.Action, Since: q.Since, Before: q.Before, Limit: q.Limit}
	for _, t := range tenants {
		if q.Tenant == "" || t.Slug == q.Tenant {
			f.TenantIDs = append(f.TenantIDs, t.ID)
		}
	}
	if len(f.TenantIDs) == 0 {
		return nil, errOutOfReach
	}
	if q.Person != "" {
		u, err := s.store.UserByUsername(ctx, strings.ToLower(strings.TrimSpace(q.Person)))
		if apperr.KindOf(err) == apperr.KindNotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		f.Person = u.ID
	}
	return s.store.ListAudit(ctx, f)
}
