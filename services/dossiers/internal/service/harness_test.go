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
	"net/textproto"
	"strconv"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace/noop"
	"gorm.io/gorm"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/config"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/httpapi/openapitest"
	"egov.vn/platform/libs/objstore"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/services/dossiers/api"
	"egov.vn/platform/services/dossiers/internal/adapters"
	"egov.vn/platform/services/dossiers/internal/service"
	"egov.vn/platform/services/identity/identitytest"
)

// harness is the dossiers service running for real on a loopback port against a real identity.
type harness struct {
	t      *testing.T
	IDP    *identitytest.Server
	Base   string // http://127.0.0.1:port/dossiers
	Svc    *service.Service
	DB     *gorm.DB
	client *http.Client

	answers *openapitest.Recorder
}

func start(t *testing.T, db *gorm.DB) *harness {
	t.Helper()
	idp := identitytest.Start(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	origin := "http://" + ln.Addr().String()
	base := origin + "/dossiers"
	id, secret := idp.ServiceClient(t, service.Name, base)
	// Result documents and scans go to a real MinIO, in buckets of this test's own prefix.
	minioSrv := testenv.MinIO(t)
	objects, err := objstore.New(objstore.Config{Endpoint: minioSrv.Endpoint, AccessKey: minioSrv.AccessKey, SecretKey: minioSrv.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	prefix := make([]byte, 4)
	_, _ = rand.Read(prefix)
	cfg := service.Config{
		Common:          config.Common{HTTPAddr: ln.Addr().String(), PublicBaseURL: base, LogLevel: slog.LevelInfo, ShutdownTimeout: 5 * time.Second},
		ServiceConfig:   auth.ServiceConfig{OIDCIssuer: idp.Issuer, OIDCClientID: id, OIDCClientSecret: secret, SecretKeyFile: t.TempDir() + "/key"},
		OverdueInterval: time.Minute, LookupLimit: 10, LookupWindow: 10 * time.Minute, LookupCodeLimit: 5, LookupCodeWindow: time.Hour,
		Files: true, BucketTestPrefix: "test-" + hex.EncodeToString(prefix) + "-",
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	// The bootstrap migrates before New in production; the harness does it by hand.
	if err := adapters.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	svc, err := service.New(context.Background(), cfg, bootstrap.Deps{DB: db, Outbox: events.NewOutbox(nil), Log: log,
		Tracer: noop.NewTracerProvider().Tracer("test"), Objects: objects})
	if err != nil {
		t.Fatal(err)
	}
	engine := httpapi.NewEngine(httpapi.Options{Logger: log})
	svc.Routes(engine)
	srv := &http.Server{Handler: engine, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	h := &harness{t: t, IDP: idp, Base: base, Svc: svc, DB: db, answers: openapitest.NewRecorder("/dossiers/api/v1")}
	h.client = &http.Client{Timeout: 30 * time.Second, Transport: h.answers.Transport(nil)}
	return h
}

// Person tokens of the test tree.
func (h *harness) token(tenant, user string, roles ...string) string {
	return h.IDP.Token(h.t, identitytest.Person{Tenant: tenant, Username: user, Name: "Cán bộ " + user, Roles: roles}, "dossiers")
}

func (h *harness) operator() string {
	return h.IDP.ServiceToken(h.t, "tenant-operator-test", "tinh-thai-binh", []string{"platform.admin"}, "dossiers")
}

// do sends a JSON request and decodes a JSON answer into out (when not nil).
func (h *harness) do(method, path, token string, body any, out any) int {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, h.Base+"/api/v1"+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			h.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
	return resp.StatusCode
}

// attachResult uploads a result document (multipart, as the API documents it) and decodes the
// answer into out.
func (h *harness) attachResult(id, token string, version int, file []byte, out any) int {
	h.t.Helper()
	return h.attachResultPart(id, token, version, file, `form-data; name="file"; filename="giay-chung-nhan.pdf"`, out)
}

// attachResultPart is attachResult with the file part's Content-Disposition as given.
func (h *harness) attachResultPart(id, token string, version int, file []byte, disposition string, out any) int {
	h.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range map[string]string{"version": strconv.Itoa(version), "result_type": "Giấy chứng nhận",
		"result_summary": "Giấy chứng nhận kết hôn", "result_signer": "Nguyễn Văn Chủ"} {
		_ = w.WriteField(k, v)
	}
	part := textproto.MIMEHeader{}
	part.Set("Content-Disposition", disposition)
	part.Set("Content-Type", "application/octet-stream")
	fw, _ := w.CreatePart(part)
	_, _ = fw.Write(file)
	_ = w.Close()
	req, _ := http.NewRequest("PUT", h.Base+"/api/v1/dossiers/"+id+"/result", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			h.t.Fatalf("attach result: decode %s: %v", b, err)
		}
	}
	return resp.StatusCode
}

// get fetches an API path and returns its status, content type and body.
func (h *harness) get(path, token string) (int, http.Header, []byte) {
	h.t.Helper()
	req, _ := http.NewRequest("GET", h.Base+"/api/v1"+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func (h *harness) provision(slug, code, name, kind, parent string) {
	h.t.Helper()
	var out map[string]any
	if st := h.do("PUT", "/tenants/"+slug, h.operator(), map[string]string{"code": code, "name": name, "kind": kind, "parent": parent}, &out); st != 200 {
		h.t.Fatalf("provision %s: %d %v", slug, st, out)
	}
}

// checkContract validates every recorded API answer against api/openapi.yaml
// (libs/httpapi/openapitest): the route and status are documented, and a JSON body matches the
// documented schema.
func (h *harness) checkContract(t *testing.T) {
	t.Helper()
	h.answers.Validate(t, api.OpenAPI, 20)
}
