package app

import (
	"context"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/telemetry"
	"egov.vn/platform/services/identity/internal/domain"
)

// SignInInput is what the sign-in form sends, with where it came from.
type SignInInput struct {
	Username  string
	Password  string
	Address   string // client IP, for the per-address lockout and the audit log
	UserAgent string
}

// SignInResult is a correct password: either done, or waiting for the TOTP code, or for a new
// password when the current one was a one-time password.
type SignInResult struct {
	User     domain.User
	NeedTOTP bool
}

// SignIn checks a username and password under both sliding-window counts: the username's (known
// or not, so a name nobody has answers exactly as one somebody has) and the source address's.
// The attempt is counted before the password is checked, so 50 parallel guesses get at most
// MaxUserAttempts answers; and every way it ends other than a success settles it as failed, so
// the limit, once reached, always writes a lock with an end.
//
// A disabled account (or an account of a disabled unit) gets the answer a wrong password gets,
// whatever the password: the answer never tells whether a password was right before the account
// is known to be usable, nor whether a name exists.
func (s *App) SignIn(ctx context.Context, in SignInInput) (res SignInResult, err error) {
	ctx, span := s.tracer.Start(ctx, "identity.App.SignIn")
	defer telemetry.End(span, &err)
	fail := domain.AuditEvent{Actor: "anonymous", Action: domain.AuditSignInFailed, Subject: in.Username, Outcome: "denied", Address: in.Address}

	keys := []domain.SignInKey{s.accountKey(in.Username)}
	if in.Address != "" {
		keys = append(keys, s.addressKey(in.Address))
	}
	attempt, err := s.beginAttempt(ctx, keys, in.Address, "")
	if err != nil {
		if l, locked := IsLockedOut(err); locked {
			fail.Detail = "account locked"
			if l.Address {
				fail.Detail = "address locked"
			}
			s.audit(ctx, fail)
		}
		return res, err
	}
	settled := false
	defer func() {
		if !settled {
			s.failAttempt(ctx, attempt, keys)
		}
	}()

	user, err := s.store.UserByUsername(ctx, in.Username)
	if apperr.KindOf(err) == apperr.KindNotFound {
		s.hasher.DummyVerify(in.Password)
		fail.Detail = "unknown username"
		s.audit(ctx, fail)
		return res, ErrBadCredentials
	}
	if err != nil {
		return res, err
	}
	attempt.tenantID, fail.TenantID, fail.Subject = user.TenantID, user.TenantID, user.ID
	unusable, err := s.unusable(ctx, user)
	if err != nil {
		return res, err
	}
	// The hash is computed whatever the account's state, so the time taken does not tell a
	// disabled account from a wrong password either.
	match, err := s.hasher.Verify(in.Password, user.PasswordHash)
	if err != nil {
		return res, err
	}
	if unusable != "" {
		fail.Detail = unusable
		s.audit(ctx, fail)
		return res, ErrBadCredentials
	}
	if !match {
		fail.Detail = "wrong password"
		s.audit(ctx, fail)
		return res, ErrBadCredentials
	}
	settled = true
	if user.TOTPEnabled {
		// The address's attempt is done, but the account's stays counted until the code is right:
		// the TOTP step counts against the same limit.
		s.failAttempt(ctx, attempt, keys[:1])
		if err := s.store.SucceedSignIn(ctx, attempt.id, keys[1:], nil, s.Now()); err != nil {
			return res, err
		}
		return SignInResult{User: user, NeedTOTP: true}, nil
	}
	if err := s.store.SucceedSignIn(ctx, attempt.id, keys, []string{keys[0].Key}, s.Now()); err != nil {
		return res, err
	}
	return SignInResult{User: user}, nil
}

// unusable says why user may not sign in (its account or its unit is disabled), or "".
func (s *App) unusable(ctx context.Context, user domain.User) (string, error) {
	if user.Disabled {
		return "account disabled", nil
	}
	t, err := s.store.TenantByID(ctx, user.TenantID)
	if apperr.KindOf(err) == apperr.KindNotFound || (err == nil && t.Disabled) {
		return "tenant disabled", nil
	}
	return "", err
}

func (s *App) accountKey(username string) domain.SignInKey {
	return domain.SignInKey{Key: domain.AccountKey(username),
		Limit: domain.SignInLimit{Max: s.cfg.MaxUserAttempts, Window: s.cfg.SignInWindow, Lockout: s.cfg.UserLockout}}
}

func (s *App) addressKey(address string) domain.SignInKey {
	return domain.SignInKey{Key: domain.AddressKey(address),
		Limit: domain.SignInLimit{Max: s.cfg.MaxAddressAttempts, Window: s.cfg.SignInWindow, Lockout: s.cfg.AddressLockout}}
}

// signInAttempt is one attempt counted against its keys, until it is settled.
type signInAttempt struct {
	id       string
	address  string
	tenantID string // the account's unit, once known, for the audit of a lock
}

// beginAttempt counts one attempt against keys before a password or code is checked, and returns
// a *LockedOutError, with the real time left, when a key refuses it.
func (s *App) beginAttempt(ctx context.Context, keys []domain.SignInKey, address, tenantID string) (*signInAttempt, error) {
	a := &signInAttempt{id: newID(), address: address, tenantID: tenantID}
	refused, locked, err := s.store.ReserveSignIn(ctx, a.id, keys, s.Now())
	if err != nil {
		return nil, err
	}
	s.auditLocks(ctx, a, locked)
	if refused != nil {
		return nil, &LockedOutError{Until: refused.Until, Address: strings.HasPrefix(refused.Key, domain.AddressKey(""))}
	}
	return a, nil
}

// failAttempt settles a as failed against keys. It goes on if the person's request was cancelled:
// an attempt left unsettled would count as failed only after domain.SignInInFlight.
func (s *App) failAttempt(ctx context.Context, a *signInAttempt, keys []domain.SignInKey) {
	ctx = context.WithoutCancel(ctx)
	locked, err := s.store.FailSignIn(ctx, a.id, keys, s.Now())
	if err != nil {
		s.log.ErrorContext(ctx, "sign-in count update failed", "attempt", a.id, "error", err)
		return
	}
	s.auditLocks(ctx, a, locked)
}

func (s *App) auditLocks(ctx context.Context, a *signInAttempt, locks []domain.SignInLock) {
	for _, l := range locks {
		s.audit(ctx, domain.AuditEvent{TenantID: a.tenantID, Actor: "anonymous", Action: domain.AuditLockedOut,
			Subject: l.Key, Outcome: "denied", Address: a.address, Detail: "locked until " + l.Until.Format(time.RFC3339)})
	}
}

// totpOptions are RFC 6238's defaults, which every authenticator app uses; one step of skew
// either way allows for a phone clock that is up to 30 s off.
var totpOptions = totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// VerifyTOTP checks the second factor of userID. It counts against the same lockout as the
// password, and a code is accepted once: a code seen over someone's shoulder cannot be reused.
func (s *App) VerifyTOTP(ctx context.Context, userID, code, address string) (err error) {
	ctx, span := s.tracer.Start(ctx, "identity.App.VerifyTOTP")
	defer telemetry.End(span, &err)
	now := s.Now()
	user, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if !user.TOTPEnabled {
		return apperr.Conflict("totp_not_enabled", "the account has no second factor")
	}
	fail := domain.AuditEvent{TenantID: user.TenantID, Actor: user.ID, Action: domain.AuditTOTPFailed, Subject: user.ID, Outcome: "denied", Address: address}
	keys := []domain.SignInKey{s.accountKey(user.Username)}
	attempt, err := s.beginAttempt(ctx, keys, address, user.TenantID)
	if err != nil {
		if _, locked := IsLockedOut(err); locked {
			fail.Detail = "account locked"
			s.audit(ctx, fail)
		}
		return err
	}
	valid := false
	defer func() {
		if !valid {
			s.failAttempt(ctx, attempt, keys)
		}
	}()
	step, match := s.matchTOTP(code, user.TOTPSecret, now)
	if match {
		if match, err = s.store.UseTOTPStep(ctx, user.ID, step); err != nil {
			return err
		}
	}
	if !match {
		s.audit(ctx, fail)
		return ErrBadTOTP
	}
	valid = true
	return s.store.SucceedSignIn(ctx, attempt.id, keys, []string{keys[0].Key}, s.Now())
}

// matchTOTP returns the time step whose code equals code, within the allowed skew.
func (s *App) matchTOTP(code, secret string, now time.Time) (int64, bool) {
	if len(code) != 6 || secret == "" {
		return 0, false
	}
	for _, d := range []int64{0, -1, 1} {
		t := now.Add(time.Duration(d) * 30 * time.Second)
		ok, err := totp.ValidateCustom(code, secret, t, totp.ValidateOpts{Period: totpOptions.Period, Skew: 0, Digits: totpOptions.Digits, Algorithm: totpOptions.Algorithm})
		if err == nil && ok {
			return t.Unix() / 30, true
		}
	}
	return 0, false
}

// StartSession opens a single sign-on session for user and returns the cookie secret.
func (s *App) StartSession(ctx context.Context, user domain.User, amr []string, address, userAgent string) (string, domain.Session, error) {
	now := s.Now()
	secret := s.secrets.New()
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	sess := domain.Session{ID: newID(), UserID: user.ID, TenantID: user.TenantID, AMR: amr, AuthTime: now,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.cfg.SessionLifetime), UserAgent: userAgent, Address: address}
	if err := s.store.CreateSession(ctx, sess, s.secrets.Hash(secret)); err != nil {
		return "", domain.Session{}, err
	}
	s.audit(ctx, domain.AuditEvent{TenantID: user.TenantID, Actor: user.ID, Action: domain.AuditSignIn, Subject: user.ID,
		Address: address, Detail: "session " + sess.ID + " amr " + strings.Join(amr, "+")})
	return secret, sess, nil
}

// ErrNoSession means the cookie names no active session.
var ErrNoSession = &apperr.Error{Kind: apperr.KindUnauthenticated, Code: "no_session", Message: "not signed in"}

// SessionFromCookie returns the active session of a cookie secret and its user.
func (s *App) SessionFromCookie(ctx context.Context, secret string) (domain.Session, domain.User, error) {
	if secret == "" {
		return domain.Session{}, domain.User{}, ErrNoSession
	}
	sess, err := s.store.SessionBySecretHash(ctx, s.secrets.Hash(secret))
	if apperr.KindOf(err) == apperr.KindNotFound {
		return domain.Session{}, domain.User{}, ErrNoSession
	}
	if err != nil {
		return domain.Session{}, domain.User{}, err
	}
	now := s.Now()
	if !sess.Active(now) {
		return domain.Session{}, domain.User{}, ErrNoSession
	}
	user, err := s.store.UserByID(ctx, sess.UserID)
	if err != nil {
		return domain.Session{}, domain.User{}, err
	}
	if user.Disabled {
		return domain.Session{}, domain.User{}, ErrNoSession
	}
	if now.Sub(sess.LastSeenAt) > time.Minute { // at most one write a minute per session
		if err := s.store.TouchSession(ctx, sess.ID, now); err != nil {
			s.log.WarnContext(ctx, "session touch failed", "sid", sess.ID, "error", err)
		}
	}
	return sess, user, nil
}

// SignOut ends session sid, revokes the refresh tokens issued in it and tells every relying party
// that got tokens in it (back-channel logout), so signing out once signs out of every service.
// actor is who asked (the person, or an administrator).
func (s *App) SignOut(ctx context.Context, sid, actor, address string) (err error) {
	ctx, span := s.tracer.Start(ctx, "identity.App.SignOut")
	defer telemetry.End(span, &err)
	sess, err := s.store.SessionByID(ctx, sid)
	if err != nil {
		return err
	}
	now := s.Now()
	ended, err := s.store.EndSession(ctx, sid, now)
	if err != nil || !ended {
		return err // already ended: its parties were told then
	}
	if err := s.store.RevokeSessionRefreshTokens(ctx, sid, now); err != nil {
		return err
	}
	s.audit(ctx, domain.AuditEvent{TenantID: sess.TenantID, Actor: actor, Action: domain.AuditSignOut, Subject: sess.UserID,
		Address: address, Detail: "session " + sid})
	s.notifyLogout(ctx, sess)
	return nil
}

// logoutDeadline bounds back-channel logout as a whole: the person signing out waits for it, so
// that every service has ended its session when the sign-out page shows, but a service that does
// not answer must not hold them up for long.
const logoutDeadline = 5 * time.Second

// notifyLogout sends back-channel logout to every party of the session, in parallel. It goes on
// if the person's request is cancelled (they closed the tab): the services must still be told.
func (s *App) notifyLogout(ctx context.Context, sess domain.Session) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), logoutDeadline)
	defer cancel()
	clients, err := s.store.SessionClients(ctx, sess.ID)
	if err != nil {
		s.log.ErrorContext(ctx, "back-channel logout: listing clients failed", "sid", sess.ID, "error", err)
		return
	}
	type result struct {
		client string
		err    error
	}
	results := make(chan result, len(clients))
	n := 0
	for _, id := range clients {
		c, err := s.store.ClientByID(ctx, id)
		if err != nil || c.BackchannelLogoutURI == "" {
			continue
		}
		n++
		go func() {
			results <- result{c.ID, s.logout.Send(ctx, c.ID, c.BackchannelLogoutURI, sess.UserID, sess.ID)}
		}()
	}
	for range n {
		r := <-results
		e := domain.AuditEvent{TenantID: sess.TenantID, Actor: "identity", Action: domain.AuditBackchannel, Subject: r.client, Detail: "session " + sess.ID}
		if r.err != nil {
			e.Outcome, e.Detail = "error", e.Detail+": "+r.err.Error()
		}
		s.audit(ctx, e)
	}
}
