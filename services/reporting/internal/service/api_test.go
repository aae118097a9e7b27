package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/oauth2/clientcredentials"

	"egov.vn/platform/services/identity/identitytest"
)

func identityPerson(tenant, username string, roles ...string) identitytest.Person {
	return identitytest.Person{Tenant: tenant, Username: username, Name: "Người dùng " + username, Roles: roles}
}

// TestCrossTenantMatrix: a commune's viewer reads only its own unit, the district's viewer reads
// the district and each commune, nobody reads a unit above or beside their own, and a token
// without report.view reads nothing — for every read route.
func TestCrossTenantMatrix(t *testing.T) {
	h := start(t)
	h.seed()
	tokens := map[string]string{
		"commune":  h.viewer("xa-dong-tan", "lanh.dao.xa", "report.view"),
		"district": h.viewer("huyen-dong-hung", "lanh.dao.huyen", "report.view"),
		"norole":   h.viewer("huyen-dong-hung", "mot.cua", "dossier.receive"),
	}
	routes := []string{
		"/api/v1/units/%s/report?period=2026-Q1", "/api/v1/units/%s/dashboard?period=2026-03", "/api/v1/units/%s/ranking?period=2026",
		"/api/v1/units/%s/dossiers?period=2026&figure=received", "/api/v1/units/%s/targets?period=2026",
		"/api/v1/units/%s/export/ledger?period=2026&format=csv",
	}
	allowed := map[string]map[string]bool{
		"commune":  {"xa-dong-tan": true},
		"district": {"huyen-dong-hung": true, "xa-dong-tan": true, "xa-dong-la": true},
		"norole":   {},
	}
	for who, tok := range tokens {
		for _, unit := range []string{"tinh-thai-binh", "huyen-dong-hung", "xa-dong-tan", "xa-dong-la"} {
			for _, r := range routes {
				path := strings.Replace(r, "%s", unit, 1)
				got := h.do(tok, http.MethodGet, path, nil).status
				want := http.StatusForbidden
				if allowed[who][unit] {
					want = http.StatusOK
				}
				if got != want {
					t.Errorf("%s GET %s: %d, want %d", who, path, got, want)
				}
			}
		}
	}
	if got := h.do("", http.MethodGet, "/api/v1/units/xa-dong-tan/report", nil).status; got != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", got)
	}
	wrongAudience := h.idp.Token(t, identityPerson("xa-dong-tan", "sai.dich.vu", "report.view"), "dossiers")
	if got := h.do(wrongAudience, http.MethodGet, "/api/v1/units/xa-dong-tan/report", nil).status; got != http.StatusUnauthorized {
		t.Errorf("token for another service: %d, want 401", got)
	}

	// What each sees: the commune its own dossiers, the district every commune's.
	list := func(tok, unit string) []string {
		r := h.do(tok, http.MethodGet, "/api/v1/units/"+unit+"/dossiers?period=2026&figure=received", nil)
		var body struct {
			Dossiers []struct {
				Tenant string `json:"tenant"`
			} `json:"dossiers"`
		}
		if err := json.Unmarshal(r.body, &body); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range body.Dossiers {
			out = append(out, d.Tenant)
		}
		return out
	}
	for _, tn := range list(tokens["commune"], "xa-dong-tan") {
		if tn != "xa-dong-tan" {
			t.Errorf("the commune sees a dossier of %s", tn)
		}
	}
	if n := len(list(tokens["commune"], "xa-dong-tan")); n != 3 {
		t.Errorf("the commune sees %d dossiers, want its 3", n)
	}
	if n := len(list(tokens["district"], "huyen-dong-hung")); n != 5 {
		t.Errorf("the district sees %d dossiers, want the communes' 5", n)
	}
	// The commune's dashboard names no other unit.
	body := string(h.do(tokens["commune"], http.MethodGet, "/api/v1/units/xa-dong-tan/dashboard?period=2026", nil).body)
	if strings.Contains(body, "xa-dong-la") || strings.Contains(body, "Đông La") {
		t.Errorf("the commune's dashboard mentions another unit: %s", body)
	}
}

// TestReportFiguresAndRollUp checks the seeded figures through the API and that the district
// is the sum of its communes.
func TestReportFiguresAndRollUp(t *testing.T) {
	h := start(t)
	h.seed()
	tok := h.viewer("huyen-dong-hung", "lanh.dao.huyen", "report.view")
	r := h.do(tok, http.MethodGet, "/api/v1/units/huyen-dong-hung/dashboard?period=2026-Q1", nil)
	if r.status != http.StatusOK {
		t.Fatalf("dashboard: %d %s", r.status, r.body)
	}
	var d struct {
		Unit struct {
			Ledger     map[string]float64 `json:"ledger"`
			Indicators []struct {
				Code   string   `json:"code"`
				Value  *float64 `json:"value"`
				Met    *bool    `json:"met"`
				Target *struct {
					Value float64 `json:"value"`
				} `json:"target"`
			} `json:"indicators"`
		} `json:"unit"`
		Children []struct {
			Tenant struct {
				Slug string `json:"slug"`
			} `json:"tenant"`
			Ledger map[string]float64 `json:"ledger"`
		} `json:"children"`
	}
	if err := json.Unmarshal(r.body, &d); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"received": 5, "resolved": 3, "resolved_on_time": 2, "resolved_late": 1, "in_process": 2, "ratings": 3, "ratings_satisfied": 2}
	for k, v := range want {
		if d.Unit.Ledger[k] != v {
			t.Errorf("district %s = %v, want %v", k, d.Unit.Ledger[k], v)
		}
	}
	if len(d.Children) != 2 {
		t.Fatalf("%d communes, want 2", len(d.Children))
	}
	for k := range want {
		if sum := d.Children[0].Ledger[k] + d.Children[1].Ledger[k]; sum != d.Unit.Ledger[k] {
			t.Errorf("%s: communes sum to %v, district has %v", k, sum, d.Unit.Ledger[k])
		}
	}
	for _, iv := range d.Unit.Indicators {
		if iv.Code == "satisfaction" {
			if iv.Value == nil || *iv.Value < 66.66 || *iv.Value > 66.67 || iv.Target == nil || iv.Target.Value != 80 || iv.Met == nil || *iv.Met {
				t.Errorf("satisfaction: %+v, want 66.67 %% against the plan's 80 %%, not met", iv)
			}
		}
	}

	// Ranking: xa-dong-la (100 % on time) before xa-dong-tan (50 %).
	rk := h.do(tok, http.MethodGet, "/api/v1/units/huyen-dong-hung/ranking?period=2026&indicator=on_time_rate", nil).json(t)
	ranking := rk["ranking"].([]any)
	if first := ranking[0].(map[string]any)["tenant"].(map[string]any)["slug"]; first != "xa-dong-la" {
		t.Errorf("first in the ranking: %v, want xa-dong-la", first)
	}

	// Exports: CSV with the Vietnamese headings, XLSX that opens.
	csv := h.do(tok, http.MethodGet, "/api/v1/units/huyen-dong-hung/export/ledger?period=2026&format=csv", nil)
	if csv.status != http.StatusOK || !strings.Contains(string(csv.body), "Tiếp nhận trong kỳ") || !strings.Contains(string(csv.body), "UBND xã Đông La") {
		t.Errorf("ledger CSV: %d %s", csv.status, csv.body)
	}
	for _, table := range []string{"ledger", "indicators", "ranking", "trend", "staff", "dossiers"} {
		x := h.do(tok, http.MethodGet, "/api/v1/units/huyen-dong-hung/export/"+table+"?period=2026&format=xlsx&figure=received", nil)
		if x.status != http.StatusOK {
			t.Fatalf("%s XLSX: %d %s", table, x.status, x.body)
		}
		f, err := excelize.OpenReader(bytes.NewReader(x.body))
		if err != nil {
			t.Fatalf("%s XLSX does not open: %v", table, err)
		}
		rows, err := f.GetRows("BaoCao")
		if err != nil || len(rows) < 3 {
			t.Errorf("%s XLSX: %d rows (%v), want a title, headings and data", table, len(rows), err)
		}
		_ = f.Close()
	}
}

// TestProvisioningAndTargets: the operator registers a new commune under the district (idempotent),
// which then appears on the district's dashboard; a tenant admin sets a target its communes
// inherit.
func TestProvisioningAndTargets(t *testing.T) {
	h := start(t)
	cc := clientcredentials.Config{ClientID: h.idp.Operator.ID, ClientSecret: h.idp.Operator.Secret, TokenURL: h.idp.Issuer + "/oauth/token"}
	tk, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	op := tk.AccessToken
	body := map[string]any{"code": "12706", "name": "UBND xã Đông Phong", "kind": "commune", "parent": "huyen-dong-hung"}
	first := h.do(op, http.MethodPut, "/api/v1/tenants/xa-dong-phong", body)
	if first.status != http.StatusOK || first.json(t)["created"] != true {
		t.Fatalf("first registration: %d %s", first.status, first.body)
	}
	again := h.do(op, http.MethodPut, "/api/v1/tenants/xa-dong-phong", body)
	if again.status != http.StatusOK || again.json(t)["created"] != false {
		t.Fatalf("second registration: %d %s", again.status, again.body)
	}
	if r := h.do(op, http.MethodPut, "/api/v1/tenants/Bad_Slug", body); r.status != http.StatusUnprocessableEntity {
		t.Errorf("bad slug: %d, want 422", r.status)
	}
	viewer := h.viewer("huyen-dong-hung", "lanh.dao.huyen", "report.view")
	if r := h.do(viewer, http.MethodPut, "/api/v1/tenants/xa-khac", body); r.status != http.StatusForbidden {
		t.Errorf("a viewer registering a unit: %d, want 403", r.status)
	}

	admin := h.viewer("huyen-dong-hung", "quan.tri.huyen", "report.view", "tenant.admin")
	if r := h.do(admin, http.MethodPut, "/api/v1/targets/on_time_rate/2026", map[string]any{"value": 95}); r.status != http.StatusNoContent {
		t.Fatalf("set target: %d %s", r.status, r.body)
	}
	if r := h.do(admin, http.MethodPut, "/api/v1/targets/unknown/2026", map[string]any{"value": 95}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("unknown indicator: %d, want 422", r.status)
	}
	if r := h.do(viewer, http.MethodPut, "/api/v1/targets/on_time_rate/2026", map[string]any{"value": 50}); r.status != http.StatusForbidden {
		t.Errorf("a viewer setting a target: %d, want 403", r.status)
	}
	commune := h.viewer("xa-dong-tan", "lanh.dao.xa", "report.view")
	tg := h.do(commune, http.MethodGet, "/api/v1/units/xa-dong-tan/targets?period=2026-Q2", nil).json(t)
	found := false
	for _, x := range tg["targets"].([]any) {
		m := x.(map[string]any)
		if m["indicator"] == "on_time_rate" {
			found = m["value"] == 95.0 && m["source"] == "huyen-dong-hung"
		}
		if m["indicator"] == "satisfaction" && (m["value"] != 80.0 || m["source"] != "plan") {
			t.Errorf("satisfaction target: %v, want the plan's 80", m)
		}
	}
	if !found {
		t.Errorf("the commune does not inherit the district's on-time target: %v", tg)
	}
	dash := h.do(viewer, http.MethodGet, "/api/v1/units/huyen-dong-hung/dashboard?period=2026", nil).json(t)
	names := []string{}
	for _, c := range dash["children"].([]any) {
		names = append(names, c.(map[string]any)["tenant"].(map[string]any)["slug"].(string))
	}
	if !strings.Contains(strings.Join(names, ","), "xa-dong-phong") {
		t.Errorf("the registered commune is not on the district's dashboard: %v", names)
	}

	spec := h.do("", http.MethodGet, "/openapi.json", nil)
	if spec.status != http.StatusOK || spec.json(t)["openapi"] != "3.1.0" {
		t.Errorf("openapi.json: %d", spec.status)
	}
}
