package service_test

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/store/storetest"
)

type dossierJSON struct {
	ID             string           `json:"id"`
	ReceiptCode    string           `json:"receipt_code"`
	Tenant         string           `json:"tenant"`
	Holder         string           `json:"holder"`
	Version        int              `json:"version"`
	State          string           `json:"state"`
	AllowedActions []string         `json:"allowed_actions"`
	History        []map[string]any `json:"history"`
	Late           bool             `json:"late"`
}

type problem struct {
	Status         int              `json:"status"`
	Code           string           `json:"code"`
	Detail         string           `json:"detail"`
	Errors         []map[string]any `json:"fields"`
	AllowedActions []any            `json:"allowed_actions"`
	Changes        []any            `json:"changes"`
}

func birthIntake() map[string]any {
	return map[string]any{"procedure_code": "1.001193", "channel": "desk",
		"applicant": map[string]any{"name": "Trần Văn Nam", "id_number": "034090001234", "phone": "0912345678", "address": "Thôn 1, Đông Tân"},
		"documents": []map[string]any{{"name": "Tờ khai đăng ký khai sinh", "kind": "original", "count": 1}, {"name": "Giấy chứng sinh", "kind": "original", "count": 1}}}
}

func foreignMarriageIntake() map[string]any {
	return map[string]any{"procedure_code": "1.000688",
		"applicant": map[string]any{"name": "Phạm Thị Lan", "id_number": "034190005678", "phone": "0987654321", "address": "Đông Tân"},
		"documents": []map[string]any{{"name": "Tờ khai đăng ký kết hôn", "kind": "original", "count": 1},
			{"name": "Giấy tờ chứng minh tình trạng hôn nhân", "kind": "original", "count": 1},
			{"name": "Giấy xác nhận của tổ chức y tế", "kind": "original", "count": 1}, {"name": "Hộ chiếu", "kind": "copy", "count": 1}}}
}

// resultPDF is a small PDF as a result document.
var resultPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

func TestAPI(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := start(t, db)
		defer h.checkContract(t)

		// Provisioning seeds the catalogue once.
		var prov map[string]any
		op := h.operator()
		body := map[string]string{"code": "12700", "name": "UBND xã Đông Tân", "kind": "commune", "parent": "huyen-dong-hung"}
		if st := h.do("PUT", "/tenants/xa-dong-tan", op, body, &prov); st != 200 || prov["created"] != true {
			t.Fatalf("provision: %d %v", st, prov)
		}
		if seeded := prov["seeded"].(map[string]any); seeded["procedures"].(float64) < 5 {
			t.Fatalf("seeded %v", seeded)
		}
		if st := h.do("PUT", "/tenants/xa-dong-tan", op, body, &prov); st != 200 || prov["created"] != false || prov["seeded"].(map[string]any)["procedures"].(float64) != 0 {
			t.Fatalf("second provision is not idempotent: %d %v", st, prov)
		}
		h.provision("xa-dong-la", "12703", "UBND xã Đông La", "commune", "huyen-dong-hung")
		h.provision("huyen-dong-hung", "341", "UBND huyện Đông Hưng", "district", "tinh-thai-binh")
		receiver := h.token("xa-dong-tan", "hoa.nt", "dossier.receive")
		if st := h.do("PUT", "/tenants/xa-dong-tan", receiver, body, nil); st != 403 {
			t.Fatalf("a receiver provisioned a tenant: %d", st)
		}
		var bad problem
		if st := h.do("PUT", "/tenants/Bad_Slug", op, map[string]string{"name": "x"}, &bad); st != 422 || len(bad.Errors) < 2 {
			t.Fatalf("bad provisioning: %d %+v", st, bad)
		}

		// Intake: receipt code and appointment; bad input is refused whole.
		var d dossierJSON
		if st := h.do("POST", "/dossiers", receiver, birthIntake(), &d); st != 201 {
			t.Fatalf("intake: %d %+v", st, d)
		}
		if d.State != "received" || d.Version != 1 || len(d.ReceiptCode) != len("UBXDT-261127-0001") || d.ReceiptCode[:6] != "UBXDT-" {
			t.Fatalf("intake answer %+v", d)
		}
		invalid := birthIntake()
		invalid["applicant"] = map[string]any{"name": "", "id_number": "999", "phone": "12", "address": ""}
		invalid["documents"] = []map[string]any{}
		var p problem
		if st := h.do("POST", "/dossiers", receiver, invalid, &p); st != 422 {
			t.Fatalf("invalid intake: %d", st)
		}
		var fields []string
		for _, e := range p.Errors {
			fields = append(fields, e["field"].(string))
		}
		for _, want := range []string{"applicant.name", "applicant.id_number", "applicant.phone", "applicant.address", "documents"} {
			if !slices.Contains(fields, want) {
				t.Errorf("422 does not name %s: %v", want, fields)
			}
		}
		if st := h.do("POST", "/dossiers", receiver, map[string]any{"procedure_code": 5}, &p); st != 400 {
			t.Fatalf("malformed intake: %d", st)
		}
		var list struct {
			Items []dossierJSON `json:"items"`
		}
		h.do("GET", "/dossiers", receiver, nil, &list)
		if len(list.Items) != 1 {
			t.Fatalf("bad input left %d dossiers", len(list.Items))
		}

		// Illegal transition: 422 with the allowed next actions.
		approver := h.token("xa-dong-tan", "lanh.dao", "dossier.approve")
		if st := h.do("POST", "/dossiers/"+d.ID+"/actions", approver, map[string]any{"action": "approve", "version": 1}, &p); st != 422 || p.Code != "illegal_transition" {
			t.Fatalf("approve a received dossier: %d %+v", st, p)
		}
		if !slices.Contains(p.AllowedActions, any("assign")) {
			t.Fatalf("allowed actions %v", p.AllowedActions)
		}

		// Two officers at once: one wins, the other gets 409 naming the change.
		handler := h.token("xa-dong-tan", "chuyen.vien", "dossier.handle", "dossier.receive")
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		bodies := make([]problem, 2)
		for i, act := range []map[string]any{{"action": "assign", "version": 1, "unit": "Tư pháp – Hộ tịch"}, {"action": "assign", "version": 1, "unit": "Văn phòng"}} {
			wg.Go(func() { statuses[i] = h.do("POST", "/dossiers/"+d.ID+"/actions", handler, act, &bodies[i]) })
		}
		wg.Wait()
		slices.Sort(statuses)
		if statuses[0] != 200 || statuses[1] != 409 {
			t.Fatalf("concurrent actions answered %v", statuses)
		}
		for _, b := range bodies {
			if b.Status == 409 && (b.Code != "dossier_version_conflict" || len(b.Changes) == 0) {
				t.Fatalf("409 without what changed: %+v", b)
			}
		}

		// Cross-tenant matrix.
		other := h.token("xa-dong-la", "lan.pt", "dossier.receive", "dossier.handle", "dossier.approve")
		leader := h.token("huyen-dong-hung", "chu.tich", "dossier.approve", "dossier.receive", "dossier.handle")
		var cur dossierJSON
		h.do("GET", "/dossiers/"+d.ID, receiver, nil, &cur)
		matrix := []struct {
			name       string
			token      string
			read, list int // status, count
			act        int
		}{
			{"own commune", handler, 200, 1, 200},
			{"sibling commune", other, 404, 0, 404},
			{"district leader", leader, 200, 1, 403},
		}
		for _, m := range matrix {
			if st := h.do("GET", "/dossiers/"+d.ID, m.token, nil, nil); st != m.read {
				t.Errorf("%s reads: %d, want %d", m.name, st, m.read)
			}
			var l struct {
				Items []dossierJSON `json:"items"`
			}
			h.do("GET", "/dossiers?q="+d.ReceiptCode, m.token, nil, &l)
			if len(l.Items) != m.list {
				t.Errorf("%s lists %d, want %d", m.name, len(l.Items), m.list)
			}
		}
		for _, m := range matrix[1:] {
			if st := h.do("POST", "/dossiers/"+d.ID+"/actions", m.token, map[string]any{"action": "complete_step", "version": cur.Version}, nil); st != m.act {
				t.Errorf("%s acts: %d, want %d", m.name, st, m.act)
			}
		}
		if st := h.do("POST", "/dossiers/"+d.ID+"/actions", handler, map[string]any{"action": "complete_step", "version": cur.Version}, &cur); st != 200 {
			t.Fatalf("own handler: %d", st)
		}

		// Liên thông: a district-level dossier handed up; both see progress; the result comes back.
		var fm dossierJSON
		if st := h.do("POST", "/dossiers", receiver, foreignMarriageIntake(), &fm); st != 201 {
			t.Fatalf("intake district-level: %d", st)
		}
		if st := h.do("POST", "/dossiers/"+fm.ID+"/actions", receiver, map[string]any{"action": "transfer", "version": 1}, &fm); st != 200 || fm.Holder != "huyen-dong-hung" || fm.State != "received" {
			t.Fatalf("transfer: %d %+v", st, fm)
		}
		for _, a := range []map[string]any{{"action": "assign", "unit": "Phòng Tư pháp"}, {"action": "complete_step"}, {"action": "complete_step"}, {"action": "complete_step"}, {"action": "approve"}} {
			a["version"] = fm.Version
			if st := h.do("POST", "/dossiers/"+fm.ID+"/actions", leader, a, &fm); st != 200 {
				t.Fatalf("district %v: %d", a["action"], st)
			}
			var seen dossierJSON
			if st := h.do("GET", "/dossiers/"+fm.ID, receiver, nil, &seen); st != 200 || seen.State != fm.State {
				t.Fatalf("the commune does not see the district's progress: %d %s vs %s", st, seen.State, fm.State)
			}
		}
		// No result document, no result: the refusal says what is missing.
		if st := h.do("POST", "/dossiers/"+fm.ID+"/actions", leader, map[string]any{"action": "mark_result_ready", "version": fm.Version}, &p); st != 422 || !strings.Contains(p.Detail, "văn bản kết quả") {
			t.Fatalf("result ready without a result document: %d %+v", st, p)
		}
		if st := h.attachResult(fm.ID, leader, fm.Version, []byte("<html>not a pdf</html>"), &p); st != 422 || len(p.Errors) == 0 || p.Errors[0]["field"] != "result_file" {
			t.Fatalf("an HTML page as the result: %d %+v", st, p)
		}
		if st := h.attachResult(fm.ID, receiver, fm.Version, resultPDF, &p); st != 403 {
			t.Fatalf("the commune's receiver attached the district's result: %d %+v", st, p)
		}
		var withResult struct {
			dossierJSON
			Result map[string]any `json:"result"`
		}
		// A file part net/http would skip (two filenames) refuses the whole form: no result is
		// attached without its file, and the dossier's version does not move (the next attach
		// with the same version succeeds).
		if st := h.attachResultPart(fm.ID, leader, fm.Version, resultPDF, `form-data; name="file"; filename="a.pdf"; filename="b.pdf"`, &p); st != 400 {
			t.Fatalf("a result part with two filenames: %d %+v", st, p)
		}
		if st := h.attachResult(fm.ID, leader, fm.Version, resultPDF, &withResult); st != 200 || withResult.Result["content_type"] != "application/pdf" ||
			withResult.Result["size"] != float64(len(resultPDF)) || withResult.Result["signer"] != "Nguyễn Văn Chủ" {
			t.Fatalf("attach the result: %d %+v", st, withResult)
		}
		fm = withResult.dossierJSON
		if st, hdr, b := h.get("/dossiers/"+fm.ID+"/result/file", receiver); st != 200 || !bytes.Equal(b, resultPDF) ||
			hdr.Get("Content-Type") != "application/pdf" || !strings.Contains(hdr.Get("Content-Disposition"), "giay-chung-nhan.pdf") {
			t.Fatalf("download the result at the commune: %d %v %q", st, hdr, b)
		}
		if st := h.do("POST", "/dossiers/"+fm.ID+"/actions", leader, map[string]any{"action": "mark_result_ready", "version": fm.Version}, &fm); st != 200 || fm.Holder != "xa-dong-tan" {
			t.Fatalf("result ready: %d %+v", st, fm)
		}
		if st := h.do("POST", "/dossiers/"+fm.ID+"/actions", receiver, map[string]any{"action": "return", "version": fm.Version}, &fm); st != 200 || fm.State != "returned" {
			t.Fatalf("return at the commune: %d %+v", st, fm)
		}
		var n int64
		db.Model(&events.OutboxEvent{}).Where("subject = ?", "egov.xa-dong-tan.dossiers.dossier.transferred").Count(&n)
		var m int64
		db.Model(&events.OutboxEvent{}).Where("subject = ?", "egov.huyen-dong-hung.dossiers.dossier.received").Count(&m)
		if n != 1 || m != 1 {
			t.Fatalf("transfer events: %d transferred under the commune, %d received under the district", n, m)
		}

		// Events carry exactly the fields of services/EVENTS.md.
		common := []string{"dossier_id", "receipt_code", "tenant", "procedure_code", "procedure_name", "field", "level", "channel",
			"state", "version", "received_at", "due_at", "occurred_at", "actor"}
		extras := map[string][]string{"received": {"legal_minutes"}, "assigned": {"unit", "handler"}, "step-done": {"step", "step_name"},
			"approved": {}, "result-ready": {"resolved_at", "on_time", "elapsed_minutes", "legal_minutes"},
			"returned": {"returned_at", "result_bucket", "result_object_key", "result_file_name", "result_content_type", "result_size",
				"result_sha256", "result_type", "result_summary", "result_signer"},
			"transferred": {"from_tenant", "to_tenant"}}
		var rows []events.OutboxEvent
		db.Order("id").Find(&rows)
		seenVerbs := map[string]bool{}
		for _, r := range rows {
			evt, err := events.Decode([]byte(r.Payload))
			if err != nil {
				t.Fatal(err)
			}
			topic, _ := events.TopicOf(evt)
			want, ok := extras[topic.Verb]
			if !ok {
				continue
			}
			seenVerbs[topic.Verb] = true
			var data map[string]any
			if err := evt.DataAs(&data); err != nil {
				t.Fatal(err)
			}
			keys := slices.Sorted(maps.Keys(data))
			wantKeys := slices.Sorted(slices.Values(append(slices.Clone(common), want...)))
			if !slices.Equal(keys, wantKeys) {
				t.Errorf("%s event fields %v, want %v", topic.Verb, keys, wantKeys)
			}
			if data["tenant"] != topic.Tenant {
				t.Errorf("%s event: tenant %v published under %s", topic.Verb, data["tenant"], topic.Tenant)
			}
		}
		if len(seenVerbs) != len(extras) {
			t.Errorf("saw events %v, want all of %v", seenVerbs, slices.Sorted(maps.Keys(extras)))
		}

		// Citizen: uniform answer for a wrong code or wrong phone; rating once; rate limit.
		var wrongCode, wrongPhone problem
		h.do("POST", "/public/lookup", "", map[string]string{"receipt_code": "UBXDT-000000-9999", "phone_last4": "4321"}, &wrongCode)
		h.do("POST", "/public/lookup", "", map[string]string{"receipt_code": fm.ReceiptCode, "phone_last4": "0000"}, &wrongPhone)
		if wrongCode.Status != 404 || fmt.Sprint(wrongCode) != fmt.Sprint(wrongPhone) {
			t.Fatalf("lookup answers differ: %+v vs %+v", wrongCode, wrongPhone)
		}
		var pub map[string]any
		if st := h.do("POST", "/public/lookup", "", map[string]string{"receipt_code": fm.ReceiptCode, "phone_last4": "4321"}, &pub); st != 200 || pub["can_rate"] != true {
			t.Fatalf("lookup: %d %v", st, pub)
		}
		if shown := fmt.Sprint(pub); pub["result"] != nil || strings.Contains(shown, "giay-chung-nhan.pdf") || strings.Contains(shown, "dossiers/") {
			t.Fatalf("the citizen's lookup exposes the result file: %v", pub)
		}
		rating := map[string]string{"receipt_code": fm.ReceiptCode, "phone_last4": "4321", "rating": "very_satisfied", "comment": "Cán bộ nhiệt tình"}
		if st := h.do("POST", "/public/rating", "", rating, nil); st != 200 {
			t.Fatalf("rate: %d", st)
		}
		if st := h.do("POST", "/public/rating", "", rating, &p); st != 409 {
			t.Fatalf("second rating: %d", st)
		}
		limited := 0
		for i := range 12 {
			if st := h.do("POST", "/public/lookup", "", map[string]string{"receipt_code": fmt.Sprintf("X-%d", i), "phone_last4": "1234"}, nil); st == http.StatusTooManyRequests {
				limited++
			}
		}
		if limited == 0 {
			t.Fatal("lookups are not rate limited")
		}
		// Retry-After is the real time left in the sliding window, never more than the window.
		req, _ := http.NewRequest("POST", h.Base+"/api/v1/public/lookup", strings.NewReader(`{"receipt_code":"X-99","phone_last4":"1234"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); resp.StatusCode != http.StatusTooManyRequests || err != nil || secs < 1 || secs > 600 {
			t.Fatalf("over the limit: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}

		// Calendar and catalogue administration.
		admin := h.token("xa-dong-tan", "quan.tri", "tenant.admin")
		if st := h.do("PUT", "/calendar/days/2026-12-05", admin, map[string]string{"kind": "work", "note": "làm bù"}, nil); st != 200 {
			t.Fatalf("set calendar day: %d", st)
		}
		if st := h.do("PUT", "/calendar/days/2026-12-05", receiver, map[string]string{"kind": "work"}, nil); st != 403 {
			t.Fatalf("a receiver edited the calendar: %d", st)
		}
		var cal map[string]any
		if st := h.do("GET", "/calendar?year=2026", receiver, nil, &cal); st != 200 || len(cal["days"].([]any)) < 10 {
			t.Fatalf("calendar: %d %v", st, cal)
		}
		var procs map[string]any
		if st := h.do("GET", "/procedures", receiver, nil, &procs); st != 200 || len(procs["items"].([]any)) < 5 {
			t.Fatalf("procedures: %d", st)
		}
		badImport := []map[string]any{{"code": "X1", "name": "Thủ tục", "field": "F", "level": "commune", "legal_time": 0, "time_unit": "days",
			"fee": 0, "documents": []any{}, "handling_unit": "", "steps": []map[string]any{{"name": "a", "share": 50}}, "supplement": "pause", "legal_basis": ""}}
		if st := h.do("POST", "/procedures/import", admin, badImport, &p); st != 422 || len(p.Errors) < 2 {
			t.Fatalf("bad import: %d %+v", st, p)
		}
		if st := h.do("GET", "/dossiers/"+fm.ID+"/forms/1", receiver, nil, nil); st != 200 {
			t.Fatalf("form 01: %d", st)
		}
		// Form 06 through the API names the units as the page does, not their slugs (issue 16).
		st, _, form6 := h.get("/dossiers/"+fm.ID+"/forms/6", receiver)
		if st != 200 || !bytes.Contains(form6, []byte("UBND xã Đông Tân – ")) || bytes.Contains(form6, []byte("xa-dong-tan – ")) {
			t.Fatalf("form 06 through the API: %d, want the unit's name on every row\n%s", st, form6)
		}
	})
}
