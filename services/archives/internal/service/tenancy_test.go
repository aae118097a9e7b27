package service_test

import (
	"bytes"
	"net/http"
	"testing"

	"egov.vn/platform/services/identity/identitytest"
)

// TestCrossTenantMatrix: every unit registers a document with a file; each unit then tries to
// read every unit's document, file, download URL and list. Only its own succeed — and, once
// xa-dong-tan sends its document to xa-dong-la, xa-dong-la reads its own incoming copy, never
// the sender's original. The district (a parent) reads nothing of its communes' archives.
func TestCrossTenantMatrix(t *testing.T) {
	h := start(t, options{})
	tenants := []string{"tinh-thai-binh", "huyen-dong-hung", "xa-dong-tan", "xa-dong-la"}
	docs, files := map[string]string{}, map[string]string{}
	for _, tn := range tenants {
		d, f := h.registerWithFile(tn, "Văn bản của "+tn, tn+".pdf", pdf(tn))
		docs[tn], files[tn] = d["id"].(string), f["id"].(string)
	}
	check := func(phase string) {
		for _, reader := range tenants {
			tok := h.clerk(reader)
			for _, owner := range tenants {
				want := http.StatusNotFound
				if reader == owner {
					want = http.StatusOK
				}
				for _, p := range []struct{ method, path string }{
					{http.MethodGet, "/api/v1/documents/" + docs[owner]},
					{http.MethodGet, "/api/v1/documents/" + docs[owner] + "/deliveries"},
					{http.MethodGet, "/api/v1/files/" + files[owner] + "/content"},
					{http.MethodPost, "/api/v1/files/" + files[owner] + "/download-url"},
				} {
					if r := h.do(tok, p.method, p.path, nil, ""); r.Status != want {
						t.Errorf("%s: %s %s %s of %s: %d, want %d", phase, reader, p.method, p.path, owner, r.Status, want)
					}
				}
				// Writes on another unit's document fail too.
				if reader != owner {
					r := h.sendJSON(tok, http.MethodPost, "/api/v1/documents/"+docs[owner]+"/send", map[string]any{"recipients": []string{reader}})
					if r.Status != http.StatusNotFound {
						t.Errorf("%s: %s sent %s's document: %d", phase, reader, owner, r.Status)
					}
				}
			}
			list := h.getJSON(tok, "/api/v1/documents").json(t)["items"].([]any)
			for _, it := range list {
				if ten := it.(map[string]any)["tenant"]; ten != reader {
					t.Errorf("%s: %s's list shows a document of %v", phase, reader, ten)
				}
			}
			if q := h.getJSON(tok, "/api/v1/documents?q=van+ban+cua").json(t)["items"].([]any); len(q) < 1 {
				t.Errorf("%s: %s finds none of its own documents by text", phase, reader)
			}
		}
	}
	check("before exchange")
	sent := h.sendJSON(h.clerk("xa-dong-tan"), http.MethodPost, "/api/v1/documents/"+docs["xa-dong-tan"]+"/send",
		map[string]any{"recipients": []string{"xa-dong-la"}})
	mustStatus(t, sent, http.StatusOK, "send")
	check("after exchange")
	in := sent.json(t)["deliveries"].([]any)[0].(map[string]any)["incoming_document_id"].(string)
	for _, reader := range tenants {
		want := http.StatusNotFound
		if reader == "xa-dong-la" {
			want = http.StatusOK
		}
		if r := h.getJSON(h.clerk(reader), "/api/v1/documents/"+in); r.Status != want {
			t.Errorf("%s reads the copy sent to xa-dong-la: %d, want %d", reader, r.Status, want)
		}
	}
}

// TestServiceTokensActForUnitsBelowThem: the attachments API takes a service token of an
// allowed client (dossiers); the tenant in the path must be the token's tenant or below it.
func TestServiceTokensActForUnitsBelowThem(t *testing.T) {
	h := start(t, options{})
	dossiers := h.idp.ServiceToken(t, "dossiers", "tinh-thai-binh", []string{"service"}, "archives")
	up := func(tok, tenant, ref string) response {
		body, ct := multipartBody(nil, "giay-to.pdf", bytes.NewReader(pdf("đơn đề nghị")))
		return h.do(tok, http.MethodPost, "/api/v1/tenants/"+tenant+"/attachments/"+ref, body, ct)
	}
	r := up(dossiers, "xa-dong-tan", "UBXDT-261127-0001")
	mustStatus(t, r, http.StatusCreated, "dossiers stores for xa-dong-tan")
	att := r.json(t)
	list := h.getJSON(dossiers, "/api/v1/tenants/xa-dong-tan/attachments/UBXDT-261127-0001").json(t)["items"].([]any)
	if len(list) != 1 {
		t.Fatalf("attachments %v", list)
	}
	dl := h.getJSON(dossiers, "/api/v1/tenants/xa-dong-tan/attachments/UBXDT-261127-0001/"+att["id"].(string)+"/content")
	if dl.Status != http.StatusOK || !bytes.Equal(dl.Body, pdf("đơn đề nghị")) {
		t.Fatalf("download attachment: %d", dl.Status)
	}
	// Another unit's attachments, a document through the attachments door, other clients, a
	// commune-level token acting for its sibling, a person's token: all refused.
	mustStatus(t, h.getJSON(dossiers, "/api/v1/tenants/xa-dong-la/attachments/UBXDT-261127-0001/"+att["id"].(string)+"/content"), http.StatusNotFound, "wrong tenant")
	_, f := h.registerWithFile("xa-dong-tan", "Văn bản nội bộ", "noi-bo.pdf", pdf("nội bộ"))
	mustStatus(t, h.getJSON(dossiers, "/api/v1/tenants/xa-dong-tan/attachments/UBXDT-261127-0001/"+f["id"].(string)+"/content"), http.StatusNotFound, "a document via attachments")
	reporting := h.idp.ServiceToken(t, "reporting", "tinh-thai-binh", []string{"service"}, "archives")
	mustStatus(t, up(reporting, "xa-dong-tan", "r1"), http.StatusForbidden, "client not allowed")
	communeDossiers := h.idp.ServiceToken(t, "dossiers-commune", "xa-dong-la", []string{"service"}, "archives")
	mustStatus(t, up(communeDossiers, "xa-dong-tan", "r2"), http.StatusForbidden, "sibling")
	mustStatus(t, up(h.clerk("xa-dong-tan"), "xa-dong-tan", "r3"), http.StatusForbidden, "person token")
	mustStatus(t, up(dossiers, "xa-khong-co", "r4"), http.StatusNotFound, "unknown tenant")
	// The unit sees the access in the log under the attachment's owner.
	var n int64
	h.db.Table("access_log").Where("tenant_id = ? AND action = 'download' AND document_id = ?", "xa-dong-tan", "dossiers:UBXDT-261127-0001").Count(&n)
	if n != 1 {
		t.Fatalf("attachment downloads logged: %d", n)
	}
}

// TestProvisioningEnsuresTheBucket: the operator's call creates the bucket with object lock,
// once; other callers are refused.
func TestProvisioningEnsuresTheBucket(t *testing.T) {
	h := start(t, options{})
	op := operatorToken(t, h.idp)
	body := map[string]any{"code": "12706", "name": "UBND xã Đông Xuân", "kind": "commune", "parent": "huyen-dong-hung"}
	r := h.sendJSON(op, http.MethodPut, "/api/v1/tenants/xa-dong-xuan", body)
	mustStatus(t, r, http.StatusOK, "provision")
	if m := r.json(t); m["created"] != true || m["tenant"] != "xa-dong-xuan" {
		t.Fatalf("first provision %v", m)
	}
	r = h.sendJSON(op, http.MethodPut, "/api/v1/tenants/xa-dong-xuan", body)
	if m := r.json(t); r.Status != http.StatusOK || m["created"] != false {
		t.Fatalf("second provision %d %v", r.Status, m)
	}
	lock, _, _, _, err := h.minio.GetObjectLockConfig(t.Context(), h.bucket("xa-dong-xuan"))
	if err != nil || lock != "Enabled" {
		t.Fatalf("object lock on the new bucket: %q, %v", lock, err)
	}
	mustStatus(t, h.sendJSON(h.clerk("xa-dong-tan"), http.MethodPut, "/api/v1/tenants/xa-dong-xuan", body), http.StatusForbidden, "clerk provisions")
	mustStatus(t, h.sendJSON(op, http.MethodPut, "/api/v1/tenants/Not_A_Slug", body), http.StatusUnprocessableEntity, "bad slug")
	// A valid client-credentials token without platform.admin is known and refused: 403, not 401
	// (issue 18, finding 12), whether its client is the province's or platform-wide.
	for _, tok := range []struct{ name, token string }{
		{"the dossiers service", h.idp.ServiceToken(t, "dossiers", "tinh-thai-binh", []string{"service"}, "archives")},
		{"a platform-wide service", h.idp.ServiceToken(t, "hr", "", []string{"service"}, "archives")},
	} {
		r := h.sendJSON(tok.token, http.MethodPut, "/api/v1/tenants/xa-dong-xuan", body)
		mustStatus(t, r, http.StatusForbidden, tok.name+" provisions")
		if r.Header.Get("WWW-Authenticate") != "" {
			t.Errorf("%s: a 403 asks for credentials: %q", tok.name, r.Header.Get("WWW-Authenticate"))
		}
	}
}

func operatorToken(t *testing.T, idp *identitytest.Server) string {
	t.Helper()
	return clientCredentials(t, idp.Issuer, idp.Operator.ID, idp.Operator.Secret)
}
