package app

import (
	"context"
	"encoding/base32"
	"fmt"

	"github.com/pquerna/otp/totp"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/services/identity/internal/domain"
)

// PasswordError is a new password the policy refuses; Problem lets pages say why in Vietnamese.
type PasswordError struct {
	Problem domain.PasswordProblem
	Reason  string
}

func (e *PasswordError) Error() string { return "password " + e.Reason }

// Unwrap makes the error an apperr Invalid for the API.
func (e *PasswordError) Unwrap() error { return apperr.Invalid("new_password", e.Reason) }

func (s *App) checkPassword(username, password string) error {
	if p := s.cfg.PasswordPolicy.Check(username, password); p != "" {
		return &PasswordError{Problem: p, Reason: s.cfg.PasswordPolicy.Reason(p)}
	}
	return nil
}

// confirmPassword checks the password of a signed-in person before a sensitive change, counted
// against the same lockout as a sign-in (a stolen session must not become a guessing oracle).
// A wrong password is an Invalid error on field.
func (s *App) confirmPassword(ctx context.Context, user domain.User, password, address, field string) error {
	keys := []domain.SignInKey{s.accountKey(user.Username)}
	attempt, err := s.beginAttempt(ctx, keys, address, user.TenantID)
	if err != nil {
		return err
	}
	confirmed := false
	defer func() {
		if !confirmed {
			s.failAttempt(ctx, attempt, keys)
		}
	}()
	match, err := s.hasher.Verify(password, user.PasswordHash)
	if err != nil {
		return err
	}
	if !match {
		return apperr.Invalid(field, "the password is wrong")
	}
	confirmed = true
	return s.store.SucceedSignIn(ctx, attempt.id, keys, []string{keys[0].Key}, s.Now())
}

// ChangePassword replaces the password of userID after checking the current one (counted
// against the lockout like a sign-in).
func (s *App) ChangePassword(ctx context.Context, userID, current, next, address string) error {
	user, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if err := s.confirmPassword(ctx, user, current, address, "current_password"); err != nil {
		return err
	}
	now := s.Now()
	if current == next {
		return &PasswordError{Problem: domain.PasswordSameAsBefore, Reason: s.cfg.PasswordPolicy.Reason(domain.PasswordSameAsBefore)}
	}
	if err := s.checkPassword(user.Username, next); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(next)
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(ctx, user.ID, hash, false, now); err != nil {
		return err
	}
	s.audit(ctx, domain.AuditEvent{TenantID: user.TenantID, Actor: user.ID, Action: domain.AuditPasswordChange, Subject: user.ID, Address: address})
	return nil
}

// TOTPEnrolment is a new second-factor secret waiting for its first code.
type TOTPEnrolment struct {
	Secret string // base32, for typing into the app by hand
	URL    string // otpauth:// URL, shown as a QR code
}

// BeginTOTP makes a new secret for userID and keeps it unconfirmed; the second factor is not
// required until ConfirmTOTP proves the person's app produces the right codes.
func (s *App) BeginTOTP(ctx context.Context, userID, issuer string) (TOTPEnrolment, error) {
	user, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	if user.TOTPEnabled {
		return TOTPEnrolment{}, apperr.Conflict("totp_enabled", "the second factor is already on; turn it off first")
	}
	enr, err := totpEnrolment(issuer, user.Username, nil)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	if err := s.store.SetTOTP(ctx, user.ID, enr.Secret, false, s.Now()); err != nil {
		return TOTPEnrolment{}, err
	}
	return enr, nil
}

// totpEnrolment describes a TOTP key with pquerna/otp: a new random one when secret is nil,
// else the stored base32 secret again (for the QR code of a set-up not yet confirmed).
func totpEnrolment(issuer, account string, secret []byte) (TOTPEnrolment, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Secret: secret,
		Period: totpOptions.Period, Digits: totpOptions.Digits, Algorithm: totpOptions.Algorithm})
	if err != nil {
		return TOTPEnrolment{}, err
	}
	return TOTPEnrolment{Secret: key.Secret(), URL: key.URL()}, nil
}

// PendingTOTP returns the unconfirmed enrolment of userID, if one was begun.
func (s *App) PendingTOTP(ctx context.Context, userID, issuer string) (TOTPEnrolment, bool, error) {
	user, err := s.store.UserByID(ctx, userID)
	if err != nil || user.TOTPEnabled || user.TOTPSecret == "" {
		return TOTPEnrolment{}, false, err
	}
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(user.TOTPSecret)
	if err != nil {
		return TOTPEnrolment{}, false, fmt.Errorf("stored TOTP secret of %s: %w", user.ID, err)
	}
	enr, err := totpEnrolment(issuer, user.Username, secret)
	return enr, err == nil, err
}

// ConfirmTOTP turns the second factor on once code matches the pending secret.
func (s *App) ConfirmTOTP(ctx context.Context, userID, code, address string) error {
	user, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if user.TOTPEnabled || user.TOTPSecret == "" {
		return apperr.Conflict("totp_not_pending", "start the set-up of the second factor first")
	}
	step, ok := s.matchTOTP(code, user.TOTPSecret, s.Now())
	if !ok {
		return apperr.Invalid("code", "the code does not match; check the phone's clock and type the newest code")
	}
	if err := s.store.SetTOTP(ctx, user.ID, user.TOTPSecret, true, s.Now()); err != nil {
		return err
	}
	if _, err := s.store.UseTOTPStep(ctx, user.ID, step); err != nil {
		return err
	}
	s.audit(ctx, domain.AuditEvent{TenantID: user.TenantID, Actor: user.ID, Action: domain.AuditTOTPEnable, Subject: user.ID, Address: address})
	return nil
}

// DisableTOTP turns the second factor off after checking the password (counted against the
// lockout like a sign-in).
func (s *App) DisableTOTP(ctx context.Context, userID, password, address string) error {
	user, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if err := s.confirmPassword(ctx, user, password, address, "password"); err != nil {
		return err
	}
	if err := s.store.SetTOTP(ctx, user.ID, "", false, s.Now()); err != nil {
		return err
	}
	s.audit(ctx, domain.AuditEvent{TenantID: user.TenantID, Actor: user.ID, Action: domain.AuditTOTPDisable, Subject: user.ID, Address: address})
	return nil
}

// Sessions lists the user's active sessions.
func (s *App) Sessions(ctx context.Context, userID string) ([]domain.Session, error) {
	return s.store.ActiveSessions(ctx, userID, s.Now())
}

// EndOwnSession signs the user out of one of their own sessions.
func (s *App) EndOwnSession(ctx context.Context, userID, sid, address string) error {
	sess, err := s.store.SessionByID(ctx, sid)
	if err != nil {
		return err
	}
	if sess.UserID != userID {
		return apperr.NotFound("session", sid) // not "forbidden": do not confirm another's sid
	}
	return s.SignOut(ctx, sid, userID, address)
}

// User returns an account.
func (s *App) User(ctx context.Context, id string) (domain.User, error) {
	return s.store.UserByID(ctx, id)
}

// Tenant returns a tenant by id.
func (s *App) Tenant(ctx context.Context, id string) (domain.Tenant, error) {
	return s.store.TenantByID(ctx, id)
}

// ReplaceOneTimePassword sets the first real password of an account whose password was a
// one-time password. The caller has just verified that one-time password (SignIn); the account
// must still be marked MustChangePassword, so this cannot be used to skip the current password.
func (s *App) ReplaceOneTimePassword(ctx context.Context, userID, next, address string) error {
	user, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if !user.MustChangePassword {
		return apperr.Conflict("password_already_set", "the password was already changed; sign in again")
	}
	if err := s.checkPassword(user.Username, next); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(next)
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(ctx, user.ID, hash, false, s.Now()); err != nil {
		return err
	}
	s.audit(ctx, domain.AuditEvent{TenantID: user.TenantID, Actor: user.ID, Action: domain.AuditPasswordChange, Subject: user.ID,
		Address: address, Detail: "one-time password replaced"})
	return nil
}
