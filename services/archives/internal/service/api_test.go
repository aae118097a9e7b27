package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
)

// TestRegisterSendReceiveRead walks the exchange through the API: a clerk registers an outgoing
// document with its file, downloads it (logged), sends it to another commune; it arrives in
// that commune's incoming register with its own number and a copy of the file, is read there,
// and the sender sees each state. Every step leaves the event EVENTS.md names.
func TestRegisterSendReceiveRead(t *testing.T) {
	h := start(t, options{})
	tan, la := h.clerk("xa-dong-tan"), h.clerk("xa-dong-la")
	content := pdf("Quyết định số 1")
	doc, file := h.registerWithFile("xa-dong-tan", "Quyết định thành lập tổ chuyển đổi số", "quyết-định-1.pdf", content)
	if doc["number"].(float64) != 1 || doc["notation"] != "1/QĐ-UBND" || doc["register"] != "outgoing" {
		t.Fatalf("registered %v", doc)
	}
	if file["content_type"] != "application/pdf" || file["size"].(float64) != float64(len(content)) || len(file["sha256"].(string)) != 64 {
		t.Fatalf("file %v", file)
	}
	id, fileID := doc["id"].(string), file["id"].(string)

	dl := h.getJSON(tan, "/api/v1/files/"+fileID+"/content")
	mustStatus(t, dl, http.StatusOK, "download")
	if !bytes.Equal(dl.Body, content) || !strings.Contains(dl.Header.Get("Content-Disposition"), "UTF-8''") {
		t.Fatalf("downloaded %d bytes, disposition %q", len(dl.Body), dl.Header.Get("Content-Disposition"))
	}
	ps := h.do(tan, http.MethodPost, "/api/v1/files/"+fileID+"/download-url", nil, "")
	mustStatus(t, ps, http.StatusOK, "presign")
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, ps.json(t)["url"].(string), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, content) {
		t.Fatalf("presigned URL: %d, %d bytes", resp.StatusCode, len(got))
	}
	view := h.getJSON(tan, "/api/v1/documents/"+id).json(t)
	if log := view["access_log"].([]any); len(log) != 2 {
		t.Fatalf("access log has %d entries, want the download and the presign: %v", len(log), log)
	}

	sent := h.sendJSON(tan, http.MethodPost, "/api/v1/documents/"+id+"/send", map[string]any{"recipients": []string{"xa-dong-la"}})
	mustStatus(t, sent, http.StatusOK, "send")
	again := h.sendJSON(tan, http.MethodPost, "/api/v1/documents/"+id+"/send", map[string]any{"recipients": []string{"xa-dong-la"}})
	mustStatus(t, again, http.StatusConflict, "send twice")

	inbox := h.getJSON(la, "/api/v1/documents?direction=incoming").json(t)["items"].([]any)
	if len(inbox) != 1 {
		t.Fatalf("xa-dong-la's incoming register: %v", inbox)
	}
	in := inbox[0].(map[string]any)
	if in["number"].(float64) != 1 || in["notation"] != "1/QĐ-UBND" || in["from_tenant"] != "xa-dong-tan" || in["arrival_date"] == nil {
		t.Fatalf("arrived as %v", in)
	}
	inID := in["id"].(string)
	inView := h.getJSON(la, "/api/v1/documents/"+inID).json(t)
	inFile := inView["files"].([]any)[0].(map[string]any)
	if inFile["sha256"] != file["sha256"] {
		t.Fatalf("copy's sha256 %v, original %v", inFile["sha256"], file["sha256"])
	}
	copyBytes := h.getJSON(la, "/api/v1/files/"+inFile["id"].(string)+"/content")
	if !bytes.Equal(copyBytes.Body, content) {
		t.Fatal("the recipient's copy differs")
	}
	// The copy lives in the recipient's own bucket.
	if _, err := h.minio.StatObject(context.Background(), h.bucket("xa-dong-la"), "documents/"+inID+"/"+lastSegment(t, h, la, inFile["id"].(string)), minio.StatObjectOptions{}); err != nil {
		t.Fatalf("copy not in xa-dong-la's bucket: %v", err)
	}

	states := func() string {
		ds := h.getJSON(tan, "/api/v1/documents/"+id+"/deliveries").json(t)["items"].([]any)
		return ds[0].(map[string]any)["state"].(string)
	}
	if s := states(); s != "received" {
		t.Fatalf("state after arrival %q", s)
	}
	mustStatus(t, h.do(la, http.MethodPost, "/api/v1/documents/"+inID+"/read", nil, ""), http.StatusNoContent, "read")
	mustStatus(t, h.do(la, http.MethodPost, "/api/v1/documents/"+inID+"/read", nil, ""), http.StatusNoContent, "read again")
	if s := states(); s != "read" {
		t.Fatalf("state after reading %q", s)
	}
	// Only the recipient acknowledges.
	mustStatus(t, h.do(tan, http.MethodPost, "/api/v1/documents/"+inID+"/read", nil, ""), http.StatusNotFound, "sender reads the copy")

	reg := h.outboxEvents("registered")
	if len(reg) != 2 || reg[0]["tenant"] != "xa-dong-tan" || reg[0]["register"] != "outgoing" || reg[0]["number"].(float64) != 1 ||
		reg[0]["notation"] != "1/QĐ-UBND" || reg[0]["type"] != "quyet-dinh" || reg[1]["tenant"] != "xa-dong-la" || reg[1]["register"] != "incoming" {
		t.Fatalf("registered events %v", reg)
	}
	if s := h.outboxEvents("sent"); len(s) != 1 || s[0]["document_id"] != id || s[0]["recipients"].([]any)[0] != "xa-dong-la" || s[0]["sent_at"] == nil {
		t.Fatalf("sent events %v", s)
	}
	if r := h.outboxEvents("received"); len(r) != 1 || r[0]["document_id"] != id || r[0]["tenant"] != "xa-dong-la" || r[0]["from_tenant"] != "xa-dong-tan" {
		t.Fatalf("received events %v", r)
	}
	if r := h.outboxEvents("read"); len(r) != 1 || r[0]["tenant"] != "xa-dong-la" || r[0]["from_tenant"] != "xa-dong-tan" || r[0]["read_at"] == nil {
		t.Fatalf("read events %v", r)
	}
	var subjects []string
	h.db.Table("outbox_events").Order("id").Pluck("subject", &subjects)
	if subjects[0] != "egov.xa-dong-tan.archives.document.registered" || !containsAll(subjects, "egov.xa-dong-la.archives.document.received", "egov.xa-dong-tan.archives.document.sent") {
		t.Fatalf("subjects %v", subjects)
	}
}

func containsAll(list []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, l := range list {
			found = found || l == w
		}
		if !found {
			return false
		}
	}
	return true
}

// lastSegment reads a file's object key's last part through the store (keys are not in the API).
func lastSegment(t *testing.T, h *harness, _ string, fileID string) string {
	t.Helper()
	var key string
	h.db.Table("stored_files").Where("id = ?", fileID).Pluck("object_key", &key)
	return key[strings.LastIndex(key, "/")+1:]
}

// TestBadInputIsAClear4xx: each fault gets its own status and names the field.
func TestBadInputIsAClear4xx(t *testing.T) {
	h := start(t, options{maxBytes: 1 << 20})
	tan := h.clerk("xa-dong-tan")
	bad := outgoing("")
	bad["type"], bad["priority"], bad["issued_date"] = "sac-lenh", "gap", "27/11/2026"
	r := h.sendJSON(tan, http.MethodPost, "/api/v1/documents", bad)
	mustStatus(t, r, http.StatusUnprocessableEntity, "invalid document")
	f := fields(t, r)
	for _, field := range []string{"subject", "type", "priority", "issued_date"} {
		if f[field] == "" {
			t.Errorf("no reason for %s in %v", field, f)
		}
	}
	mustStatus(t, h.do(tan, http.MethodPost, "/api/v1/documents", strings.NewReader("{"), "application/json"), http.StatusBadRequest, "broken JSON")
	mustStatus(t, h.sendJSON(tan, http.MethodPost, "/api/v1/documents", map[string]any{"colour": "red"}), http.StatusBadRequest, "unknown field")
	mustStatus(t, h.sendJSON("", http.MethodPost, "/api/v1/documents", outgoing("x")), http.StatusUnauthorized, "no token")
	viewer := h.person("xa-dong-tan", "lanh.dao", "report.view")
	mustStatus(t, h.sendJSON(viewer, http.MethodPost, "/api/v1/documents", outgoing("x")), http.StatusForbidden, "no clerk role")

	body, ct := multipartBody(outgoing("Tệp HTML"), "trang.html", strings.NewReader("<!DOCTYPE html><html><script>alert(1)</script></html>"))
	r = h.do(tan, http.MethodPost, "/api/v1/documents", body, ct)
	mustStatus(t, r, http.StatusUnprocessableEntity, "html file")
	if fields(t, r)["file"] == "" {
		t.Fatalf("html refusal names no field: %s", r.Body)
	}
	big := append(pdf("lớn"), bytes.Repeat([]byte("x"), 2<<20)...)
	body, ct = multipartBody(outgoing("Tệp quá lớn"), "lon.pdf", bytes.NewReader(big))
	mustStatus(t, h.do(tan, http.MethodPost, "/api/v1/documents", body, ct), http.StatusRequestEntityTooLarge, "too large")
	body, ct = multipartBody(outgoing("Tệp rỗng"), "rong.pdf", bytes.NewReader(nil))
	mustStatus(t, h.do(tan, http.MethodPost, "/api/v1/documents", body, ct), http.StatusUnprocessableEntity, "empty file")
	// A file part whose Content-Disposition cannot be read (two filename parameters) is a 400,
	// not a document registered without its file (issue 18, finding 11).
	meta, _ := json.Marshal(outgoing("Tệp có tiêu đề phần sai"))
	raw := "--b\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n" + string(meta) + "\r\n" +
		"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"; filename=\"b.pdf\"\r\nContent-Type: application/pdf\r\n\r\n" +
		string(pdf("hai tên")) + "\r\n--b--\r\n"
	r = h.do(tan, http.MethodPost, "/api/v1/documents", strings.NewReader(raw), "multipart/form-data; boundary=b")
	mustStatus(t, r, http.StatusBadRequest, "malformed file part")
	if !strings.Contains(string(r.Body), "Content-Disposition") {
		t.Fatalf("the refusal does not say what to fix: %s", r.Body)
	}
	// A name of nothing but bidi controls is no name.
	body, ct = multipartBody(outgoing("Tên tệp vô hình"), "\u202E\u2066", bytes.NewReader(pdf("vô hình")))
	mustStatus(t, h.do(tan, http.MethodPost, "/api/v1/documents", body, ct), http.StatusUnprocessableEntity, "invisible file name")
	// None of the refusals took a number or left a row.
	if items := h.getJSON(tan, "/api/v1/documents").json(t)["items"].([]any); len(items) != 0 {
		t.Fatalf("refused registrations left %d documents", len(items))
	}
	var objects, pending int64
	h.db.Table("stored_files").Count(&objects)
	h.db.Table("pending_uploads").Count(&pending)
	if objects != 0 || pending != 0 {
		t.Fatalf("refused uploads left %d file rows and %d pending marks", objects, pending)
	}
	ok := h.sendJSON(tan, http.MethodPost, "/api/v1/documents", outgoing("Văn bản hợp lệ"))
	mustStatus(t, ok, http.StatusCreated, "valid")
	if ok.json(t)["number"].(float64) != 1 {
		t.Fatalf("first valid document got %v", ok.json(t)["number"])
	}
	// The right-to-left override would show "hoa-don\u202Efdp.exe" as "hoa-donexe.pdf": it is not kept.
	if _, file := h.registerWithFile("xa-dong-tan", "Hóa đơn", "hoa-don\u202Efdp.exe.pdf", pdf("hóa đơn")); file["name"] != "hoa-donfdp.exe.pdf" {
		t.Fatalf("stored file name %q", file["name"])
	}
	mustStatus(t, h.getJSON(tan, "/api/v1/documents?direction=sideways"), http.StatusUnprocessableEntity, "bad filter")
	mustStatus(t, h.getJSON(tan, "/api/v1/documents/nope"), http.StatusNotFound, "unknown id")
	rec := map[string]any{"file_code": "01 VP", "title": "", "retention": map[string]any{"years": 99}, "creator": "", "start_date": "2026-01-01"}
	r = h.sendJSON(tan, http.MethodPost, "/api/v1/records", rec)
	mustStatus(t, r, http.StatusUnprocessableEntity, "invalid record")
	if f := fields(t, r); f["file_code"] == "" || f["title"] == "" || f["retention"] == "" || f["creator"] == "" {
		t.Fatalf("record faults %v", f)
	}
}
