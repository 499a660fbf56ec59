package store

import (
	"sync"
	"sync/atomic"
	"time"
)

// tokenCacheTTL is how long the owner of an API token, once looked up, is
// taken from memory: a door's scanner sends its token with every scan,
// and looking it up each time was a fifth of a scan's work. Revoking a
// token or changing or disabling its owner through this store takes
// effect at once (forgetTokens); the TTL bounds how long a change made
// by another process on the same database can go unseen.
const tokenCacheTTL = 2 * time.Second

// tokenCacheMax bounds the entries kept; beyond it the cache starts anew.
const tokenCacheMax = 4096

// tokenCache maps a token's hash to its owner as last read.
type tokenCache struct {
	gen     atomic.Uint64 // raised by every change to users or tokens
	mu      sync.RWMutex
	entries map[string]tokenEntry
}

type tokenEntry struct {
	user    User
	gen     uint64
	expires time.Time
}

// get returns the owner of the token with hash, if known and current.
func (c *tokenCache) get(hash string) (User, bool) {
	c.mu.RLock()
	e, ok := c.entries[hash]
	c.mu.RUnlock()
	if !ok || e.gen != c.gen.Load() || time.Now().After(e.expires) {
		return User{}, false
	}
	return e.user, true
}

// put remembers the owner read for hash, unless users or tokens changed
// since gen was taken (before the read), which may have made it stale.
func (c *tokenCache) put(hash string, u User, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen.Load() {
		return
	}
	if c.entries == nil || len(c.entries) >= tokenCacheMax {
		c.entries = map[string]tokenEntry{}
	}
	c.entries[hash] = tokenEntry{user: u, gen: gen, expires: time.Now().Add(tokenCacheTTL)}
}

// forget drops every entry: called after a commit that revoked a token or
// changed an account.
func (c *tokenCache) forget() {
	c.mu.Lock()
	c.gen.Add(1)
	c.entries = nil
	c.mu.Unlock()
}
