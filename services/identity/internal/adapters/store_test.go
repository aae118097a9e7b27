package adapters_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/identity/internal/adapters"
	"egov.vn/platform/services/identity/internal/domain"
)

// base is 08:30 on a Monday in Hà Nội, when the one-stop desk opens. The app hands the store UTC
// times (app.App.Now), so the tests do too.
var base = time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)

// newStore migrates db and returns identity's store over it.
func newStore(t *testing.T, db *gorm.DB) *adapters.Store {
	t.Helper()
	migrated(t, db)
	return adapters.NewStore(db)
}

// seedDongTan stores the commune xa-dong-tan and its officer hoa.nt.
func seedDongTan(t *testing.T, st *adapters.Store) (domain.Tenant, domain.User) {
	t.Helper()
	ctx := context.Background()
	tenant := domain.Tenant{ID: uuid.NewString(), Slug: "xa-dong-tan", Code: "12700", Name: "UBND xã Đông Tân",
		Kind: platform.KindCommune, ParentID: uuid.NewString(), CreatedAt: base, UpdatedAt: base}
	if err := st.CreateTenant(ctx, tenant); err != nil {
		t.Fatalf("create tenant: %v", err)
	}
	hoa := domain.User{ID: uuid.NewString(), TenantID: tenant.ID, Username: "hoa.nt", Name: "Nguyễn Thị Hoa",
		Email: "hoa.nt@dongtan.gov.vn", Roles: []string{string(platform.RoleDossierHandle), string(platform.RoleDossierReceive)},
		PasswordHash: "$argon2id$placeholder", CreatedAt: base, UpdatedAt: base}
	if err := st.CreateUser(ctx, hoa); err != nil {
		t.Fatalf("create user: %v", err)
	}
	return tenant, hoa
}

// newSession stores a session of user created at created and expiring at expires.
func newSession(t *testing.T, st *adapters.Store, u domain.User, created, expires time.Time) domain.Session {
	t.Helper()
	s := domain.Session{ID: uuid.NewString(), UserID: u.ID, TenantID: u.TenantID, AMR: []string{"pwd"},
		AuthTime: created, CreatedAt: created, LastSeenAt: created, ExpiresAt: expires,
		UserAgent: "Mozilla/5.0 (Windows NT 10.0) Cốc Cốc", Address: "14.160.32.7"}
	if err := st.CreateSession(context.Background(), s, adapters.HashSecret(adapters.NewSecret())); err != nil {
		t.Fatalf("create session: %v", err)
	}
	return s
}

// together runs fn(0..n-1) in n goroutines released at the same moment and waits for them.
func together(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	wg.Wait()
}

func count(t *testing.T, db *gorm.DB, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := db.Table(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func wantKind(t *testing.T, err error, kind apperr.Kind, what string) {
	t.Helper()
	if got := apperr.KindOf(err); got != kind {
		t.Fatalf("%s: kind %v (error %v), want %v", what, got, err, kind)
	}
}

// signInCounts drives one store's sign-in counts at a chosen time (no sleeps: time is an argument).
type signInCounts struct {
	t  *testing.T
	st *adapters.Store
}

// reserve counts one attempt against k at now and returns its id, or the lock that refused it.
func (c signInCounts) reserve(k domain.SignInKey, now time.Time) (string, *domain.SignInLock) {
	c.t.Helper()
	id := uuid.NewString()
	refused, _, err := c.st.ReserveSignIn(context.Background(), id, []domain.SignInKey{k}, now)
	if err != nil {
		c.t.Fatalf("reserve %s: %v", k.Key, err)
	}
	return id, refused
}

// fail settles attempt id as failed and returns the lock it wrote, if any.
func (c signInCounts) fail(id string, k domain.SignInKey, now time.Time) []domain.SignInLock {
	c.t.Helper()
	locked, err := c.st.FailSignIn(context.Background(), id, []domain.SignInKey{k}, now)
	if err != nil {
		c.t.Fatalf("fail %s: %v", k.Key, err)
	}
	return locked
}

// failed makes n failed attempts against k at now, each allowed, and returns the locks written.
func (c signInCounts) failed(n int, k domain.SignInKey, now time.Time) []domain.SignInLock {
	c.t.Helper()
	var locks []domain.SignInLock
	for i := range n {
		id, refused := c.reserve(k, now)
		if refused != nil {
			c.t.Fatalf("attempt %d of %d against %s refused until %v", i+1, n, k.Key, refused.Until)
		}
		locks = append(locks, c.fail(id, k, now)...)
	}
	return locks
}

func (c signInCounts) lockedUntil(key string, now time.Time) time.Time {
	c.t.Helper()
	until, err := c.st.SignInLockedUntil(context.Background(), key, now)
	if err != nil {
		c.t.Fatal(err)
	}
	return until
}

// TestSignInCounts is the contract of the sliding-window sign-in counts (issue 18, findings 2 and
// 3) on both databases: parallel attempts cannot pass the limit, reaching the limit always writes
// a lock with an end, the lock's end does not move, it ends when its time ends, the window slides,
// abandoned attempts count, and one success does not wipe other accounts' failures from an address.
func TestSignInCounts(t *testing.T) {
	t.Parallel()
	const lockFor = 15 * time.Minute
	account := domain.SignInLimit{Max: 5, Window: 15 * time.Minute, Lockout: lockFor}
	address := domain.SignInLimit{Max: 30, Window: 15 * time.Minute, Lockout: lockFor}
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		c := signInCounts{t: t, st: newStore(t, db)}
		ctx := context.Background()

		t.Run("parallel attempts, then a lock that ends", func(t *testing.T) {
			c := signInCounts{t: t, st: c.st}
			k := domain.SignInKey{Key: domain.AccountKey("hoa.nt"), Limit: account}
			var granted []string
			var mu sync.Mutex
			together(50, func(int) {
				id := uuid.NewString()
				refused, _, err := c.st.ReserveSignIn(ctx, id, []domain.SignInKey{k}, base)
				switch {
				case err != nil:
					t.Errorf("reserve: %v", err)
				case refused == nil:
					mu.Lock()
					granted = append(granted, id)
					mu.Unlock()
				case !refused.Until.Equal(base.Add(lockFor)):
					t.Errorf("refused until %v, want at most %v", refused.Until, base.Add(lockFor))
				}
			})
			if len(granted) != account.Max {
				t.Fatalf("%d of 50 parallel attempts were counted, want %d", len(granted), account.Max)
			}
			var locks []domain.SignInLock
			for _, id := range granted {
				locks = append(locks, c.fail(id, k, base)...)
			}
			if len(locks) != 1 || !locks[0].Until.Equal(base.Add(lockFor)) {
				t.Fatalf("locks written by %d failures: %v; want one until %v", account.Max, locks, base.Add(lockFor))
			}
			// Refused attempts do not move the end of the lock.
			for _, at := range []time.Time{base.Add(time.Minute), base.Add(lockFor - time.Millisecond)} {
				if _, refused := c.reserve(k, at); refused == nil || !refused.Until.Equal(base.Add(lockFor)) {
					t.Fatalf("attempt at %v: refused %v, want until %v", at, refused, base.Add(lockFor))
				}
			}
			if until := c.lockedUntil(k.Key, base.Add(time.Minute)); !until.Equal(base.Add(lockFor)) {
				t.Fatalf("SignInLockedUntil = %v, want %v", until, base.Add(lockFor))
			}
			// The lock's failures were spent on it: when it ends, the count starts from none.
			after := base.Add(lockFor)
			if locks := c.failed(account.Max-1, k, after); len(locks) != 0 {
				t.Fatalf("%d failures after the lock ended locked again: %v", account.Max-1, locks)
			}
			if err := c.st.ClearSignIns(ctx, k.Key); err != nil {
				t.Fatal(err)
			}
			if locks := c.failed(account.Max-1, k, after); len(locks) != 0 {
				t.Fatalf("failures after ClearSignIns were still counted: %v", locks)
			}
		})

		t.Run("the window slides", func(t *testing.T) {
			c := signInCounts{t: t, st: c.st}
			inside := domain.SignInKey{Key: domain.AccountKey("lan.pt"), Limit: account}
			c.failed(account.Max-1, inside, base)
			if locks := c.failed(1, inside, base.Add(account.Window-time.Second)); len(locks) != 1 {
				t.Fatalf("a 5th failure inside the window wrote %v, want a lock", locks)
			}
			outside := domain.SignInKey{Key: domain.AccountKey("minh.lv"), Limit: account}
			c.failed(account.Max-1, outside, base)
			if locks := c.failed(1, outside, base.Add(account.Window)); len(locks) != 0 {
				t.Fatalf("a failure after the first four left the window wrote %v, want none", locks)
			}
		})

		t.Run("abandoned attempts count and lock", func(t *testing.T) {
			c := signInCounts{t: t, st: c.st}
			k := domain.SignInKey{Key: domain.AccountKey("tuan.nv"), Limit: account}
			for range account.Max {
				c.reserve(k, base) // never settled: the process died
			}
			at := base.Add(30 * time.Second)
			if _, refused := c.reserve(k, at); refused == nil || !refused.Until.Equal(at.Add(lockFor)) {
				t.Fatalf("while in flight: refused %v, want until at most %v", refused, at.Add(lockFor))
			}
			if until := c.lockedUntil(k.Key, at); !until.IsZero() {
				t.Fatalf("a lock %v was written while the attempts could still succeed", until)
			}
			at = base.Add(domain.SignInInFlight)
			refused, locked, err := c.st.ReserveSignIn(ctx, uuid.NewString(), []domain.SignInKey{k}, at)
			if err != nil || refused == nil || len(locked) != 1 || !locked[0].Until.Equal(at.Add(lockFor)) || !refused.Until.Equal(at.Add(lockFor)) {
				t.Fatalf("after the attempts were abandoned: refused %v, locked %v, %v; want a lock until %v", refused, locked, err, at.Add(lockFor))
			}
		})

		t.Run("one success does not wipe an address", func(t *testing.T) {
			c := signInCounts{t: t, st: c.st}
			addr := domain.SignInKey{Key: domain.AddressKey("14.160.32.7"), Limit: address}
			c.failed(15, addr, base)
			id, refused := c.reserve(addr, base.Add(time.Second))
			if refused != nil {
				t.Fatalf("the 16th attempt was refused: %v", refused)
			}
			if err := c.st.SucceedSignIn(ctx, id, []domain.SignInKey{addr}, nil, base.Add(time.Second)); err != nil {
				t.Fatal(err)
			}
			locks := c.failed(15, addr, base.Add(2*time.Second))
			if len(locks) != 1 || !locks[0].Until.Equal(base.Add(2*time.Second+lockFor)) {
				t.Fatalf("15 failures, a success and 15 failures wrote %v; want one lock", locks)
			}
		})

		t.Run("parallel successes and failures settle", func(t *testing.T) {
			c := signInCounts{t: t, st: c.st}
			keys := []domain.SignInKey{{Key: domain.AccountKey("thu.dt"), Limit: account}, {Key: domain.AddressKey("14.160.32.8"), Limit: address}}
			for round := range 10 {
				now := base.Add(time.Duration(round) * time.Hour)
				ids := make([]string, account.Max-1)
				for i := range ids {
					ids[i] = uuid.NewString()
					if refused, _, err := c.st.ReserveSignIn(ctx, ids[i], keys, now); err != nil || refused != nil {
						t.Fatalf("round %d: reserve %d: %v, %v", round, i, refused, err)
					}
				}
				together(len(ids), func(i int) {
					var err error
					if i%2 == 0 {
						err = c.st.SucceedSignIn(ctx, ids[i], keys, []string{keys[0].Key}, now)
					} else {
						_, err = c.st.FailSignIn(ctx, ids[i], keys, now)
					}
					if err != nil {
						t.Errorf("round %d: settling attempt %d: %v", round, i, err)
					}
				})
			}
		})

		t.Run("purge keeps only what can still count", func(t *testing.T) {
			c := signInCounts{t: t, st: c.st}
			now := base.Add(100 * time.Hour)
			sprayed := domain.SignInKey{Key: domain.AccountKey("khong.co.ai"), Limit: account}
			long := account
			long.Lockout = 2 * account.Window // still running when its failures have left the window
			locked := domain.SignInKey{Key: domain.AccountKey("bi.khoa"), Limit: long}
			recent := domain.SignInKey{Key: domain.AccountKey("vua.thu"), Limit: account}
			c.failed(1, sprayed, now)
			c.failed(account.Max, locked, now)
			c.failed(1, recent, now.Add(account.Window-time.Minute))
			later := now.Add(account.Window)
			if err := c.st.PurgeSignIns(ctx, later.Add(-account.Window), later); err != nil {
				t.Fatal(err)
			}
			for key, want := range map[string]int64{sprayed.Key: 0, locked.Key: 0, recent.Key: 1} {
				if n := count(t, db, "signin_attempts", "signin_key = ?", key); n != want {
					t.Errorf("%s: %d attempts left, want %d", key, n, want)
				}
			}
			for key, want := range map[string]int64{sprayed.Key: 0, locked.Key: 1, recent.Key: 1} {
				if n := count(t, db, "signin_counters", "signin_key = ?", key); n != want {
					t.Errorf("%s: %d counters left, want %d", key, n, want)
				}
			}
			if until := c.lockedUntil(locked.Key, later); !until.Equal(now.Add(long.Lockout)) {
				t.Errorf("the running lock after purge ends %v, want %v", until, now.Add(long.Lockout))
			}
		})

		t.Run("a new password clears the account's lock", func(t *testing.T) {
			c := signInCounts{t: t, st: c.st}
			_, hoa := seedDongTan(t, c.st)
			k := domain.SignInKey{Key: domain.AccountKey(hoa.Username), Limit: account}
			now := base.Add(time.Hour)
			if locks := c.failed(account.Max, k, now); len(locks) != 1 {
				t.Fatalf("no lock after %d failures", account.Max)
			}
			if err := c.st.SetPassword(ctx, hoa.ID, "$argon2id$new", true, now); err != nil {
				t.Fatal(err)
			}
			if _, refused := c.reserve(k, now); refused != nil {
				t.Fatalf("after a new password the account is refused until %v", refused.Until)
			}
		})
	})
}

// refreshToken is the first link of a family for hoa.nt in session sid.
func refreshToken(hoa domain.User, sid string, expires time.Time) domain.RefreshToken {
	return domain.RefreshToken{ID: uuid.NewString(), FamilyID: uuid.NewString(), ClientID: "dossiers", UserID: hoa.ID,
		SessionID: sid, TenantID: hoa.TenantID, Scopes: []string{"openid", "profile", "offline_access"},
		Audience: []string{"dossiers", "records"}, AMR: []string{"pwd", "otp"}, AuthTime: base,
		ExpiresAt: expires, CreatedAt: base}
}

func TestRefreshTokenRotation(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		st := newStore(t, db)
		ctx := context.Background()
		_, hoa := seedDongTan(t, st)
		sess := newSession(t, st, hoa, base, base.Add(10*time.Hour))

		first := refreshToken(hoa, sess.ID, base.Add(12*time.Hour))
		firstHash := adapters.HashSecret(adapters.NewSecret())
		if err := st.CreateRefreshToken(ctx, first, firstHash); err != nil {
			t.Fatal(err)
		}

		t.Run("one of parallel rotations wins", func(t *testing.T) {
			now := base.Add(10 * time.Minute)
			const racers = 20
			nexts := make([]domain.RefreshToken, racers)
			hashes := make([]string, racers)
			errs := make([]error, racers)
			for i := range racers {
				nexts[i] = first
				nexts[i].ID, nexts[i].CreatedAt, nexts[i].ExpiresAt = uuid.NewString(), now, now.Add(12*time.Hour)
				hashes[i] = adapters.HashSecret(adapters.NewSecret())
			}
			together(racers, func(i int) {
				errs[i] = st.RotateRefreshToken(ctx, firstHash, nexts[i], hashes[i], now)
			})
			winner := -1
			for i, err := range errs {
				switch {
				case err == nil && winner >= 0:
					t.Fatalf("rotations %d and %d both succeeded", winner, i)
				case err == nil:
					winner = i
				case !errors.Is(err, domain.ErrRefreshTokenUsed):
					t.Fatalf("rotation %d: %v, want ErrRefreshTokenUsed", i, err)
				}
			}
			if winner < 0 {
				t.Fatal("no rotation succeeded")
			}
			if n := count(t, db, "refresh_tokens", "family_id = ?", first.FamilyID); n != 2 {
				t.Fatalf("%d rows in the family, want 2", n)
			}

			used, err := st.RefreshTokenByHash(ctx, firstHash)
			if err != nil || used.UsedAt == nil || !used.UsedAt.Equal(now) {
				t.Fatalf("rotated link: UsedAt = %v, %v; want %v", used.UsedAt, err, now)
			}
			next, err := st.RefreshTokenByHash(ctx, hashes[winner])
			if err != nil {
				t.Fatal(err)
			}
			if next.ID != nexts[winner].ID || next.FamilyID != first.FamilyID || next.UsedAt != nil ||
				!slices.Equal(next.Scopes, first.Scopes) || !slices.Equal(next.Audience, first.Audience) ||
				!slices.Equal(next.AMR, first.AMR) || !next.AuthTime.Equal(base) || !next.ExpiresAt.Equal(now.Add(12*time.Hour)) {
				t.Fatalf("stored next link = %+v, want %+v", next, nexts[winner])
			}
			// A replay of the spent link stores nothing.
			again := first
			again.ID = uuid.NewString()
			if err := st.RotateRefreshToken(ctx, firstHash, again, adapters.HashSecret(adapters.NewSecret()), now); !errors.Is(err, domain.ErrRefreshTokenUsed) {
				t.Fatalf("replay: %v, want ErrRefreshTokenUsed", err)
			}
			if n := count(t, db, "refresh_tokens", "family_id = ?", first.FamilyID); n != 2 {
				t.Fatalf("%d rows in the family after a replay, want 2", n)
			}
		})

		t.Run("expired or revoked links do not rotate", func(t *testing.T) {
			now := base.Add(time.Hour)
			expired := refreshToken(hoa, sess.ID, now) // expires exactly now
			revoked := refreshToken(hoa, sess.ID, now.Add(12*time.Hour))
			for _, tok := range []domain.RefreshToken{expired, revoked} {
				if err := st.CreateRefreshToken(ctx, tok, "hash-"+tok.ID); err != nil {
					t.Fatal(err)
				}
			}
			if err := st.RevokeFamily(ctx, revoked.FamilyID, now.Add(-time.Minute)); err != nil {
				t.Fatal(err)
			}
			for name, tok := range map[string]domain.RefreshToken{"expired": expired, "revoked": revoked} {
				next := tok
				next.ID = uuid.NewString()
				if err := st.RotateRefreshToken(ctx, "hash-"+tok.ID, next, "hash-"+next.ID, now); !errors.Is(err, domain.ErrRefreshTokenUsed) {
					t.Errorf("rotate %s: %v, want ErrRefreshTokenUsed", name, err)
				}
				if n := count(t, db, "refresh_tokens", "family_id = ?", tok.FamilyID); n != 1 {
					t.Errorf("%s: %d rows in the family, want 1", name, n)
				}
			}
			if _, err := st.RefreshTokenByHash(ctx, "no-such-hash"); apperr.KindOf(err) != apperr.KindNotFound {
				t.Errorf("unknown hash: %v, want not found", err)
			}
		})

		t.Run("reads when the session ended", func(t *testing.T) {
			tok, err := st.RefreshTokenByHash(ctx, firstHash)
			if err != nil || tok.SessionEndedAt != nil {
				t.Fatalf("before the session ends: SessionEndedAt = %v, %v; want nil", tok.SessionEndedAt, err)
			}
			ended := base.Add(2 * time.Hour)
			if ok, err := st.EndSession(ctx, sess.ID, ended); err != nil || !ok {
				t.Fatalf("EndSession = %v, %v", ok, err)
			}
			tok, err = st.RefreshTokenByHash(ctx, firstHash)
			if err != nil || tok.SessionEndedAt == nil || !tok.SessionEndedAt.Equal(ended) {
				t.Fatalf("after the session ended: SessionEndedAt = %v, %v; want %v", tok.SessionEndedAt, err, ended)
			}
		})
	})
}

func TestSessions(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		st := newStore(t, db)
		ctx := context.Background()
		_, hoa := seedDongTan(t, st)
		lan := hoa
		lan.ID, lan.Username, lan.Name, lan.Email = uuid.NewString(), "lan.pt", "Phạm Thị Lan", ""
		if err := st.CreateUser(ctx, lan); err != nil {
			t.Fatal(err)
		}
		now := base.Add(time.Hour)
		older := newSession(t, st, hoa, base, base.Add(10*time.Hour))
		newer := newSession(t, st, hoa, base.Add(time.Minute), base.Add(10*time.Hour))
		ended := newSession(t, st, hoa, base.Add(2*time.Minute), base.Add(10*time.Hour))
		newSession(t, st, hoa, base.Add(3*time.Minute), now) // expires exactly now
		newSession(t, st, lan, base.Add(4*time.Minute), base.Add(10*time.Hour))

		if ok, err := st.EndSession(ctx, ended.ID, base.Add(30*time.Minute)); err != nil || !ok {
			t.Fatalf("first EndSession = %v, %v; want true", ok, err)
		}
		if ok, err := st.EndSession(ctx, ended.ID, base.Add(31*time.Minute)); err != nil || ok {
			t.Fatalf("second EndSession = %v, %v; want false", ok, err)
		}
		if ok, err := st.EndSession(ctx, uuid.NewString(), now); err != nil || ok {
			t.Fatalf("EndSession of an unknown session = %v, %v; want false", ok, err)
		}
		got, err := st.SessionByID(ctx, ended.ID)
		if err != nil || got.EndedAt == nil || !got.EndedAt.Equal(base.Add(30*time.Minute)) || got.Active(now) {
			t.Fatalf("ended session reads EndedAt = %v, %v; want the first end time", got.EndedAt, err)
		}

		active, err := st.ActiveSessions(ctx, hoa.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, s := range active {
			ids = append(ids, s.ID)
		}
		if want := []string{newer.ID, older.ID}; !slices.Equal(ids, want) {
			t.Fatalf("ActiveSessions = %v, want %v (newest first, no ended or expired one)", ids, want)
		}
		if a := active[1]; !slices.Equal(a.AMR, older.AMR) || !a.ExpiresAt.Equal(older.ExpiresAt) || a.Address != older.Address || a.UserAgent != older.UserAgent {
			t.Fatalf("session read back as %+v, want %+v", a, older)
		}
	})
}

func TestUseTOTPStep(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		st := newStore(t, db)
		ctx := context.Background()
		_, hoa := seedDongTan(t, st)
		if err := st.SetTOTP(ctx, hoa.ID, "JBSWY3DPEHPK3PXP", true, base); err != nil {
			t.Fatal(err)
		}
		step := base.Unix() / 30
		for _, c := range []struct {
			what string
			step int64
			want bool
		}{
			{"a fresh step", step, true},
			{"the same step again", step, false},
			{"an older step", step - 1, false},
			{"the next step", step + 1, true},
			{"the step before it", step, false},
		} {
			if ok, err := st.UseTOTPStep(ctx, hoa.ID, c.step); err != nil || ok != c.want {
				t.Fatalf("%s: UseTOTPStep = %v, %v; want %v", c.what, ok, err, c.want)
			}
		}
		// Enrolling again starts from scratch.
		if err := st.SetTOTP(ctx, hoa.ID, "KRSXG5CTMVRXEZLU", true, base); err != nil {
			t.Fatal(err)
		}
		if ok, err := st.UseTOTPStep(ctx, hoa.ID, step); err != nil || !ok {
			t.Fatalf("after SetTOTP: UseTOTPStep = %v, %v; want true", ok, err)
		}
	})
}

func TestAuthRequest(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		st := newStore(t, db)
		ctx := context.Background()
		_, hoa := seedDongTan(t, st)
		sess := newSession(t, st, hoa, base, base.Add(10*time.Hour))
		maxAge := int64(3600)
		req := domain.AuthRequest{ID: uuid.NewString(), ClientID: "dossiers",
			RedirectURI: "https://motcua.thaibinh.gov.vn/auth/callback", State: "st-8f2a", Nonce: "n-91c3",
			Scopes: []string{"openid", "profile"}, ResponseType: "code", CodeChallenge: strings.Repeat("x", 43),
			CodeChallengeMethod: "S256", Prompt: []string{"login"}, MaxAgeSeconds: &maxAge, LoginHint: "hoa.nt",
			UILocales: []string{"vi"}, CreatedAt: base}
		if err := st.SaveAuthRequest(ctx, req); err != nil {
			t.Fatal(err)
		}
		got, err := st.AuthRequestByID(ctx, req.ID, base.Add(-10*time.Minute))
		if err != nil || got.Done || !slices.Equal(got.Scopes, req.Scopes) || got.MaxAgeSeconds == nil ||
			*got.MaxAgeSeconds != maxAge || !slices.Equal(got.UILocales, req.UILocales) || got.CodeChallenge != req.CodeChallenge {
			t.Fatalf("AuthRequestByID = %+v, %v; want %+v", got, err, req)
		}
		if _, err := st.AuthRequestByID(ctx, req.ID, base); apperr.KindOf(err) != apperr.KindNotFound {
			t.Fatalf("AuthRequestByID not after notBefore: %v, want not found", err)
		}

		if err := st.CompleteAuthRequest(ctx, req.ID, hoa.ID, sess.ID, base.Add(time.Minute), []string{"pwd", "otp"}); err != nil {
			t.Fatal(err)
		}
		err = st.CompleteAuthRequest(ctx, req.ID, hoa.ID, sess.ID, base.Add(2*time.Minute), []string{"pwd"})
		wantKind(t, err, apperr.KindConflict, "second CompleteAuthRequest")
		got, err = st.AuthRequestByID(ctx, req.ID, base.Add(-10*time.Minute))
		if err != nil || !got.Done || got.UserID != hoa.ID || got.SessionID != sess.ID ||
			!got.AuthTime.Equal(base.Add(time.Minute)) || !slices.Equal(got.AMR, []string{"pwd", "otp"}) {
			t.Fatalf("completed request = %+v, %v; want the first completion", got, err)
		}

		codeHash := adapters.HashSecret(adapters.NewSecret())
		if err := st.SaveAuthCode(ctx, req.ID, codeHash); err != nil {
			t.Fatal(err)
		}
		err = st.SaveAuthCode(ctx, req.ID, adapters.HashSecret(adapters.NewSecret()))
		wantKind(t, err, apperr.KindConflict, "second SaveAuthCode")
		byCode, err := st.AuthRequestByCodeHash(ctx, codeHash, base.Add(-10*time.Minute))
		if err != nil || byCode.ID != req.ID {
			t.Fatalf("AuthRequestByCodeHash = %+v, %v; want request %s", byCode, err, req.ID)
		}
		_, err = st.AuthRequestByCodeHash(ctx, codeHash, base)
		wantKind(t, err, apperr.KindNotFound, "code of a request not after notBefore")
		_, err = st.AuthRequestByCodeHash(ctx, adapters.HashSecret("other"), base.Add(-10*time.Minute))
		wantKind(t, err, apperr.KindNotFound, "unknown code")

		if err := st.DeleteAuthRequest(ctx, req.ID); err != nil {
			t.Fatal(err)
		}
		_, err = st.AuthRequestByCodeHash(ctx, codeHash, base.Add(-10*time.Minute))
		wantKind(t, err, apperr.KindNotFound, "code of a deleted request")
	})
}

func TestUniqueViolationsAreConflicts(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		st := newStore(t, db)
		ctx := context.Background()
		tenant, hoa := seedDongTan(t, st)

		sameSlug := tenant
		sameSlug.ID, sameSlug.Code = uuid.NewString(), "12701"
		wantKind(t, st.CreateTenant(ctx, sameSlug), apperr.KindConflict, "tenant with a taken slug")
		sameCode := tenant
		sameCode.ID, sameCode.Slug = uuid.NewString(), "xa-dong-tan-2"
		wantKind(t, st.CreateTenant(ctx, sameCode), apperr.KindConflict, "tenant with a taken code")

		sameName := hoa
		sameName.ID, sameName.Name = uuid.NewString(), "Nguyễn Thanh Hoà"
		wantKind(t, st.CreateUser(ctx, sameName), apperr.KindConflict, "user with a taken username")

		client := domain.Client{ID: "dossiers", TenantID: tenant.ID, Name: "Một cửa điện tử", Type: domain.ClientConfidential,
			SecretHash: adapters.HashSecret(adapters.NewSecret()), RedirectURIs: []string{"https://motcua.thaibinh.gov.vn/auth/callback"},
			GrantTypes: []string{domain.GrantAuthorizationCode}, CreatedAt: base, UpdatedAt: base}
		if err := st.CreateClient(ctx, client); err != nil {
			t.Fatal(err)
		}
		client.Name = "Một cửa (bản sao)"
		wantKind(t, st.CreateClient(ctx, client), apperr.KindConflict, "client with a taken id")

		_, err := st.TenantBySlug(ctx, "xa-khong-co")
		wantKind(t, err, apperr.KindNotFound, "unknown tenant")
		_, err = st.UserByUsername(ctx, "khong.co")
		wantKind(t, err, apperr.KindNotFound, "unknown user")
		_, err = st.ClientByID(ctx, "khong-co")
		wantKind(t, err, apperr.KindNotFound, "unknown client")

		// The failed inserts changed nothing.
		if n := count(t, db, "tenants", ""); n != 1 {
			t.Fatalf("%d tenants, want 1", n)
		}
		if u, err := st.UserByUsername(ctx, "hoa.nt"); err != nil || u.ID != hoa.ID || u.Name != hoa.Name {
			t.Fatalf("UserByUsername = %+v, %v; want the first hoa.nt", u, err)
		}
	})
}

func TestUserAndTenant(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		st := newStore(t, db)
		ctx := context.Background()
		tenant, hoa := seedDongTan(t, st)

		u, ten, err := st.UserAndTenant(ctx, hoa.ID)
		if err != nil {
			t.Fatal(err)
		}
		if u.ID != hoa.ID || u.Username != "hoa.nt" || u.Name != hoa.Name || u.Email != hoa.Email ||
			!slices.Equal(u.Roles, hoa.Roles) || u.TenantID != tenant.ID || u.Disabled {
			t.Fatalf("user = %+v, want %+v", u, hoa)
		}
		if ten.ID != tenant.ID || ten.Slug != "xa-dong-tan" || ten.Disabled {
			t.Fatalf("tenant = %+v, want xa-dong-tan enabled", ten)
		}

		tenant.Disabled, tenant.UpdatedAt = true, base.Add(time.Hour)
		if err := st.UpdateTenant(ctx, tenant); err != nil {
			t.Fatal(err)
		}
		if _, ten, err = st.UserAndTenant(ctx, hoa.ID); err != nil || ten.Slug != "xa-dong-tan" || !ten.Disabled {
			t.Fatalf("after disabling the tenant: %+v, %v; want xa-dong-tan disabled", ten, err)
		}
		_, _, err = st.UserAndTenant(ctx, uuid.NewString())
		wantKind(t, err, apperr.KindNotFound, "unknown user")
	})
}

func TestTransactRollsBack(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		st := newStore(t, db)
		ctx := context.Background()
		tenant, hoa := seedDongTan(t, st)
		errStop := errors.New("the district refused the transfer")

		phuong := domain.Tenant{ID: uuid.NewString(), Slug: "phuong-tien-phong", Code: "12703", Name: "UBND phường Tiền Phong",
			Kind: platform.KindWard, ParentID: tenant.ParentID, CreatedAt: base, UpdatedAt: base}
		err := st.Transact(ctx, func(ctx context.Context) error {
			if err := st.CreateTenant(ctx, phuong); err != nil {
				return err
			}
			if err := st.SetPassword(ctx, hoa.ID, "$argon2id$new", true, base.Add(time.Minute)); err != nil {
				return err
			}
			// Writes are visible inside the transaction, and a nested Transact joins it.
			return st.Transact(ctx, func(ctx context.Context) error {
				if _, err := st.TenantBySlug(ctx, phuong.Slug); err != nil {
					return err
				}
				return errStop
			})
		})
		if !errors.Is(err, errStop) {
			t.Fatalf("Transact = %v, want the error returned inside", err)
		}
		_, err = st.TenantBySlug(ctx, phuong.Slug)
		wantKind(t, err, apperr.KindNotFound, "tenant created in a rolled-back transaction")
		if u, err := st.UserByID(ctx, hoa.ID); err != nil || u.PasswordHash != hoa.PasswordHash || u.MustChangePassword {
			t.Fatalf("user after rollback = %+v, %v; want the password unchanged", u, err)
		}

		if err := st.Transact(ctx, func(ctx context.Context) error { return st.CreateTenant(ctx, phuong) }); err != nil {
			t.Fatal(err)
		}
		if _, err := st.TenantBySlug(ctx, phuong.Slug); err != nil {
			t.Fatalf("tenant of a committed transaction: %v", err)
		}
	})
}

// clock is the key ring's clock, moved by the test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

const (
	rotateEvery      = 24 * time.Hour
	maxTokenLifetime = time.Hour + time.Minute
)

func migrated(t *testing.T, db *gorm.DB) {
	t.Helper()
	if err := adapters.Migrate(context.Background(), db); err != nil {
		t.Fatalf("migrate: %v", err)
	}
}

func publishedIDs(t *testing.T, k *adapters.KeyRing) []string {
	t.Helper()
	keys, err := k.Published(context.Background())
	if err != nil {
		t.Fatalf("Published: %v", err)
	}
	ids := make([]string, len(keys))
	for i, p := range keys {
		ids[i] = p.ID
	}
	slices.Sort(ids)
	return ids
}

func sorted(ids ...string) []string {
	slices.Sort(ids)
	return ids
}

func signing(t *testing.T, k *adapters.KeyRing) *domain.SigningKey {
	t.Helper()
	key, err := k.Signing(context.Background())
	if err != nil {
		t.Fatalf("Signing: %v", err)
	}
	return key
}

func TestKeyRingReplicasMakeOneKey(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		migrated(t, db)
		clk := &clock{t: base}
		const replicas = 10
		keys := make([]*domain.SigningKey, replicas)
		together(replicas, func(i int) {
			key, err := adapters.NewKeyRing(db, rotateEvery, maxTokenLifetime, clk.Now).Signing(context.Background())
			if err != nil {
				t.Errorf("replica %d: %v", i, err)
				return
			}
			keys[i] = key
		})
		if t.Failed() {
			return
		}
		if n := count(t, db, "signing_keys", ""); n != 1 {
			t.Fatalf("%d signing keys after %d replicas started together, want 1", n, replicas)
		}
		for i, k := range keys {
			if k.ID != keys[0].ID || !k.PrivateKey.Equal(keys[0].PrivateKey) {
				t.Fatalf("replica %d signs with %s, replica 0 with %s", i, k.ID, keys[0].ID)
			}
		}
	})
}

// A replica that read the clock just before another replica made the first key (it was slow to
// reach the database, or its clock is a millisecond behind) must still find that key under the
// lock rather than make a second one.
func TestKeyRingReplicaBehindReusesNewKey(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		migrated(t, db)
		ctx := context.Background()
		released := make(chan struct{})
		behind := adapters.NewKeyRing(db, rotateEvery, maxTokenLifetime, func() time.Time {
			<-released
			return base
		})
		ahead := adapters.NewKeyRing(db, rotateEvery, maxTokenLifetime, func() time.Time { return base.Add(time.Millisecond) })

		type result struct {
			key *domain.SigningKey
			err error
		}
		done := make(chan result, 1)
		go func() {
			key, err := behind.Signing(ctx)
			done <- result{key, err}
		}()
		first := signing(t, ahead)
		close(released)
		r := <-done
		if r.err != nil {
			t.Fatal(r.err)
		}
		if n := count(t, db, "signing_keys", ""); n != 1 || r.key.ID != first.ID {
			t.Fatalf("%d signing keys, the replica behind signs with %s and the other with %s; want one shared key",
				n, r.key.ID, first.ID)
		}
	})
}

func TestKeyRingRotation(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		migrated(t, db)
		ctx := context.Background()
		clk := &clock{t: base}
		ring := adapters.NewKeyRing(db, rotateEvery, maxTokenLifetime, clk.Now)
		other := adapters.NewKeyRing(db, rotateEvery, maxTokenLifetime, clk.Now) // a second replica

		k1 := signing(t, ring)
		if again := signing(t, ring); again.ID != k1.ID {
			t.Fatalf("second Signing made key %s, want %s", again.ID, k1.ID)
		}
		if o := signing(t, other); o.ID != k1.ID || !o.PrivateKey.Equal(k1.PrivateKey) {
			t.Fatalf("the other replica signs with %s, want %s", o.ID, k1.ID)
		}
		if n := count(t, db, "signing_keys", ""); n != 1 {
			t.Fatalf("%d signing keys, want 1", n)
		}
		pub, err := ring.Published(ctx)
		if err != nil || len(pub) != 1 || pub[0].ID != k1.ID || !pub[0].PublicKey.Equal(&k1.PrivateKey.PublicKey) {
			t.Fatalf("Published = %+v, %v; want the public half of %s", pub, err, k1.ID)
		}

		// After rotateEvery the next signing makes a new key; the old one stays published.
		clk.Set(base.Add(rotateEvery))
		k2 := signing(t, ring)
		if k2.ID == k1.ID {
			t.Fatal("no new key after rotateEvery")
		}
		if o := signing(t, other); o.ID != k2.ID {
			t.Fatalf("the other replica signs with %s after rotateEvery, want %s", o.ID, k2.ID)
		}
		if got, want := publishedIDs(t, ring), sorted(k1.ID, k2.ID); !slices.Equal(got, want) {
			t.Fatalf("Published = %v, want %v", got, want)
		}
		clk.Set(base.Add(rotateEvery + maxTokenLifetime - time.Second))
		if got, want := publishedIDs(t, other), sorted(k1.ID, k2.ID); !slices.Equal(got, want) {
			t.Fatalf("Published just before the old key's last token expires = %v, want %v", got, want)
		}
		// Once the last token the old key signed has expired, it is gone.
		clk.Set(base.Add(rotateEvery + maxTokenLifetime))
		if got, want := publishedIDs(t, ring), []string{k2.ID}; !slices.Equal(got, want) {
			t.Fatalf("Published after rotateEvery+maxTokenLifetime = %v, want %v", got, want)
		}

		// Rotate retires the current key at once but keeps it published.
		rotatedAt := clk.Now()
		k3, err := ring.Rotate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if k3.ID == k2.ID {
			t.Fatal("Rotate returned the current key")
		}
		if s := signing(t, ring); s.ID != k3.ID {
			t.Fatalf("Signing after Rotate = %s, want %s", s.ID, k3.ID)
		}
		if got, want := publishedIDs(t, ring), sorted(k2.ID, k3.ID); !slices.Equal(got, want) {
			t.Fatalf("Published after Rotate = %v, want %v", got, want)
		}
		clk.Set(rotatedAt.Add(31 * time.Second)) // past the other replica's key cache
		if s := signing(t, other); s.ID != k3.ID {
			t.Fatalf("the other replica signs with %s after Rotate, want %s", s.ID, k3.ID)
		}
		clk.Set(rotatedAt.Add(maxTokenLifetime))
		if got, want := publishedIDs(t, ring), []string{k3.ID}; !slices.Equal(got, want) {
			t.Fatalf("Published maxTokenLifetime after Rotate = %v, want %v", got, want)
		}
		if n := count(t, db, "signing_keys", ""); n != 3 {
			t.Fatalf("%d signing keys, want 3", n)
		}
	})
}

// Hashing needs no database, so this test runs once rather than on each one.
func TestSecrets(t *testing.T) {
	t.Parallel()
	t.Run("HashSecret and SecretMatches", func(t *testing.T) {
		t.Parallel()
		if got, want := adapters.HashSecret("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
			t.Fatalf("HashSecret(abc) = %s, want the SHA-256 %s", got, want)
		}
		secret := adapters.NewSecret()
		if len(secret) != 43 || secret == adapters.NewSecret() {
			t.Fatalf("NewSecret = %q: want 43 base64url characters, different each time", secret)
		}
		hash := adapters.HashSecret(secret)
		if !adapters.SecretMatches(secret, hash) {
			t.Fatal("a secret does not match its own hash")
		}
		for _, wrong := range []string{"", secret[:42], secret + "x", strings.ToUpper(secret)} {
			if adapters.SecretMatches(wrong, hash) {
				t.Fatalf("%q matches the hash of %q", wrong, secret)
			}
		}
		if adapters.SecretMatches(secret, strings.ToUpper(hash)) {
			t.Fatal("a secret matches a hash in another case")
		}
		var s adapters.Secrets
		if x := s.New(); !s.Matches(x, s.Hash(x)) || s.Matches(x, s.Hash(s.New())) {
			t.Fatal("Secrets does not match SecretMatches")
		}
	})
	t.Run("PasswordHasher", func(t *testing.T) {
		t.Parallel()
		h := adapters.NewPasswordHasher(1024, 1, 1) // cheap; production uses 19 MiB × 2
		const password = "Mật-khẩu-Đông-Tân-2026"
		hash, err := h.Hash(password)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(hash, "$argon2id$v=19$m=1024,t=1,p=1$") || strings.Contains(hash, password) {
			t.Fatalf("hash %q is not a PHC argon2id string with the given parameters", hash)
		}
		if again, _ := h.Hash(password); again == hash {
			t.Fatal("two hashes of one password are equal: no salt")
		}
		if ok, err := h.Verify(password, hash); err != nil || !ok {
			t.Fatalf("Verify(right password) = %v, %v", ok, err)
		}
		for _, wrong := range []string{"Mat-khau-Dong-Tan-2026", "mật-khẩu-đông-tân-2026", password + " ", ""} {
			if ok, err := h.Verify(wrong, hash); err != nil || ok {
				t.Fatalf("Verify(%q) = %v, %v; want false", wrong, ok, err)
			}
		}
		if _, err := h.Verify(password, "not-a-hash"); err == nil {
			t.Fatal("Verify against a malformed hash did not fail")
		}
		h.DummyVerify(password)
	})
}

// post is one request a relying party received.
type post struct {
	method, path, contentType, logoutToken string
}

// relyingParty is a relying party's back-channel logout endpoint answering status.
type relyingParty struct {
	srv    *httptest.Server
	status atomic.Int32
	mu     sync.Mutex
	posts  []post
}

func newRelyingParty(t *testing.T) *relyingParty {
	t.Helper()
	rp := &relyingParty{}
	rp.status.Store(http.StatusOK)
	rp.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := r.ParseForm()
		rp.mu.Lock()
		rp.posts = append(rp.posts, post{r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.PostForm.Get("logout_token")})
		rp.mu.Unlock()
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(int(rp.status.Load()))
	}))
	t.Cleanup(rp.srv.Close)
	return rp
}

func (rp *relyingParty) received() []post {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	return slices.Clone(rp.posts)
}

func (rp *relyingParty) reset(status int) {
	rp.mu.Lock()
	rp.posts = nil
	rp.mu.Unlock()
	rp.status.Store(int32(status))
}

func TestBackchannelLogout(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		migrated(t, db)
		ctx := context.Background()
		const issuer = "https://id.thaibinh.gov.vn/auth"
		keys := adapters.NewKeyRing(db, rotateEvery, maxTokenLifetime, (&clock{t: time.Now().UTC()}).Now)
		rp := newRelyingParty(t)
		logs := slog.New(slog.NewTextHandler(io.Discard, nil))
		bc := adapters.NewBackchannel(issuer, keys, rp.srv.Client(), logs)
		uri := rp.srv.URL + "/auth/backchannel-logout"
		hoaID, sid := uuid.NewString(), uuid.NewString()

		t.Run("posts a logout token signed by the key ring", func(t *testing.T) {
			rp.reset(http.StatusOK)
			if err := bc.Send(ctx, "dossiers", uri, hoaID, sid); err != nil {
				t.Fatal(err)
			}
			posts := rp.received()
			if len(posts) != 1 {
				t.Fatalf("%d requests, want 1", len(posts))
			}
			p := posts[0]
			if p.method != http.MethodPost || p.path != "/auth/backchannel-logout" ||
				!strings.HasPrefix(p.contentType, "application/x-www-form-urlencoded") {
				t.Fatalf("request %s %s (%s), want a form POST to the back-channel URI", p.method, p.path, p.contentType)
			}

			jws, err := jose.ParseSignedCompact(p.logoutToken, []jose.SignatureAlgorithm{jose.ES256})
			if err != nil {
				t.Fatalf("logout token is not an ES256 JWS: %v", err)
			}
			header := jws.Signatures[0].Protected
			if typ := header.ExtraHeaders[jose.HeaderType]; typ != "logout+jwt" {
				t.Fatalf("typ header = %v, want logout+jwt (OpenID Back-Channel Logout 1.0 §2.4)", typ)
			}
			pub, err := keys.Published(ctx)
			if err != nil {
				t.Fatal(err)
			}
			idx := slices.IndexFunc(pub, func(p domain.PublicKey) bool { return p.ID == header.KeyID })
			if idx < 0 {
				t.Fatalf("kid %q is not published", header.KeyID)
			}
			payload, err := jws.Verify(pub[idx].PublicKey)
			if err != nil {
				t.Fatalf("logout token does not verify with the published key: %v", err)
			}
			var claims map[string]json.RawMessage
			if err := json.Unmarshal(payload, &claims); err != nil {
				t.Fatal(err)
			}
			str := func(name string) string {
				var s string
				_ = json.Unmarshal(claims[name], &s)
				return s
			}
			if str("iss") != issuer || str("sub") != hoaID || str("sid") != sid || str("jti") == "" {
				t.Fatalf("claims %s: want iss %s, sub %s, sid %s and a jti", payload, issuer, hoaID, sid)
			}
			var aud []string
			if err := json.Unmarshal(claims["aud"], &aud); err != nil {
				var one string
				if json.Unmarshal(claims["aud"], &one) != nil {
					t.Fatalf("aud %s is neither a string nor a list", claims["aud"])
				}
				aud = []string{one}
			}
			if !slices.Equal(aud, []string{"dossiers"}) {
				t.Fatalf("aud = %v, want [dossiers]", aud)
			}
			var events map[string]json.RawMessage
			if err := json.Unmarshal(claims["events"], &events); err != nil {
				t.Fatalf("events %s: %v", claims["events"], err)
			}
			if ev, ok := events["http://schemas.openid.net/event/backchannel-logout"]; !ok || !strings.HasPrefix(string(ev), "{") {
				t.Fatalf("events = %s, want the back-channel logout event with an object value", claims["events"])
			}
			if _, ok := claims["nonce"]; ok {
				t.Fatal("a logout token must not carry a nonce")
			}
			var iat, exp int64
			if json.Unmarshal(claims["iat"], &iat) != nil || json.Unmarshal(claims["exp"], &exp) != nil || exp <= iat || exp-iat > 600 {
				t.Fatalf("iat %s, exp %s: want a short-lived token", claims["iat"], claims["exp"])
			}
		})

		t.Run("retries a server error", func(t *testing.T) {
			rp.reset(http.StatusInternalServerError)
			if err := bc.Send(ctx, "dossiers", uri, hoaID, sid); err == nil {
				t.Fatal("Send reported success against a 500")
			}
			if posts := rp.received(); len(posts) != 3 {
				t.Fatalf("%d attempts against a 500, want 3", len(posts))
			}
		})

		t.Run("does not retry a refusal", func(t *testing.T) {
			rp.reset(http.StatusBadRequest)
			if err := bc.Send(ctx, "dossiers", uri, hoaID, sid); err == nil {
				t.Fatal("Send reported success against a 400")
			}
			if posts := rp.received(); len(posts) != 1 {
				t.Fatalf("%d attempts against a 400, want 1", len(posts))
			}
		})
	})
}
