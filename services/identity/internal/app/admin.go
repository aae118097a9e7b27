package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/services/identity/internal/domain"
)

// Every admin change is idempotent by name (tenant slug, username, client id): a retried call
// finds what the first one made and creates nothing twice. A retry that disagrees with what
// exists in an identifying field (a tenant's code, a user's tenant) is a Conflict, not a silent
// overwrite.

// TenantInput creates or finds a tenant.
type TenantInput struct {
	Slug   string              `json:"slug"`
	Code   string              `json:"code"`
	Name   string              `json:"name"`
	Kind   platform.TenantKind `json:"kind"`
	Parent string              `json:"parent,omitempty"` // the parent's slug
}

// EnsureTenant creates the tenant, or returns the existing one with the same slug (updating its
// name). created says which.
func (s *App) EnsureTenant(ctx context.Context, actor string, in TenantInput) (t domain.Tenant, created bool, err error) {
	err = s.store.Transact(ctx, func(ctx context.Context) error {
		t, created, err = s.ensureTenant(ctx, actor, in)
		return err
	})
	return t, created, err
}

func (s *App) ensureTenant(ctx context.Context, actor string, in TenantInput) (domain.Tenant, bool, error) {
	now := s.Now()
	t := domain.Tenant{ID: newID(), Slug: in.Slug, Code: in.Code, Name: strings.TrimSpace(in.Name), Kind: in.Kind, CreatedAt: now, UpdatedAt: now}
	var parent domain.Tenant
	if in.Parent != "" {
		p, err := s.store.TenantBySlug(ctx, in.Parent)
		if apperr.KindOf(err) == apperr.KindNotFound {
			return t, false, apperr.Invalid("parent", "no tenant has the slug "+in.Parent+"; create the parent first")
		}
		if err != nil {
			return t, false, err
		}
		parent, t.ParentID = p, p.ID
	}
	if err := t.Validate(); err != nil {
		return t, false, err
	}
	if t.ParentID != "" {
		if err := domain.CanParent(parent, t.Kind); err != nil {
			return t, false, err
		}
	}
	existing, err := s.store.TenantBySlug(ctx, t.Slug)
	switch apperr.KindOf(err) {
	case apperr.KindNotFound:
		if err := s.store.CreateTenant(ctx, t); err != nil {
			return t, false, err
		}
		return t, true, s.auditTx(ctx, domain.AuditEvent{TenantID: t.ID, Actor: actor, Action: domain.AuditTenantCreate, Subject: t.Slug})
	case 0:
	default:
		return t, false, err
	}
	if existing.Code != t.Code || existing.Kind != t.Kind || existing.ParentID != t.ParentID {
		return existing, false, apperr.Conflict("tenant_differs",
			fmt.Sprintf("tenant %s exists with code %s, kind %s and another parent or the same; slug, code, kind and parent cannot change", existing.Slug, existing.Code, existing.Kind))
	}
	if existing.Name != t.Name {
		existing.Name, existing.UpdatedAt = t.Name, now
		if err := s.store.UpdateTenant(ctx, existing); err != nil {
			return existing, false, err
		}
		return existing, false, s.auditTx(ctx, domain.AuditEvent{TenantID: existing.ID, Actor: actor, Action: domain.AuditTenantUpdate, Subject: existing.Slug, Detail: "name"})
	}
	return existing, false, nil
}

// TenantPatch changes a tenant; nil fields stay.
type TenantPatch struct {
	Name     *string `json:"name,omitempty"`
	Disabled *bool   `json:"disabled,omitempty"`
}

// UpdateTenant renames or disables a tenant. A disabled tenant's people cannot sign in and its
// clients get no tokens; nothing is deleted (the operator's Retain policy).
func (s *App) UpdateTenant(ctx context.Context, actor, slug string, p TenantPatch) (domain.Tenant, error) {
	t, err := s.store.TenantBySlug(ctx, slug)
	if err != nil {
		return t, err
	}
	if p.Name != nil {
		t.Name = strings.TrimSpace(*p.Name)
	}
	if p.Disabled != nil {
		t.Disabled = *p.Disabled
	}
	if err := t.Validate(); err != nil {
		return t, err
	}
	t.UpdatedAt = s.Now()
	err = s.store.Transact(ctx, func(ctx context.Context) error {
		if err := s.store.UpdateTenant(ctx, t); err != nil {
			return err
		}
		return s.auditTx(ctx, domain.AuditEvent{TenantID: t.ID, Actor: actor, Action: domain.AuditTenantUpdate, Subject: t.Slug})
	})
	return t, err
}

// Tenants lists every tenant.
func (s *App) Tenants(ctx context.Context) ([]domain.Tenant, error) {
	return s.store.ListTenants(ctx)
}

// TenantBySlug returns a tenant.
func (s *App) TenantBySlug(ctx context.Context, slug string) (domain.Tenant, error) {
	return s.store.TenantBySlug(ctx, slug)
}

// UserInput creates or finds a staff account.
type UserInput struct {
	Tenant   string   `json:"tenant"` // slug
	Username string   `json:"username"`
	Name     string   `json:"name"`
	Email    string   `json:"email,omitempty"`
	Roles    []string `json:"roles"`
	StaffID  string   `json:"staff_id,omitempty"`
	// Password is set by seeds and tests; when empty a one-time password is generated, returned
	// once, and must be changed at first sign-in.
	Password string `json:"password,omitempty"`
}

// EnsureUser creates the account, or returns the existing one with that username. The one-time
// password is returned only when the account was created.
func (s *App) EnsureUser(ctx context.Context, actor string, in UserInput) (u domain.User, oneTime string, created bool, err error) {
	err = s.store.Transact(ctx, func(ctx context.Context) error {
		u, oneTime, created, err = s.ensureUser(ctx, actor, in)
		return err
	})
	return u, oneTime, created, err
}

func (s *App) ensureUser(ctx context.Context, actor string, in UserInput) (domain.User, string, bool, error) {
	t, err := s.store.TenantBySlug(ctx, in.Tenant)
	if apperr.KindOf(err) == apperr.KindNotFound {
		return domain.User{}, "", false, apperr.Invalid("tenant", "no tenant has the slug "+in.Tenant)
	}
	if err != nil {
		return domain.User{}, "", false, err
	}
	roles, err := platform.NormalizeRoles("roles", in.Roles)
	if err != nil {
		return domain.User{}, "", false, err
	}
	now := s.Now()
	u := domain.User{ID: newID(), TenantID: t.ID, Username: strings.ToLower(strings.TrimSpace(in.Username)), Name: strings.TrimSpace(in.Name),
		Email: strings.TrimSpace(in.Email), Roles: roles, StaffID: in.StaffID, CreatedAt: now, UpdatedAt: now}
	if err := u.Validate(); err != nil {
		return u, "", false, err
	}
	existing, err := s.store.UserByUsername(ctx, u.Username)
	if err == nil {
		if existing.TenantID != u.TenantID {
			return existing, "", false, apperr.Conflict("user_exists", "the username "+u.Username+" belongs to another tenant")
		}
		return existing, "", false, nil
	}
	if apperr.KindOf(err) != apperr.KindNotFound {
		return u, "", false, err
	}
	if err := s.checkStaffLink(ctx, u); err != nil {
		return u, "", false, err
	}
	password, oneTime := in.Password, ""
	if password == "" {
		password = OneTimePassword()
		oneTime = password
		u.MustChangePassword = true
	} else if err := s.checkPassword(u.Username, password); err != nil {
		var pe *PasswordError
		if errors.As(err, &pe) {
			return u, "", false, apperr.Invalid("password", pe.Reason)
		}
		return u, "", false, err
	}
	if u.PasswordHash, err = s.hasher.Hash(password); err != nil {
		return u, "", false, err
	}
	if err := s.store.CreateUser(ctx, u); err != nil {
		return u, "", false, err
	}
	return u, oneTime, true, s.auditTx(ctx, domain.AuditEvent{TenantID: t.ID, Actor: actor, Action: domain.AuditUserCreate, Subject: u.ID,
		Detail: u.Username + " roles " + strings.Join(u.Roles, ",")})
}

// UserPatch changes an account; nil fields stay.
type UserPatch struct {
	Name     *string   `json:"name,omitempty"`
	Email    *string   `json:"email,omitempty"`
	Roles    *[]string `json:"roles,omitempty"`
	StaffID  *string   `json:"staff_id,omitempty"`
	Disabled *bool     `json:"disabled,omitempty"`
}

// UpdateUser changes an account. Disabling it also ends its sessions everywhere.
func (s *App) UpdateUser(ctx context.Context, actor, username string, p UserPatch) (domain.User, error) {
	u, err := s.store.UserByUsername(ctx, username)
	if err != nil {
		return u, err
	}
	if p.Name != nil {
		u.Name = strings.TrimSpace(*p.Name)
	}
	if p.Email != nil {
		u.Email = strings.TrimSpace(*p.Email)
	}
	if p.StaffID != nil {
		u.StaffID = strings.TrimSpace(*p.StaffID)
	}
	if p.Roles != nil {
		if u.Roles, err = platform.NormalizeRoles("roles", *p.Roles); err != nil {
			return u, err
		}
	}
	wasDisabled := u.Disabled
	if p.Disabled != nil {
		u.Disabled = *p.Disabled
	}
	if err := u.Validate(); err != nil {
		return u, err
	}
	u.UpdatedAt = s.Now()
	err = s.store.Transact(ctx, func(ctx context.Context) error {
		if err := s.checkStaffLink(ctx, u); err != nil {
			return err
		}
		if err := s.store.UpdateUser(ctx, u); err != nil {
			return err
		}
		// Attempts made while the account was disabled were failures; enabled again, its owner
		// can sign in at once rather than wait out a lock they could not avoid.
		if wasDisabled && !u.Disabled {
			if err := s.store.ClearSignIns(ctx, domain.AccountKey(u.Username)); err != nil {
				return err
			}
		}
		return s.auditTx(ctx, domain.AuditEvent{TenantID: u.TenantID, Actor: actor, Action: domain.AuditUserUpdate, Subject: u.ID,
			Detail: u.Username + " roles " + strings.Join(u.Roles, ",") + fmt.Sprintf(" disabled %t", u.Disabled)})
	})
	if err == nil && u.Disabled {
		s.endSessions(ctx, actor, u.ID)
	}
	return u, err
}

// ResetPassword gives the account a new one-time password, returned once.
func (s *App) ResetPassword(ctx context.Context, actor, username string) (string, error) {
	u, err := s.store.UserByUsername(ctx, username)
	if err != nil {
		return "", err
	}
	return s.resetPassword(ctx, actor, u, "")
}

// resetPassword gives u a new one-time password, with the audit line (detail as given) in the same
// transaction, and returns the password once.
func (s *App) resetPassword(ctx context.Context, actor string, u domain.User, detail string) (string, error) {
	password := OneTimePassword()
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return "", err
	}
	err = s.store.Transact(ctx, func(ctx context.Context) error {
		if err := s.store.SetPassword(ctx, u.ID, hash, true, s.Now()); err != nil {
			return err
		}
		return s.auditTx(ctx, domain.AuditEvent{TenantID: u.TenantID, Actor: actor, Action: domain.AuditUserReset, Subject: u.ID, Detail: detail})
	})
	return password, err
}

// Users lists a tenant's accounts ("" for all).
func (s *App) Users(ctx context.Context, tenantSlug string) ([]domain.User, error) {
	id, err := s.tenantID(ctx, tenantSlug)
	if err != nil {
		return nil, err
	}
	return s.store.ListUsers(ctx, id)
}

// Staff lists the active accounts of one unit for the other services' staff directory (who may
// be assigned a dossier, who may approve it): the caller gets names and roles, never secrets.
// withDisabled adds the disabled accounts too (HR shows whether a person's account is disabled).
func (s *App) Staff(ctx context.Context, tenantSlug string, withDisabled bool) ([]domain.User, error) {
	if tenantSlug == "" {
		return nil, apperr.Invalid("slug", "name the unit whose staff to list")
	}
	us, err := s.Users(ctx, tenantSlug)
	if err != nil {
		return nil, err
	}
	if withDisabled {
		return us, nil
	}
	return slices.DeleteFunc(us, func(u domain.User) bool { return u.Disabled }), nil
}

// tenantID resolves a slug to the tenant's id; "" stays "" (all tenants).
func (s *App) tenantID(ctx context.Context, slug string) (string, error) {
	if slug == "" {
		return "", nil
	}
	t, err := s.store.TenantBySlug(ctx, slug)
	return t.ID, err
}

// UserByID returns an account.
func (s *App) UserByID(ctx context.Context, id string) (domain.User, error) {
	return s.store.UserByID(ctx, id)
}

// UserByUsername returns an account.
func (s *App) UserByUsername(ctx context.Context, username string) (domain.User, error) {
	return s.store.UserByUsername(ctx, username)
}

// ClientInput creates or updates a client.
type ClientInput struct {
	ClientID               string            `json:"client_id" yaml:"client_id"`
	Tenant                 string            `json:"tenant,omitempty" yaml:"tenant"` // slug; empty for platform-wide clients
	Name                   string            `json:"name" yaml:"name"`
	Type                   domain.ClientType `json:"type" yaml:"type"`
	RedirectURIs           []string          `json:"redirect_uris,omitempty" yaml:"redirect_uris"`
	PostLogoutRedirectURIs []string          `json:"post_logout_redirect_uris,omitempty" yaml:"post_logout_redirect_uris"`
	BackchannelLogoutURI   string            `json:"backchannel_logout_uri,omitempty" yaml:"backchannel_logout_uri"`
	GrantTypes             []string          `json:"grant_types" yaml:"grant_types"`
	Roles                  []string          `json:"roles,omitempty" yaml:"roles"`
	Audiences              []string          `json:"audiences,omitempty" yaml:"audiences"`
	// Secret is set by seeds and tests; when empty a confidential client gets a random one.
	Secret string `json:"secret,omitempty" yaml:"secret"`
}

// EnsureClient creates the client and returns its secret once; for an existing client id it
// brings the settings in line with in and returns no secret (use RotateClientSecret).
func (s *App) EnsureClient(ctx context.Context, actor string, in ClientInput) (c domain.Client, secret string, created bool, err error) {
	err = s.store.Transact(ctx, func(ctx context.Context) error {
		c, secret, created, err = s.ensureClient(ctx, actor, in)
		return err
	})
	return c, secret, created, err
}

func (s *App) ensureClient(ctx context.Context, actor string, in ClientInput) (domain.Client, string, bool, error) {
	now := s.Now()
	c := domain.Client{ID: in.ClientID, Name: strings.TrimSpace(in.Name), Type: in.Type, RedirectURIs: in.RedirectURIs,
		PostLogoutRedirectURIs: in.PostLogoutRedirectURIs, BackchannelLogoutURI: in.BackchannelLogoutURI,
		GrantTypes: in.GrantTypes, Audiences: in.Audiences, CreatedAt: now, UpdatedAt: now}
	if c.Type == "" {
		c.Type = domain.ClientConfidential
	}
	if in.Tenant != "" {
		t, err := s.store.TenantBySlug(ctx, in.Tenant)
		if apperr.KindOf(err) == apperr.KindNotFound {
			return c, "", false, apperr.Invalid("tenant", "no tenant has the slug "+in.Tenant)
		}
		if err != nil {
			return c, "", false, err
		}
		c.TenantID = t.ID
	}
	var err error
	if c.Roles, err = platform.NormalizeRoles("roles", in.Roles); err != nil {
		return c, "", false, err
	}
	slices.Sort(c.GrantTypes)
	c.GrantTypes = slices.Compact(c.GrantTypes)
	if err := c.Validate(s.cfg.DevMode); err != nil {
		return c, "", false, err
	}
	existing, err := s.store.ClientByID(ctx, c.ID)
	if err == nil {
		if existing.TenantID != c.TenantID || existing.Type != c.Type {
			return existing, "", false, apperr.Conflict("client_differs", "client "+c.ID+" exists for another tenant or with another type")
		}
		c.CreatedAt, c.SecretHash, c.Disabled = existing.CreatedAt, existing.SecretHash, existing.Disabled
		if err := s.store.UpdateClient(ctx, c); err != nil {
			return c, "", false, err
		}
		s.clients.forget(c.ID)
		return c, "", false, s.auditTx(ctx, domain.AuditEvent{TenantID: c.TenantID, Actor: actor, Action: domain.AuditClientUpdate, Subject: c.ID})
	}
	if apperr.KindOf(err) != apperr.KindNotFound {
		return c, "", false, err
	}
	secret := ""
	if c.Type == domain.ClientConfidential {
		secret = in.Secret
		if secret == "" {
			secret = s.secrets.New()
		} else if len(secret) < 32 {
			return c, "", false, apperr.Invalid("secret", "must be at least 32 characters; leave it out to get a random one")
		}
		c.SecretHash = s.secrets.Hash(secret)
	}
	if err := s.store.CreateClient(ctx, c); err != nil {
		return c, "", false, err
	}
	return c, secret, true, s.auditTx(ctx, domain.AuditEvent{TenantID: c.TenantID, Actor: actor, Action: domain.AuditClientCreate, Subject: c.ID})
}

// RotateClientSecret gives a confidential client a new secret, returned once; the old one stops
// working at once.
func (s *App) RotateClientSecret(ctx context.Context, actor, id string) (string, error) {
	c, err := s.store.ClientByID(ctx, id)
	if err != nil {
		return "", err
	}
	if c.Type != domain.ClientConfidential {
		return "", apperr.Conflict("public_client", "a public client has no secret")
	}
	secret := s.secrets.New()
	err = s.store.Transact(ctx, func(ctx context.Context) error {
		if err := s.store.SetClientSecret(ctx, c.ID, s.secrets.Hash(secret), s.Now()); err != nil {
			return err
		}
		s.clients.forget(c.ID)
		return s.auditTx(ctx, domain.AuditEvent{TenantID: c.TenantID, Actor: actor, Action: domain.AuditClientSecret, Subject: c.ID})
	})
	return secret, err
}

// SetClientDisabled turns a client off or on.
func (s *App) SetClientDisabled(ctx context.Context, actor, id string, disabled bool) (domain.Client, error) {
	c, err := s.store.ClientByID(ctx, id)
	if err != nil {
		return c, err
	}
	c.Disabled, c.UpdatedAt = disabled, s.Now()
	err = s.store.Transact(ctx, func(ctx context.Context) error {
		if err := s.store.UpdateClient(ctx, c); err != nil {
			return err
		}
		s.clients.forget(c.ID)
		return s.auditTx(ctx, domain.AuditEvent{TenantID: c.TenantID, Actor: actor, Action: domain.AuditClientUpdate, Subject: c.ID,
			Detail: fmt.Sprintf("disabled %t", disabled)})
	})
	return c, err
}

// Clients lists a tenant's clients ("" for all).
func (s *App) Clients(ctx context.Context, tenantSlug string) ([]domain.Client, error) {
	id, err := s.tenantID(ctx, tenantSlug)
	if err != nil {
		return nil, err
	}
	return s.store.ListClients(ctx, id)
}

// ClientByID returns a client, enabled or not.
func (s *App) ClientByID(ctx context.Context, id string) (domain.Client, error) {
	return s.store.ClientByID(ctx, id)
}

// OnboardInput is everything a new commune needs in identity, as the operator sends it.
type OnboardInput struct {
	Tenant  TenantInput   `json:"tenant"`
	Admin   UserInput     `json:"admin"`
	Clients []ClientInput `json:"clients,omitempty"`
}

// IssuedClient is a client with its secret when it was just created.
type IssuedClient struct {
	Client  domain.Client
	Secret  string
	Created bool
}

// OnboardResult is what Onboard made or found.
type OnboardResult struct {
	Tenant               domain.Tenant
	TenantCreated        bool
	Admin                domain.User
	AdminOneTimePassword string // only when the admin was created
	Clients              []IssuedClient
}

// Onboard creates a tenant, its administrator and its clients in one transaction: all or
// nothing. Run again, it finds them and returns no secrets (they were returned the first time).
func (s *App) Onboard(ctx context.Context, actor string, in OnboardInput) (res OnboardResult, err error) {
	err = s.store.Transact(ctx, func(ctx context.Context) error {
		if res.Tenant, res.TenantCreated, err = s.ensureTenant(ctx, actor, in.Tenant); err != nil {
			return prefixFields(err, "tenant.")
		}
		admin := in.Admin
		admin.Tenant = res.Tenant.Slug
		if !slices.Contains(admin.Roles, string(platform.RoleTenantAdmin)) {
			admin.Roles = append(admin.Roles, string(platform.RoleTenantAdmin))
		}
		if res.Admin, res.AdminOneTimePassword, _, err = s.ensureUser(ctx, actor, admin); err != nil {
			return prefixFields(err, "admin.")
		}
		for i, ci := range in.Clients {
			ci.Tenant = res.Tenant.Slug
			c, secret, created, err := s.ensureClient(ctx, actor, ci)
			if err != nil {
				return prefixFields(err, fmt.Sprintf("clients[%d].", i))
			}
			res.Clients = append(res.Clients, IssuedClient{Client: c, Secret: secret, Created: created})
		}
		return nil
	})
	return res, err
}

func prefixFields(err error, prefix string) error {
	e := apperr.As(err)
	if e == nil || len(e.Fields) == 0 {
		return err
	}
	fields := make([]apperr.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		fields[i] = apperr.FieldError{Field: prefix + f.Field, Reason: f.Reason}
	}
	return apperr.InvalidFields(fields...)
}

// AuditLog reads the audit log.
func (s *App) AuditLog(ctx context.Context, f domain.AuditFilter) ([]domain.AuditEvent, error) {
	return s.store.ListAudit(ctx, f)
}

// auditTx writes e inside the caller's transaction: the change and its audit line commit together.
func (s *App) auditTx(ctx context.Context, e domain.AuditEvent) error {
	e.ID, e.At = newID(), s.Now()
	if e.Outcome == "" {
		e.Outcome = "ok"
	}
	return s.store.Audit(ctx, e)
}

// oneTimeAlphabet leaves out characters that are easy to misread when a one-time password is
// read over the phone or copied from paper (0/O, 1/l/I).
const oneTimeAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// OneTimePassword returns 16 random characters (about 93 bits), with a digit guaranteed so it
// meets the password policy.
func OneTimePassword() string {
	b := make([]byte, 16)
	for i := range b {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(oneTimeAlphabet))))
		b[i] = oneTimeAlphabet[n.Int64()]
	}
	d, _ := rand.Int(rand.Reader, big.NewInt(8))
	b[7] = "23456789"[d.Int64()]
	return string(b)
}
