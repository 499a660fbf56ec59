package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/foyer-events/foyer/internal/metrics"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/ticket"
)

// New registrations, written by a group-commit writer.

// Register creates a registration for the validated input. The capacity
// checks, the seat and the email in the outbox commit together or not at
// all. If the email already has a live registration for the event, that one
// is returned with existing=true and its email is queued again, at most
// once per registration.RepeatMailInterval.
//
// Registrations arriving together share one transaction (group commit): the
// single writer then pays for one commit per batch instead of one per
// guest, which is what lets a popular forum open its registration without
// queueing. Each registration still sees every one committed before it.
func (s *Store) Register(ctx context.Context, ev *Event, in registration.Input) (*registration.Registration, bool, error) {
	return s.register(ctx, &registerJob{ctx: ctx, ev: ev, in: in, done: make(chan struct{})})
}

// register sends a job through the batch writer and waits for it. What
// the row needs that does not depend on the database is worked out first,
// in the caller's goroutine (see prepare), so that the single writer does
// as little besides SQL as it can.
func (s *Store) register(ctx context.Context, j *registerJob) (*registration.Registration, bool, error) {
	if err := s.prepare(j); err != nil {
		return nil, false, fmt.Errorf("store: register: %w", err)
	}
	queued := time.Now()
	if err := s.registrations.add(ctx, j); err != nil {
		if errors.Is(err, errClosed) {
			err = fmt.Errorf("store: register: %w", err)
		}
		return nil, false, err
	}
	<-j.done // even if ctx ends now: the batch may already have committed it
	s.waited(metrics.WritesRegistrations, queued)
	switch {
	case errors.Is(j.err, ErrFull):
		return nil, false, ErrFull
	case j.err != nil:
		return nil, false, fmt.Errorf("store: register: %w", j.err)
	case j.existing:
		reg, err := s.GetRegistration(ctx, j.id)
		return reg, true, err
	}
	return j.reg, false, nil
}

// registerJob is one registration on its way through the batch writer.
type registerJob struct {
	ctx context.Context
	ev  *Event
	in  registration.Input
	// What the row of a new registration needs, worked out before the job
	// is queued (see prepare).
	emailKey    string
	answers     string // JSON
	search      string
	manageToken string
	id          int64
	reg         *registration.Registration
	existing    bool
	err         error
	done        chan struct{}
	// walkIn is set for a guest registered at the door, who is admitted
	// in the same transaction.
	walkIn *walkInJob
}

// commitBatch registers a batch in one transaction. A full event is an
// answer, not a failure: it writes nothing and the batch goes on. Any other
// error rolls the whole batch back, and each registration is then tried in
// a transaction of its own, so one broken write never half-writes another.
func (s *Store) commitBatch(batch []*registerJob) {
	ctx := context.Background()
	err := s.tx(ctx, func(tx *writeTx) error {
		for _, j := range batch {
			j.reg, j.existing, j.err = nil, false, j.ctx.Err()
			if j.err != nil {
				continue
			}
			if j.err = s.registerTx(ctx, tx, j); j.err != nil && !errors.Is(j.err, ErrFull) {
				return j.err
			}
		}
		return nil
	})
	if err != nil && len(batch) > 1 {
		for _, j := range batch {
			s.commitBatch([]*registerJob{j})
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

// prepare works out, before j joins the queue, what its row needs and the
// writer does not have to: the manage token, the email key, the search text
// and the answers as JSON.
//
// The ticket code is signed in the transaction: it signs the registration's
// id, and ids are taken there, in the order in which registrations are
// written, so that the order of ids, of the waiting list and of who got a
// place agree. (Reserving ids before the queue, which would let callers
// sign on every core, breaks that when callers overtake each other.)
func (s *Store) prepare(j *registerJob) error {
	in := j.in
	answers, err := json.Marshal(in.Answers)
	if err != nil {
		return err
	}
	j.answers = string(answers)
	j.emailKey = registration.EmailKey(in.Email)
	j.search = registration.SearchText(in.FirstName, in.LastName, in.Email, in.Organisation)
	j.manageToken = NewSecret(24)
	return nil
}

// registerTx is one registration inside a batch's transaction.
func (s *Store) registerTx(ctx context.Context, tx *writeTx, j *registerJob) error {
	ev, in := j.ev, j.in
	if j.walkIn != nil {
		j.walkIn.exceeded, j.walkIn.answer = false, nil
		if done, err := j.walkIn.replayTx(ctx, tx, j); done || err != nil {
			return err
		}
	}
	key := j.emailKey
	var status string
	var repeatMailAt sql.NullString
	err := sql.ErrNoRows
	if in.Email != "" {
		err = tx.QueryRowContext(ctx, `SELECT id, status, repeat_mail_at FROM registrations WHERE event_id = ? AND email_key = ?
			AND status IN ('pending', 'confirmed', 'waitlisted')`, ev.ID, key).Scan(&j.id, &status, &repeatMailAt)
	}
	if err == nil {
		j.existing = true
		if j.walkIn != nil {
			return j.walkIn.admitTx(ctx, tx, j)
		}
		// Anyone can post anyone's address: the email goes out again, but
		// not more often than the interval allows.
		ts := now()
		if repeatMailAt.Valid && parseTime(repeatMailAt.String).After(parseTime(ts).Add(-registration.RepeatMailInterval)) {
			return nil
		}
		if _, err := tx.ExecContext(ctx, "UPDATE registrations SET repeat_mail_at = ? WHERE id = ?", ts, j.id); err != nil {
			return err
		}
		return enqueueMail(ctx, tx, j.id, registration.MailFor(status))
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}

	status = registration.Confirmed
	if ev.Registration.Mode == "approval" && j.walkIn == nil {
		status = registration.Pending
	} else if full, err := eventFull(ctx, tx, ev); err != nil {
		return err
	} else if full {
		switch {
		case j.walkIn != nil:
			// At the door there is no waiting list: in, or not in.
			if !j.walkIn.overCapacity {
				return ErrFull
			}
			j.walkIn.exceeded = true
		case !ev.Registration.Waitlist:
			return ErrFull
		default:
			status = registration.Waitlisted
		}
	}

	// The id is taken before the insert so that the ticket code, which
	// signs it, goes in with the row. One writer makes this safe.
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) + 1 FROM registrations").Scan(&j.id); err != nil {
		return err
	}
	code, err := ticket.Issue(ev.TicketKey, ev.ID, j.id)
	if err != nil {
		return err
	}
	if in.Email == "" {
		// A walk-in without an address: a key no address can have keeps
		// the one-live-registration-per-address index out of the way.
		key = fmt.Sprintf("walk-in:%d", j.id)
	}
	kind := in.Kind
	if !registration.ValidKind(kind) {
		kind = registration.KindAttendee
	}
	ts := now()
	version := ev.Registration.PrivacyVersion
	_, err = tx.ExecContext(ctx, `INSERT INTO registrations (id, event_id, status, first_name, last_name, salutation,
		title, email, email_key, organisation, job_title, country, language, answers, consent_at, consent_version,
		ticket_code, manage_token, queued_at, created_at, updated_at, search, kind)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		j.id, ev.ID, status, in.FirstName, in.LastName, in.Salutation, in.Title, in.Email, key, in.Organisation, in.JobTitle, in.Country,
		in.Language, j.answers, ts, version, code, j.manageToken, ts, ts, ts, j.search, kind)
	if err != nil {
		return err
	}
	seats, err := addSeats(ctx, tx, ev, j.id, status, in.Sessions)
	if err != nil {
		return err
	}
	at := parseTime(ts)
	j.reg = &registration.Registration{ID: j.id, Event: ev.Slug, Status: status, Kind: kind, FirstName: in.FirstName,
		LastName: in.LastName, Salutation: in.Salutation, Title: in.Title, Email: in.Email, Organisation: in.Organisation, JobTitle: in.JobTitle,
		Country: in.Country, Language: in.Language, Sessions: seats, Answers: in.Answers,
		Consent: registration.Consent{At: at, Version: version}, CreatedAt: at, UpdatedAt: at, TicketCode: code}
	if in.Email != "" {
		if err := enqueueMail(ctx, tx, j.id, registration.MailFor(status)); err != nil {
			return err
		}
	}
	if j.walkIn != nil {
		return j.walkIn.admitTx(ctx, tx, j)
	}
	return nil
}
