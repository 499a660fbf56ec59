package store

import (
	"time"

	"github.com/foyer-events/foyer/internal/metrics"
)

// Instrument makes the group-commit writers report their batches and
// waits to m. It may be called while the store is in use.
func (s *Store) Instrument(m *metrics.Metrics) { s.metrics.Store(m) }

// commitTimed runs one batch's commit and reports its size and duration.
func (s *Store) commitTimed(kind string, size int, commit func()) {
	start := time.Now()
	commit()
	s.lastBatch.Store(time.Now().UnixNano())
	s.metrics.Load().Batch(kind, size, time.Since(start))
}

// busyWindow is how long after the last registration or scan the store
// still counts as busy.
const busyWindow = 250 * time.Millisecond

// Busy reports whether guests are being served right now: a registration
// or a scan was written in the last quarter of a second. Background work
// (the mail worker) gives way while it is, so that a registration opening
// gets the CPUs; it catches up once the rush is over.
func (s *Store) Busy() bool {
	return time.Now().UnixNano()-s.lastBatch.Load() < int64(busyWindow)
}

// waited reports how long one write of kind spent in the group commit
// since it was queued at start.
func (s *Store) waited(kind string, start time.Time) {
	s.metrics.Load().WriteWait(kind, time.Since(start))
}
