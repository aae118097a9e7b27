package domain

import (
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
)

// User is a staff account. It belongs to exactly one tenant; its roles apply in that tenant (and,
// for reading, in the tenants below it where a service allows that).
type User struct {
	ID                 string
	TenantID           string
	Username           string // unique across the platform, the sign-in name
	Name               string // full name as shown, "Nguyễn Thị Hoa"
	Email              string
	Roles              []string
	PasswordHash       string
	MustChangePassword bool // set for one-time passwords made by an administrator
	TOTPSecret         string
	TOTPEnabled        bool
	StaffID            string // the person's record in the HR service, when linked
	Disabled           bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// HasRole reports whether the user holds role r.
func (u User) HasRole(r platform.Role) bool { return slices.Contains(u.Roles, string(r)) }

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,63}$`)

// Validate checks the account's own fields (not the password: see PasswordPolicy).
func (u User) Validate() error {
	var errs apperr.FieldErrors
	if !usernameRE.MatchString(u.Username) {
		errs.Add("username", "must be 3 to 64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit, e.g. hoa.nt")
	}
	if strings.TrimSpace(u.Name) == "" || len([]rune(u.Name)) > 200 {
		errs.Add("name", "is required, at most 200 characters")
	}
	if u.Email != "" {
		if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
			errs.Add("email", "is not an e-mail address, e.g. hoa.nt@dongtan.gov.vn")
		}
	}
	if u.TenantID == "" {
		errs.Add("tenant", "is required")
	}
	return errs.Err()
}

// PasswordPolicy is what a new password must meet. The defaults follow NIST SP 800-63B: length
// over composition, no obvious choices, and no forced periodic change.
type PasswordPolicy struct {
	MinLength int
	MaxLength int
}

// DefaultPasswordPolicy is the platform's policy.
func DefaultPasswordPolicy() PasswordPolicy { return PasswordPolicy{MinLength: 10, MaxLength: 128} }

// PasswordProblem names why a password was refused; pages translate it, the API shows Reason.
type PasswordProblem string

const (
	PasswordTooShort     PasswordProblem = "too_short"
	PasswordTooLong      PasswordProblem = "too_long"
	PasswordTooSimple    PasswordProblem = "too_simple"
	PasswordHasUsername  PasswordProblem = "contains_username"
	PasswordCommon       PasswordProblem = "common"
	PasswordSameAsBefore PasswordProblem = "same_as_current"
)

// commonPasswords are choices that the policy's length alone would let through and that attackers
// try first; Vietnamese favourites included.
var commonPasswords = []string{
	"1234567890", "12345678910", "0123456789", "password123", "password1234", "matkhau123",
	"matkhau1234", "qwertyuiop", "abc1234567", "1qaz2wsx3edc", "iloveyou123", "admin12345",
	"vietnam123", "vietnam1234", "anhyeuem123", "123456789a", "a123456789", "motcua2024",
}

// Check returns the first problem with password for the account username, or "" when it passes.
func (p PasswordPolicy) Check(username, password string) PasswordProblem {
	n := len([]rune(password))
	switch {
	case n < p.MinLength:
		return PasswordTooShort
	case n > p.MaxLength:
		return PasswordTooLong
	}
	lower := strings.ToLower(password)
	if username != "" && strings.Contains(lower, strings.ToLower(username)) {
		return PasswordHasUsername
	}
	if slices.Contains(commonPasswords, lower) {
		return PasswordCommon
	}
	var letters, others bool
	distinct := map[rune]bool{}
	for _, r := range password {
		distinct[r] = true
		if unicode.IsLetter(r) {
			letters = true
		} else {
			others = true
		}
	}
	if !letters || !others || len(distinct) < 5 {
		return PasswordTooSimple
	}
	return ""
}

// Reason is the English explanation of a problem, for the API.
func (p PasswordPolicy) Reason(problem PasswordProblem) string {
	switch problem {
	case PasswordTooShort:
		return "must be at least " + strconv.Itoa(p.MinLength) + " characters"
	case PasswordTooLong:
		return "must be at most " + strconv.Itoa(p.MaxLength) + " characters"
	case PasswordHasUsername:
		return "must not contain the username"
	case PasswordCommon:
		return "is too common; choose another"
	case PasswordTooSimple:
		return "must mix letters with digits or symbols and use at least 5 different characters"
	case PasswordSameAsBefore:
		return "must differ from the current password"
	}
	return ""
}
