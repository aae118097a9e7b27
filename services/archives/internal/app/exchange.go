package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/telemetry"
	"egov.vn/platform/services/archives/internal/domain"
)

// Send delivers an outgoing document electronically to other units. For each recipient, in one
// transaction with the sender's "sent" event: a copy of the document enters the recipient's
// incoming register under the next arrival number, with copies of its files in the
// recipient's bucket, and is acknowledged received. The files are copied server-side first, so
// a failure leaves no half delivery (the copies are discarded, or removed by the cleanup job).
func (a *App) Send(ctx context.Context, who platform.Actor, documentID string, recipients []string) (_ []domain.Delivery, err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.Send")
	defer telemetry.End(span, &err)
	if err := requireClerk(who); err != nil {
		return nil, err
	}
	d, err := a.ownDocument(ctx, who, documentID)
	if err != nil {
		return nil, err
	}
	recipients = normaliseSlugs(recipients)
	if err := domain.CheckSend(d, string(who.Tenant), recipients); err != nil {
		return nil, err
	}
	already, err := a.store.Deliveries(ctx, documentID)
	if err != nil {
		return nil, err
	}
	for _, r := range recipients {
		if a.dir == nil {
			return nil, apperr.Unavailable("the tenant directory", nil)
		}
		t, err := a.dir.Tenant(ctx, r)
		if err != nil || t.Disabled {
			return nil, apperr.Invalid("recipients", "Đơn vị nhận "+r+" không tồn tại hoặc đã ngừng hoạt động")
		}
		if slices.ContainsFunc(already, func(x domain.Delivery) bool { return x.RecipientTenant == r }) {
			return nil, apperr.Conflict("already_sent", "văn bản đã được gửi tới "+r).WithDetail("recipient", r)
		}
	}
	files, err := a.store.FilesOf(ctx, documentID)
	if err != nil {
		return nil, err
	}
	files = latestVersions(files)
	now := a.now()
	type arrival struct {
		doc   domain.Document
		files []stored
	}
	arrivals := make([]arrival, 0, len(recipients))
	var copies []stored
	defer func() {
		if err != nil {
			a.discardAll(ctx, copies)
		}
	}()
	for _, r := range recipients {
		in := incomingCopy(d, r, now)
		ar := arrival{doc: in}
		for _, f := range files {
			c, err := a.copyObject(ctx, f, r, objectKey(in.ID, newID()), in.ID)
			if err != nil {
				return nil, err
			}
			copies = append(copies, c)
			ar.files = append(ar.files, c)
		}
		arrivals = append(arrivals, ar)
	}
	var out []domain.Delivery
	err = a.store.Transact(ctx, func(ctx context.Context) error {
		// Recipients in slug order: concurrent sends lock the registers' counters in one order.
		for _, ar := range arrivals {
			// The exchange writes into the recipient's register on its behalf: this is the one
			// place the archives act in a scope other than the caller's, and only to append.
			rctx := store.WithScope(ctx, store.Scope{Tenant: ar.doc.Tenant})
			n, err := a.store.NextNumber(rctx, domain.Incoming, ar.doc.Year)
			if err != nil {
				return err
			}
			ar.doc.Number = n
			if err := a.store.CreateDocument(rctx, &ar.doc); err != nil {
				return err
			}
			if err := a.commitFiles(rctx, ar.files); err != nil {
				return err
			}
			del := domain.Delivery{ID: newID(), SenderTenant: string(who.Tenant), DocumentID: d.ID, RecipientTenant: ar.doc.Tenant,
				IncomingDocumentID: ar.doc.ID, IncomingNumber: n, State: domain.DeliveryReceived, SentAt: now, ReceivedAt: now}
			if err := a.store.CreateDelivery(ctx, del); err != nil {
				return err
			}
			out = append(out, del)
			reg, err := registeredEvent(ar.doc)
			if err != nil {
				return err
			}
			rec, err := documentEvent(ar.doc.Tenant, "received", d.ID, receivedData{DocumentID: d.ID, Tenant: ar.doc.Tenant,
				FromTenant: string(who.Tenant), ReceivedAt: now, IncomingDocumentID: ar.doc.ID})
			if err != nil {
				return err
			}
			if err := a.store.Publish(ctx, reg); err != nil {
				return err
			}
			if err := a.store.Publish(ctx, rec); err != nil {
				return err
			}
		}
		sent, err := documentEvent(string(who.Tenant), "sent", d.ID, sentData{DocumentID: d.ID, Tenant: string(who.Tenant), Recipients: recipients, SentAt: now})
		if err != nil {
			return err
		}
		return a.store.Publish(ctx, sent)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// incomingCopy is the recipient's register entry for a sent document: the sender's metadata,
// its notation as the sender numbered it, arrival today.
func incomingCopy(d domain.Document, recipient string, now time.Time) domain.Document {
	in := d
	in.ID, in.Tenant, in.Direction = newID(), recipient, domain.Incoming
	in.Year, in.Number, in.RecordID, in.ReadAt = now.In(domain.Vietnam).Year(), 0, "", nil
	today := domain.CivilDay(now)
	in.ArrivalDate, in.RegisteredAt, in.RegisteredBy = &today, now, "system:exchange"
	in.FromTenant, in.SourceDocumentID = d.Tenant, d.ID
	// A dossier's result is linked to the dossier in the unit that returned it, not in the recipients'.
	in.DossierID, in.ReceiptCode = "", ""
	return in
}

// copyObject copies one file version into the recipient's bucket, marked pending until commit.
func (a *App) copyObject(ctx context.Context, f domain.StoredFile, tenant, key, documentID string) (stored, error) {
	p := domain.PendingUpload{ID: newID(), Tenant: tenant, Bucket: a.objects.Bucket(tenant), Key: key, StartedAt: a.now()}
	if err := a.store.BeginUpload(ctx, p); err != nil {
		return stored{}, err
	}
	version, err := a.objects.Copy(ctx, f.Bucket, f.Key, f.VersionID, tenant, key)
	if err != nil {
		a.discard(ctx, p)
		return stored{}, err
	}
	c := f
	c.ID, c.Tenant, c.DocumentID, c.Bucket, c.Key, c.VersionID = newID(), tenant, documentID, p.Bucket, key, version
	c.RetainUntil, c.LegalHold, c.FixityAt, c.CreatedAt, c.CreatedBy = nil, false, nil, a.now(), "system:exchange"
	return stored{file: c, pending: p.ID}, nil
}

// latestVersions keeps the newest version of each file (a recipient gets the current text).
func latestVersions(files []domain.StoredFile) []domain.StoredFile {
	last := map[string]int{}
	for i, f := range files {
		last[f.Key] = i
	}
	var out []domain.StoredFile
	for i, f := range files {
		if last[f.Key] == i {
			out = append(out, f)
		}
	}
	return out
}

func normaliseSlugs(in []string) []string {
	var out []string
	for _, s := range in {
		s = strings.ToLower(strings.TrimSpace(s))
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// Recipients lists the units a clerk usually sends to: the parent unit, its other children
// (sibling units) and the unit's own children. Any unit may still be named by its slug.
func (a *App) Recipients(ctx context.Context, who platform.Actor) ([]Tenant, error) {
	if err := signedIn(who); err != nil {
		return nil, err
	}
	if a.dir == nil {
		return nil, nil
	}
	own, err := a.dir.Tenant(ctx, string(who.Tenant))
	if err != nil {
		return nil, err
	}
	var out []Tenant
	add := func(ts ...Tenant) {
		for _, t := range ts {
			if t.Slug != string(who.Tenant) && !t.Disabled && !slices.ContainsFunc(out, func(x Tenant) bool { return x.Slug == t.Slug }) {
				out = append(out, t)
			}
		}
	}
	if own.Parent != "" {
		if p, err := a.dir.Tenant(ctx, own.Parent); err == nil {
			add(p)
		}
		if sib, err := a.dir.Children(ctx, own.Parent); err == nil {
			add(sib...)
		}
	}
	if kids, err := a.dir.Children(ctx, string(who.Tenant)); err == nil {
		add(kids...)
	}
	return out, nil
}
