package web

import "sync"

// pageCache holds rendered pages. It is small (events × pages × languages)
// and simply starts over when full, which also drops old versions.
type pageCache struct {
	mu    sync.RWMutex
	pages map[string][]byte
}

const pageCacheSize = 256

func (pc *pageCache) get(key string) ([]byte, bool) {
	pc.mu.RLock()
	defer pc.mu.RUnlock()
	p, ok := pc.pages[key]
	return p, ok
}

func (pc *pageCache) put(key string, page []byte) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.pages == nil || len(pc.pages) >= pageCacheSize {
		pc.pages = map[string][]byte{}
	}
	pc.pages[key] = page
}
