package domain

import (
	"testing"
	"time"
)

func TestSignInLimitDecides(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)
	l := SignInLimit{Max: 5, Window: 15 * time.Minute, Lockout: 15 * time.Minute}
	for _, tc := range []struct {
		name  string
		count SignInCount
		want  SignInDecision
	}{
		{"below the limit", SignInCount{Failed: 4}, SignInDecision{Allow: true}},
		{"locked: the lock's own end, not moved", SignInCount{LockedUntil: now.Add(time.Minute), Failed: 9}, SignInDecision{RetryAt: now.Add(time.Minute)}},
		{"a lock that ended starts nothing", SignInCount{LockedUntil: now, Failed: 1}, SignInDecision{Allow: true}},
		{"limit reached with no lock: one is written", SignInCount{Failed: 5}, SignInDecision{Lock: now.Add(l.Lockout), RetryAt: now.Add(l.Lockout)}},
		{"limit taken by attempts in flight: refused, nothing written", SignInCount{Failed: 2, InFlight: 3}, SignInDecision{RetryAt: now.Add(l.Lockout)}},
	} {
		if got := l.Decide(tc.count, now); got != tc.want {
			t.Errorf("%s: Decide(%+v) = %+v, want %+v", tc.name, tc.count, got, tc.want)
		}
	}
	if got := l.LockAfterFailure(SignInCount{Failed: 5, InFlight: 2}, now); !got.Equal(now.Add(l.Lockout)) {
		t.Errorf("the 5th failure locks until %v, want %v", got, now.Add(l.Lockout))
	}
	if got := l.LockAfterFailure(SignInCount{Failed: 6, LockedUntil: now.Add(time.Minute)}, now); !got.IsZero() {
		t.Errorf("a failure under a standing lock wrote another until %v", got)
	}
	if got := l.LockAfterFailure(SignInCount{Failed: 4, InFlight: 1}, now); !got.IsZero() {
		t.Errorf("4 failures locked until %v", got)
	}
}
