package domain

import (
	"sort"
	"time"
)

// SignInLimit is how many failed sign-ins one key may collect inside a sliding window before it
// is locked, and for how long. A lock always has an end: the failures that caused it are spent on
// it, so when it ends the key starts again from none.
type SignInLimit struct {
	Max     int
	Window  time.Duration
	Lockout time.Duration
}

// SignInKey is one thing sign-in attempts are counted against: an account name (known or not, so
// unknown names answer exactly as known ones do) or a source address.
type SignInKey struct {
	Key   string
	Limit SignInLimit
}

// AccountKey is the key of a username's attempts. It names the username, not the account, so a
// name nobody has is counted and locked like one somebody has.
func AccountKey(username string) string { return "account:" + username }

// AddressKey is the key of a source address's attempts.
func AddressKey(address string) string { return "address:" + address }

// SignInLock says that attempts against Key are refused until Until.
type SignInLock struct {
	Key   string
	Until time.Time
}

// SignInInFlight bounds how long an attempt may take between being counted and being settled
// (a password hash takes well under a second). An attempt older than this that was never settled
// (the process died in between) counts as a failure, so a crash cannot leave a key blocked by
// attempts that will never end.
const SignInInFlight = time.Minute

// SignInCount is what a key's counter holds at one moment: its lock and, inside the window, the
// attempts that failed (or were abandoned) and those still being checked.
type SignInCount struct {
	LockedUntil time.Time
	Failed      int
	InFlight    int
}

// SignInDecision is what to do with a new attempt against one key.
type SignInDecision struct {
	Allow bool
	// Lock, when not zero, is a lock to write now: the limit was reached and no lock stands.
	Lock time.Time
	// RetryAt is when to try again when the attempt is refused.
	RetryAt time.Time
}

// Decide says whether one more attempt may be checked against a key with count c at now.
// Attempts still in flight count against the limit, so parallel guesses cannot all slip under
// it; while they are, the answer says the longest the wait can be (a lock written by the last
// of them would start no later than now).
func (l SignInLimit) Decide(c SignInCount, now time.Time) SignInDecision {
	switch {
	case c.LockedUntil.After(now):
		return SignInDecision{RetryAt: c.LockedUntil}
	case c.Failed >= l.Max:
		until := now.Add(l.Lockout)
		return SignInDecision{Lock: until, RetryAt: until}
	case c.Failed+c.InFlight >= l.Max:
		return SignInDecision{RetryAt: now.Add(l.Lockout)}
	}
	return SignInDecision{Allow: true}
}

// LockAfterFailure says whether a key whose count is c after one more failure at now must be
// locked, and until when (zero when not).
func (l SignInLimit) LockAfterFailure(c SignInCount, now time.Time) time.Time {
	if c.Failed >= l.Max && !c.LockedUntil.After(now) {
		return now.Add(l.Lockout)
	}
	return time.Time{}
}

// SortSignInKeys orders keys the one way every store operation locks them in, so that two
// attempts locking the same keys never wait on each other in a cycle.
func SortSignInKeys(keys []SignInKey) []SignInKey {
	out := append([]SignInKey(nil), keys...)
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
