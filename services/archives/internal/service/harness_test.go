package service_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/trace/noop"
	"gorm.io/gorm"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/config"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/httpapi/openapitest"
	"egov.vn/platform/libs/objstore"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/testenv"
	archivesapi "egov.vn/platform/services/archives/api"
	"egov.vn/platform/services/archives/internal/adapters"
	"egov.vn/platform/services/archives/internal/service"
	"egov.vn/platform/services/identity/identitytest"
)

// harness is the archives service on a loopback port, with a real identity, a real MinIO and a
// fresh database.
type harness struct {
	t      testing.TB
	idp    *identitytest.Server
	ar     *service.Service
	db     *gorm.DB
	minio  *minio.Client
	base   string // http://127.0.0.1:port/archives
	prefix string // bucket prefix of this test
	mu     sync.Mutex
	tokens map[string]string

	// answers records what the API answers during the test; at its end checkContract wants at
	// least answersAtLeast JSON answers validated, so that a harness that stopped recording fails.
	answers        *openapitest.Recorder
	answersAtLeast int
}

type options struct {
	db       *gorm.DB
	minio    *testenv.MinIOServer
	maxBytes int64
	idp      *identitytest.Server
	// js, when set, runs the hand-off of returned dossiers' results on it with workers workers.
	js      jetstream.JetStream
	workers int
}

func start(t testing.TB, o options) *harness {
	t.Helper()
	if o.idp == nil {
		o.idp = identitytest.Start(t)
	}
	if o.db == nil {
		o.db = storetest.SQLite(t)
	}
	if o.minio == nil {
		m := testenv.MinIO(t)
		o.minio = &m
	}
	if o.maxBytes == 0 {
		o.maxBytes = 2 << 30
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String() + "/archives"
	id, secret := o.idp.ServiceClient(t, "archives", base)
	prefix := "t" + randomHex(4) + "-"
	cfg := service.Config{
		Common:         config.Common{HTTPAddr: ln.Addr().String(), PublicBaseURL: base, ShutdownTimeout: time.Second},
		ServiceConfig:  auth.ServiceConfig{OIDCIssuer: o.idp.Issuer, OIDCClientID: id, OIDCClientSecret: secret, SecretKey: randomHex(32)},
		MaxUploadBytes: o.maxBytes, PartSize: 16 << 20, UploadThreads: 2, BucketTestPrefix: prefix, LockMode: "COMPLIANCE",
		PresignTTL: 5 * time.Minute, FixityInterval: time.Hour, FixityEvery: time.Hour, OrphanAge: time.Hour,
		ServiceClients:  []string{"dossiers", "dossiers-commune"},
		HandoffConsumer: "archives-handoff", HandoffWorkers: max(o.workers, 1),
	}
	mc, err := objstore.New(objstore.Config{Endpoint: o.minio.Endpoint, AccessKey: o.minio.AccessKey, SecretKey: o.minio.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	// The bootstrap migrates before New in production; the harness does it by hand.
	if err := adapters.Migrate(context.Background(), o.db); err != nil {
		t.Fatal(err)
	}
	ar, err := service.New(context.Background(), cfg, bootstrap.Deps{DB: o.db, Objects: mc, JetStream: o.js, Log: log, Tracer: noop.NewTracerProvider().Tracer("test")})
	if err != nil {
		t.Fatal(err)
	}
	if ar.Handoff != nil {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- ar.Handoff.Run(ctx) }()
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("hand-off consumer: %v", err)
			}
		})
	}
	engine := httpapi.NewEngine(httpapi.Options{Logger: log})
	// Every answer the API gives during the test, to the harness's client, to a raw request or
	// to Chromium, is recorded and held to api/openapi.yaml once the test is done.
	answers := openapitest.NewRecorder("/archives/api/v1")
	engine.Use(answers.Middleware())
	ar.Routes(engine)
	srv := httptest.NewUnstartedServer(engine)
	_ = srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	h := &harness{t: t, idp: o.idp, ar: ar, db: o.db, minio: mc, base: base, prefix: prefix, tokens: map[string]string{},
		answers: answers, answersAtLeast: 1}
	t.Cleanup(h.checkContract)
	return h
}

// checkContract holds every API answer of the test to api/openapi.yaml (libs/httpapi/openapitest):
// its route and status are documented, and a JSON body matches the documented schema. It runs
// when the test is done, after its last call.
func (h *harness) checkContract() {
	h.t.Helper()
	h.answers.Validate(h.t, archivesapi.OpenAPI, h.answersAtLeast)
}

// bucket is tenant's bucket in this test, by the storage contract.
func (h *harness) bucket(tenant string) string {
	return platform.BucketName(h.prefix, platform.Slug(tenant))
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// clerk returns the token of the clerk (văn thư) of tenant.
func (h *harness) clerk(tenant string) string {
	return h.person(tenant, "vanthu."+tenant, "archive.clerk")
}

func (h *harness) person(tenant, username string, roles ...string) string {
	h.t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	key := tenant + "/" + username
	if tok, ok := h.tokens[key]; ok {
		return tok
	}
	tok := h.idp.Token(h.t, identitytest.Person{Tenant: tenant, Username: username, Name: "Văn thư " + tenant, Roles: roles}, "archives")
	h.tokens[key] = tok
	return tok
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("answer %d is not JSON: %s", r.Status, r.Body)
	}
	return m
}

func (h *harness) do(token, method, path string, body io.Reader, contentType string) response {
	h.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, h.base+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

func (h *harness) getJSON(token, path string) response {
	return h.do(token, http.MethodGet, path, nil, "")
}

func (h *harness) sendJSON(token, method, path string, v any) response {
	b, _ := json.Marshal(v)
	return h.do(token, method, path, bytes.NewReader(b), "application/json")
}

// outgoing is a valid outgoing document's metadata.
func outgoing(subject string) map[string]any {
	return map[string]any{"direction": "outgoing", "issuing_organ": "UBND xã Đông Tân", "type": "quyet-dinh", "symbol": "QĐ-UBND",
		"issued_date": time.Now().Add(-48 * time.Hour).Format("2006-01-02"), "subject": subject, "signer": "Trần Văn An", "pages": 2}
}

// multipartBody streams metadata then a file part made of content, through a pipe.
func multipartBody(meta map[string]any, name string, content io.Reader) (io.Reader, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := func() error {
			if meta != nil {
				w, err := mw.CreateFormField("metadata")
				if err != nil {
					return err
				}
				if err := json.NewEncoder(w).Encode(meta); err != nil {
					return err
				}
			}
			if content != nil {
				w, err := mw.CreateFormFile("file", name)
				if err != nil {
					return err
				}
				if _, err := io.Copy(w, content); err != nil {
					return err
				}
			}
			return mw.Close()
		}()
		pw.CloseWithError(err)
	}()
	return pr, mw.FormDataContentType()
}

// registerWithFile registers an outgoing document of tenant with a file.
func (h *harness) registerWithFile(tenant, subject, name string, content []byte) (doc map[string]any, file map[string]any) {
	h.t.Helper()
	body, ct := multipartBody(outgoing(subject), name, bytes.NewReader(content))
	r := h.do(h.clerk(tenant), http.MethodPost, "/api/v1/documents", body, ct)
	if r.Status != http.StatusCreated {
		h.t.Fatalf("register with file: %d %s", r.Status, r.Body)
	}
	doc = r.json(h.t)
	v := h.getJSON(h.clerk(tenant), "/api/v1/documents/"+doc["id"].(string)).json(h.t)
	files := v["files"].([]any)
	if len(files) != 1 {
		h.t.Fatalf("files after registration: %v", v["files"])
	}
	return doc, files[0].(map[string]any)
}

// pdf is a small PDF-looking file: the sniffer knows it by its %PDF- header.
func pdf(text string) []byte {
	return []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% " + text + "\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

// outboxEvents returns the data of the events of type in the outbox.
func (h *harness) outboxEvents(verb string) []map[string]any {
	h.t.Helper()
	var payloads []string
	if err := h.db.Table("outbox_events").Where("subject LIKE ?", "%.archives.document."+verb).Order("id").Pluck("payload", &payloads).Error; err != nil {
		h.t.Fatal(err)
	}
	out := make([]map[string]any, 0, len(payloads))
	for _, p := range payloads {
		var e struct {
			Data map[string]any `json:"data"`
		}
		if err := json.Unmarshal([]byte(p), &e); err != nil {
			h.t.Fatal(err)
		}
		out = append(out, e.Data)
	}
	return out
}

func fields(t *testing.T, r response) map[string]string {
	t.Helper()
	var p struct {
		Fields []struct{ Field, Reason string } `json:"fields"`
	}
	_ = json.Unmarshal(r.Body, &p)
	out := map[string]string{}
	for _, f := range p.Fields {
		out[f.Field] = f.Reason
	}
	return out
}

func mustStatus(t *testing.T, r response, want int, what string) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("%s: status %d, want %d: %s", what, r.Status, want, r.Body)
	}
}
