package store

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"gorm.io/gorm"
)

// memoryMigrations serialises migrations of in-memory SQLite databases, which no other process
// can open.
var memoryMigrations sync.Mutex

// lockSQLiteMigrations takes an exclusive lock on "<database file>-migrate.lock". SQLite's own
// write lock cannot span goose's check of the version table and its transactions (they run on
// other connections of the pool, which would wait on the holder), so a lock file beside the
// database serialises starters instead; the kernel releases it if the process dies.
func lockSQLiteMigrations(ctx context.Context, db *gorm.DB) (func(), error) {
	var list []struct {
		Seq  int
		Name string
		File string
	}
	if err := db.WithContext(ctx).Raw("PRAGMA database_list").Scan(&list).Error; err != nil {
		return nil, err
	}
	file := ""
	for _, d := range list {
		if d.Name == "main" {
			file = d.File
		}
	}
	if file == "" {
		memoryMigrations.Lock()
		return memoryMigrations.Unlock, nil
	}
	f, err := os.OpenFile(file+"-migrate.lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(migrationLockWait)
	for {
		locked, err := tryLockFile(f)
		if err != nil {
			_ = f.Close()
			return nil, err
		}
		if locked {
			return func() { _ = unlockFile(f); _ = f.Close() }, nil
		}
		if time.Now().After(deadline) {
			_ = f.Close()
			return nil, fmt.Errorf("%s is held by another process for over %s", f.Name(), migrationLockWait)
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
