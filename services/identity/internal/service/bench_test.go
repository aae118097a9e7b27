package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/sheet"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/identity/internal/adapters"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/service"
)

// The figures are per core: the benchmark's client runs in the same process on the same cores as
// identity, so throughput ÷ GOMAXPROCS understates what identity alone does per core.
func perCore(b *testing.B, start time.Time, unit string) {
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds()/float64(runtime.GOMAXPROCS(0)), unit)
}

func benchDBs(b *testing.B, fn func(b *testing.B, db *gorm.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, storetest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, storetest.Postgres(b)) })
}

func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}
}

func postToken(b *testing.B, c *http.Client, endpoint string, form url.Values, id, secret string) map[string]any {
	req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	resp, err := c.Do(req)
	if err != nil {
		b.Error(err)
		return nil
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		b.Errorf("token endpoint: %d %s", resp.StatusCode, body)
		return nil
	}
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return out
}

// BenchmarkClientCredentialsGrant: full HTTP token requests (client authentication, claims,
// ES256 signature). Goal ≥ 1,200 grants/s per core.
func BenchmarkClientCredentialsGrant(b *testing.B) {
	benchDBs(b, func(b *testing.B, db *gorm.DB) {
		h := startIdentity(b, db)
		c := benchClient()
		form := url.Values{"grant_type": {"client_credentials"}}
		tokenURL := h.Issuer + "/oauth/token"
		postToken(b, c, tokenURL, form, h.Operator.ID, h.Operator.Secret) // warm the key cache
		b.SetParallelism(4)
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if postToken(b, c, tokenURL, form, h.Operator.ID, h.Operator.Secret)["access_token"] == nil {
					return
				}
			}
		})
		perCore(b, start, "grants/s/core")
	})
}

// BenchmarkRefreshGrant: each goroutine rotates its own refresh-token family through the token
// endpoint (look-up, replay check, rotation in one transaction, new access and ID tokens).
// Goal ≥ 500 refreshes/s per core on PostgreSQL.
func BenchmarkRefreshGrant(b *testing.B) {
	benchDBs(b, func(b *testing.B, db *gorm.DB) {
		h := startIdentity(b, db)
		u := h.seedCommune(b, "hoa.nt", string(platform.RoleDossierReceive))
		secret := h.webClient(b, "dossiers", rpRedirect)
		ctx := context.Background()
		c := benchClient()
		tokenURL := h.Issuer + "/oauth/token"
		newFamily := func() string {
			_, sess, err := h.ID.App.StartSession(ctx, u, []string{"pwd"}, "127.0.0.1", "bench")
			if err != nil {
				b.Fatal(err)
			}
			rt, err := h.ID.App.IssueRefreshToken(ctx, app.Grant{ClientID: "dossiers", UserID: u.ID, SessionID: sess.ID,
				Scopes: []string{"openid", "offline_access"}, Audience: []string{"dossiers"}, AMR: []string{"pwd"}, AuthTime: time.Now()})
			if err != nil {
				b.Fatal(err)
			}
			return rt
		}
		b.SetParallelism(4)
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			rt := newFamily()
			for pb.Next() {
				out := postToken(b, c, tokenURL, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, "dossiers", secret)
				next, _ := out["refresh_token"].(string)
				if next == "" {
					return
				}
				rt = next
			}
		})
		perCore(b, start, "refreshes/s/core")
	})
}

// BenchmarkPasswordSignIn: one core, production argon2id parameters (19 MiB, 2 passes, 1 lane),
// with both lockout counters updated as in a real sign-in.
func BenchmarkPasswordSignIn(b *testing.B) {
	h := startIdentity(b, storetest.SQLite(b), func(c *service.Config) {
		c.Argon2MemoryKiB, c.Argon2Iterations, c.Argon2Parallelism = 19456, 2, 1
	})
	h.seedCommune(b, "hoa.nt", string(platform.RoleDossierReceive))
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		if _, err := h.ID.App.SignIn(ctx, app.SignInInput{Username: "hoa.nt", Password: h.Password, Address: "10.0.0.1"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "sign-ins/s/core")
}

// productionArgon2 reads the argon2id parameters production runs with (Config's envDefault
// tags), so the benchmark pays what a real import pays rather than the harness's cheap ones.
func productionArgon2(b *testing.B) (memoryKiB, iterations uint32, parallelism uint8) {
	tag := func(name string) uint64 {
		f, ok := reflect.TypeFor[service.Config]().FieldByName(name)
		if !ok {
			b.Fatalf("service.Config has no field %s", name)
		}
		n, err := strconv.ParseUint(f.Tag.Get("envDefault"), 10, 32)
		if err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		return n
	}
	return uint32(tag("Argon2MemoryKiB")), uint32(tag("Argon2Iterations")), uint8(tag("Argon2Parallelism"))
}

// BenchmarkBulkOnboarding: a district administrator commits a file of 1,000 accounts on
// PostgreSQL with production argon2id parameters (the commit checks the whole file again, hashes
// 1,000 one-time passwords on GOMAXPROCS goroutines, then inserts the accounts and their audit
// lines in one transaction). Goal ≤ 60 s on 2 cores. Also reports one hash's cost on one core.
func BenchmarkBulkOnboarding(b *testing.B) {
	mem, iter, par := productionArgon2(b)
	h := startIdentity(b, storetest.Postgres(b), func(c *service.Config) {
		c.Argon2MemoryKiB, c.Argon2Iterations, c.Argon2Parallelism = mem, iter, par
	})
	tr := h.seedTree(b)
	admin := tr.admins["huyen-dong-hung"]
	units := []string{"huyen-dong-hung", "xa-dong-tan", "xa-dong-hoa"}
	hasher := adapters.NewPasswordHasher(mem, iter, par)
	const hashes = 10
	start, cpu0 := time.Now(), cpuTime(b)
	for range hashes {
		if _, err := hasher.Hash(app.OneTimePassword()); err != nil {
			b.Fatal(err)
		}
	}
	perHash, cpuPerHash := time.Since(start)/hashes, (cpuTime(b)-cpu0)/hashes
	b.ResetTimer()
	cpu0 = cpuTime(b)
	for i := range b.N {
		var file strings.Builder
		file.WriteString("ten_dang_nhap,ho_ten,email,vai_tro,don_vi,ma_can_bo\n")
		for n := range 1000 {
			fmt.Fprintf(&file, "b%d.cb%04d,Cán bộ số %d,,dossier.receive;dossier.handle,%s,CB-%d-%04d\n", i, n, n, units[n%3], i, n)
		}
		rep, err := h.ID.App.ImportAccounts(context.Background(), admin, sheet.CSV, strings.NewReader(file.String()), true)
		if err != nil || !rep.Committed || len(rep.Accounts) != 1000 {
			b.Fatalf("commit: %v %+v", err, rep.Problems)
		}
	}
	b.StopTimer()
	// On a shared machine the wall time says more about the neighbours than about identity; the
	// CPU time this process spent (hashing, checking, the driver's side of the inserts) does not.
	b.ReportMetric((cpuTime(b)-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(perHash.Microseconds())/1000, "ms/hash")
	b.ReportMetric(float64(cpuPerHash.Microseconds())/1000, "cpu-ms/hash")
	b.ReportMetric(float64(mem), "argon2-KiB")
	b.ReportMetric(float64(iter), "argon2-iterations")
	b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "GOMAXPROCS")
	b.Logf("argon2id m=%d KiB t=%d p=%d: %v per hash on one core (%v of CPU); GOMAXPROCS %d", mem, iter, par, perHash, cpuPerHash, runtime.GOMAXPROCS(0))
}

// cpuTime is the user and system CPU time this process has used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
