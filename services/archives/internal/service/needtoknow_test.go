package service_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"gorm.io/gorm"

	"egov.vn/platform/libs/store/storetest"
)

// TestNeedToKnowMatrix: role × security level × action, on both databases. In xa-dong-tan the
// clerk registers one document with a file at each security level; each person then reads each
// one by every door: the API's metadata, deliveries, download and download URL, the listing and
// the search (which leave out what may not be read), and the pages' document view and download.
// Unclassified documents are read by clerks and leaders; classified ones by their registering
// clerk and by people holding a grant; a revoked grant reads nothing again; another unit gets
// 404 everywhere. Every read of a classified document is in the unit's access log, which only
// tenant.admin reads.
func TestNeedToKnowMatrix(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := start(t, options{db: db})
		const unit = "xa-dong-tan"
		levels := []string{"thuong", "mat", "toi-mat", "tuyet-mat"}
		docs, files := map[string]string{}, map[string]string{}
		for _, lvl := range levels {
			meta := outgoing("Can biet " + lvl)
			meta["security"] = lvl
			body, ct := multipartBody(meta, lvl+".pdf", strings.NewReader(string(pdf(lvl))))
			r := h.do(h.clerk(unit), http.MethodPost, "/api/v1/documents", body, ct)
			mustStatus(t, r, http.StatusCreated, "register "+lvl)
			docs[lvl] = r.json(t)["id"].(string)
			v := h.getJSON(h.clerk(unit), "/api/v1/documents/"+docs[lvl]).json(t)
			files[lvl] = v["files"].([]any)[0].(map[string]any)["id"].(string)
		}
		type person struct {
			name, tenant string
			roles        []string
			granted      bool // holds a grant on every classified document
		}
		people := []person{
			{name: "vanthu." + unit, tenant: unit, roles: []string{"archive.clerk"}}, // registered them all
			{name: "vanthu2", tenant: unit, roles: []string{"archive.clerk"}},
			{name: "lanhdao", tenant: unit, roles: []string{"dossier.approve"}},
			{name: "motcua", tenant: unit, roles: []string{"dossier.receive"}},
			{name: "khongvaitro", tenant: unit},
			{name: "quantri", tenant: unit, roles: []string{"tenant.admin"}},
			{name: "chuyenvien", tenant: unit, roles: []string{"dossier.handle"}, granted: true},
			{name: "vanthu.xa-dong-la", tenant: "xa-dong-la", roles: []string{"archive.clerk"}},
		}
		tokens := map[string]string{}
		for _, p := range people {
			tokens[p.name] = h.person(p.tenant, p.name, p.roles...)
		}
		// The clerk grants mật on the document page's button, the others through the API.
		if got := h.pagesSession("vanthu."+unit).submit("/documents/"+docs["mat"], "grant-form",
			url.Values{"subject": {subjectOf(t, tokens["chuyenvien"])}, "name": {"Chuyên viên"}}); got != http.StatusOK {
			t.Fatalf("grant on the page: %d", got)
		}
		for _, lvl := range levels[2:] {
			r := h.sendJSON(h.clerk(unit), http.MethodPost, "/api/v1/documents/"+docs[lvl]+"/grants",
				map[string]any{"subject": subjectOf(t, tokens["chuyenvien"]), "name": "Chuyên viên"})
			mustStatus(t, r, http.StatusOK, "grant "+lvl)
		}
		// A grant is recorded by a clerk who may read the document, not by anyone else.
		mustStatus(t, h.sendJSON(tokens["vanthu2"], http.MethodPost, "/api/v1/documents/"+docs["mat"]+"/grants",
			map[string]any{"subject": subjectOf(t, tokens["vanthu2"])}), http.StatusForbidden, "clerk without a grant grants herself")
		mustStatus(t, h.sendJSON(tokens["lanhdao"], http.MethodPost, "/api/v1/documents/"+docs["thuong"]+"/grants",
			map[string]any{"subject": "x"}), http.StatusForbidden, "leader records a grant")

		want := func(p person, lvl string) int {
			switch {
			case p.tenant != unit:
				return http.StatusNotFound
			case lvl == "thuong" && (slices.Contains(p.roles, "archive.clerk") || slices.Contains(p.roles, "dossier.approve")):
				return http.StatusOK
			case lvl != "thuong" && (p.name == "vanthu."+unit || p.granted):
				return http.StatusOK
			}
			return http.StatusForbidden
		}
		check := func(phase string, grantHolds bool) {
			t.Helper()
			for _, p := range people {
				tok := tokens[p.name]
				web := h.pagesClient(p.name)
				listed := ids(t, h.getJSON(tok, "/api/v1/documents"))
				found := ids(t, h.getJSON(tok, "/api/v1/documents?q=can+biet"))
				for _, lvl := range levels {
					pp := p
					pp.granted = p.granted && grantHolds
					w := want(pp, lvl)
					for _, c := range []struct{ what, method, path string }{
						{"get", http.MethodGet, "/api/v1/documents/" + docs[lvl]},
						{"deliveries", http.MethodGet, "/api/v1/documents/" + docs[lvl] + "/deliveries"},
						{"grants", http.MethodGet, "/api/v1/documents/" + docs[lvl] + "/grants"},
						{"download", http.MethodGet, "/api/v1/files/" + files[lvl] + "/content"},
						{"presign", http.MethodPost, "/api/v1/files/" + files[lvl] + "/download-url"},
					} {
						if r := h.do(tok, c.method, c.path, nil, ""); r.Status != w {
							t.Errorf("%s: %s %s %s: %d, want %d", phase, p.name, c.what, lvl, r.Status, w)
						}
					}
					for _, c := range []struct{ what, path string }{
						{"page view", "/documents/" + docs[lvl]},
						{"page download", "/files/" + files[lvl] + "/content"},
					} {
						if got := web(c.path); got != w {
							t.Errorf("%s: %s %s %s: %d, want %d", phase, p.name, c.what, lvl, got, w)
						}
					}
					if got := slices.Contains(listed, docs[lvl]); got != (w == http.StatusOK) {
						t.Errorf("%s: %s list shows %s: %v", phase, p.name, lvl, got)
					}
					if got := slices.Contains(found, docs[lvl]); got != (w == http.StatusOK) {
						t.Errorf("%s: %s search finds %s: %v", phase, p.name, lvl, got)
					}
				}
			}
		}
		check("granted", true)

		// Record files are browsed by the reader roles only.
		for _, p := range people {
			w := http.StatusForbidden
			if p.tenant != unit || slices.Contains(p.roles, "archive.clerk") || slices.Contains(p.roles, "dossier.approve") {
				w = http.StatusOK // another unit's clerk browses its own, empty, records
			}
			if r := h.getJSON(tokens[p.name], "/api/v1/records"); r.Status != w {
				t.Errorf("%s lists record files: %d, want %d", p.name, r.Status, w)
			}
		}

		// The unit's administrator reads who read each classified document; no one else does.
		for _, p := range people {
			w := http.StatusForbidden
			if p.name == "quantri" {
				w = http.StatusOK
			}
			if r := h.getJSON(tokens[p.name], "/api/v1/access-log"); r.Status != w {
				t.Errorf("%s reads the access log: %d, want %d", p.name, r.Status, w)
			}
		}
		if got := h.pagesClient("quantri")("/access-log"); got != http.StatusOK {
			t.Errorf("access log page for tenant.admin: %d", got)
		}
		log := h.getJSON(tokens["quantri"], "/api/v1/access-log?limit=500").json(t)["items"].([]any)
		seen := map[string]int{}
		for _, e := range log {
			m := e.(map[string]any)
			seen[m["document_id"].(string)+" "+m["actor"].(string)+" "+m["action"].(string)]++
		}
		cv := subjectOf(t, tokens["chuyenvien"])
		for _, lvl := range levels[1:] {
			for _, action := range []string{"view", "download", "presign"} {
				if seen[docs[lvl]+" "+cv+" "+action] == 0 {
					t.Errorf("the access log lacks chuyenvien's %s of %s: %v", action, lvl, seen)
				}
			}
			if n := seen[docs[lvl]+" "+subjectOf(t, tokens["lanhdao"])+" view"]; n != 0 {
				t.Errorf("a refused read of %s was logged as a view %d times", lvl, n)
			}
		}
		if seen[docs["thuong"]+" "+subjectOf(t, tokens["lanhdao"])+" view"] != 0 {
			t.Errorf("reading an unclassified document's metadata was logged")
		}

		// Revoked grants read nothing again; their record stays.
		if got := h.pagesSession("vanthu."+unit).submit("/documents/"+docs["mat"], "revoke-"+cv, nil); got != http.StatusOK {
			t.Fatalf("revoke on the page: %d", got)
		}
		for _, lvl := range levels[2:] {
			mustStatus(t, h.do(h.clerk(unit), http.MethodDelete, "/api/v1/documents/"+docs[lvl]+"/grants/"+url.PathEscape(cv), nil, ""),
				http.StatusNoContent, "revoke "+lvl)
		}
		mustStatus(t, h.do(h.clerk(unit), http.MethodDelete, "/api/v1/documents/"+docs["mat"]+"/grants/"+url.PathEscape(cv), nil, ""),
			http.StatusNotFound, "revoke again")
		check("revoked", false)
		g := h.getJSON(h.clerk(unit), "/api/v1/documents/"+docs["mat"]+"/grants").json(t)["items"].([]any)
		if len(g) != 1 || g[0].(map[string]any)["revoked_at"] == nil {
			t.Fatalf("the revoked grant's record: %v", g)
		}
	})
}

// ids are the document ids of a listing's answer.
func ids(t *testing.T, r response) []string {
	t.Helper()
	mustStatus(t, r, http.StatusOK, "list")
	var out []string
	for _, it := range r.json(t)["items"].([]any) {
		out = append(out, it.(map[string]any)["id"].(string))
	}
	return out
}

// subjectOf reads the sub claim of a token the test's identity issued (not verified: the test
// only needs the account id to name it in a grant).
func subjectOf(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Sub string `json:"sub"`
	}
	if err := json.Unmarshal(b, &c); err != nil || c.Sub == "" {
		t.Fatalf("no sub in %s", b)
	}
	return c.Sub
}

// pagesClient signs username (made by h.person) in to the archives' pages through identity's
// sign-in form, as a browser without JavaScript would, and returns a function that GETs a page
// path and answers its status.
func (h *harness) pagesClient(username string) func(path string) int {
	return h.pagesSession(username).get
}

// pageSession is a person signed in to the pages.
type pageSession struct {
	h        *harness
	c        *http.Client
	username string
}

// get answers the status of a page path.
func (s pageSession) get(path string) int {
	s.h.t.Helper()
	r, err := s.c.Get(s.h.base + path)
	if err != nil {
		s.h.t.Fatalf("page %s: %v", path, err)
	}
	_, _ = io.Copy(io.Discard, r.Body)
	_ = r.Body.Close()
	if !strings.HasPrefix(r.Request.URL.String(), s.h.base) {
		s.h.t.Fatalf("page %s for %s went to %s", path, s.username, r.Request.URL)
	}
	return r.StatusCode
}

// submit opens page, fills the form whose id is formID with values (over its hidden inputs, the
// CSRF token among them), submits it as a browser does and answers the status where it ends.
func (s pageSession) submit(page, formID string, values url.Values) int {
	s.h.t.Helper()
	r, err := s.c.Get(s.h.base + page)
	if err != nil {
		s.h.t.Fatalf("page %s: %v", page, err)
	}
	action, vals, err := formOf(r.Body, func(n *html.Node) bool { return attr(n, "id") == formID })
	_ = r.Body.Close()
	if err != nil {
		s.h.t.Fatalf("page %s for %s: %v", page, s.username, err)
	}
	for k, v := range values {
		vals[k] = v
	}
	target, err := r.Request.URL.Parse(action)
	if err != nil {
		s.h.t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, target.String(), strings.NewReader(vals.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", target.Scheme+"://"+target.Host)
	resp, err := s.c.Do(req)
	if err != nil {
		s.h.t.Fatalf("submit %s on %s: %v", formID, page, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

func (h *harness) pagesSession(username string) pageSession {
	h.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	resp, err := c.Get(h.base + "/")
	if err != nil {
		h.t.Fatalf("pages for %s: %v", username, err)
	}
	action, vals, err := formOf(resp.Body, func(n *html.Node) bool { return strings.Contains(attr(n, "action"), "/login") })
	_ = resp.Body.Close()
	if err != nil {
		h.t.Fatalf("sign-in page for %s: %v", username, err)
	}
	vals.Set("username", username)
	vals.Set("password", h.idp.Password)
	target, err := resp.Request.URL.Parse(action)
	if err != nil {
		h.t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, target.String(), strings.NewReader(vals.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", target.Scheme+"://"+target.Host)
	resp, err = c.Do(req)
	if err != nil {
		h.t.Fatalf("sign in %s: %v", username, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), h.base) {
		h.t.Fatalf("sign in %s ended at %s with %d", username, resp.Request.URL, resp.StatusCode)
	}
	return pageSession{h: h, c: c, username: username}
}

// formOf finds the first form that match picks: its action and its inputs (the hidden ones carry
// the request and the CSRF token).
func formOf(body io.Reader, match func(*html.Node) bool) (string, url.Values, error) {
	doc, err := html.Parse(body)
	if err != nil {
		return "", nil, err
	}
	var action string
	vals := url.Values{}
	var walk func(n *html.Node, inForm bool)
	walk = func(n *html.Node, inForm bool) {
		if n.Type == html.ElementNode && n.Data == "form" && action == "" && match(n) {
			action, inForm = attr(n, "action"), true
		}
		if inForm && n.Type == html.ElementNode && n.Data == "input" && attr(n, "name") != "" {
			vals.Set(attr(n, "name"), attr(n, "value"))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inForm)
		}
	}
	walk(doc, false)
	if action == "" {
		return "", nil, fmt.Errorf("no such form on the page")
	}
	return action, vals, nil
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}
