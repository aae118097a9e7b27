package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// Probe returns a readiness probe that pings the database, for httpapi.Check{Name: "db"}.
func Probe(db *gorm.DB) func(context.Context) error {
	return func(ctx context.Context) error {
		sqlDB, err := db.DB()
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return sqlDB.PingContext(ctx)
	}
}
