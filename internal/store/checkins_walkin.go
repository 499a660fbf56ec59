package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/foyer-events/foyer/internal/checkin"
	"github.com/foyer-events/foyer/internal/registration"
)

// WalkIn says how a guest registered at the door is admitted.
type WalkIn struct {
	// Scan names who admits, on which device, with which nonce; its Note
	// is the reason for admitting over capacity.
	Scan Scan
	// OverCapacity admits the guest even when the event is full.
	OverCapacity bool
}

// walkInJob is a walk-in on its way through the registration batch writer.
type walkInJob struct {
	scan         Scan
	overCapacity bool
	exceeded     bool // admitted over capacity: the reason is logged
	answer       *ScanAnswer
}

// RegisterWalkIn registers a guest at the door and admits them at the
// entrance, in one transaction with the registration: capacity is
// respected unless w.OverCapacity (ErrFull), approval mode and the waiting
// list do not apply, and the usual email goes out when in has an address.
// An address with a live registration admits that registration instead
// (existing is true). A repeated nonce returns the first answer.
func (s *Store) RegisterWalkIn(ctx context.Context, ev *Event, in registration.Input, w WalkIn) (reg *registration.Registration, existing bool, a *ScanAnswer, err error) {
	w.Scan.Kind, w.Scan.Door = checkin.KindWalkIn, ""
	j := &registerJob{ctx: ctx, ev: ev, in: in, done: make(chan struct{}),
		walkIn: &walkInJob{scan: w.Scan, overCapacity: w.OverCapacity}}
	reg, existing, err = s.register(ctx, j)
	if err != nil {
		return nil, false, nil, err
	}
	return reg, existing, j.walkIn.answer, nil
}

// replayTx answers a walk-in whose nonce was seen with its first answer.
func (w *walkInJob) replayTx(ctx context.Context, tx *writeTx, j *registerJob) (bool, error) {
	if w.scan.Nonce == "" {
		return false, nil
	}
	a, err := replay(ctx, tx, j.ev.ID, w.scan.Nonce)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	w.answer, j.id, j.existing = a, a.RegistrationID, true
	return true, nil
}

// admitTx admits registration j.id at the entrance.
func (w *walkInJob) admitTx(ctx context.Context, tx *writeTx, j *registerJob) error {
	sc := w.scan
	sc.Verdict = checkin.Verdict{RegistrationID: j.id}
	if !w.exceeded {
		sc.Note = ""
	}
	a, err := scanTx(ctx, tx, j.ev, sc)
	if a != nil {
		a.OverCapacity = w.exceeded
	}
	w.answer = a
	return err
}
