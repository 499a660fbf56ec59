package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/foyer-events/foyer/internal/checkin"
	"github.com/foyer-events/foyer/internal/metrics"
)

// CheckIn records a scan and returns its answer: one transaction with the
// conditional write that makes the admission, shared with other scans that
// arrive at the same moment (group commit). An undo that finds nothing to
// undo answers nil; an unverified code that is not the one stored answers
// Unverified, and nothing is written.
func (s *Store) CheckIn(ctx context.Context, ev *Event, sc Scan) (*ScanAnswer, error) {
	answers, err := s.CheckInAll(ctx, ev, []Scan{sc})
	if err != nil {
		return nil, err
	}
	return answers[0], nil
}

// CheckInAll records scans in their order, as one device's queue sent them.
// An undo that finds nothing to undo has a nil answer (and is not logged).
func (s *Store) CheckInAll(ctx context.Context, ev *Event, scans []Scan) ([]*ScanAnswer, error) {
	jobs := make([]*scanJob, len(scans))
	for i := range scans {
		if scans[i].Door != "" && ev.Session(scans[i].Door) == nil {
			return nil, checkin.ErrUnknownSession
		}
		jobs[i] = &scanJob{ctx: ctx, ev: ev, scan: scans[i], done: make(chan struct{})}
	}
	queued := time.Now()
	for _, j := range jobs {
		if err := s.scans.add(ctx, j); err != nil {
			if errors.Is(err, errClosed) {
				err = fmt.Errorf("store: check in: %w", err)
			}
			return nil, err
		}
	}
	answers := make([]*ScanAnswer, len(jobs))
	keys := ev.sessionKeys()
	for i, j := range jobs {
		<-j.done // even if ctx ends now: the batch may already have committed it
		s.waited(metrics.WritesCheckIns, queued)
		switch {
		case errors.Is(j.err, checkin.ErrNothingToUndo):
			// answers[i] stays nil
		case j.err != nil:
			return nil, fmt.Errorf("store: check in: %w", j.err)
		default:
			if err := j.answer.decodeGuest(keys); err != nil {
				return nil, fmt.Errorf("store: check in: %w", err)
			}
			answers[i] = j.answer
		}
	}
	return answers, nil
}

// scanJob is one scan on its way through the batch writer.
type scanJob struct {
	ctx    context.Context
	ev     *Event
	scan   Scan
	answer *ScanAnswer
	err    error
	done   chan struct{}
}

// commitScans records a batch of scans in one transaction. An answer that
// refuses (nothing to undo) is not a failure; any other error rolls the
// batch back, and each scan is then tried in a transaction of its own.
func (s *Store) commitScans(batch []*scanJob) {
	ctx := context.Background()
	err := s.tx(ctx, func(tx *writeTx) error {
		for _, j := range batch {
			j.answer, j.err = nil, j.ctx.Err()
			if j.err != nil {
				continue
			}
			j.answer, j.err = scanTx(ctx, tx, j.ev, j.scan)
			if j.err != nil && !errors.Is(j.err, checkin.ErrNothingToUndo) {
				return j.err
			}
			// The guest for the answer, read here where the pages are
			// warm: a reading connection starts with a cold cache after
			// every commit, and read it again at several times the cost.
			// A scan that decided from the registration has it already.
			if a := j.answer; j.err == nil && a != nil && a.RegistrationID != 0 && !a.Unverified && a.card == nil {
				if a.card, j.err = guestTx(ctx, tx, j.ev, a.RegistrationID); j.err != nil {
					return j.err
				}
			}
		}
		return nil
	})
	if err != nil && len(batch) > 1 {
		for _, j := range batch {
			s.commitScans([]*scanJob{j})
		}
		return
	}
	for _, j := range batch {
		if err != nil && j.err == nil {
			j.err = err
		}
		close(j.done)
	}
}
