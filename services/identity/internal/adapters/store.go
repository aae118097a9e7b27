package adapters

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/identity/internal/domain"
)

// Store is identity's gorm repository. Identity is the one service that works across tenants
// (it issues every tenant's tokens), so its tables are not tenant-guarded; the admin API is
// limited to platform administrators instead.
type Store struct{ db *gorm.DB }

// NewStore returns a Store over db (migrated with Migrate).
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

// q is the database for ctx: the transaction Transact opened, or the pool.
func (s *Store) q(ctx context.Context) *gorm.DB { return store.Conn(ctx, s.db) }

// Transact runs fn in one transaction: every Store call made with the ctx it is given joins it.
func (s *Store) Transact(ctx context.Context, fn func(ctx context.Context) error) error {
	return store.Transact(ctx, func(begin func(tx *gorm.DB) error) error { return s.db.WithContext(ctx).Transaction(begin) }, fn)
}

// isUniqueViolation relies on store.Open's TranslateError, which maps both dialects' unique
// violations to gorm.ErrDuplicatedKey.
func isUniqueViolation(err error) bool { return errors.Is(err, gorm.ErrDuplicatedKey) }

func notFound(err error, resource string, id any) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return apperr.NotFound(resource, id)
	}
	return err
}

func ptr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ---- tenants

func tenantToRow(t domain.Tenant) tenantRow {
	return tenantRow{ID: t.ID, Slug: t.Slug, Code: t.Code, Name: t.Name, Kind: string(t.Kind),
		ParentID: ptr(t.ParentID), Disabled: t.Disabled, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

func (r tenantRow) domain() domain.Tenant {
	return domain.Tenant{ID: r.ID, Slug: r.Slug, Code: r.Code, Name: r.Name, Kind: platform.TenantKind(r.Kind),
		ParentID: deref(r.ParentID), Disabled: r.Disabled, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// CreateTenant stores a new tenant; a taken slug or code is a Conflict.
func (s *Store) CreateTenant(ctx context.Context, t domain.Tenant) error {
	row := tenantToRow(t)
	if err := s.q(ctx).Create(&row).Error; err != nil {
		if isUniqueViolation(err) {
			return apperr.Conflict("tenant_exists", "a tenant with slug "+t.Slug+" or code "+t.Code+" already exists")
		}
		return err
	}
	return nil
}

// UpdateTenant saves the changeable fields (name, disabled).
func (s *Store) UpdateTenant(ctx context.Context, t domain.Tenant) error {
	return s.q(ctx).Model(&tenantRow{}).Where("id = ?", t.ID).
		Updates(map[string]any{"name": t.Name, "disabled": t.Disabled, "updated_at": t.UpdatedAt}).Error
}

// TenantBySlug finds a tenant by its slug.
func (s *Store) TenantBySlug(ctx context.Context, slug string) (domain.Tenant, error) {
	var row tenantRow
	if err := s.q(ctx).Where("slug = ?", slug).Take(&row).Error; err != nil {
		return domain.Tenant{}, notFound(err, "tenant", slug)
	}
	return row.domain(), nil
}

// TenantByID finds a tenant by id.
func (s *Store) TenantByID(ctx context.Context, id string) (domain.Tenant, error) {
	var row tenantRow
	if err := s.q(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return domain.Tenant{}, notFound(err, "tenant", id)
	}
	return row.domain(), nil
}

// ListTenants returns every tenant ordered by slug.
func (s *Store) ListTenants(ctx context.Context) ([]domain.Tenant, error) {
	var rows []tenantRow
	if err := s.q(ctx).Order("slug").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]domain.Tenant, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// ---- users

func userToRow(u domain.User) userRow {
	return userRow{ID: u.ID, TenantID: u.TenantID, Username: u.Username, Name: u.Name, Email: u.Email,
		Roles: u.Roles, PasswordHash: u.PasswordHash, MustChangePassword: u.MustChangePassword,
		TOTPSecret: u.TOTPSecret, TOTPEnabled: u.TOTPEnabled, StaffID: u.StaffID, Disabled: u.Disabled,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

func (r userRow) domain() domain.User {
	return domain.User{ID: r.ID, TenantID: r.TenantID, Username: r.Username, Name: r.Name, Email: r.Email,
		Roles: r.Roles, PasswordHash: r.PasswordHash, MustChangePassword: r.MustChangePassword,
		TOTPSecret: r.TOTPSecret, TOTPEnabled: r.TOTPEnabled, StaffID: r.StaffID, Disabled: r.Disabled,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// CreateUser stores a new account; a taken username is a Conflict.
func (s *Store) CreateUser(ctx context.Context, u domain.User) error {
	row := userToRow(u)
	if err := s.q(ctx).Create(&row).Error; err != nil {
		if isUniqueViolation(err) {
			return apperr.Conflict("user_exists", "the username "+u.Username+" is taken")
		}
		return err
	}
	return nil
}

// UpdateUser saves the profile fields an administrator changes.
func (s *Store) UpdateUser(ctx context.Context, u domain.User) error {
	return s.q(ctx).Model(&userRow{}).Where("id = ?", u.ID).Updates(map[string]any{
		"name": u.Name, "email": u.Email, "roles": strList(u.Roles), "staff_id": u.StaffID,
		"disabled": u.Disabled, "updated_at": u.UpdatedAt,
	}).Error
}

// SetPassword replaces the password hash and clears the account's sign-in failures and lock: a
// person given a new password can use it at once.
func (s *Store) SetPassword(ctx context.Context, userID, hash string, mustChange bool, at time.Time) error {
	return s.Transact(ctx, func(ctx context.Context) error {
		if err := s.q(ctx).Model(&userRow{}).Where("id = ?", userID).Updates(map[string]any{
			"password_hash": hash, "must_change_password": mustChange, "updated_at": at,
		}).Error; err != nil {
			return err
		}
		u, err := s.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		return s.ClearSignIns(ctx, domain.AccountKey(u.Username))
	})
}

// SetTOTP stores the second-factor secret and whether it is in use.
func (s *Store) SetTOTP(ctx context.Context, userID, secret string, enabled bool, at time.Time) error {
	return s.q(ctx).Model(&userRow{}).Where("id = ?", userID).Updates(map[string]any{
		"totp_secret": secret, "totp_enabled": enabled, "totp_last_step": 0, "updated_at": at,
	}).Error
}

// UseTOTPStep records that the code of time step was used, and reports false if it (or a later
// one) already was: a code works once.
func (s *Store) UseTOTPStep(ctx context.Context, userID string, step int64) (bool, error) {
	res := s.q(ctx).Model(&userRow{}).Where("id = ? AND totp_last_step < ?", userID, step).
		Update("totp_last_step", step)
	return res.RowsAffected == 1, res.Error
}

// UserByID finds an account by id.
func (s *Store) UserByID(ctx context.Context, id string) (domain.User, error) {
	var row userRow
	if err := s.q(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return domain.User{}, notFound(err, "user", id)
	}
	return row.domain(), nil
}

// UserByUsername finds an account by username.
func (s *Store) UserByUsername(ctx context.Context, username string) (domain.User, error) {
	var row userRow
	if err := s.q(ctx).Where("username = ?", username).Take(&row).Error; err != nil {
		return domain.User{}, notFound(err, "user", username)
	}
	return row.domain(), nil
}

// UserByStaffID finds the account of a unit linked to an HR record.
func (s *Store) UserByStaffID(ctx context.Context, tenantID, staffID string) (domain.User, error) {
	var row userRow
	if err := s.q(ctx).Where("tenant_id = ? AND staff_id = ?", tenantID, staffID).Order("username").Take(&row).Error; err != nil {
		return domain.User{}, notFound(err, "user", staffID)
	}
	return row.domain(), nil
}

// principalRow is an account with the tenant fields tokens need, read in one query.
type principalRow struct {
	ID             string
	Name           string
	Username       string
	Email          string
	Roles          strList
	StaffID        string
	Disabled       bool
	TenantID       string
	TenantSlug     string
	TenantDisabled bool
}

// UserAndTenant reads an account and its tenant's slug and state in one query: every token
// issued for a person needs both.
func (s *Store) UserAndTenant(ctx context.Context, id string) (domain.User, domain.Tenant, error) {
	var r principalRow
	err := s.q(ctx).Table("users").
		Select("users.id, users.name, users.username, users.email, users.roles, users.staff_id, users.disabled, users.tenant_id, tenants.slug AS tenant_slug, tenants.disabled AS tenant_disabled").
		Joins("JOIN tenants ON tenants.id = users.tenant_id").Where("users.id = ?", id).Take(&r).Error
	if err != nil {
		return domain.User{}, domain.Tenant{}, notFound(err, "user", id)
	}
	return domain.User{ID: r.ID, TenantID: r.TenantID, Username: r.Username, Name: r.Name, Email: r.Email, Roles: r.Roles,
			StaffID: r.StaffID, Disabled: r.Disabled},
		domain.Tenant{ID: r.TenantID, Slug: r.TenantSlug, Disabled: r.TenantDisabled}, nil
}

// TakenUsernames returns which of usernames already name an account, in chunks of 500 so that
// a file of a few thousand stays under both databases' limits on bound parameters.
func (s *Store) TakenUsernames(ctx context.Context, usernames []string) ([]string, error) {
	var out []string
	for start := 0; start < len(usernames); start += 500 {
		var found []string
		if err := s.q(ctx).Model(&userRow{}).Where("username IN ?", usernames[start:min(start+500, len(usernames))]).
			Pluck("username", &found).Error; err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	return out, nil
}

// ListUsers returns a tenant's accounts (every account when tenantID is "").
func (s *Store) ListUsers(ctx context.Context, tenantID string) ([]domain.User, error) {
	q := s.q(ctx).Order("username")
	if tenantID != "" {
		q = q.Where("tenant_id = ?", tenantID)
	}
	var rows []userRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]domain.User, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// ---- sign-in counters (see domain.SignInLimit)

// ReserveSignIn counts attempt against every key before the password or code is checked. When a
// key refuses (locked, or its limit spent by failures and attempts in flight) nothing is counted
// and refused is the lock that ends last. locked are the locks this call wrote: a key whose limit
// was reached without a lock (its last attempts were abandoned) is locked now, so no path leaves a
// key refused without an end. Keys are locked in one order, in one transaction, so parallel
// attempts count one after another and cannot pass the limit together.
func (s *Store) ReserveSignIn(ctx context.Context, attemptID string, keys []domain.SignInKey, now time.Time) (refused *domain.SignInLock, locked []domain.SignInLock, err error) {
	err = s.Transact(ctx, func(ctx context.Context) error {
		refused, locked = nil, nil
		keys = domain.SortSignInKeys(keys)
		for _, k := range keys {
			count, err := s.countSignIns(ctx, k, now)
			if err != nil {
				return err
			}
			d := k.Limit.Decide(count, now)
			if !d.Lock.IsZero() {
				if err := s.lockSignIns(ctx, k.Key, d.Lock, now); err != nil {
					return err
				}
				locked = append(locked, domain.SignInLock{Key: k.Key, Until: d.Lock})
			}
			if !d.Allow && (refused == nil || d.RetryAt.After(refused.Until)) {
				refused = &domain.SignInLock{Key: k.Key, Until: d.RetryAt}
			}
		}
		if refused != nil {
			return nil // the locks written stand; the attempt is not counted
		}
		rows := make([]signinAttemptRow, len(keys))
		for i, k := range keys {
			rows[i] = signinAttemptRow{AttemptID: attemptID, Key: k.Key, AtMs: now.UnixMilli()}
		}
		return s.q(ctx).Create(&rows).Error
	})
	return refused, locked, err
}

// FailSignIn settles attempt as failed against keys and locks each key whose limit it reached;
// locked are the locks written.
func (s *Store) FailSignIn(ctx context.Context, attemptID string, keys []domain.SignInKey, now time.Time) (locked []domain.SignInLock, err error) {
	err = s.Transact(ctx, func(ctx context.Context) error {
		locked = nil
		for _, k := range domain.SortSignInKeys(keys) {
			if err := s.touchSignInKey(ctx, k.Key, now); err != nil {
				return err
			}
			if err := s.q(ctx).Model(&signinAttemptRow{}).Where("attempt_id = ? AND signin_key = ?", attemptID, k.Key).
				Update("failed", true).Error; err != nil {
				return err
			}
			count, err := s.countSignIns(ctx, k, now)
			if err != nil {
				return err
			}
			if until := k.Limit.LockAfterFailure(count, now); !until.IsZero() {
				if err := s.lockSignIns(ctx, k.Key, until, now); err != nil {
					return err
				}
				locked = append(locked, domain.SignInLock{Key: k.Key, Until: until})
			}
		}
		return nil
	})
	return locked, err
}

// SucceedSignIn settles attempt as a success: its count against keys is taken back, and the keys
// in clear (a subset of keys) lose every failure and their lock (an account whose password was
// just proved). A key not in clear keeps the failures of other attempts: one success from an
// address does not wipe the guesses made from it against other accounts. Like every write here
// it takes the keys' counter rows first, in one order, so it never waits in a cycle with a
// parallel attempt that holds a counter and settles its own row.
func (s *Store) SucceedSignIn(ctx context.Context, attemptID string, keys []domain.SignInKey, clear []string, now time.Time) error {
	return s.Transact(ctx, func(ctx context.Context) error {
		for _, k := range domain.SortSignInKeys(keys) {
			if err := s.touchSignInKey(ctx, k.Key, now); err != nil {
				return err
			}
			if err := s.q(ctx).Where("attempt_id = ? AND signin_key = ?", attemptID, k.Key).Delete(&signinAttemptRow{}).Error; err != nil {
				return err
			}
		}
		for _, key := range clear {
			if err := s.ClearSignIns(ctx, key); err != nil {
				return err
			}
		}
		return nil
	})
}

// ClearSignIns removes key's failures and lock: after a success, a new password set by an
// administrator, or an account enabled again. The counter row is written first (see
// SucceedSignIn).
func (s *Store) ClearSignIns(ctx context.Context, key string) error {
	return s.Transact(ctx, func(ctx context.Context) error {
		if err := s.q(ctx).Model(&signinCounterRow{}).Where("signin_key = ?", key).Update("locked_until_ms", 0).Error; err != nil {
			return err
		}
		return s.q(ctx).Where("signin_key = ?", key).Delete(&signinAttemptRow{}).Error
	})
}

// PurgeSignIns removes the attempts that have left every window (before attemptsBefore) and the
// counters of keys with neither a running lock nor an attempt left: sprayed names that are never
// tried again must not stay for ever. A counter removed just as a new attempt comes is made again
// by it; only a running lock needs its row, and that is never removed.
func (s *Store) PurgeSignIns(ctx context.Context, attemptsBefore, now time.Time) error {
	if err := s.q(ctx).Where("at_ms <= ?", attemptsBefore.UnixMilli()).Delete(&signinAttemptRow{}).Error; err != nil {
		return err
	}
	return s.q(ctx).Where("locked_until_ms <= ? AND NOT EXISTS (SELECT 1 FROM signin_attempts a WHERE a.signin_key = signin_counters.signin_key)",
		now.UnixMilli()).Delete(&signinCounterRow{}).Error
}

// SignInLockedUntil returns when key's lock ends (zero when it is not locked at now).
func (s *Store) SignInLockedUntil(ctx context.Context, key string, now time.Time) (time.Time, error) {
	var rows []signinCounterRow
	if err := s.q(ctx).Where("signin_key = ? AND locked_until_ms > ?", key, now.UnixMilli()).Limit(1).Find(&rows).Error; err != nil {
		return time.Time{}, err
	}
	if len(rows) == 0 {
		return time.Time{}, nil
	}
	return time.UnixMilli(rows[0].LockedUntilMs).UTC(), nil
}

// touchSignInKey writes key's counter row (making it on first use), which holds the row until the
// transaction ends: parallel attempts against the key wait here. It also drops the key's attempts
// that have left every window, so the table holds only what can still count.
func (s *Store) touchSignInKey(ctx context.Context, key string, now time.Time) error {
	row := signinCounterRow{Key: key, UpdatedAt: now}
	if err := s.q(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return err
	}
	return s.q(ctx).Model(&signinCounterRow{}).Where("signin_key = ?", key).Update("updated_at", now).Error
}

// countSignIns locks key's counter (touchSignInKey) and reads its lock and, inside the window, its
// failed and in-flight attempts; an attempt in flight for longer than domain.SignInInFlight was
// abandoned and counts as failed.
func (s *Store) countSignIns(ctx context.Context, k domain.SignInKey, now time.Time) (domain.SignInCount, error) {
	if err := s.touchSignInKey(ctx, k.Key, now); err != nil {
		return domain.SignInCount{}, err
	}
	from := now.Add(-k.Limit.Window).UnixMilli()
	if err := s.q(ctx).Where("signin_key = ? AND at_ms <= ?", k.Key, from).Delete(&signinAttemptRow{}).Error; err != nil {
		return domain.SignInCount{}, err
	}
	var c struct {
		LockedUntilMs int64
		Total         int
		Failed        int
	}
	err := s.q(ctx).Raw(`SELECT c.locked_until_ms,
		(SELECT COUNT(*) FROM signin_attempts a WHERE a.signin_key = c.signin_key AND a.at_ms > ?) AS total,
		(SELECT COUNT(*) FROM signin_attempts a WHERE a.signin_key = c.signin_key AND a.at_ms > ? AND (a.failed = ? OR a.at_ms <= ?)) AS failed
		FROM signin_counters c WHERE c.signin_key = ?`,
		from, from, true, now.Add(-domain.SignInInFlight).UnixMilli(), k.Key).Scan(&c).Error
	if err != nil {
		return domain.SignInCount{}, err
	}
	out := domain.SignInCount{Failed: c.Failed, InFlight: c.Total - c.Failed}
	if c.LockedUntilMs > 0 {
		out.LockedUntil = time.UnixMilli(c.LockedUntilMs).UTC()
	}
	return out, nil
}

// lockSignIns locks key until until and spends the failures that caused the lock, so that when
// it ends the key starts again from none. Attempts still in flight stay and count when settled.
func (s *Store) lockSignIns(ctx context.Context, key string, until, now time.Time) error {
	if err := s.q(ctx).Model(&signinCounterRow{}).Where("signin_key = ?", key).
		Update("locked_until_ms", until.UnixMilli()).Error; err != nil {
		return err
	}
	return s.q(ctx).Where("signin_key = ? AND (failed = ? OR at_ms <= ?)", key, true, now.Add(-domain.SignInInFlight).UnixMilli()).
		Delete(&signinAttemptRow{}).Error
}

// ---- clients

func clientToRow(c domain.Client) clientRow {
	return clientRow{ID: c.ID, TenantID: c.TenantID, Name: c.Name, Type: string(c.Type), SecretHash: c.SecretHash,
		RedirectURIs: c.RedirectURIs, PostLogoutRedirectURIs: c.PostLogoutRedirectURIs,
		BackchannelLogoutURI: c.BackchannelLogoutURI, GrantTypes: c.GrantTypes, Roles: c.Roles,
		Audiences: c.Audiences, Disabled: c.Disabled, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func (r clientRow) domain() domain.Client {
	return domain.Client{ID: r.ID, TenantID: r.TenantID, Name: r.Name, Type: domain.ClientType(r.Type),
		SecretHash: r.SecretHash, RedirectURIs: r.RedirectURIs, PostLogoutRedirectURIs: r.PostLogoutRedirectURIs,
		BackchannelLogoutURI: r.BackchannelLogoutURI, GrantTypes: r.GrantTypes, Roles: r.Roles,
		Audiences: r.Audiences, Disabled: r.Disabled, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// CreateClient stores a new client; a taken client id is a Conflict.
func (s *Store) CreateClient(ctx context.Context, c domain.Client) error {
	row := clientToRow(c)
	if err := s.q(ctx).Create(&row).Error; err != nil {
		if isUniqueViolation(err) {
			return apperr.Conflict("client_exists", "the client id "+c.ID+" is taken")
		}
		return err
	}
	return nil
}

// UpdateClient saves every field but the secret and creation time.
func (s *Store) UpdateClient(ctx context.Context, c domain.Client) error {
	return s.q(ctx).Model(&clientRow{}).Where("id = ?", c.ID).Updates(map[string]any{
		"name": c.Name, "redirect_uris": strList(c.RedirectURIs), "post_logout_redirect_uris": strList(c.PostLogoutRedirectURIs),
		"backchannel_logout_uri": c.BackchannelLogoutURI, "grant_types": strList(c.GrantTypes), "roles": strList(c.Roles),
		"audiences": strList(c.Audiences), "disabled": c.Disabled, "updated_at": c.UpdatedAt,
	}).Error
}

// SetClientSecret replaces a client's secret hash.
func (s *Store) SetClientSecret(ctx context.Context, id, hash string, at time.Time) error {
	return s.q(ctx).Model(&clientRow{}).Where("id = ?", id).
		Updates(map[string]any{"secret_hash": hash, "updated_at": at}).Error
}

// ClientByID finds a client.
func (s *Store) ClientByID(ctx context.Context, id string) (domain.Client, error) {
	var row clientRow
	if err := s.q(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return domain.Client{}, notFound(err, "client", id)
	}
	return row.domain(), nil
}

// ListClients returns a tenant's clients (every client when tenantID is "").
func (s *Store) ListClients(ctx context.Context, tenantID string) ([]domain.Client, error) {
	q := s.q(ctx).Order("id")
	if tenantID != "" {
		q = q.Where("tenant_id = ?", tenantID)
	}
	var rows []clientRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]domain.Client, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// ---- sessions

// CreateSession stores a new SSO session found by the hash of its cookie secret.
func (s *Store) CreateSession(ctx context.Context, sess domain.Session, secretHash string) error {
	row := sessionRow{ID: sess.ID, SecretHash: secretHash, UserID: sess.UserID, TenantID: sess.TenantID,
		AMR: sess.AMR, AuthTime: sess.AuthTime, CreatedAt: sess.CreatedAt, LastSeenAt: sess.LastSeenAt,
		ExpiresAt: sess.ExpiresAt, UserAgent: sess.UserAgent, Address: sess.Address}
	return s.q(ctx).Create(&row).Error
}

func (r sessionRow) domain() domain.Session {
	return domain.Session{ID: r.ID, UserID: r.UserID, TenantID: r.TenantID, AMR: r.AMR, AuthTime: r.AuthTime,
		CreatedAt: r.CreatedAt, LastSeenAt: r.LastSeenAt, ExpiresAt: r.ExpiresAt, EndedAt: r.EndedAt,
		UserAgent: r.UserAgent, Address: r.Address}
}

// SessionBySecretHash finds the session of a cookie.
func (s *Store) SessionBySecretHash(ctx context.Context, hash string) (domain.Session, error) {
	var row sessionRow
	if err := s.q(ctx).Where("secret_hash = ?", hash).Take(&row).Error; err != nil {
		return domain.Session{}, notFound(err, "session", "cookie")
	}
	return row.domain(), nil
}

// SessionByID finds a session by its sid.
func (s *Store) SessionByID(ctx context.Context, id string) (domain.Session, error) {
	var row sessionRow
	if err := s.q(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return domain.Session{}, notFound(err, "session", id)
	}
	return row.domain(), nil
}

// TouchSession records activity in a session.
func (s *Store) TouchSession(ctx context.Context, id string, at time.Time) error {
	return s.q(ctx).Model(&sessionRow{}).Where("id = ?", id).Update("last_seen_at", at).Error
}

// EndSession marks a session ended and reports whether this call ended it (false when it had
// already ended), so back-channel logout is sent once.
func (s *Store) EndSession(ctx context.Context, id string, at time.Time) (bool, error) {
	res := s.q(ctx).Model(&sessionRow{}).Where("id = ? AND ended_at IS NULL", id).Update("ended_at", at)
	return res.RowsAffected == 1, res.Error
}

// ActiveSessions lists a user's sessions still in use at now, newest first.
func (s *Store) ActiveSessions(ctx context.Context, userID string, now time.Time) ([]domain.Session, error) {
	var rows []sessionRow
	err := s.q(ctx).Where("user_id = ? AND ended_at IS NULL AND expires_at > ?", userID, now).
		Order("created_at DESC").Find(&rows).Error
	out := make([]domain.Session, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, err
}

// AddSessionClient records that client got tokens in session sid.
func (s *Store) AddSessionClient(ctx context.Context, sid, clientID string, at time.Time) error {
	row := sessionClientRow{SessionID: sid, ClientID: clientID, CreatedAt: at}
	return s.q(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
}

// SessionClients lists the clients that got tokens in session sid.
func (s *Store) SessionClients(ctx context.Context, sid string) ([]string, error) {
	var ids []string
	err := s.q(ctx).Model(&sessionClientRow{}).Where("session_id = ?", sid).Order("client_id").Pluck("client_id", &ids).Error
	return ids, err
}

// ---- authorization requests

func (r authRequestRow) domain() domain.AuthRequest {
	return domain.AuthRequest{ID: r.ID, ClientID: r.ClientID, RedirectURI: r.RedirectURI, State: r.State,
		Nonce: r.Nonce, Scopes: r.Scopes, ResponseType: r.ResponseType, ResponseMode: r.ResponseMode,
		CodeChallenge: r.CodeChallenge, CodeChallengeMethod: r.CodeChallengeMethod, Prompt: r.Prompt,
		MaxAgeSeconds: r.MaxAgeSeconds, LoginHint: r.LoginHint, UILocales: r.UILocales, UserID: r.UserID,
		SessionID: r.SessionID, AuthTime: r.AuthTime, AMR: r.AMR, Done: r.Done, CreatedAt: r.CreatedAt}
}

// SaveAuthRequest stores a new authorization request.
func (s *Store) SaveAuthRequest(ctx context.Context, a domain.AuthRequest) error {
	row := authRequestRow{ID: a.ID, ClientID: a.ClientID, RedirectURI: a.RedirectURI, State: a.State,
		Nonce: a.Nonce, Scopes: a.Scopes, ResponseType: a.ResponseType, ResponseMode: a.ResponseMode,
		CodeChallenge: a.CodeChallenge, CodeChallengeMethod: a.CodeChallengeMethod, Prompt: a.Prompt,
		MaxAgeSeconds: a.MaxAgeSeconds, LoginHint: a.LoginHint, UILocales: a.UILocales, CreatedAt: a.CreatedAt}
	return s.q(ctx).Create(&row).Error
}

// AuthRequestByID finds an authorization request created after notBefore.
func (s *Store) AuthRequestByID(ctx context.Context, id string, notBefore time.Time) (domain.AuthRequest, error) {
	var row authRequestRow
	if err := s.q(ctx).Where("id = ? AND created_at > ?", id, notBefore).Take(&row).Error; err != nil {
		return domain.AuthRequest{}, notFound(err, "authorization request", id)
	}
	return row.domain(), nil
}

// AuthRequestByCodeHash finds the request an authorization code was issued for.
func (s *Store) AuthRequestByCodeHash(ctx context.Context, hash string, notBefore time.Time) (domain.AuthRequest, error) {
	var row authRequestRow
	if err := s.q(ctx).Where("code_hash = ? AND created_at > ?", hash, notBefore).Take(&row).Error; err != nil {
		return domain.AuthRequest{}, notFound(err, "authorization code", "")
	}
	return row.domain(), nil
}

// CompleteAuthRequest records who signed in for a request, in which session, and how.
func (s *Store) CompleteAuthRequest(ctx context.Context, id, userID, sid string, authTime time.Time, amr []string) error {
	res := s.q(ctx).Model(&authRequestRow{}).Where("id = ? AND done = ?", id, false).Updates(map[string]any{
		"user_id": userID, "session_id": sid, "auth_time": authTime, "amr": strList(amr), "done": true,
	})
	if res.Error == nil && res.RowsAffected == 0 {
		return apperr.Conflict("auth_request_done", "the sign-in request was already completed")
	}
	return res.Error
}

// SaveAuthCode attaches the hash of the issued code to a request; a request gets one code.
func (s *Store) SaveAuthCode(ctx context.Context, id, codeHash string) error {
	res := s.q(ctx).Model(&authRequestRow{}).Where("id = ? AND code_hash IS NULL", id).Update("code_hash", codeHash)
	if res.Error == nil && res.RowsAffected == 0 {
		return apperr.Conflict("auth_code_issued", "a code was already issued for this request")
	}
	return res.Error
}

// DeleteAuthRequest removes a request once its code is exchanged.
func (s *Store) DeleteAuthRequest(ctx context.Context, id string) error {
	return s.q(ctx).Where("id = ?", id).Delete(&authRequestRow{}).Error
}

// PurgeExpired removes authorization requests, refresh tokens and revoked-token entries that can
// no longer be used.
func (s *Store) PurgeExpired(ctx context.Context, authRequestsBefore, now time.Time) error {
	if err := s.q(ctx).Where("created_at < ?", authRequestsBefore).Delete(&authRequestRow{}).Error; err != nil {
		return err
	}
	if err := s.q(ctx).Where("expires_at < ?", now).Delete(&revokedTokenRow{}).Error; err != nil {
		return err
	}
	return s.q(ctx).Where("expires_at < ?", now.Add(-24*time.Hour)).Delete(&refreshTokenRow{}).Error
}

// ---- refresh tokens

func (r refreshTokenRow) domain() domain.RefreshToken {
	return domain.RefreshToken{ID: r.ID, FamilyID: r.FamilyID, ClientID: r.ClientID, UserID: r.UserID,
		SessionID: r.SessionID, TenantID: r.TenantID, Scopes: r.Scopes, Audience: r.Audience, AMR: r.AMR,
		AuthTime: r.AuthTime, ExpiresAt: r.ExpiresAt, UsedAt: r.UsedAt, RevokedAt: r.RevokedAt, CreatedAt: r.CreatedAt,
		AccessTokenID: r.AccessTokenID}
}

func refreshToRow(t domain.RefreshToken, hash string) refreshTokenRow {
	return refreshTokenRow{ID: t.ID, TokenHash: hash, FamilyID: t.FamilyID, ClientID: t.ClientID, UserID: t.UserID,
		SessionID: t.SessionID, TenantID: t.TenantID, Scopes: t.Scopes, Audience: t.Audience, AMR: t.AMR,
		AuthTime: t.AuthTime, ExpiresAt: t.ExpiresAt, CreatedAt: t.CreatedAt, AccessTokenID: t.AccessTokenID}
}

// CreateRefreshToken stores the first link of a new family.
func (s *Store) CreateRefreshToken(ctx context.Context, t domain.RefreshToken, hash string) error {
	row := refreshToRow(t, hash)
	return s.q(ctx).Create(&row).Error
}

// RefreshTokenByHash finds a refresh token by the hash of its value, with when its session
// ended (one query: the token endpoint checks both on every refresh).
func (s *Store) RefreshTokenByHash(ctx context.Context, hash string) (domain.RefreshToken, error) {
	var row refreshTokenRow
	err := s.q(ctx).Select("refresh_tokens.*, sso_sessions.ended_at AS session_ended_at").
		Joins("LEFT JOIN sso_sessions ON sso_sessions.id = refresh_tokens.session_id").
		Where("refresh_tokens.token_hash = ?", hash).Take(&row).Error
	if err != nil {
		return domain.RefreshToken{}, notFound(err, "refresh token", "")
	}
	t := row.domain()
	t.SessionEndedAt = row.SessionEndedAt
	return t, nil
}

// RotateRefreshToken marks the token with currentHash used and stores next in the same
// transaction. If the token was already used (a replay) it returns domain.ErrRefreshTokenUsed and stores
// nothing; the caller revokes the family.
func (s *Store) RotateRefreshToken(ctx context.Context, currentHash string, next domain.RefreshToken, nextHash string, now time.Time) error {
	if store.Dialect(s.db) == store.Postgres {
		// One statement, so one round trip, and atomic on its own: the new link is inserted only
		// if this statement is the one that marked the current link used.
		n := refreshToRow(next, nextHash)
		res := s.q(ctx).Exec(`WITH used AS (
	UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ? RETURNING id)
INSERT INTO refresh_tokens (id, token_hash, family_id, client_id, user_id, session_id, tenant_id, scopes, audience, amr, auth_time, expires_at, created_at, access_token_id)
SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM used`,
			now, currentHash, now, n.ID, n.TokenHash, n.FamilyID, n.ClientID, n.UserID, n.SessionID, n.TenantID, n.Scopes, n.Audience,
			n.AMR, n.AuthTime, n.ExpiresAt, n.CreatedAt, n.AccessTokenID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return domain.ErrRefreshTokenUsed
		}
		return nil
	}
	return s.q(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&refreshTokenRow{}).
			Where("token_hash = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?", currentHash, now).
			Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return domain.ErrRefreshTokenUsed
		}
		row := refreshToRow(next, nextHash)
		return tx.Create(&row).Error
	})
}

// RevokeFamily revokes every token of a rotation family.
func (s *Store) RevokeFamily(ctx context.Context, familyID string, at time.Time) error {
	return s.q(ctx).Model(&refreshTokenRow{}).Where("family_id = ? AND revoked_at IS NULL", familyID).
		Update("revoked_at", at).Error
}

// RevokeSessionRefreshTokens revokes every refresh token issued in a session.
func (s *Store) RevokeSessionRefreshTokens(ctx context.Context, sid string, at time.Time) error {
	return s.q(ctx).Model(&refreshTokenRow{}).Where("session_id = ? AND revoked_at IS NULL", sid).
		Update("revoked_at", at).Error
}

// RevokeUserClientRefreshTokens revokes a user's refresh tokens held by one client.
func (s *Store) RevokeUserClientRefreshTokens(ctx context.Context, userID, clientID string, at time.Time) error {
	return s.q(ctx).Model(&refreshTokenRow{}).Where("user_id = ? AND client_id = ? AND revoked_at IS NULL", userID, clientID).
		Update("revoked_at", at).Error
}

// ---- revoked access tokens

// RevokeAccessToken lists a JWT's id as revoked until it expires.
func (s *Store) RevokeAccessToken(ctx context.Context, jti string, expiresAt time.Time) error {
	row := revokedTokenRow{JTI: jti, ExpiresAt: expiresAt}
	return s.q(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
}

// AccessTokenRevoked reports whether a JWT's id was revoked, by itself or with the refresh-token
// family it was issued with.
func (s *Store) AccessTokenRevoked(ctx context.Context, jti string) (bool, error) {
	var n int64
	if err := s.q(ctx).Model(&revokedTokenRow{}).Where("jti = ?", jti).Count(&n).Error; err != nil || n > 0 {
		return n > 0, err
	}
	err := s.q(ctx).Model(&refreshTokenRow{}).Where("access_token_id = ? AND revoked_at IS NOT NULL", jti).Count(&n).Error
	return n > 0, err
}

// ---- audit

// Audit appends one event to the audit log.
func (s *Store) Audit(ctx context.Context, e domain.AuditEvent) error {
	row := auditRow(e)
	return s.q(ctx).Create(&row).Error
}

// ListAudit returns audit events newest first.
func (s *Store) ListAudit(ctx context.Context, f domain.AuditFilter) ([]domain.AuditEvent, error) {
	q := s.q(ctx).Order("at DESC, id DESC")
	if f.TenantID != "" {
		q = q.Where("tenant_id = ?", f.TenantID)
	}
	if len(f.TenantIDs) > 0 {
		q = q.Where("tenant_id IN ?", f.TenantIDs)
	}
	if f.Actor != "" {
		q = q.Where("actor = ?", f.Actor)
	}
	if f.Person != "" {
		q = q.Where("(actor = ? OR subject = ?)", f.Person, f.Person)
	}
	if !f.Since.IsZero() {
		q = q.Where("at >= ?", f.Since)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if !f.Before.IsZero() {
		q = q.Where("at < ?", f.Before)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var rows []auditRow
	if err := q.Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]domain.AuditEvent, len(rows))
	for i, r := range rows {
		out[i] = domain.AuditEvent(r)
	}
	return out, nil
}
