package app

import (
	"time"

	"egov.vn/platform/libs/events"
	"egov.vn/platform/services/dossiers/internal/domain"
)

// dossierEvent builds one event of services/EVENTS.md: the common fields of the dossier after
// the change, plus the verb's extra fields, published under tenant.
func dossierEvent(verb, tenant string, d *domain.Dossier, actor string, at time.Time, extra map[string]any) (events.Event, error) {
	data := map[string]any{
		"dossier_id": d.ID, "receipt_code": d.ReceiptCode, "tenant": tenant,
		"procedure_code": d.ProcedureCode, "procedure_name": d.ProcedureName, "field": d.Field, "level": string(d.Level),
		"channel": string(d.Channel), "state": string(d.State), "version": d.Version,
		"received_at": d.ReceivedAt.UTC(), "due_at": d.DueAt.UTC(), "occurred_at": at.UTC(), "actor": actor,
	}
	for k, v := range extra {
		data[k] = v
	}
	return events.New(events.Topic{Tenant: tenant, Service: "dossiers", Entity: "dossier", Verb: verb}, d.ID, data)
}

// eventsFor returns the events of one applied transition t (the dossier is d after it).
func (s *App) eventsFor(d *domain.Dossier, t domain.Transition, cal domain.Clock) ([]events.Event, error) {
	var (
		verb  string
		extra = map[string]any{}
	)
	switch t.Action {
	case domain.ActRefuse:
		verb, extra["reason"] = "refused", t.Note
	case domain.ActAssign:
		verb, extra["unit"], extra["handler"] = "assigned", t.Unit, t.Handler
	case domain.ActCompleteStep:
		verb, extra["step"], extra["step_name"] = "step-done", t.Step, d.Steps[t.Step-1].Name
	case domain.ActRequestSupplement:
		verb, extra["reason"] = "supplement-requested", t.Note
	case domain.ActSupplement:
		verb = "supplemented"
	case domain.ActStop:
		verb, extra["reason"] = "stopped", t.Note
	case domain.ActWithdraw:
		verb, extra["reason"] = "withdrawn", t.Note
	case domain.ActApprove:
		verb = "approved"
	case domain.ActMarkResultReady:
		verb = "result-ready"
		extra["resolved_at"] = d.ResolvedAt.UTC()
		extra["on_time"] = d.OnTime()
		extra["elapsed_minutes"] = d.ElapsedMinutes(cal, *d.ResolvedAt)
		extra["legal_minutes"] = d.LegalMinutes
	case domain.ActReturn:
		verb, extra["returned_at"] = "returned", d.ReturnedAt.UTC()
		if r := d.Result; r != nil {
			extra["result_bucket"], extra["result_object_key"], extra["result_file_name"] = r.Bucket, r.ObjectKey, r.FileName
			extra["result_content_type"], extra["result_size"], extra["result_sha256"] = r.ContentType, r.Size, r.SHA256
			extra["result_type"], extra["result_summary"], extra["result_signer"] = r.Type, r.Summary, r.Signer
		}
	case domain.ActSendBack:
		verb, extra["note"], extra["step"] = "sent-back", t.Note, t.Step
	case domain.ActAttachResult:
		// Attaching is recorded in the history; what consumers need of the result travels
		// with the returned event.
		return nil, nil
	case domain.ActExtend:
		verb, extra["new_due_at"] = "extended", t.DueAt.UTC()
	case domain.ActTransfer:
		// Published under the unit that handed it over, then received by the one above.
		from := t.Tenant
		snapshot := *d
		snapshot.State = domain.StateTransferred
		handed, err := dossierEvent("transferred", from, &snapshot, t.Actor, t.At,
			map[string]any{"from_tenant": from, "to_tenant": t.ToTenant})
		if err != nil {
			return nil, err
		}
		received, err := dossierEvent("received", t.ToTenant, d, t.Actor, t.At, map[string]any{"legal_minutes": d.LegalMinutes})
		if err != nil {
			return nil, err
		}
		return []events.Event{handed, received}, nil
	}
	// The tenant of an event is the unit holding the dossier now, except that a result-ready
	// dossier handed back to the commune is still the district's result: it is published under
	// the unit that acted.
	tenant := d.Holder
	if t.Action == domain.ActMarkResultReady {
		tenant = t.Tenant
	}
	e, err := dossierEvent(verb, tenant, d, t.Actor, t.At, extra)
	if err != nil {
		return nil, err
	}
	return []events.Event{e}, nil
}
