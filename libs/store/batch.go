package store

import (
	"context"

	"gorm.io/gorm"
)

// DeleteInBatches runs a DELETE of at most batch rows (query's last placeholder is the batch
// size, after args) until one deletes fewer rows than it could, and reports how many went. The
// pruners use it so that a first prune of a long backlog holds no huge transaction.
func DeleteInBatches(ctx context.Context, db *gorm.DB, batch int, query string, args ...any) (int64, error) {
	var total int64
	for {
		res := db.WithContext(ctx).Exec(query, append(args, batch)...)
		if res.Error != nil {
			return total, res.Error
		}
		total += res.RowsAffected
		if res.RowsAffected < int64(batch) {
			return total, nil
		}
	}
}
