//go:build !unix

package store

import (
	"os"
	"sync"
)

// otherMigrations stands in for flock where it is missing: it serialises the starters of one
// process only (SQLite is the development database; production runs PostgreSQL on Linux).
var otherMigrations sync.Mutex

func tryLockFile(*os.File) (bool, error) { return otherMigrations.TryLock(), nil }

func unlockFile(*os.File) error { otherMigrations.Unlock(); return nil }
