//go:build e2e

package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/oauth2/clientcredentials"

	"egov.vn/platform/libs/devkit/e2e"
)

// TestE2EServiceTokens: in the stack of `make run`, the dossiers service's own client-credentials
// token (its client as the dev stack registers it) stores a file for a commune through the
// archives' attachments API and lists it back; and that valid token, which lacks platform.admin,
// is refused with 403 (not 401) on every service's provisioning route (issue 18, finding 12).
func TestE2EServiceTokens(t *testing.T) {
	s := e2e.Start(t, e2e.SQLite)
	secret, err := os.ReadFile(filepath.Join(s.Var, "dossiers-client-secret"))
	if err != nil {
		t.Fatal(err)
	}
	cc := clientcredentials.Config{ClientID: "dossiers", ClientSecret: strings.TrimSpace(string(secret)), TokenURL: s.URL("/auth/oauth/token")}
	client := cc.Client(context.Background())
	do := func(method, path, contentType string, body io.Reader) (int, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(context.Background(), method, s.URL(path), body)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		return resp.StatusCode, string(b)
	}

	var form bytes.Buffer
	w := multipart.NewWriter(&form)
	part, _ := w.CreateFormFile("file", "don-de-nghi.pdf")
	_, _ = part.Write([]byte("%PDF-1.4\n% đơn đề nghị\n"))
	_ = w.Close()
	const attachments = "/archives/api/v1/tenants/" + commune + "/attachments/E2E-0001"
	if st, body := do(http.MethodPost, attachments, w.FormDataContentType(), &form); st != http.StatusCreated {
		t.Fatalf("the dossiers service stores an attachment for %s: %d, want 201\n%s", commune, st, body)
	}
	st, body := do(http.MethodGet, attachments, "", nil)
	var list struct {
		Items []struct {
			Name string `json:"name"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &list); st != http.StatusOK || err != nil || len(list.Items) != 1 || list.Items[0].Name != "don-de-nghi.pdf" {
		t.Fatalf("its attachments: %d %v\n%s", st, err, body)
	}

	provision := `{"code":"12799","name":"UBND xã Thử nghiệm","kind":"commune","parent":"huyen-dong-hung"}`
	for _, prefix := range []string{"/dossiers", "/archives", "/hr", "/reports"} {
		if st, body := do(http.MethodPut, prefix+"/api/v1/tenants/xa-thu-nghiem", "application/json", strings.NewReader(provision)); st != http.StatusForbidden {
			t.Errorf("%s provisioning with a service token lacking platform.admin: %d, want 403\n%s", prefix, st, body)
		}
	}
}
