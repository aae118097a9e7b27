package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// sdkDecode is Decode's other way: the validity scan and the SDK's parser.
func sdkDecode(b []byte) (Event, error) {
	var e Event
	if !json.Valid(b) {
		return e, errors.New("invalid JSON")
	}
	err := e.UnmarshalJSON(b)
	return e, err
}

// canonicalSamples are payloads as the platform's publishers write them.
func canonicalSamples(t testing.TB) [][]byte {
	var out [][]byte
	for i, c := range []struct {
		topic   Topic
		subject string
		data    any
	}{
		{Topic{Tenant: "xa-dong-tan", Service: "dossiers", Entity: "dossier", Verb: "received"}, "0b8f3f0e-0d9a-4b7e-9d55-1b0b0c0f0a01",
			map[string]any{"dossier_id": "d1", "procedure_name": "Đăng ký khai sinh \"lần đầu\"", "version": 3, "on_time": true}},
		{Topic{Tenant: "huyen-dong-hung", Service: "archives", Entity: "document", Verb: "sent"}, "", map[string]any{}},
		{Topic{Tenant: "x", Service: "hr", Entity: "staff", Verb: "qualified"}, "s-1",
			map[string]any{"list": []any{1, "a\\b", nil, 2.5e10}, "nested": map[string]any{"tenant": "other", "\u2028": "\t"}}},
		{Topic{Tenant: "xa-01", Service: "dossiers", Entity: "dossier", Verb: "rated"}, "a b/c?d=e", []int{1, 2, 3}},
		{Topic{Tenant: "xa-01", Service: "dossiers", Entity: "dossier", Verb: "rated"}, "", "a string"},
		{Topic{Tenant: "xa-01", Service: "dossiers", Entity: "dossier", Verb: "rated"}, "", 42},
		{Topic{Tenant: "xa-01", Service: "dossiers", Entity: "dossier", Verb: "rated"}, "s", map[string]any{"k": `,"tenant":"y"}`}},
		// Not ASCII: read by the SDK (checked by the test below).
		{Topic{Tenant: "xa-01", Service: "dossiers", Entity: "dossier", Verb: "rated"}, "Hồ sơ", nil},
	} {
		e, err := New(c.topic, c.subject, c.data)
		if err != nil {
			t.Fatalf("sample %d: %v", i, err)
		}
		b, err := e.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// mutations are changes a producer or a broken message could make to a canonical payload.
func mutations(b []byte) [][]byte {
	s := string(b)
	rep := func(old, new string) []byte { return []byte(strings.Replace(s, old, new, 1)) }
	return [][]byte{
		rep(`"specversion":"1.0"`, `"specversion":"0.3"`),
		rep(`{"specversion"`, `{ "specversion"`),
		rep(`"id":"`, `"ID":"`),
		rep(`"id":"`, `"id":"\u0030`),
		rep(`"id":"`, `"id":"`+"\x01"),
		rep(`"source":"/`, `"source":"%zz/`),
		rep(`"source":"/`, `"source":"`),
		rep(`"type":"`, `"type":"é`),
		rep(`"datacontenttype":"application/json"`, `"datacontenttype":"application/json; charset=utf-8"`),
		rep(`"datacontenttype":"application/json"`, `"datacontenttype":"text/plain"`),
		rep(`"time":"2`, `"time":"x2`),
		rep(`"time":"`, `"time":"`),
		rep(`,"data":`, `,"dataschema":"http://x","data":`),
		rep(`,"data":`, `,"data_base64":"YQ==","data":`),
		rep(`,"tenant":"`, `,"other":"1","tenant":"`),
		rep(`,"tenant":"`, `,"tenant":"\"`),
		rep(`,"tenant":"`, `,"tenant":"A`),
		rep(`,"tenant":"`, `,"tenant":"","tenant":"`),
		rep(`"}`, `" }`),
		rep(`"}`, `"}}`),
		[]byte(s + "\n"),
		[]byte(s + "x"),
		[]byte(s[:len(s)-1]),
		[]byte(strings.Replace(s, `,"data":{`, `,"data":{"a":`, 1)),
		[]byte(strings.Replace(s, `,"data":`, `,"data":nul`, 1)),
		[]byte(strings.Replace(s, `,"data":`, `,"data":null,"data":`, 1)),
		[]byte(strings.Replace(s, `,"id":"`, `,"id":"x","id":"`, 1)),
		[]byte(strings.Replace(s, `"subject":"`, `"subject":"","subject":"`, 1)),
	}
}

// checkAgrees fails when decodeCanonical accepts b but the SDK does not build the same event.
func checkAgrees(t *testing.T, b []byte) (accepted bool) {
	t.Helper()
	fast, ok := decodeCanonical(b)
	if !ok {
		return false
	}
	sdk, err := sdkDecode(b)
	if err != nil {
		t.Fatalf("decodeCanonical accepted what the SDK refuses (%v):\n%s", err, b)
	}
	if !reflect.DeepEqual(fast, sdk) {
		t.Fatalf("decodeCanonical and the SDK disagree on\n%s\nfast: %#v\nsdk:  %#v", b, fast, sdk)
	}
	return true
}

func TestDecodeCanonicalAgreesWithSDK(t *testing.T) {
	for _, b := range canonicalSamples(t) {
		if !checkAgrees(t, b) && bytes.IndexFunc(b, func(r rune) bool { return r > 0x7e }) < 0 {
			t.Errorf("a payload as New writes it takes the slow way:\n%s", b)
		}
		e, err := Decode(b)
		if err != nil {
			t.Fatalf("Decode: %v", err)
		}
		if out, _ := e.MarshalJSON(); !bytes.Equal(out, b) {
			t.Errorf("Decode then MarshalJSON changed the payload:\n%s\n%s", b, out)
		}
		for _, m := range mutations(b) {
			checkAgrees(t, m)
		}
	}
}

func FuzzDecodeCanonicalAgreesWithSDK(f *testing.F) {
	for _, b := range canonicalSamples(f) {
		f.Add(b)
		for _, m := range mutations(b) {
			f.Add(m)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkAgrees(t, b) })
}

// BenchmarkDecode measures decoding a dossier event as reporting reads the stream, by Decode (the
// canonical form) and by the SDK's way that payloads in any other form take.
func BenchmarkDecode(b *testing.B) {
	e, err := New(Topic{Tenant: "xa-dong-tan", Service: "dossiers", Entity: "dossier", Verb: "result-ready"}, "0b8f3f0e-0d9a-4b7e-9d55-1b0b0c0f0a01",
		map[string]any{"dossier_id": "0b8f3f0e-0d9a-4b7e-9d55-1b0b0c0f0a01", "receipt_code": "000.00.01.H56-261127-0001",
			"procedure_code": "1.001234", "procedure_name": "Đăng ký khai sinh", "field": "Hộ tịch", "level": "commune",
			"channel": "online", "state": "result_ready", "version": 4, "received_at": "2026-11-20T01:02:03Z",
			"due_at": "2026-11-25T10:00:00Z", "occurred_at": "2026-11-24T03:04:05Z", "legal_minutes": 1440,
			"resolved_at": "2026-11-24T03:04:05Z", "on_time": true, "elapsed_minutes": 960})
	if err != nil {
		b.Fatal(err)
	}
	payload, err := e.MarshalJSON()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("canonical", func(b *testing.B) {
		for b.Loop() {
			if _, err := Decode(payload); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sdk", func(b *testing.B) {
		for b.Loop() {
			e, err := sdkDecode(payload)
			if err != nil {
				b.Fatal(err)
			}
			if err := Validate(e); err != nil {
				b.Fatal(err)
			}
		}
	})
}
