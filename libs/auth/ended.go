package auth

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store"
)

// EndedSessions remembers which page sessions have been ended by a logout, so that every replica
// of a service refuses a session cookie that one replica was told about. Sessions are identified
// as identity identifies them: by SSO session id (sid) and by subject.
type EndedSessions interface {
	// End records a logout at time at. With a sid it ends every session carrying that sid
	// (whenever it was issued); with only a subject it ends every session of that subject issued
	// at or before at.
	End(ctx context.Context, sid, subject string, at time.Time) error
	// Ended reports whether a session with this sid and subject, issued at issuedAt, has been
	// ended.
	Ended(ctx context.Context, sid, subject string, issuedAt time.Time) (bool, error)
}

const (
	// maxSessionLifetime caps WebConfig.SessionLifetime so that endedRetention can forget ends
	// that no living cookie can match any more.
	maxSessionLifetime = 7 * 24 * time.Hour
	endedRetention     = maxSessionLifetime + 24*time.Hour
)

// endedSession is one row of auth_ended_sessions: an end by sid (SessionID set) or by subject
// alone (SessionID empty).
type endedSession struct {
	ID        uint64    `gorm:"primaryKey"`
	SessionID string    `gorm:"column:sid;size:255;not null;default:'';index:idx_auth_ended_sessions_sid"`
	Subject   string    `gorm:"size:255;not null;index:idx_auth_ended_sessions_subject"`
	EndedAt   time.Time `gorm:"not null;index:idx_auth_ended_sessions_ended_at"`
}

func (endedSession) TableName() string { return "auth_ended_sessions" }

// GormEndedSessions is EndedSessions in the service's own database (SQLite or PostgreSQL), in
// the table auth_ended_sessions. Rows are pruned once no session they could match can still be
// alive.
type GormEndedSessions struct {
	db *gorm.DB
}

// NewEndedSessions returns the store, first applying Migrations if the service has not (its
// store.MigrateAll at start normally has, and then this finds nothing pending): a caller that
// builds NewService on a database of its own still gets the table.
func NewEndedSessions(ctx context.Context, db *gorm.DB) (*GormEndedSessions, error) {
	if db == nil {
		return nil, fmt.Errorf("auth: NewEndedSessions: nil *gorm.DB")
	}
	if err := store.MigrateAll(ctx, db, Migrations); err != nil {
		return nil, fmt.Errorf("auth: create table auth_ended_sessions: %w", err)
	}
	return &GormEndedSessions{db: db}, nil
}

// End implements EndedSessions.
func (g *GormEndedSessions) End(ctx context.Context, sid, subject string, at time.Time) error {
	if sid == "" && subject == "" {
		return fmt.Errorf("auth: end session: sid or subject is required")
	}
	at = dbTime(at)
	err := g.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&endedSession{SessionID: sid, Subject: subject, EndedAt: at}).Error; err != nil {
			return err
		}
		return tx.Where("ended_at < ?", at.Add(-endedRetention)).Delete(&endedSession{}).Error
	})
	if err != nil {
		return fmt.Errorf("auth: end session: %w", err)
	}
	return nil
}

// Ended implements EndedSessions.
func (g *GormEndedSessions) Ended(ctx context.Context, sid, subject string, issuedAt time.Time) (bool, error) {
	var ids []uint64
	// One statement for both cases; "sid <> ''" keeps a session without sid from matching
	// the subject-only rows' empty sid.
	err := g.db.WithContext(ctx).Model(&endedSession{}).
		Where("(sid = '' AND subject = ? AND ended_at >= ?) OR (sid <> '' AND sid = ?)", subject, dbTime(issuedAt), sid).
		Limit(1).Pluck("id", &ids).Error
	if err != nil {
		return false, fmt.Errorf("auth: check ended sessions: %w", err)
	}
	return len(ids) > 0, nil
}

// dbTime is t as both dialects store it (UTC, microseconds), so comparisons agree on both.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
