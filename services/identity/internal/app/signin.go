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

// SignIn checks a username and password under both lockouts. Each attempt is counted before the
// password is checked (see Store.ReserveUserAttempt), so 50 parallel guesses get at most
// MaxUserAttempts answers; the rest are refused as locked without touching the password.
func (s *App) SignIn(ctx context.Context, in SignInInput) (res SignInResult, err error) {
	ctx, span := s.tracer.Start(ctx, "identity.App.SignIn")
	defer telemetry.End(span, &err)
	now := s.Now()
	fail := domain.AuditEvent{Actor: "anonymous", Action: domain.AuditSignInFailed, Subject: in.Username, Outcome: "denied", Address: in.Address}

	if in.Address != "" {
		ok, err := s.store.ReserveAddressAttempt(ctx, in.Address, s.cfg.MaxAddressAttempts, now)
		if err != nil {
			return res, err
		}
		if !ok {
			fail.Detail = "address locked"
			s.audit(ctx, fail)
			return res, &LockedOutError{Until: now.Add(s.cfg.AddressLockout), Address: true}
		}
	}
	user, err := s.store.UserByUsername(ctx, in.Username)
	if apperr.KindOf(err) == apperr.KindNotFound {
		s.hasher.DummyVerify(in.Password)
		s.failAddress(ctx, in.Address, now)
		fail.Detail = "unknown username"
		s.audit(ctx, fail)
		return res, ErrBadCredentials
	}
	if err != nil {
		return res, err
	}
	fail.TenantID, fail.Subject = user.TenantID, user.ID

	if err := s.reserveAttempt(ctx, user.ID, now); err != nil {
		if _, locked := IsLockedOut(err); locked {
			fail.Detail = "account locked"
			s.audit(ctx, fail)
		}
		return res, err
	}
	match, err := s.hasher.Verify(in.Password, user.PasswordHash)
	if err != nil {
		return res, err
	}
	if !match {
		s.failUser(ctx, user, in.Address, now)
		s.failAddress(ctx, in.Address, now)
		fail.Detail = "wrong password"
		s.audit(ctx, fail)
		return res, ErrBadCredentials
	}
	if user.Disabled {
		fail.Detail = "account disabled"
		s.audit(ctx, fail)
		return res, ErrAccountDisabled
	}
	if t, err := s.store.TenantByID(ctx, user.TenantID); err != nil || t.Disabled {
		fail.Detail = "tenant disabled"
		s.audit(ctx, fail)
		return res, ErrAccountDisabled
	}
	if in.Address != "" {
		if err := s.store.ResetAddressAttempts(ctx, in.Address); err != nil {
			return res, err
		}
	}
	if user.TOTPEnabled {
		// The account's count stays: the TOTP step counts against the same limit.
		return SignInResult{User: user, NeedTOTP: true}, nil
	}
	if err := s.store.ResetUserAttempts(ctx, user.ID); err != nil {
		return res, err
	}
	return SignInResult{User: user}, nil
}

// reserveAttempt counts one attempt against the account before its password or code is checked
// (see Store.ReserveUserAttempt) and returns a *LockedOutError when none is left. While the last
// allowed attempts are still being checked the account has no lock time yet; the answer then
// says the longest it can be.
func (s *App) reserveAttempt(ctx context.Context, userID string, now time.Time) error {
	ok, err := s.store.ReserveUserAttempt(ctx, userID, s.cfg.MaxUserAttempts, now)
	if err != nil || ok {
		return err
	}
	until, err := s.store.UserLockedUntil(ctx, userID, now)
	if err != nil {
		return err
	}
	if until.IsZero() {
		until = now.Add(s.cfg.UserLockout)
	}
	return &LockedOutError{Until: until}
}

func (s *App) failUser(ctx context.Context, user domain.User, address string, now time.Time) {
	locked, err := s.store.FailUserAttempt(ctx, user.ID, s.cfg.MaxUserAttempts, now, s.cfg.UserLockout)
	if err != nil {
		s.log.ErrorContext(ctx, "lockout update failed", "user_id", user.ID, "error", err)
		return
	}
	if locked {
		s.audit(ctx, domain.AuditEvent{TenantID: user.TenantID, Actor: "anonymous", Action: domain.AuditLockedOut,
			Subject: user.ID, Outcome: "denied", Address: address, Detail: "account locked for " + s.cfg.UserLockout.String()})
	}
}

func (s *App) failAddress(ctx context.Context, address string, now time.Time) {
	if address == "" {
		return
	}
	locked, err := s.store.FailAddressAttempt(ctx, address, s.cfg.MaxAddressAttempts, now, s.cfg.AddressLockout)
	if err != nil {
		s.log.ErrorContext(ctx, "lockout update failed", "address", address, "error", err)
		return
	}
	if locked {
		s.audit(ctx, domain.AuditEvent{Actor: "anonymous", Action: domain.AuditLockedOut, Subject: address,
			Outcome: "denied", Address: address, Detail: "address locked for " + s.cfg.AddressLockout.String()})
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
	if err := s.reserveAttempt(ctx, user.ID, now); err != nil {
		if _, locked := IsLockedOut(err); locked {
			fail.Detail = "account locked"
			s.audit(ctx, fail)
		}
		return err
	}
	step, valid := s.matchTOTP(code, user.TOTPSecret, now)
	if valid {
		valid, err = s.store.UseTOTPStep(ctx, user.ID, step)
		if err != nil {
			return err
		}
	}
	if !valid {
		s.failUser(ctx, user, address, now)
		s.audit(ctx, fail)
		return ErrBadTOTP
	}
	return s.store.ResetUserAttempts(ctx, user.ID)
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
