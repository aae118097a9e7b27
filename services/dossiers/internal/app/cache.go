package app

import (
	"context"
	"sync"
	"time"

	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/dossiers/internal/domain"
)

// unitCache keeps each unit's settings, working-day calendar and procedures for a short while.
// Every intake and every action reads them, and they change a few times a year: reading them
// from the database each time was a third of an intake's cost, and rebuilding the calendar
// recomputed the lunar holidays each time. A write through this replica drops the unit's entry
// at once; a write through another replica is seen here within ttl. Ages are measured on the
// wall clock, not the service's (tests freeze that one).
type unitCache struct {
	ttl   time.Duration
	mu    sync.Mutex
	units map[string]*unitEntry
}

type unitEntry struct {
	// gen counts the writes to the unit; a load that began before a write does not store what
	// it read, which may predate the write.
	gen      uint64
	loaded   time.Time // settings and calendar; zero = not loaded
	settings Settings
	calendar *domain.WorkingDayCalendar
	procs    map[string]cachedProcedure
}

type cachedProcedure struct {
	p      domain.Procedure
	loaded time.Time
}

func newUnitCache(ttl time.Duration) *unitCache {
	return &unitCache{ttl: ttl, units: map[string]*unitEntry{}}
}

// tenantOf is the cache key: the unit whose settings a call reads and writes. No scope (or no
// cache) means the call goes to the store.
func (c *unitCache) tenantOf(ctx context.Context) (string, bool) {
	if c == nil || c.ttl <= 0 {
		return "", false
	}
	sc, err := store.ScopeFrom(ctx)
	if err != nil || sc.Tenant == "" {
		return "", false
	}
	return sc.Tenant, true
}

func (c *unitCache) entry(tenant string) *unitEntry {
	e := c.units[tenant]
	if e == nil {
		e = &unitEntry{procs: map[string]cachedProcedure{}}
		c.units[tenant] = e
	}
	return e
}

// calendar returns the unit's cached calendar and settings, or the generation to pass to
// putCalendar after loading them.
func (c *unitCache) calendar(tenant string) (*domain.WorkingDayCalendar, Settings, uint64, bool) {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entry(tenant)
	if !e.loaded.IsZero() && now.Sub(e.loaded) < c.ttl {
		return e.calendar, e.settings, e.gen, true
	}
	return nil, Settings{}, e.gen, false
}

func (c *unitCache) putCalendar(tenant string, gen uint64, cal *domain.WorkingDayCalendar, st Settings) {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entry(tenant); e.gen == gen {
		e.calendar, e.settings, e.loaded = cal, st, now
	}
}

func (c *unitCache) procedure(tenant, code string) (domain.Procedure, uint64, bool) {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entry(tenant)
	if p, ok := e.procs[code]; ok && now.Sub(p.loaded) < c.ttl {
		return p.p, e.gen, true
	}
	return domain.Procedure{}, e.gen, false
}

func (c *unitCache) putProcedure(tenant string, gen uint64, p domain.Procedure) {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entry(tenant); e.gen == gen {
		e.procs[p.Code] = cachedProcedure{p: p, loaded: now}
	}
}

// forget drops what is cached for the unit in ctx's scope; every write to settings, calendar or
// catalogue calls it.
func (c *unitCache) forget(ctx context.Context) {
	tenant, ok := c.tenantOf(ctx)
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entry(tenant)
	e.gen++
	e.loaded, e.calendar, e.settings = time.Time{}, nil, Settings{}
	clear(e.procs)
}
