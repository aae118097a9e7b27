package idempotency_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/idempotency"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/store/storetest"
)

// thing is what the test routes make: one row and one event per change, like a dossier's intake.
type thing struct {
	ID   string `gorm:"primaryKey"`
	Name string
}

type fixture struct {
	t     *testing.T
	db    *gorm.DB
	guard *idempotency.Guard
	srv   *httptest.Server
	// barrier, when set, holds each POST /things before its transaction until it is released.
	barrier *sync.WaitGroup
}

func newFixture(t *testing.T, db *gorm.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	if err := store.MigrateAll(ctx, db, events.Migrations, idempotency.Migrations); err != nil {
		t.Fatal(err)
	}
	if err := db.AutoMigrate(&thing{}); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	f := &fixture{t: t, db: db}
	f.guard = idempotency.New(db, idempotency.Options{Logger: log, Caller: func(c *gin.Context) (string, string) {
		return c.GetHeader("X-Tenant"), c.GetHeader("X-Subject")
	}})
	uow := events.NewUnitOfWork(db, nil)
	make := func(c *gin.Context, name string) (thing, error) {
		if f.barrier != nil {
			f.barrier.Done()
			f.barrier.Wait()
		}
		th := thing{ID: uuid.NewString(), Name: name}
		err := uow.Transact(c.Request.Context(), func(ctx context.Context) error {
			if err := uow.DB(ctx).Create(&th).Error; err != nil {
				return err
			}
			evt, err := events.New(events.Topic{Tenant: "xa-a", Service: "test", Entity: "thing", Verb: "made"}, th.ID, th)
			if err != nil {
				return err
			}
			return uow.Publish(ctx, evt)
		})
		return th, err
	}
	e := httpapi.NewEngine(httpapi.Options{Logger: log})
	api := e.Group("/api", f.guard.API(httpapi.RespondError))
	postThing := func(c *gin.Context) {
		var body struct{ Name string }
		if err := httpapi.BindJSON(c, &body); err != nil {
			httpapi.RespondError(c, err)
			return
		}
		th, err := make(c, body.Name)
		if err != nil {
			httpapi.RespondError(c, err)
			return
		}
		c.Header("Location", "/api/things/"+th.ID)
		c.JSON(http.StatusCreated, th)
	}
	api.POST("/things", postThing)
	// A change whose answer holds a secret shown once, as identity's account creation does.
	api.POST("/secrets", func(c *gin.Context) {
		th, err := make(c, "secret")
		if err != nil {
			httpapi.RespondError(c, err)
			return
		}
		idempotency.NoteSecret(c.Request.Context())
		c.JSON(http.StatusCreated, gin.H{"id": th.ID, "one_time_password": "Mk-" + th.ID})
	})
	// The same change as one PostgreSQL pipeline (store.PipelineTx), as dossiers' intake is made.
	api.POST("/piped", func(c *gin.Context) {
		if f.barrier != nil {
			f.barrier.Done()
			f.barrier.Wait()
		}
		th := thing{ID: uuid.NewString(), Name: "piped"}
		ctx := c.Request.Context()
		err := store.PipelineTx(ctx, db, nil, func() ([]store.Stmt, error) {
			idempotency.NoteResource(ctx, th.ID)
			ins, err := store.CreateStmt(db, &th)
			return []store.Stmt{ins}, err
		})
		if err != nil {
			httpapi.RespondError(c, err)
			return
		}
		c.JSON(http.StatusCreated, th)
	})
	// An upload route lifts the engine's body limit after the guard, reading the raw body.
	api.POST("/uploads", httpapi.MaxBody(8<<20), postThing)
	pages := e.Group("/pages", func(c *gin.Context) { _ = c.Request.ParseForm() }, // as CSRF does
		f.guard.Pages(func(c *gin.Context, err error) {
			status := http.StatusConflict
			if apperr.KindOf(err) == apperr.KindInvalid {
				status = http.StatusUnprocessableEntity
			}
			c.String(status, apperr.As(err).Message)
		}))
	pages.POST("/things", func(c *gin.Context) {
		th, err := make(c, c.PostForm("name"))
		if err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.Redirect(http.StatusSeeOther, "/pages/things/"+th.ID)
	})
	f.srv = httptest.NewServer(e)
	t.Cleanup(f.srv.Close)
	return f
}

type answer struct {
	status   int
	body     string
	location string
	replayed string
}

func (f *fixture) post(path, subject, key, contentType, body string) answer {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Tenant", "xa-a")
	if subject != "" {
		req.Header.Set("X-Subject", subject)
	}
	if key != "" {
		req.Header.Set(idempotency.HeaderName, key)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: string(b), location: resp.Header.Get("Location"),
		replayed: resp.Header.Get(idempotency.ReplayedHeader)}
}

func (f *fixture) postJSON(subject, key, name string) answer {
	f.t.Helper()
	b, _ := json.Marshal(map[string]string{"name": name})
	return f.post("/api/things", subject, key, "application/json", string(b))
}

func (f *fixture) count() int64 {
	f.t.Helper()
	var n int64
	if err := f.db.Model(&thing{}).Count(&n).Error; err != nil {
		f.t.Fatal(err)
	}
	return n
}

func TestRetryWithTheSameKeyGetsTheFirstAnswer(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		for i, path := range []string{"/api/things", "/api/uploads"} {
			key := uuid.NewString()
			first := f.post(path, "u1", key, "application/json", `{"name":"Giấy phép"}`)
			if first.status != http.StatusCreated || first.replayed != "" {
				t.Fatalf("%s: first = %+v", path, first)
			}
			again := f.post(path, "u1", key, "application/json", `{"name":"Giấy phép"}`)
			if again.status != first.status || again.body != first.body || again.location != first.location || again.replayed != "true" {
				t.Fatalf("%s: retry = %+v, want the first answer %+v replayed", path, again, first)
			}
			if n := f.count(); n != int64(i+1) {
				t.Fatalf("%s: %d things made, want %d", path, n, i+1)
			}
		}
	})
}

func TestWithoutKeyEveryRequestChanges(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		f.postJSON("u1", "", "a")
		f.postJSON("u1", "", "a")
		if n := f.count(); n != 2 {
			t.Fatalf("%d things made, want 2", n)
		}
	})
}

func TestKeysAreScopedByCaller(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		key := uuid.NewString()
		a := f.postJSON("u1", key, "a")
		b := f.postJSON("u2", key, "a")
		if b.replayed != "" || b.body == a.body || f.count() != 2 {
			t.Fatalf("another caller's request with the same key got %+v (first %+v), %d things", b, a, f.count())
		}
	})
}

func TestSameKeyWithAnotherBodyIsRefused(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		key := uuid.NewString()
		f.postJSON("u1", key, "a")
		other := f.postJSON("u1", key, "b")
		if other.status != http.StatusUnprocessableEntity || !strings.Contains(other.body, "idempotency_key_reused") {
			t.Fatalf("reused key = %+v, want 422 idempotency_key_reused", other)
		}
		if n := f.count(); n != 1 {
			t.Fatalf("%d things made, want 1", n)
		}
	})
}

func TestMalformedKeyIsRefused(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	got := f.postJSON("u1", strings.Repeat("k", 256), "a")
	if got.status != http.StatusBadRequest || f.count() != 0 {
		t.Fatalf("long key = %+v, %d things; want 400 and nothing made", got, f.count())
	}
}

// The crash the keys exist for: the change and its key committed, the answer never saved.
func TestLostAnswerIsDerivedAgainFromTheResource(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		key := uuid.NewString()
		first := f.postJSON("u1", key, "a")
		if err := db.Exec("UPDATE idempotency_keys SET status = 0, headers = '', body = NULL").Error; err != nil {
			t.Fatal(err)
		}
		lost := f.postJSON("u1", key, "a")
		if lost.status != http.StatusConflict || !strings.Contains(lost.body, "idempotency_answer_lost") {
			t.Fatalf("lost answer without a rederiver = %+v, want 409 idempotency_answer_lost", lost)
		}
		f.guard.Rederive(http.MethodPost, "/api/things", func(c *gin.Context, id string) {
			var th thing
			if err := db.Take(&th, "id = ?", id).Error; err != nil {
				httpapi.RespondError(c, err)
				return
			}
			c.Header("Location", "/api/things/"+th.ID)
			c.JSON(http.StatusCreated, th)
		})
		again := f.postJSON("u1", key, "a")
		if again.status != http.StatusCreated || again.location != first.location || again.body != first.body || again.replayed != "true" {
			t.Fatalf("derived answer = %+v, want the first %+v", again, first)
		}
		if n := f.count(); n != 1 {
			t.Fatalf("%d things made, want 1", n)
		}
	})
}

// An answer holding a secret shown once is never kept in the keys' table: a retry makes nothing
// again and is answered like a lost answer, naming what the first request made.
func TestSecretAnswerIsNeverKept(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		key := uuid.NewString()
		first := f.post("/api/secrets", "u1", key, "application/json", `{}`)
		if first.status != http.StatusCreated || !strings.Contains(first.body, "Mk-") {
			t.Fatalf("first = %+v", first)
		}
		var kept []struct {
			Status int
			Body   []byte
		}
		if err := db.Raw("SELECT status, body FROM idempotency_keys").Scan(&kept).Error; err != nil {
			t.Fatal(err)
		}
		if len(kept) != 1 || kept[0].Status != 0 || len(kept[0].Body) != 0 {
			t.Fatalf("the key's row keeps %+v, want the key without its answer", kept)
		}
		again := f.post("/api/secrets", "u1", key, "application/json", `{}`)
		if again.status != http.StatusConflict || !strings.Contains(again.body, "idempotency_answer_lost") || strings.Contains(again.body, "Mk-") {
			t.Fatalf("retry = %+v, want 409 idempotency_answer_lost without the secret", again)
		}
		if n := f.count(); n != 1 {
			t.Fatalf("%d things made, want 1", n)
		}
	})
}

// Two requests with one key, both past the lookup before either commits: the second's
// transaction finds the key taken, is rolled back, and is answered 409.
func TestConcurrentRequestsWithOneKeyChangeOnce(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		f.barrier = &sync.WaitGroup{}
		f.barrier.Add(2)
		key := uuid.NewString()
		answers := make(chan answer, 2)
		for range 2 {
			go func() { answers <- f.postJSON("u1", key, "a") }()
		}
		a, b := <-answers, <-answers
		if a.status > b.status {
			a, b = b, a
		}
		if a.status != http.StatusCreated || b.status != http.StatusConflict || !strings.Contains(b.body, "idempotency_key_in_use") {
			t.Fatalf("answers %+v and %+v, want 201 and 409 idempotency_key_in_use", a, b)
		}
		if n := f.count(); n != 1 {
			t.Fatalf("%d things made, want 1", n)
		}
		f.barrier = nil
		if again := f.postJSON("u1", key, "a"); again.body != a.body || again.replayed != "true" {
			t.Fatalf("retry after both = %+v, want the first answer", again)
		}
	})
}

func TestPageFormResubmissionGetsTheSameRedirect(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		form := url.Values{"name": {"a"}, idempotency.FieldName: {uuid.NewString()}}.Encode()
		first := f.post("/pages/things", "u1", "", "application/x-www-form-urlencoded", form)
		again := f.post("/pages/things", "u1", "", "application/x-www-form-urlencoded", form)
		if first.status != http.StatusSeeOther || again.status != http.StatusSeeOther || again.location != first.location || again.replayed != "true" {
			t.Fatalf("resubmission = %+v, first = %+v; want the same redirect", again, first)
		}
		if n := f.count(); n != 1 {
			t.Fatalf("%d things made, want 1", n)
		}
		// The same form, edited after going back to it, is refused in words staff can act on.
		edited := url.Values{"name": {"b"}, idempotency.FieldName: {keyOf(form)}}.Encode()
		refused := f.post("/pages/things", "u1", "", "application/x-www-form-urlencoded", edited)
		if refused.status != http.StatusUnprocessableEntity || !strings.Contains(refused.body, "hãy tải lại trang") || f.count() != 1 {
			t.Fatalf("edited resubmission = %+v, want 422 in Vietnamese and nothing made", refused)
		}
	})
}

// A double click: the second submission's transaction finds the key taken; it waits for the
// first answer and shows the same page instead of an error.
func TestDoubleSubmittedPageFormShowsTheSamePage(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		f.barrier = &sync.WaitGroup{}
		f.barrier.Add(2)
		form := url.Values{"name": {"a"}, idempotency.FieldName: {uuid.NewString()}}.Encode()
		answers := make(chan answer, 2)
		for range 2 {
			go func() { answers <- f.post("/pages/things", "u1", "", "application/x-www-form-urlencoded", form) }()
		}
		a, b := <-answers, <-answers
		if a.status != http.StatusSeeOther || b.status != http.StatusSeeOther || a.location != b.location {
			t.Fatalf("answers %+v and %+v, want the same redirect twice", a, b)
		}
		if n := f.count(); n != 1 {
			t.Fatalf("%d things made, want 1", n)
		}
	})
}

func keyOf(form string) string {
	v, _ := url.ParseQuery(form)
	return v.Get(idempotency.FieldName)
}

func TestAnonymousRequestsAreNotGuarded(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	key := uuid.NewString()
	f.postJSON("", key, "a")
	if again := f.postJSON("", key, "a"); again.replayed != "" || f.count() != 2 {
		t.Fatalf("anonymous retry = %+v with %d things; anonymous callers share no keys", again, f.count())
	}
}

func TestPurgeDeletesExpiredKeysOnly(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		f.postJSON("u1", uuid.NewString(), "a")
		f.postJSON("u1", uuid.NewString(), "b")
		if n, err := idempotency.Purge(context.Background(), db, time.Now()); err != nil || n != 0 {
			t.Fatalf("purge now = %d, %v; want nothing expired", n, err)
		}
		if n, err := idempotency.Purge(context.Background(), db, time.Now().Add(idempotency.DefaultTTL+time.Minute)); err != nil || n != 2 {
			t.Fatalf("purge after the TTL = %d, %v; want 2", n, err)
		}
	})
}

// On PostgreSQL a pipelined change records its key in its pipeline: a concurrent duplicate fails
// on the key and is answered 409, and a retry gets the first answer.
func TestPipelinedChangeRecordsItsKey(t *testing.T) {
	f := newFixture(t, storetest.Postgres(t))
	f.barrier = &sync.WaitGroup{}
	f.barrier.Add(2)
	key := uuid.NewString()
	answers := make(chan answer, 2)
	for range 2 {
		go func() { answers <- f.post("/api/piped", "u1", key, "application/json", "{}") }()
	}
	a, b := <-answers, <-answers
	if a.status > b.status {
		a, b = b, a
	}
	if a.status != http.StatusCreated || b.status != http.StatusConflict || !strings.Contains(b.body, "idempotency_key_in_use") || f.count() != 1 {
		t.Fatalf("answers %+v and %+v with %d things, want 201, 409 idempotency_key_in_use and one thing", a, b, f.count())
	}
	f.barrier = nil
	if again := f.post("/api/piped", "u1", key, "application/json", "{}"); again.body != a.body || again.replayed != "true" {
		t.Fatalf("retry = %+v, want the first answer %+v", again, a)
	}
	var resource string
	if err := f.db.Raw("SELECT resource FROM idempotency_keys").Scan(&resource).Error; err != nil || !strings.Contains(a.body, resource) || resource == "" {
		t.Fatalf("recorded resource %q (%v), want the thing of %s", resource, err, a.body)
	}
}
