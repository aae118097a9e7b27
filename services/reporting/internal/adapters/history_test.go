package adapters_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"egov.vn/platform/libs/events"
)

// The test's own view of Vietnam time and periods, written apart from the domain package so the
// expectations do not reuse the code under test.
var ict = time.FixedZone("UTC+7", 7*3600)

type span struct{ start, end time.Time } // [start, end)

func monthSpan(year, month int) span {
	s := time.Date(year, time.Month(month), 1, 0, 0, 0, 0, ict)
	return span{s, s.AddDate(0, 1, 0)}
}

func quarterSpan(year, q int) span {
	s := time.Date(year, time.Month(3*q-2), 1, 0, 0, 0, 0, ict)
	return span{s, s.AddDate(0, 3, 0)}
}

func yearSpan(year int) span {
	s := time.Date(year, 1, 1, 0, 0, 0, 0, ict)
	return span{s, s.AddDate(1, 0, 0)}
}

func (s span) has(t time.Time) bool { return !t.IsZero() && !t.Before(s.start) && t.Before(s.end) }

// caseTruth is one dossier as handled by one tenant, as the generator decided it.
type caseTruth struct {
	tenant, id, channel        string
	refusedOnly                bool
	received, due              time.Time
	legal, elapsed             int64
	resolved, closed, returned time.Time
	closedAs                   string
	onTime                     bool
	rating                     string
	rated                      time.Time
	archived                   bool // its result was registered in the tenant's archives
}

func (c caseTruth) ended() time.Time {
	if !c.resolved.IsZero() {
		return c.resolved
	}
	return c.closed
}

type docTruth struct {
	tenant, register string
	registered       time.Time
	sent             bool
}

type staffTruth struct {
	tenant      string
	hired, left time.Time
	qualified   map[string]time.Time
}

// historyNow is the moment a generated history is read at: every action happened before it,
// while due dates and HR's effective dates may lie after it. It is in the middle of a month, so
// the current month, quarter and year are read at an instant inside a month.
var historyNow = time.Date(2026, 11, 18, 14, 30, 0, 0, ict)

// history is a generated event history with the facts it was generated from.
type history struct {
	now    time.Time
	cases  []caseTruth
	docs   []docTruth
	staff  []staffTruth
	events []pending
}

type pending struct {
	topic events.Topic
	data  map[string]any
}

var kinds = []string{"professional", "political", "state_management", "it", "language", "training"}

// generate makes n dossiers over 2025–2026 in the given communes, transfers between them,
// documents and staff, and every event they produce, shuffled: a result may arrive before its
// receipt, a rating before its result.
func generate(seed uint64, communes []string, n int) *history {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	h := &history{now: historyNow}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, ict)
	now := h.now
	// happened says whether an action planned at t took place by now; one that did not is left out
	// of the history, as the dossier has not got there yet.
	happened := func(t time.Time) bool { return !t.After(now) }
	at := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	for i := range n {
		tenant := communes[r.IntN(len(communes))]
		id := uuid.NewString()
		received := start.Add(time.Duration(r.Int64N(int64(now.Sub(start))))).Truncate(time.Second)
		if r.IntN(3) == 0 { // a third in the last month: open now, many due after now
			received = now.Add(-time.Duration(1 + r.Int64N(int64(30*24*time.Hour)))).Truncate(time.Second)
		}
		due := received.Add(time.Duration(1+r.IntN(20)) * 24 * time.Hour) // may be after now
		channel := []string{"desk", "online", "post"}[r.IntN(3)]
		legal := int64(480 * (1 + r.IntN(15)))
		code := fmt.Sprintf("UB-%06d", i)
		base := func(c *caseTruth, version int, state string, occurred time.Time) map[string]any {
			return map[string]any{"dossier_id": id, "receipt_code": code, "tenant": c.tenant,
				"procedure_code": "1.00" + fmt.Sprint(i%7), "procedure_name": "Thủ tục thử " + fmt.Sprint(i%7), "field": "Hộ tịch",
				"level": "commune", "channel": c.channel, "state": state, "version": version,
				"received_at": at(c.received), "due_at": at(c.due), "occurred_at": at(occurred), "actor": "u1"}
		}
		emit := func(c *caseTruth, verb string, version int, state string, occurred time.Time, extra map[string]any) {
			d := base(c, version, state, occurred)
			for k, v := range extra {
				d[k] = v
			}
			h.events = append(h.events, pending{events.Topic{Tenant: c.tenant, Service: "dossiers", Entity: "dossier", Verb: verb}, d})
		}
		c := caseTruth{tenant: tenant, id: id, channel: channel, received: received, due: due, legal: legal}
		if r.IntN(20) == 0 { // refused at the desk: never received
			c.refusedOnly = true
			c.closed = received
			emit(&c, "refused", 1, "refused", received, map[string]any{"reason": "thiếu giấy tờ"})
			h.cases = append(h.cases, c)
			continue
		}
		emit(&c, "received", 1, "received", received, map[string]any{"legal_minutes": legal})
		if happened(received.Add(time.Hour)) {
			emit(&c, "assigned", 2, "assigned", received.Add(time.Hour), map[string]any{"unit": "vp", "handler": "u2"})
		}
		v := 3
		switch x := r.IntN(10); {
		case x < 6: // resolved, unless its time has not come yet
			resolved := received.Add(time.Duration(r.Int64N(int64(due.Sub(received)) * 3 / 2)))
			if !happened(resolved) || !happened(received.Add(time.Hour)) {
				break // still in process now
			}
			c.resolved, c.onTime = resolved, !resolved.After(due)
			c.elapsed = int64(resolved.Sub(received).Minutes()) / 3
			if r.IntN(4) == 0 {
				emit(&c, "step-done", v, "in_process", received.Add(2*time.Hour), map[string]any{"step": 1, "step_name": "Thẩm định"})
				v++
			}
			emit(&c, "result-ready", v, "result_ready", resolved, map[string]any{"resolved_at": at(resolved),
				"on_time": c.onTime, "elapsed_minutes": c.elapsed, "legal_minutes": legal})
			v++
			returned := resolved.Add(time.Duration(r.IntN(72)) * time.Hour)
			if r.IntN(3) == 0 || !happened(returned) {
				break
			}
			c.returned = returned
			emit(&c, "returned", v, "returned", c.returned, map[string]any{"returned_at": at(c.returned)})
			v++
			// On return the result is registered in the commune's archives, most of the time by
			// now; the registration may come in before or after the dossier's events.
			if registered := returned.Add(time.Duration(r.IntN(120)) * time.Minute); r.IntN(5) > 0 && happened(registered) {
				c.archived = true
				h.docs = append(h.docs, docTruth{tenant: tenant, register: "outgoing", registered: registered})
				h.events = append(h.events, pending{events.Topic{Tenant: tenant, Service: "archives", Entity: "document", Verb: "registered"},
					map[string]any{"document_id": uuid.NewString(), "tenant": tenant, "register": "outgoing", "year": registered.Year(),
						"number": 100000 + i, "notation": fmt.Sprintf("%d/QĐ-UBND", i), "type": "QĐ", "registered_at": at(registered),
						"dossier_id": id, "receipt_code": code}})
			}
			if rated := c.returned.Add(time.Hour); r.IntN(2) == 0 && happened(rated) {
				c.rating, c.rated = []string{"very_satisfied", "satisfied", "not_satisfied"}[r.IntN(3)], rated
				emit(&c, "rated", v, "returned", c.rated, map[string]any{"rating": c.rating, "comment": ""})
			}
		case x < 7: // withdrawn or stopped, unless its time has not come yet
			closed := received.Add(time.Duration(r.IntN(500)) * time.Hour)
			if !happened(closed) {
				break
			}
			c.closedAs, c.closed = []string{"withdrawn", "stopped"}[r.IntN(2)], closed
			emit(&c, c.closedAs, v, c.closedAs, c.closed, map[string]any{"reason": "theo đề nghị"})
		case x < 8 && len(communes) > 1: // transferred to another commune, which then resolves it
			closed := received.Add(time.Duration(1+r.IntN(48)) * time.Hour)
			if !happened(closed) {
				break
			}
			to := communes[(indexOf(communes, tenant)+1)%len(communes)]
			c.closedAs, c.closed = "transferred", closed
			emit(&c, "transferred", v, "transferred", c.closed, map[string]any{"from_tenant": tenant, "to_tenant": to})
			v++
			c2 := caseTruth{tenant: to, id: id, channel: channel, received: c.closed, due: due.Add(48 * time.Hour), legal: legal}
			emit(&c2, "received", v, "received", c2.received, map[string]any{"legal_minutes": legal})
			v++
			if resolved := c2.received.Add(time.Duration(r.IntN(400)) * time.Hour); r.IntN(2) == 0 && happened(resolved) {
				c2.resolved = resolved
				c2.onTime = !c2.resolved.After(c2.due)
				c2.elapsed = int64(c2.resolved.Sub(c2.received).Minutes()) / 4
				emit(&c2, "result-ready", v, "result_ready", c2.resolved, map[string]any{"resolved_at": at(c2.resolved),
					"on_time": c2.onTime, "elapsed_minutes": c2.elapsed, "legal_minutes": legal})
			}
			h.cases = append(h.cases, c2)
		default: // still in process, perhaps with a supplement asked and, once due, an overdue notice
			if happened(received.Add(24 * time.Hour)) {
				emit(&c, "supplement-requested", v, "supplement_requested", received.Add(24*time.Hour), map[string]any{"reason": "bổ sung"})
				v++
			}
			if happened(due) {
				emit(&c, "overdue", v, "in_process", due, map[string]any{"step": 0})
			}
		}
		h.cases = append(h.cases, c)
	}
	for i := range n / 2 {
		tenant := communes[r.IntN(len(communes))]
		id := uuid.NewString()
		d := docTruth{tenant: tenant, register: []string{"outgoing", "outgoing", "incoming"}[r.IntN(3)],
			registered: start.Add(time.Duration(r.Int64N(int64(now.Sub(start)) - int64(time.Hour))))}
		h.events = append(h.events, pending{events.Topic{Tenant: tenant, Service: "archives", Entity: "document", Verb: "registered"},
			map[string]any{"document_id": id, "tenant": tenant, "register": d.register, "year": d.registered.Year(), "number": i + 1,
				"notation": fmt.Sprintf("%d/UBND", i+1), "type": "CV", "registered_at": at(d.registered)}})
		if d.register == "outgoing" && r.IntN(10) < 7 {
			d.sent = true
			to := communes[(indexOf(communes, tenant)+1)%len(communes)]
			sent := d.registered.Add(time.Hour)
			for range 1 + r.IntN(2) { // sent once or twice: counted once
				h.events = append(h.events, pending{events.Topic{Tenant: tenant, Service: "archives", Entity: "document", Verb: "sent"},
					map[string]any{"document_id": id, "tenant": tenant, "recipients": []string{to}, "sent_at": at(sent)}})
			}
		}
		h.docs = append(h.docs, d)
	}
	for range n / 5 {
		tenant := communes[r.IntN(len(communes))]
		id := uuid.NewString()
		// Hired from a year before the history to two months after now: HR records a decision
		// ahead of its effective date, and the staff member is on the payroll from that date only.
		s := staffTruth{tenant: tenant, hired: start.AddDate(-1, 0, 0).Add(time.Duration(r.Int64N(int64(now.AddDate(0, 2, 0).Sub(start.AddDate(-1, 0, 0)))))),
			qualified: map[string]time.Time{}}
		h.events = append(h.events, pending{events.Topic{Tenant: tenant, Service: "hr", Entity: "staff", Verb: "hired"},
			map[string]any{"staff_id": id, "tenant": tenant, "unit_id": "u", "category": "cong_chuc", "position": "cv", "effective_at": at(s.hired)}})
		for _, k := range kinds {
			if r.IntN(2) == 0 {
				aw := s.hired.Add(time.Duration(r.Int64N(int64(400*24*time.Hour))) - 200*24*time.Hour)
				if !happened(aw) {
					continue // not awarded yet
				}
				s.qualified[k] = aw
				h.events = append(h.events, pending{events.Topic{Tenant: tenant, Service: "hr", Entity: "staff", Verb: "qualification-added"},
					map[string]any{"staff_id": id, "tenant": tenant, "kind": k, "level": "x", "rank": 1 + r.IntN(5), "awarded_at": at(aw)}})
			}
		}
		if r.IntN(4) == 0 { // leaving, perhaps on a date still to come (a retirement decided ahead)
			s.left = s.hired.Add(time.Duration(r.Int64N(int64(600 * 24 * time.Hour))))
			h.events = append(h.events, pending{events.Topic{Tenant: tenant, Service: "hr", Entity: "staff", Verb: "left"},
				map[string]any{"staff_id": id, "tenant": tenant, "reason": "nghỉ", "effective_at": at(s.left)}})
		}
		h.staff = append(h.staff, s)
	}
	r.Shuffle(len(h.events), func(i, j int) { h.events[i], h.events[j] = h.events[j], h.events[i] })
	return h
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

// publish sends the history to JetStream with each event id as the message id (as the relay
// does); every tenth event is also sent again under another message id, which the stream keeps
// and the consumer must recognise by event id.
func publish(t testing.TB, js jetstream.JetStream, h *history) []events.Event {
	t.Helper()
	return publishEvents(t, js, h, true)
}

// publishEvents publishes the history, every tenth event twice when dup.
func publishEvents(t testing.TB, js jetstream.JetStream, h *history, dup bool) []events.Event {
	t.Helper()
	ctx := context.Background()
	var out []events.Event
	var acks []jetstream.PubAckFuture
	for i, p := range h.events {
		if i%1000 == 999 { // keep the async publishes in flight below the client's limit
			select {
			case <-js.PublishAsyncComplete():
			case <-time.After(time.Minute):
				t.Fatal("publishing stalled")
			}
		}
		evt, err := events.New(p.topic, fmt.Sprint(p.data["dossier_id"]), p.data)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, evt)
		body, err := evt.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		msg := &nats.Msg{Subject: p.topic.Subject(), Data: body, Header: nats.Header{}}
		msg.Header.Set(jetstream.MsgIDHeader, evt.ID())
		msg.Header.Set("Content-Type", events.ContentType)
		f, err := js.PublishMsgAsync(msg)
		if err != nil {
			t.Fatal(err)
		}
		acks = append(acks, f)
		if dup && i%10 == 0 {
			dup := &nats.Msg{Subject: msg.Subject, Data: body, Header: nats.Header{}}
			dup.Header.Set(jetstream.MsgIDHeader, evt.ID()+"-again")
			if f, err = js.PublishMsgAsync(dup); err != nil {
				t.Fatal(err)
			}
			acks = append(acks, f)
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(time.Minute):
		t.Fatal("publishing did not complete")
	}
	for _, f := range acks {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			t.Fatalf("publish: %v", err)
		}
	}
	_ = ctx
	return out
}

// expectation is the test's own arithmetic over the generated facts for some tenants and a span.
type expectation struct {
	carried, received, online, resolved, onTime, late, inProcess, overdue, returned int64
	archived                                                                        int64
	elapsed, legal, ratings, satisfied                                              int64
	outgoing, electronic, staff                                                     int64
	qualified                                                                       map[string]int64
}

// expect recomputes a period's figures by brute force. Flows count what happened within the
// span; stocks are read at the span's end, or at the history's now while the span is not over
// (and at now for what a span not begun yet carries in): a dossier still open is overdue once its
// due time has passed, not because it falls due later in the period.
func expect(h *history, tenants []string, s span) expectation {
	first, last := s.start, s.end
	if h.now.Before(first) {
		first = h.now
	}
	if h.now.Before(last) {
		last = h.now
	}
	in := map[string]bool{}
	for _, t := range tenants {
		in[t] = true
	}
	e := expectation{qualified: map[string]int64{}}
	for _, c := range h.cases {
		if !in[c.tenant] || c.refusedOnly {
			continue
		}
		end := c.ended()
		if c.received.Before(first) && (end.IsZero() || !end.Before(first)) {
			e.carried++
		}
		if s.has(c.received) {
			e.received++
			if c.channel == "online" {
				e.online++
			}
		}
		if s.has(c.resolved) {
			e.resolved++
			e.elapsed += c.elapsed
			e.legal += c.legal
			if c.onTime {
				e.onTime++
			} else {
				e.late++
			}
		}
		if c.received.Before(last) && (end.IsZero() || !end.Before(last)) {
			e.inProcess++
			if c.due.Before(last) {
				e.overdue++
			}
		}
		if s.has(c.returned) {
			e.returned++
			if c.archived {
				e.archived++
			}
		}
		if s.has(c.rated) {
			e.ratings++
			if c.rating != "not_satisfied" {
				e.satisfied++
			}
		}
	}
	for _, d := range h.docs {
		if in[d.tenant] && d.register == "outgoing" && s.has(d.registered) {
			e.outgoing++
			if d.sent {
				e.electronic++
			}
		}
	}
	for _, st := range h.staff {
		if !in[st.tenant] || !st.hired.Before(last) || (!st.left.IsZero() && st.left.Before(last)) {
			continue
		}
		e.staff++
		for k, aw := range st.qualified {
			if aw.Before(last) {
				e.qualified[k]++
			}
		}
	}
	return e
}

func pct(num, den int64) (float64, bool) {
	if den == 0 {
		return 0, false
	}
	return math.Round(1e6*float64(num)/float64(den)) / 1e4, true
}
