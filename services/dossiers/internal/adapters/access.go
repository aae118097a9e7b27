package adapters

import (
	"context"
	"time"

	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/dossiers/internal/domain"
)

// accessRow is one read of a dossier's personal data, in the reader's unit's log.
type accessRow struct {
	ID string `gorm:"primaryKey;size:36"`
	store.TenantModel
	DossierID   string    `gorm:"size:36;not null;default:'';index"`
	ReceiptCode string    `gorm:"size:64;not null;default:''"`
	Actor       string    `gorm:"size:255;not null"`
	ActorName   string    `gorm:"size:255;not null;default:''"`
	What        string    `gorm:"size:16;not null"`
	At          time.Time `gorm:"not null"`
}

func (accessRow) TableName() string { return "access_log" }

// RecordAccess adds one entry to the log of the caller's unit.
func (s *Store) RecordAccess(ctx context.Context, e domain.Access) error {
	sc, err := scopeOf(ctx)
	if err != nil {
		return err
	}
	row := accessRow{ID: e.ID, DossierID: e.DossierID, ReceiptCode: e.Receipt, Actor: e.Actor, ActorName: e.ActorName,
		What: e.What, At: e.At.UTC()}
	return dbError("record access", s.DB(ctx).Scopes(store.ForWrite(sc)).Create(&row).Error)
}

// AccessLog lists the caller's unit's log, newest first, n entries from offset. Only the
// unit's own entries: a unit above does not read who below looked at what.
func (s *Store) AccessLog(ctx context.Context, n, offset int) ([]domain.Access, error) {
	sc, err := scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	var rows []accessRow
	if err := s.DB(ctx).Scopes(store.ForWrite(sc)).Order("at DESC, id DESC").Limit(n).Offset(offset).Find(&rows).Error; err != nil {
		return nil, dbError("read access log", err)
	}
	out := make([]domain.Access, len(rows))
	for i, r := range rows {
		out[i] = domain.Access{ID: r.ID, Tenant: r.TenantID, DossierID: r.DossierID, Receipt: r.ReceiptCode, Actor: r.Actor,
			ActorName: r.ActorName, What: r.What, At: r.At.UTC()}
	}
	return out, nil
}
