package events

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestTopicRejectsBadTokens(t *testing.T) {
	t.Parallel()
	good := Topic{Tenant: "xa-dong-tan", Service: "dossiers", Entity: "dossier", Verb: "received"}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid topic rejected: %v", err)
	}
	edges := Topic{Tenant: strings.Repeat("a", 63), Service: "x", Entity: "9", Verb: "a-0"} // longest, shortest, digits
	if err := edges.Validate(); err != nil {
		t.Fatalf("valid topic %+v rejected: %v", edges, err)
	}
	if got, want := good.Subject(), "egov.xa-dong-tan.dossiers.dossier.received"; got != want {
		t.Fatalf("Subject() = %q, want %q", got, want)
	}
	if got, want := good.Type(), "vn.egov.dossiers.dossier.received"; got != want {
		t.Fatalf("Type() = %q, want %q", got, want)
	}
	bad := map[string]string{
		"upper case":     "Xa-Dong-Tan",
		"dot":            "xa.dong",
		"star wildcard":  "*",
		"tail wildcard":  ">",
		"space":          "xa dong",
		"empty":          "",
		"leading hyphen": "-xa",
		"trailing dash":  "xa-",
		"diacritics":     "xã-đông-tân",
		"underscore":     "xa_dong",
		"too long":       strings.Repeat("a", 64),
	}
	for name, v := range bad {
		for _, field := range []string{"tenant", "service", "entity", "verb"} {
			topic := good
			switch field {
			case "tenant":
				topic.Tenant = v
			case "service":
				topic.Service = v
			case "entity":
				topic.Entity = v
			case "verb":
				topic.Verb = v
			}
			_, err := New(topic, "", map[string]string{})
			var inv *InvalidError
			if !errors.As(err, &inv) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("%s in %s: New() error = %v, want *InvalidError", name, field, err)
			}
			if inv.Field != field || inv.Value != v {
				t.Errorf("%s in %s: error names field %q value %q", name, field, inv.Field, inv.Value)
			}
			if !strings.Contains(err.Error(), "lowercase") {
				t.Errorf("%s in %s: error %q does not say what is allowed", name, field, err)
			}
		}
	}
}

func TestParseSubject(t *testing.T) {
	t.Parallel()
	topic, err := ParseSubject("egov.phuong-1.hr.servant.appointed")
	if err != nil {
		t.Fatal(err)
	}
	if topic != (Topic{Tenant: "phuong-1", Service: "hr", Entity: "servant", Verb: "appointed"}) {
		t.Fatalf("ParseSubject = %+v", topic)
	}
	for _, s := range []string{
		"", "egov", "egov.a.b.c", "egov.a.b.c.d.e", "gov.a.b.c.d", "egov.a.b.*.d", "egov.a.b.c.>", "egov.A.b.c.d", "egov.a..c.d",
	} {
		if _, err := ParseSubject(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseSubject(%q) error = %v, want ErrInvalid", s, err)
		}
	}
}

func TestEventIsCloudEventsJSON(t *testing.T) {
	t.Parallel()
	topic := Topic{Tenant: "xa-dong-tan", Service: "dossiers", Entity: "dossier", Verb: "received"}
	type received struct {
		ReceiptCode string `json:"receiptCode"`
		Procedure   string `json:"procedure"`
	}
	evt, err := New(topic, "000.00.01.H01-250101-0001", received{ReceiptCode: "000.00.01.H01-250101-0001", Procedure: "1.001"})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(evt)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("event JSON does not parse: %v\n%s", err, raw)
	}
	want := map[string]any{
		"specversion":     "1.0",
		"source":          "/dossiers",
		"type":            "vn.egov.dossiers.dossier.received",
		"subject":         "000.00.01.H01-250101-0001",
		"datacontenttype": "application/json",
		"tenant":          "xa-dong-tan",
	}
	for k, v := range want {
		if doc[k] != v {
			t.Errorf("%s = %v, want %v", k, doc[k], v)
		}
	}
	if id, err := uuid.Parse(doc["id"].(string)); err != nil || id.Version() != 7 {
		t.Errorf("id %v is not a uuid v7 (%v)", doc["id"], err)
	}
	ts, err := time.Parse(time.RFC3339Nano, doc["time"].(string))
	if err != nil || time.Since(ts) > time.Minute {
		t.Errorf("time %v is not a recent RFC 3339 timestamp (%v)", doc["time"], err)
	}
	data, ok := doc["data"].(map[string]any)
	if !ok || data["receiptCode"] != "000.00.01.H01-250101-0001" || data["procedure"] != "1.001" {
		t.Errorf("data = %#v, want the JSON object itself (not base64, not a string)", doc["data"])
	}

	back, err := Decode(raw)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if back.ID() != evt.ID() || back.Type() != evt.Type() {
		t.Fatalf("round trip changed the event: %s", back)
	}
	got, err := TopicOf(back)
	if err != nil || got != topic {
		t.Fatalf("TopicOf = %+v, %v; want %+v", got, err, topic)
	}
	var payload received
	if err := back.DataAs(&payload); err != nil || payload.Procedure != "1.001" {
		t.Fatalf("DataAs = %+v, %v", payload, err)
	}
}

func TestDecodeRejectsNonEvents(t *testing.T) {
	t.Parallel()
	for name, raw := range map[string]string{
		"not json":          `{{{`,
		"no specversion":    `{"id":"0190b4d2-7d3c-7cc0-9d5d-2d2a4f1f0a11","source":"/x","type":"vn.egov.a.b.c","tenant":"t"}`,
		"old specversion":   `{"specversion":"0.3","id":"0190b4d2-7d3c-7cc0-9d5d-2d2a4f1f0a11","source":"/x","type":"vn.egov.a.b.c","tenant":"t","datacontenttype":"application/json"}`,
		"no tenant":         `{"specversion":"1.0","id":"0190b4d2-7d3c-7cc0-9d5d-2d2a4f1f0a11","source":"/x","type":"vn.egov.a.b.c","datacontenttype":"application/json","data":{}}`,
		"foreign type":      `{"specversion":"1.0","id":"0190b4d2-7d3c-7cc0-9d5d-2d2a4f1f0a11","source":"/x","type":"com.example.x","tenant":"t","datacontenttype":"application/json","data":{}}`,
		"id not uuid":       `{"specversion":"1.0","id":"42","source":"/x","type":"vn.egov.a.b.c","tenant":"t","datacontenttype":"application/json","data":{}}`,
		"xml data":          `{"specversion":"1.0","id":"0190b4d2-7d3c-7cc0-9d5d-2d2a4f1f0a11","source":"/x","type":"vn.egov.a.b.c","tenant":"t","datacontenttype":"application/xml","data":"<a/>"}`,
		"tenant with a dot": `{"specversion":"1.0","id":"0190b4d2-7d3c-7cc0-9d5d-2d2a4f1f0a11","source":"/x","type":"vn.egov.a.b.c","tenant":"t.u","datacontenttype":"application/json","data":{}}`,
	} {
		if _, err := Decode([]byte(raw)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Decode error = %v, want ErrInvalid", name, err)
		}
	}
}
