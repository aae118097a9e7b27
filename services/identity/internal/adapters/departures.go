package adapters

import (
	"context"
	"log/slog"

	"github.com/nats-io/nats.go/jetstream"
	"gorm.io/gorm"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/identity/internal/app"
)

// DepartureSubjects are HR's staff.left events of every unit (services/EVENTS.md).
var DepartureSubjects = []string{events.SubjectRoot + ".*.hr.staff.left"}

// DeparturesConsumer disables the accounts of people HR recorded as having left: a durable
// consumer of staff.left, applying each event (app.RecordDeparture) in the transaction where
// libs/events records its id as processed, so a redelivered or replayed event changes nothing.
type DeparturesConsumer struct {
	DB      *gorm.DB
	JS      jetstream.JetStream
	App     *app.App
	Stream  string
	Durable string
	Log     *slog.Logger
}

type leftData struct {
	StaffID string `json:"staff_id"`
	Tenant  string `json:"tenant"`
}

// Run consumes until ctx ends; an error means it cannot consume at all.
func (c *DeparturesConsumer) Run(ctx context.Context) error {
	return events.Consume(ctx, c.JS, c.DB, c.Stream, c.Durable, DepartureSubjects,
		func(ctx context.Context, evt events.Event, tx *gorm.DB) error {
			var d leftData
			if err := events.DecodeData(evt, &d); err != nil {
				return events.Permanent(err)
			}
			disabled, err := c.App.RecordDeparture(store.WithTx(ctx, tx), app.Departure{EventID: evt.ID(), Tenant: d.Tenant, StaffID: d.StaffID})
			if apperr.KindOf(err) == apperr.KindInvalid {
				return events.Permanent(err)
			}
			if err == nil && disabled {
				c.Log.InfoContext(ctx, "account disabled: HR recorded a departure", "tenant", d.Tenant, "staff_id", d.StaffID, "event_id", evt.ID())
			}
			return err
		}, events.WithLogger(c.Log))
}
