package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"egov.vn/platform/libs/events"
	"egov.vn/platform/services/reporting/internal/domain"
)

// Facts is the read model as one transaction sees it: load the facts a batch of events touches,
// then save them with the counter changes, all in that transaction.
type Facts interface {
	Dossiers(ctx context.Context, keys []domain.DossierKey) (map[domain.DossierKey]domain.DossierFact, error)
	Documents(ctx context.Context, keys []domain.DocumentKey) (map[domain.DocumentKey]domain.DocumentFact, error)
	Staff(ctx context.Context, keys []domain.StaffKey) (map[domain.StaffKey]domain.StaffFact, error)
	Save(ctx context.Context, c Changes) error
}

// Changes is what one batch of events does to the read model.
type Changes struct {
	Dossiers  []domain.DossierFact
	Documents []domain.DocumentFact
	Staff     []domain.StaffFact
	Counters  domain.Deltas
	Tenants   []string // tenants seen in events, registered when unknown so roll-ups can find them
}

// ErrMalformed marks an event reporting uses whose data it cannot read: retrying cannot help, so
// the consumer terminates it instead of redelivering it.
var ErrMalformed = errors.New("malformed event")

// dossierData is the data of a dossier event, as services/EVENTS.md defines it.
type dossierData struct {
	DossierID      string    `json:"dossier_id"`
	ReceiptCode    string    `json:"receipt_code"`
	ProcedureCode  string    `json:"procedure_code"`
	ProcedureName  string    `json:"procedure_name"`
	Field          string    `json:"field"`
	Level          string    `json:"level"`
	Channel        string    `json:"channel"`
	State          string    `json:"state"`
	Version        int64     `json:"version"`
	ReceivedAt     time.Time `json:"received_at"`
	DueAt          time.Time `json:"due_at"`
	OccurredAt     time.Time `json:"occurred_at"`
	LegalMinutes   int64     `json:"legal_minutes"`
	ResolvedAt     time.Time `json:"resolved_at"`
	OnTime         bool      `json:"on_time"`
	ElapsedMinutes int64     `json:"elapsed_minutes"`
	ReturnedAt     time.Time `json:"returned_at"`
	Rating         string    `json:"rating"`
}

type documentData struct {
	DocumentID   string    `json:"document_id"`
	DossierID    string    `json:"dossier_id"`   // set when the document is a dossier's result
	ReceiptCode  string    `json:"receipt_code"` // that dossier's receipt code
	Register     string    `json:"register"`
	RegisteredAt time.Time `json:"registered_at"`
	SentAt       time.Time `json:"sent_at"`
	ReceivedAt   time.Time `json:"received_at"`
}

type staffData struct {
	StaffID     string    `json:"staff_id"`
	Category    string    `json:"category"`
	EffectiveAt time.Time `json:"effective_at"`
	Kind        string    `json:"kind"`
	Rank        int64     `json:"rank"`
	AwardedAt   time.Time `json:"awarded_at"`
}

// Change is what reporting reads from one event it uses, decoded before the consumer's
// transaction starts so that no transaction waits on JSON.
type Change struct {
	dossier  *domain.DossierChange
	document *domain.DocumentChange
	staff    *domain.StaffChange
	// archived is what a document registered as a dossier's result tells that dossier.
	archived *domain.DossierChange
}

// Tenant is the tenant the change is for.
func (c Change) Tenant() string {
	switch {
	case c.dossier != nil:
		return c.dossier.Tenant
	case c.document != nil:
		return c.document.Tenant
	case c.staff != nil:
		return c.staff.Tenant
	}
	return ""
}

// Decoder reads events into Changes. It remembers the topics it has checked: a stream carries
// few distinct (type, tenant) pairs, and matching their tokens against the subject rule again
// for every event took about a third of the time spent reading the event's data. A Decoder is
// not safe for concurrent use.
type Decoder struct {
	topics map[topicKey]events.Topic
}

type topicKey struct{ typ, tenant string }

// maxTopics bounds the Decoder's memory; past it, the cache starts over.
const maxTopics = 10000

// NewDecoder returns a Decoder with an empty topic cache.
func NewDecoder() *Decoder { return &Decoder{topics: map[topicKey]events.Topic{}} }

// topic is events.TopicOf, remembered for events whose tenant extension is a plain string (the
// only form events.New writes); the result depends on nothing but the type and the tenant.
func (dec *Decoder) topic(evt events.Event) (events.Topic, error) {
	tenant, ok := events.TenantOf(evt)
	if !ok {
		return events.TopicOf(evt)
	}
	k := topicKey{evt.Type(), tenant}
	if t, ok := dec.topics[k]; ok {
		return t, nil
	}
	t, err := events.TopicOf(evt)
	if err != nil {
		return t, err
	}
	if len(dec.topics) >= maxTopics {
		clear(dec.topics)
	}
	dec.topics[k] = t
	return t, nil
}

// Decode reads what reporting needs from an event; ok is false for events it does not use.
// Malformed data of an event it uses is a permanent error: retrying cannot fix it.
func (dec *Decoder) Decode(evt events.Event) (c Change, ok bool, err error) {
	topic, err := dec.topic(evt)
	if err != nil {
		return c, false, events.Permanent(fmt.Errorf("%w: %w", ErrMalformed, err))
	}
	bad := func(err error) error {
		return events.Permanent(fmt.Errorf("%w %s (%s): %w", ErrMalformed, evt.ID(), evt.Type(), err))
	}
	switch {
	case topic.Service == "dossiers" && topic.Entity == "dossier":
		var d dossierData
		if err := events.DecodeData(evt, &d); err != nil {
			return c, false, bad(err)
		}
		if d.DossierID == "" {
			return c, false, bad(fmt.Errorf("dossier_id is missing"))
		}
		c.dossier = &domain.DossierChange{Verb: topic.Verb, Tenant: topic.Tenant, DossierID: d.DossierID,
			ReceiptCode: d.ReceiptCode, ProcedureCode: d.ProcedureCode, ProcedureName: d.ProcedureName, Field: d.Field,
			Level: d.Level, Channel: d.Channel, State: d.State, Version: d.Version, ReceivedAt: d.ReceivedAt, DueAt: d.DueAt,
			OccurredAt: d.OccurredAt, LegalMinutes: d.LegalMinutes, ResolvedAt: d.ResolvedAt, OnTime: d.OnTime,
			ElapsedMinutes: d.ElapsedMinutes, ReturnedAt: d.ReturnedAt, Rating: d.Rating}
	case topic.Service == "archives" && topic.Entity == "document":
		var d documentData
		if err := events.DecodeData(evt, &d); err != nil {
			return c, false, bad(err)
		}
		if d.DocumentID == "" {
			return c, false, bad(fmt.Errorf("document_id is missing"))
		}
		c.document = &domain.DocumentChange{Verb: topic.Verb, Tenant: topic.Tenant, DocumentID: d.DocumentID,
			Register: d.Register, RegisteredAt: d.RegisteredAt, SentAt: d.SentAt, ReceivedAt: d.ReceivedAt}
		if topic.Verb == "registered" && d.DossierID != "" {
			// The result of a dossier, registered in the same unit's archives (issue 15): the
			// dossier counts as archived whichever of its events and this one arrives first.
			c.archived = &domain.DossierChange{Verb: domain.VerbArchived, Tenant: topic.Tenant, DossierID: d.DossierID,
				ReceiptCode: d.ReceiptCode, ArchivedAt: d.RegisteredAt}
		}
	case topic.Service == "hr" && topic.Entity == "staff":
		var d staffData
		if err := events.DecodeData(evt, &d); err != nil {
			return c, false, bad(err)
		}
		if d.StaffID == "" {
			return c, false, bad(fmt.Errorf("staff_id is missing"))
		}
		c.staff = &domain.StaffChange{Verb: topic.Verb, Tenant: topic.Tenant, StaffID: d.StaffID, Category: d.Category,
			EffectiveAt: d.EffectiveAt, Kind: d.Kind, Rank: d.Rank, AwardedAt: d.AwardedAt}
	default:
		return c, false, nil
	}
	return c, true, nil
}

// Project applies a batch of events (already claimed as new by the consumer) to the read model;
// see ProjectChanges.
func Project(ctx context.Context, facts Facts, evts []events.Event) error {
	dec := NewDecoder()
	changes := make([]Change, 0, len(evts))
	for _, evt := range evts {
		c, ok, err := dec.Decode(evt)
		if err != nil {
			return err
		}
		if ok {
			changes = append(changes, c)
		}
	}
	return ProjectChanges(ctx, facts, changes)
}

// ProjectChanges applies the changes of a batch of events (already claimed as new by the
// consumer) to the read model: it loads each touched fact once, merges the events into it in any
// order, and saves the facts with the difference their contributions make to the counters. One
// event or a thousand, the result is the same as applying them one by one.
func ProjectChanges(ctx context.Context, facts Facts, changes []Change) error {
	var (
		dossiers  = make([]domain.DossierChange, 0, len(changes))
		documents []domain.DocumentChange
		staff     []domain.StaffChange
		tenants   = map[string]bool{}
	)
	for _, c := range changes {
		switch {
		case c.dossier != nil:
			dossiers = append(dossiers, *c.dossier)
			tenants[c.dossier.Tenant] = true
		case c.document != nil:
			documents = append(documents, *c.document)
			tenants[c.document.Tenant] = true
			if c.archived != nil {
				dossiers = append(dossiers, *c.archived)
			}
		case c.staff != nil:
			staff = append(staff, *c.staff)
			tenants[c.staff.Tenant] = true
		}
	}
	out := Changes{Counters: domain.Deltas{}}
	for t := range tenants {
		out.Tenants = append(out.Tenants, t)
	}
	var err error
	if out.Dossiers, err = projectFacts(ctx, dossiers, func(c domain.DossierChange) domain.DossierKey {
		return domain.DossierKey{DossierID: c.DossierID, Tenant: c.Tenant}
	}, facts.Dossiers, out.Counters); err != nil {
		return err
	}
	if out.Documents, err = projectFacts(ctx, documents, func(c domain.DocumentChange) domain.DocumentKey {
		return domain.DocumentKey{DocumentID: c.DocumentID, Tenant: c.Tenant}
	}, facts.Documents, out.Counters); err != nil {
		return err
	}
	if out.Staff, err = projectFacts(ctx, staff, func(c domain.StaffChange) domain.StaffKey {
		return domain.StaffKey{StaffID: c.StaffID, Tenant: c.Tenant}
	}, facts.Staff, out.Counters); err != nil {
		return err
	}
	if len(out.Dossiers)+len(out.Documents)+len(out.Staff) == 0 {
		return nil
	}
	return facts.Save(ctx, out)
}

// fact is a read-model fact (*F) that merges changes of type C and contributes to the counters.
type fact[C, F any] interface {
	*F
	Merge(C)
	Contribution() []domain.Delta
}

// projectFacts merges changes into the facts load returns for their keys (key), adds each fact's
// change of contribution to counters, and returns the merged facts, one per key, in the order
// their keys first appear.
func projectFacts[K comparable, C, F any, PF fact[C, F]](ctx context.Context, changes []C, key func(C) K,
	load func(context.Context, []K) (map[K]F, error), counters domain.Deltas) ([]F, error) {
	if len(changes) == 0 {
		return nil, nil
	}
	keys := make([]K, 0, len(changes))
	for _, c := range changes {
		keys = append(keys, key(c))
	}
	known, err := load(ctx, keys)
	if err != nil {
		return nil, err
	}
	before := make(map[K][]domain.Delta, len(known))
	for k, f := range known {
		before[k] = PF(&f).Contribution()
	}
	for i, c := range changes {
		k := keys[i]
		f := known[k]
		PF(&f).Merge(c)
		known[k] = f
	}
	unique := uniqueKeys(keys)
	out := make([]F, 0, len(unique))
	for _, k := range unique {
		f := known[k]
		counters.Apply(before[k], PF(&f).Contribution())
		out = append(out, f)
	}
	return out, nil
}

func uniqueKeys[K comparable](keys []K) []K {
	seen := make(map[K]bool, len(keys))
	out := keys[:0:0]
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}
