package adapters

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/dossiers/internal/app"
)

// archiveLinkRow is where a dossier's result is archived (migration 00003): one per dossier.
type archiveLinkRow struct {
	DossierID string `gorm:"primaryKey;size:36"`
	store.TenantModel
	DocumentID   string    `gorm:"size:36;not null"`
	Year         int       `gorm:"not null"`
	Number       int       `gorm:"not null"`
	Notation     string    `gorm:"size:128;not null"`
	RegisteredAt time.Time `gorm:"not null"`
}

func (archiveLinkRow) TableName() string { return "archive_links" }

var _ app.ArchiveLinks = (*Store)(nil)

// SaveArchiveLink stores l in the scope's tenant; a link already stored for the dossier stays.
func (s *Store) SaveArchiveLink(ctx context.Context, l app.ArchiveLink) error {
	sc, err := scopeOf(ctx)
	if err != nil {
		return err
	}
	row := archiveLinkRow{DossierID: l.DossierID, DocumentID: l.DocumentID, Year: l.Year, Number: l.Number,
		Notation: l.Notation, RegisteredAt: l.RegisteredAt.UTC()}
	err = s.DB(ctx).Scopes(store.ForWrite(sc)).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
	return dbError("save archive link", err)
}

// ArchiveLinkOf reads the link of a dossier the scope may read.
func (s *Store) ArchiveLinkOf(ctx context.Context, dossierID string) (app.ArchiveLink, error) {
	sc, err := scopeOf(ctx)
	if err != nil {
		return app.ArchiveLink{}, err
	}
	var row archiveLinkRow
	err = s.DB(ctx).Scopes(store.ForRead(sc)).Where("dossier_id = ?", dossierID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return app.ArchiveLink{}, apperr.NotFound("archive link", dossierID)
	}
	if err != nil {
		return app.ArchiveLink{}, dbError("read archive link", err)
	}
	return app.ArchiveLink{DossierID: row.DossierID, Tenant: row.TenantID, DocumentID: row.DocumentID, Year: row.Year,
		Number: row.Number, Notation: row.Notation, RegisteredAt: row.RegisteredAt.UTC()}, nil
}

// ArchivedSubjects are the archives' "registered" events of every unit; only those naming a
// dossier (dossier_id, services/EVENTS.md) make a link.
var ArchivedSubjects = []string{events.SubjectRoot + ".*.archives.document.registered"}

// ArchiveLinksConsumer links dossiers to the documents their results became: a durable consumer
// of the archives' "registered" events, writing each link in the transaction where libs/events
// records the event as processed.
type ArchiveLinksConsumer struct {
	DB      *gorm.DB
	JS      jetstream.JetStream
	App     *app.App
	Stream  string
	Durable string
	Log     *slog.Logger
}

type registeredData struct {
	DocumentID   string    `json:"document_id"`
	Tenant       string    `json:"tenant"`
	Year         int       `json:"year"`
	Number       int       `json:"number"`
	Notation     string    `json:"notation"`
	RegisteredAt time.Time `json:"registered_at"`
	DossierID    string    `json:"dossier_id"`
}

// Run consumes until ctx ends; an error means it cannot consume at all.
func (c *ArchiveLinksConsumer) Run(ctx context.Context) error {
	return events.Consume(ctx, c.JS, c.DB, c.Stream, c.Durable, ArchivedSubjects,
		func(ctx context.Context, evt events.Event, tx *gorm.DB) error {
			var d registeredData
			if err := events.DecodeData(evt, &d); err != nil {
				return events.Permanent(err)
			}
			if d.DossierID == "" {
				return nil // a document of the registers, not a dossier's result
			}
			err := c.App.RecordArchived(store.WithTx(ctx, tx), app.ArchiveLink{DossierID: d.DossierID, Tenant: d.Tenant,
				DocumentID: d.DocumentID, Year: d.Year, Number: d.Number, Notation: d.Notation, RegisteredAt: d.RegisteredAt})
			if apperr.KindOf(err) == apperr.KindInvalid {
				return events.Permanent(err)
			}
			return err
		}, events.WithLogger(c.Log))
}
