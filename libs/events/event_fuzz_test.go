package events

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDecode feeds any message a consumer could pull from the stream to Decode: it never
// panics; a refusal is an *InvalidError (so the consumer can tell a poison message from a
// passing failure and terminate it); an accepted event is routable (its topic is valid and its
// subject parses back to the same topic) and re-encodes to a payload that decodes to the same
// event.
func FuzzDecode(f *testing.F) {
	for _, b := range canonicalSamples(f) {
		f.Add(b)
		for _, m := range mutations(b) {
			f.Add(m)
		}
	}
	for _, s := range []string{"", "null", "{}", "[]", `{"specversion":"1.0"}`, `{"specversion":"1.0","id":"x","source":"/a","type":"vn.egov.a.b.c","tenant":"t"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		e, err := Decode(payload)
		if err != nil {
			var inv *InvalidError
			if !errors.As(err, &inv) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Decode refused %q with %T %v, want an *InvalidError", payload, err, err)
			}
			return
		}
		topic, err := TopicOf(e)
		if err != nil {
			t.Fatalf("accepted event has no topic: %v\n%s", err, payload)
		}
		if back, err := ParseSubject(topic.Subject()); err != nil || back != topic {
			t.Fatalf("subject %q of an accepted event parses to %+v, %v", topic.Subject(), back, err)
		}
		out, err := e.MarshalJSON()
		if err != nil {
			t.Fatalf("accepted event does not encode: %v\n%s", err, payload)
		}
		again, err := Decode(out)
		if err != nil {
			t.Fatalf("re-encoded event refused: %v\n%s\n%s", err, payload, out)
		}
		if again.ID() != e.ID() || again.Type() != e.Type() || again.Source() != e.Source() || again.Subject() != e.Subject() ||
			!again.Time().Equal(e.Time()) {
			t.Fatalf("re-encoding changed the event:\n%s\n%s", payload, out)
		}
		if t1, _ := TenantOf(again); t1 != topic.Tenant {
			t.Fatalf("re-encoding changed the tenant %q to %q", topic.Tenant, t1)
		}
		if out2, err := again.MarshalJSON(); err != nil || !bytes.Equal(out2, out) {
			t.Fatalf("encoding is not stable:\n%s\n%s", out, out2)
		}
	})
}

// FuzzParseSubject: a subject parses only into a valid topic whose subject is the input itself,
// so a consumer's filter and the topic it reads agree; anything else is an *InvalidError.
func FuzzParseSubject(f *testing.F) {
	for _, s := range []string{"egov.xa-dong-tan.dossiers.dossier.received", "egov.*.dossiers.>", "egov.a.b.c", "egov.A.b.c.d",
		"egov.a..c.d", "egov.-a.b.c.d", "egov.a.b.c.d.e", "nats.a.b.c.d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, subject string) {
		topic, err := ParseSubject(subject)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseSubject(%q): %T %v, want an *InvalidError", subject, err, err)
			}
			return
		}
		if topic.Validate() != nil || topic.Subject() != subject {
			t.Fatalf("ParseSubject(%q) = %+v, whose subject is %q", subject, topic, topic.Subject())
		}
	})
}
