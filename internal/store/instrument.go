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
	s.metrics.Load().Batch(kind, size, time.Since(start))
}

// waited reports how long one write of kind spent in the group commit
// since it was queued at start.
func (s *Store) waited(kind string, start time.Time) {
	s.metrics.Load().WriteWait(kind, time.Since(start))
}
