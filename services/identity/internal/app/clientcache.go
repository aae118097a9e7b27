package app

import (
	"sync"
	"time"

	"egov.vn/platform/services/identity/internal/domain"
)

// clientCacheFor is how long a replica reuses a client it read. Every token request reads its
// client two or three times (op authenticates, then looks it up, then builds the token); the
// cache turns that into one read per client per period. The cost is that a client disabled or
// given a new secret on another replica keeps working here for at most this long; this replica's
// own changes take effect at once.
const clientCacheFor = 2 * time.Second

type cachedClient struct {
	client  domain.Client
	expires time.Time
}

// clientCache is a per-replica read cache of clients; nothing depends on replicas agreeing on it.
type clientCache struct {
	mu      sync.Mutex
	entries map[string]cachedClient
}

func (c *clientCache) get(id string, now time.Time) (domain.Client, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[id]
	if !ok || !now.Before(e.expires) {
		return domain.Client{}, false
	}
	return e.client, true
}

func (c *clientCache) put(cl domain.Client, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) > 10_000 { // bounded: a flood of unknown ids is not cached anyway
		c.entries = map[string]cachedClient{}
	}
	c.entries[cl.ID] = cachedClient{client: cl, expires: now.Add(clientCacheFor)}
}

func (c *clientCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, id)
}
