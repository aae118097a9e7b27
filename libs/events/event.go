package events

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/types"
	gojson "github.com/goccy/go-json"
	"github.com/google/uuid"
)

// Event is a CloudEvents 1.0 event. The SDK's type is used as is: it validates the required
// attributes, keeps extensions typed and marshals the structured JSON form the spec defines, which
// a hand-rolled struct would have to re-implement.
type Event = cloudevents.Event

const (
	// SubjectRoot is the first token of every event subject; a stream over "egov.>" sees them all.
	SubjectRoot = "egov"
	// AllSubjects is the default subject filter of the events stream.
	AllSubjects = SubjectRoot + ".>"
	// TypePrefix starts every CloudEvents type, in reverse-DNS form as the spec recommends.
	TypePrefix = "vn.egov."
	// TenantExtension is the CloudEvents extension attribute carrying the tenant slug.
	TenantExtension = "tenant"
	// ContentType is the NATS header value of a structured-mode CloudEvents JSON message.
	ContentType = "application/cloudevents+json"
)

// ErrInvalid is matched (errors.Is) by every *InvalidError.
var ErrInvalid = errors.New("invalid event")

// InvalidError says which part of an event or subject is wrong and why.
type InvalidError struct {
	Field  string // tenant, service, entity, verb, subject, type, ...
	Value  string
	Reason string
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("events: invalid %s %q: %s", e.Field, e.Value, e.Reason)
}

// Is makes errors.Is(err, ErrInvalid) true for every InvalidError.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// A token is one dot-separated part of a subject. It is held to the DNS-label rule tenants already
// follow, which also keeps NATS wildcards ("*", ">"), dots, spaces and upper case out, so a subject
// always has exactly five tokens and a filter written for it means what it says.
const tokenRule = "use 1-63 lowercase letters a-z, digits and '-', starting and ending with a letter or digit (no dots, spaces or wildcards)"

func checkToken(field, v string) error {
	if !isToken(v) {
		return &InvalidError{Field: field, Value: v, Reason: tokenRule}
	}
	return nil
}

// isToken is ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ written out: every consumer checks four tokens
// of every event it decodes, and the regexp was a fifth of decoding.
func isToken(v string) bool {
	if len(v) == 0 || len(v) > 63 || v[0] == '-' || v[len(v)-1] == '-' {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// Topic names what happened and where. It yields both the NATS subject
// egov.<tenant>.<service>.<entity>.<verb> and the CloudEvents type vn.egov.<service>.<entity>.<verb>.
type Topic struct {
	Tenant  string // tenant slug, e.g. "xa-dong-tan"
	Service string // publishing service, e.g. "dossiers"
	Entity  string // e.g. "dossier"
	Verb    string // past tense, e.g. "received"
}

// Validate reports the first token that breaks the subject rule.
func (t Topic) Validate() error {
	for _, f := range [...]struct{ name, v string }{
		{"tenant", t.Tenant}, {"service", t.Service}, {"entity", t.Entity}, {"verb", t.Verb},
	} {
		if err := checkToken(f.name, f.v); err != nil {
			return err
		}
	}
	return nil
}

// Subject is the NATS subject of the topic. Call Validate first; New does.
func (t Topic) Subject() string {
	return strings.Join([]string{SubjectRoot, t.Tenant, t.Service, t.Entity, t.Verb}, ".")
}

// Type is the CloudEvents type of the topic (tenant-independent, so one schema per type).
func (t Topic) Type() string { return TypePrefix + t.Service + "." + t.Entity + "." + t.Verb }

// Source is the CloudEvents source: the publishing service, e.g. "/dossiers".
func (t Topic) Source() string { return "/" + t.Service }

// ParseSubject splits a NATS subject egov.<tenant>.<service>.<entity>.<verb> into its topic.
func ParseSubject(subject string) (Topic, error) {
	parts := strings.Split(subject, ".")
	if len(parts) != 5 || parts[0] != SubjectRoot {
		return Topic{}, &InvalidError{Field: "subject", Value: subject,
			Reason: "want egov.<tenant>.<service>.<entity>.<verb>"}
	}
	t := Topic{Tenant: parts[1], Service: parts[2], Entity: parts[3], Verb: parts[4]}
	return t, t.Validate()
}

// New builds an event for topic with a fresh time-ordered id, the current time and data encoded
// as JSON. subject is the CloudEvents subject: the entity the event is about within the source,
// e.g. a dossier's receipt code (it may be empty); the NATS subject comes from the topic.
func New(topic Topic, subject string, data any) (Event, error) {
	if err := topic.Validate(); err != nil {
		return Event{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return Event{}, fmt.Errorf("events: new id: %w", err)
	}
	e := cloudevents.New(cloudevents.CloudEventsVersionV1)
	e.SetID(id.String())
	e.SetSource(topic.Source())
	e.SetType(topic.Type())
	if subject != "" {
		e.SetSubject(subject)
	}
	e.SetTime(time.Now().UTC())
	e.SetExtension(TenantExtension, topic.Tenant)
	if err := e.SetData(cloudevents.ApplicationJSON, data); err != nil {
		return Event{}, fmt.Errorf("events: encode data of %s: %w", topic.Type(), err)
	}
	return e, nil
}

// extension is the value of an event's extension, nil if it has none. Event.Extensions copies the
// whole map on every call, which a consumer reading thousands of events a second pays for.
func extension(e Event, name string) any {
	if e.Context == nil {
		return nil
	}
	v, err := e.Context.GetExtension(name)
	if err != nil {
		return nil
	}
	return v
}

// TenantOf is the tenant extension of an event as written by New (a string), and whether it is one.
func TenantOf(e Event) (string, bool) {
	t, ok := extension(e, TenantExtension).(string)
	return t, ok
}

// TopicOf recovers the topic of an event from its type and tenant extension.
func TopicOf(e Event) (Topic, error) {
	tenant, err := types.ToString(extension(e, TenantExtension))
	if err != nil || tenant == "" {
		return Topic{}, &InvalidError{Field: "tenant", Value: "", Reason: "the tenant extension is missing"}
	}
	rest, ok := strings.CutPrefix(e.Type(), TypePrefix)
	parts := strings.Split(rest, ".")
	if !ok || len(parts) != 3 {
		return Topic{}, &InvalidError{Field: "type", Value: e.Type(), Reason: "want vn.egov.<service>.<entity>.<verb>"}
	}
	t := Topic{Tenant: tenant, Service: parts[0], Entity: parts[1], Verb: parts[2]}
	return t, t.Validate()
}

// Validate checks that e is a CloudEvents 1.0 event this platform can route: required attributes,
// JSON data, a uuid id and a valid topic.
func Validate(e Event) error {
	if e.SpecVersion() != cloudevents.CloudEventsVersionV1 {
		return &InvalidError{Field: "specversion", Value: e.SpecVersion(), Reason: "want 1.0"}
	}
	if err := e.Validate(); err != nil {
		return &InvalidError{Field: "event", Value: e.ID(), Reason: err.Error()}
	}
	if _, err := uuid.Parse(e.ID()); err != nil {
		return &InvalidError{Field: "id", Value: e.ID(), Reason: "want a uuid"}
	}
	if ct := e.DataMediaType(); ct != cloudevents.ApplicationJSON {
		return &InvalidError{Field: "datacontenttype", Value: ct, Reason: "want application/json"}
	}
	_, err := TopicOf(e)
	return err
}

// Decode parses a structured-mode CloudEvents JSON message and validates it.
func Decode(payload []byte) (Event, error) {
	if e, ok := decodeCanonical(payload); ok {
		return e, Validate(e)
	}
	// Any other form: the SDK's parser directly, after one validity scan. json.Unmarshal would
	// scan the payload twice before handing it over (check, then skip), a third of the cost of
	// decoding an event for a consumer reading the whole stream. Invalid JSON takes
	// json.Unmarshal's way, for its message.
	var e Event
	if !json.Valid(payload) {
		err := json.Unmarshal(payload, &e)
		return Event{}, &InvalidError{Field: "payload", Value: "", Reason: fmt.Sprintf("not CloudEvents JSON: %v", err)}
	}
	if err := e.UnmarshalJSON(payload); err != nil {
		return Event{}, &InvalidError{Field: "payload", Value: "", Reason: "not CloudEvents JSON: " + err.Error()}
	}
	return e, Validate(e)
}

// DecodeData decodes the data of a validated event (JSON, which Validate checks) into v, as
// evt.DataAs does, with goccy/go-json: a consumer reading the whole stream spent more time in
// encoding/json's reflection than in its database.
func DecodeData(evt Event, v any) error {
	data := evt.Data()
	if len(data) == 0 {
		return fmt.Errorf("events: %s %s has no data", evt.Type(), evt.ID())
	}
	if err := gojson.Unmarshal(data, v); err != nil {
		return fmt.Errorf("events: data of %s %s: %w", evt.Type(), evt.ID(), err)
	}
	return nil
}
