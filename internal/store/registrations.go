package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/ticket"
)

// ErrFull means the event is full and its waiting list is off.
var ErrFull = errors.New("event is full")

// ErrNotLive means the registration was cancelled or rejected and cannot change.
var ErrNotLive = errors.New("registration is no longer live")

// Mail kinds, one per email the attendee can receive.
const (
	MailConfirmed  = "confirmed"
	MailWaitlisted = "waitlisted"
	MailPromoted   = "promoted"
	MailPending    = "pending"
	MailApproved   = "approved"
	MailRejected   = "rejected"
	MailCancelled  = "cancelled"
)

// mailFor is the email that tells an attendee their current status.
var mailFor = map[string]string{
	registration.Confirmed:  MailConfirmed,
	registration.Waitlisted: MailWaitlisted,
	registration.Pending:    MailPending,
	registration.Rejected:   MailRejected,
	registration.Cancelled:  MailCancelled,
}

// Register creates a registration for the validated input. The capacity
// checks, the seat and the email in the outbox commit together or not at
// all. If the email already has a live registration for the event, that one
// is returned with existing=true and its email is queued again.
//
// Registrations arriving together share one transaction (group commit): the
// single writer then pays for one commit per batch instead of one per
// guest, which is what lets a popular forum open its registration without
// queueing. Each registration still sees every one committed before it.
func (s *Store) Register(ctx context.Context, ev *Event, in registration.Input) (*registration.Registration, bool, error) {
	j := &registerJob{ctx: ctx, ev: ev, in: in, done: make(chan struct{})}
	select {
	case s.batches.queue <- j:
	case <-s.batches.stop:
		return nil, false, errors.New("store: register: closed")
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
	<-j.done // even if ctx ends now: the batch may already have committed it
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
	ctx      context.Context
	ev       *Event
	in       registration.Input
	id       int64
	reg      *registration.Registration
	existing bool
	err      error
	done     chan struct{}
}

// registerBatches is the group-commit writer for registrations.
type registerBatches struct {
	queue   chan *registerJob
	stop    chan struct{}
	stopped chan struct{}
}

// maxBatch bounds how many registrations share a transaction, so that other
// writers (the mail worker, cancellations) get the connection in between.
const maxBatch = 64

func (s *Store) startRegisterBatches() {
	s.batches = registerBatches{queue: make(chan *registerJob), stop: make(chan struct{}), stopped: make(chan struct{})}
	go func() {
		defer close(s.batches.stopped)
		for {
			var batch []*registerJob
			select {
			case j := <-s.batches.queue:
				batch = append(batch, j)
			case <-s.batches.stop:
				return
			}
		fill:
			for len(batch) < maxBatch {
				select {
				case j := <-s.batches.queue:
					batch = append(batch, j)
				default:
					break fill
				}
			}
			s.commitBatch(batch)
		}
	}()
}

func (s *Store) stopRegisterBatches() {
	close(s.batches.stop)
	<-s.batches.stopped
}

// commitBatch registers a batch in one transaction. A full event is an
// answer, not a failure: it writes nothing and the batch goes on. Any other
// error rolls the whole batch back, and each registration is then tried in
// a transaction of its own, so one broken write never half-writes another.
func (s *Store) commitBatch(batch []*registerJob) {
	ctx := context.Background()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for _, j := range batch {
			j.reg, j.existing, j.err = nil, false, j.ctx.Err()
			if j.err != nil {
				continue
			}
			if j.err = registerTx(ctx, tx, j); j.err != nil && !errors.Is(j.err, ErrFull) {
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

// registerTx is one registration inside a batch's transaction.
func registerTx(ctx context.Context, tx *sql.Tx, j *registerJob) error {
	ev, in := j.ev, j.in
	key := registration.EmailKey(in.Email)
	var status string
	err := tx.QueryRowContext(ctx, `SELECT id, status FROM registrations WHERE event_id = ? AND email_key = ?
		AND status IN ('pending', 'confirmed', 'waitlisted')`, ev.ID, key).Scan(&j.id, &status)
	if err == nil {
		j.existing = true
		return enqueueMail(ctx, tx, j.id, mailFor[status])
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}

	status = registration.Confirmed
	if ev.Registration.Mode == "approval" {
		status = registration.Pending
	} else if ev.Capacity != nil {
		taken, err := queryInt(ctx, tx, "SELECT confirmed FROM events WHERE id = ?", ev.ID)
		if err != nil {
			return err
		}
		if taken >= *ev.Capacity {
			if !ev.Registration.Waitlist {
				return ErrFull
			}
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
	answers, _ := json.Marshal(in.Answers)
	ts := now()
	version := ev.Registration.PrivacyVersion
	_, err = tx.ExecContext(ctx, `INSERT INTO registrations (id, event_id, status, first_name, last_name, email,
		email_key, organisation, job_title, country, language, answers, consent_at, consent_version, ticket_code,
		manage_token, queued_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		j.id, ev.ID, status, in.FirstName, in.LastName, in.Email, key, in.Organisation, in.JobTitle, in.Country,
		in.Language, string(answers), ts, version, code, NewSecret(24), ts, ts, ts)
	if err != nil {
		return err
	}
	seats, err := addSeats(ctx, tx, ev, j.id, status, in.Sessions)
	if err != nil {
		return err
	}
	at := parseTime(ts)
	j.reg = &registration.Registration{ID: j.id, Event: ev.Slug, Status: status, FirstName: in.FirstName,
		LastName: in.LastName, Email: in.Email, Organisation: in.Organisation, JobTitle: in.JobTitle,
		Country: in.Country, Language: in.Language, Sessions: seats, Answers: in.Answers,
		Consent: registration.Consent{At: at, Version: version}, CreatedAt: at, UpdatedAt: at, TicketCode: code}
	return enqueueMail(ctx, tx, j.id, mailFor[status])
}

// addSeats signs a registration up for sessions. A confirmed registration
// takes a free seat or joins the session's queue; a pending or waitlisted one
// queues for every session, and is seated when it is confirmed.
func addSeats(ctx context.Context, tx *sql.Tx, ev *Event, regID int64, status string, sessions []string) ([]registration.Seat, error) {
	seats := make([]registration.Seat, 0, len(sessions))
	for _, key := range sessions {
		sessionID, ok := ev.SessionIDs[key]
		if !ok {
			return nil, fmt.Errorf("unknown session %q", key)
		}
		seat := registration.Waitlisted
		if status == registration.Confirmed {
			free, err := sessionHasRoom(ctx, tx, ev, key, sessionID)
			if err != nil {
				return nil, err
			}
			if free {
				seat = registration.Confirmed
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO registration_sessions (registration_id, session_id, status, queued_at)
			VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, regID, sessionID, seat, now())
		if err != nil {
			return nil, err
		}
		seats = append(seats, registration.Seat{ID: key, Status: seat})
	}
	return seats, nil
}

func sessionHasRoom(ctx context.Context, tx *sql.Tx, ev *Event, key string, sessionID int64) (bool, error) {
	se := ev.Session(key)
	if se == nil || se.Capacity == nil {
		return true, nil
	}
	taken, err := queryInt(ctx, tx, "SELECT confirmed FROM sessions WHERE id = ?", sessionID)
	return taken < *se.Capacity, err
}

func queryInt(ctx context.Context, tx *sql.Tx, query string, args ...any) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

func enqueueMail(ctx context.Context, tx *sql.Tx, regID int64, kind string) error {
	ts := now()
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox (registration_id, kind, next_attempt_at, created_at) VALUES (?, ?, ?, ?)`,
		regID, kind, ts, ts)
	return err
}

// rebalance fills free places from the waiting lists, oldest first: event
// places first, then session seats of confirmed registrations. Everyone
// promoted gets a "promoted" email. It runs inside the transaction of every
// change that can free a place.
func rebalance(ctx context.Context, tx *sql.Tx, ev *Event) error {
	// Everyone moved up, to a place or only to a seat, gets one email.
	promoted := map[int64]struct{}{}
	for {
		if ev.Capacity != nil {
			taken, err := queryInt(ctx, tx, "SELECT confirmed FROM events WHERE id = ?", ev.ID)
			if err != nil {
				return err
			}
			if taken >= *ev.Capacity {
				break
			}
		}
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM registrations WHERE event_id = ? AND status = 'waitlisted'
			ORDER BY queued_at, id LIMIT 1`, ev.ID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			break
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE registrations SET status = 'confirmed', updated_at = ? WHERE id = ?", now(), id); err != nil {
			return err
		}
		promoted[id] = struct{}{}
	}
	for key, sessionID := range ev.SessionIDs {
		se := ev.Session(key)
		for {
			free := true
			if se != nil && se.Capacity != nil {
				taken, err := queryInt(ctx, tx, "SELECT confirmed FROM sessions WHERE id = ?", sessionID)
				if err != nil {
					return err
				}
				free = taken < *se.Capacity
			}
			if !free {
				break
			}
			var regID int64
			err := tx.QueryRowContext(ctx, `SELECT rs.registration_id FROM registration_sessions rs
				JOIN registrations r ON r.id = rs.registration_id
				WHERE rs.session_id = ? AND rs.status = 'waitlisted' AND r.status = 'confirmed'
				ORDER BY rs.queued_at, rs.registration_id LIMIT 1`, sessionID).Scan(&regID)
			if errors.Is(err, sql.ErrNoRows) {
				break
			}
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE registration_sessions SET status = 'confirmed' WHERE registration_id = ? AND session_id = ?",
				regID, sessionID); err != nil {
				return err
			}
			promoted[regID] = struct{}{}
		}
	}
	for id := range promoted {
		if err := enqueueMail(ctx, tx, id, MailPromoted); err != nil {
			return err
		}
	}
	return nil
}

// Cancel cancels a live registration, frees its places, promotes from the
// waiting lists and queues the emails.
func (s *Store) Cancel(ctx context.Context, ev *Event, id int64) error {
	return s.change(ctx, ev, id, func(tx *sql.Tx, status string) error {
		return end(ctx, tx, id, registration.Cancelled)
	})
}

// end closes a registration for good: its seats are freed and the attendee
// is told.
func end(ctx context.Context, tx *sql.Tx, id int64, status string) error {
	if _, err := tx.ExecContext(ctx, "UPDATE registrations SET status = ?, updated_at = ? WHERE id = ?", status, now(), id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM registration_sessions WHERE registration_id = ?", id); err != nil {
		return err
	}
	return enqueueMail(ctx, tx, id, mailFor[status])
}

// Approve confirms a pending registration, or waitlists it when the event
// is full (ErrFull when its waiting list is off).
func (s *Store) Approve(ctx context.Context, ev *Event, id int64) error {
	return s.change(ctx, ev, id, func(tx *sql.Tx, status string) error {
		if status != registration.Pending {
			return fmt.Errorf("%w: it is %s, not pending", ErrConflict, status)
		}
		next, kind := registration.Confirmed, MailApproved
		if ev.Capacity != nil {
			taken, err := queryInt(ctx, tx, "SELECT confirmed FROM events WHERE id = ?", ev.ID)
			if err != nil {
				return err
			}
			if taken >= *ev.Capacity {
				if !ev.Registration.Waitlist {
					return ErrFull
				}
				next, kind = registration.Waitlisted, MailWaitlisted
			}
		}
		// Its place in the queue counts from the approval, not the request.
		if _, err := tx.ExecContext(ctx, "UPDATE registrations SET status = ?, queued_at = ?, updated_at = ? WHERE id = ?",
			next, now(), now(), id); err != nil {
			return err
		}
		return enqueueMail(ctx, tx, id, kind)
	})
}

// Reject turns down a pending registration.
func (s *Store) Reject(ctx context.Context, ev *Event, id int64) error {
	return s.change(ctx, ev, id, func(tx *sql.Tx, status string) error {
		if status != registration.Pending {
			return fmt.Errorf("%w: it is %s, not pending", ErrConflict, status)
		}
		return end(ctx, tx, id, registration.Rejected)
	})
}

// Resend queues the email that matches the registration's current status.
func (s *Store) Resend(ctx context.Context, id int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var status string
		if err := tx.QueryRowContext(ctx, "SELECT status FROM registrations WHERE id = ?", id).Scan(&status); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		return enqueueMail(ctx, tx, id, mailFor[status])
	})
}

// ChangeSessions replaces a live registration's session choices: kept
// sessions keep their seats and queue places, new ones follow the capacity
// rules, dropped ones free seats for the next in line.
func (s *Store) ChangeSessions(ctx context.Context, ev *Event, id int64, sessions []string) error {
	return s.change(ctx, ev, id, func(tx *sql.Tx, status string) error {
		want := map[int64]bool{}
		for _, key := range sessions {
			want[ev.SessionIDs[key]] = true
		}
		rows, err := tx.QueryContext(ctx, "SELECT session_id FROM registration_sessions WHERE registration_id = ?", id)
		if err != nil {
			return err
		}
		var drop []int64
		have := map[int64]bool{}
		for rows.Next() {
			var sid int64
			if err := rows.Scan(&sid); err != nil {
				rows.Close()
				return err
			}
			have[sid] = true
			if !want[sid] {
				drop = append(drop, sid)
			}
		}
		rows.Close()
		for _, sid := range drop {
			if _, err := tx.ExecContext(ctx, "DELETE FROM registration_sessions WHERE registration_id = ? AND session_id = ?", id, sid); err != nil {
				return err
			}
		}
		var add []string
		for _, key := range sessions {
			if !have[ev.SessionIDs[key]] {
				add = append(add, key)
			}
		}
		if len(add) == 0 && len(drop) == 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, "UPDATE registrations SET updated_at = ? WHERE id = ?", now(), id)
		if err != nil {
			return err
		}
		_, err = addSeats(ctx, tx, ev, id, status, add)
		return err
	})
}

// change runs fn on a live registration of ev in one transaction, then
// promotes from the waiting lists.
func (s *Store) change(ctx context.Context, ev *Event, id int64, fn func(tx *sql.Tx, status string) error) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, "SELECT status FROM registrations WHERE id = ? AND event_id = ?", id, ev.ID).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if !registration.Live(status) {
			return ErrNotLive
		}
		if err := fn(tx, status); err != nil {
			return err
		}
		return rebalance(ctx, tx, ev)
	})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrNotLive), errors.Is(err, ErrFull), errors.Is(err, ErrConflict):
		return err
	}
	return fmt.Errorf("store: change registration %d: %w", id, err)
}

const registrationColumns = `r.id, e.slug, r.status, r.first_name, r.last_name, r.email, r.organisation, r.job_title,
	r.country, r.language, r.answers, r.consent_at, r.consent_version, r.ticket_code, r.manage_token, r.created_at, r.updated_at`

func scanRegistration(sc interface{ Scan(...any) error }) (*registration.Registration, error) {
	var r registration.Registration
	var answers, consentAt, created, updated string
	err := sc.Scan(&r.ID, &r.Event, &r.Status, &r.FirstName, &r.LastName, &r.Email, &r.Organisation, &r.JobTitle,
		&r.Country, &r.Language, &answers, &consentAt, &r.Consent.Version, &r.TicketCode, &r.ManageToken, &created, &updated)
	if err != nil {
		return nil, err
	}
	r.Answers = registration.DecodeAnswers(answers)
	r.Consent.At, r.CreatedAt, r.UpdatedAt = parseTime(consentAt), parseTime(created), parseTime(updated)
	r.Sessions = []registration.Seat{}
	return &r, nil
}

// GetRegistration returns one registration with its sessions and mail status.
func (s *Store) GetRegistration(ctx context.Context, id int64) (*registration.Registration, error) {
	return s.registrationWhere(ctx, "r.id = ?", id)
}

// RegistrationByToken returns the registration whose manage token this is.
func (s *Store) RegistrationByToken(ctx context.Context, token string) (*registration.Registration, error) {
	if token == "" {
		return nil, ErrNotFound
	}
	return s.registrationWhere(ctx, "r.manage_token = ?", token)
}

func (s *Store) registrationWhere(ctx context.Context, where string, arg any) (*registration.Registration, error) {
	row := s.read.QueryRowContext(ctx, "SELECT "+registrationColumns+" FROM registrations r JOIN events e ON e.id = r.event_id WHERE "+where, arg)
	r, err := scanRegistration(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: get registration: %w", err)
	}
	if err := s.fillDetails(ctx, []*registration.Registration{r}); err != nil {
		return nil, err
	}
	return r, nil
}

// fillDetails adds the session seats and the last email's state.
func (s *Store) fillDetails(ctx context.Context, regs []*registration.Registration) error {
	if len(regs) == 0 {
		return nil
	}
	byID := map[int64]*registration.Registration{}
	ids := make([]any, len(regs))
	for i, r := range regs {
		byID[r.ID] = r
		ids[i] = r.ID
	}
	in := "(" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ")"
	rows, err := s.read.QueryContext(ctx, `SELECT rs.registration_id, s.key, rs.status FROM registration_sessions rs
		JOIN sessions s ON s.id = rs.session_id WHERE rs.registration_id IN `+in+` ORDER BY s.starts_at, s.position`, ids...)
	if err != nil {
		return fmt.Errorf("store: registration sessions: %w", err)
	}
	for rows.Next() {
		var id int64
		var seat registration.Seat
		if err := rows.Scan(&id, &seat.ID, &seat.Status); err != nil {
			rows.Close()
			return err
		}
		byID[id].Sessions = append(byID[id].Sessions, seat)
	}
	rows.Close()
	rows, err = s.read.QueryContext(ctx, `SELECT o.registration_id, o.kind, o.status, o.last_error, coalesce(o.sent_at, o.created_at)
		FROM outbox o WHERE o.id IN (SELECT max(id) FROM outbox WHERE registration_id IN `+in+` GROUP BY registration_id)`, ids...)
	if err != nil {
		return fmt.Errorf("store: registration mail: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var m registration.MailStatus
		var at string
		if err := rows.Scan(&id, &m.Kind, &m.Status, &m.Error, &at); err != nil {
			return err
		}
		m.At = parseTime(at)
		byID[id].Mail = &m
	}
	return rows.Err()
}

// Filter selects registrations in a list.
type Filter struct {
	Status    string // one status, or "" for all
	Session   string // session id: only those signed up for it
	CheckedIn *bool
	Query     string // matches names, email and organisation
	Limit     int
	Offset    int
}

// ListRegistrations returns a page of an event's registrations, oldest
// first, and the total that match the filter.
func (s *Store) ListRegistrations(ctx context.Context, ev *Event, f Filter) ([]*registration.Registration, int, error) {
	where := []string{"r.event_id = ?"}
	args := []any{ev.ID}
	if f.Status != "" {
		where = append(where, "r.status = ?")
		args = append(args, f.Status)
	}
	if f.Session != "" {
		where = append(where, "r.id IN (SELECT registration_id FROM registration_sessions WHERE session_id = ?)")
		args = append(args, ev.SessionIDs[f.Session])
	}
	if f.CheckedIn != nil && *f.CheckedIn {
		// No check-ins are recorded yet in this schema version.
		where = append(where, "0")
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
		where = append(where, `(r.first_name LIKE ? ESCAPE '\' OR r.last_name LIKE ? ESCAPE '\' OR r.email LIKE ? ESCAPE '\'
			OR r.organisation LIKE ? ESCAPE '\' OR (r.first_name || ' ' || r.last_name) LIKE ? ESCAPE '\')`)
		args = append(args, like, like, like, like, like)
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM registrations r WHERE "+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count registrations: %w", err)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	rows, err := s.read.QueryContext(ctx, "SELECT "+registrationColumns+` FROM registrations r JOIN events e ON e.id = r.event_id
		WHERE `+cond+" ORDER BY r.id LIMIT ? OFFSET ?", append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list registrations: %w", err)
	}
	defer rows.Close()
	var regs []*registration.Registration
	for rows.Next() {
		r, err := scanRegistration(rows)
		if err != nil {
			return nil, 0, err
		}
		regs = append(regs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return regs, total, s.fillDetails(ctx, regs)
}

// SeatCounts returns, per session id, the confirmed seats taken, and the
// confirmed registrations of the event.
func (s *Store) SeatCounts(ctx context.Context, ev *Event) (event int, sessions map[string]int, err error) {
	sessions = map[string]int{}
	err = s.read.QueryRowContext(ctx, "SELECT confirmed FROM events WHERE id = ?", ev.ID).Scan(&event)
	if err != nil {
		return 0, nil, fmt.Errorf("store: seat counts: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, "SELECT key, confirmed FROM sessions WHERE event_id = ?", ev.ID)
	if err != nil {
		return 0, nil, fmt.Errorf("store: seat counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var n int
		if err := rows.Scan(&key, &n); err != nil {
			return 0, nil, err
		}
		sessions[key] = n
	}
	return event, sessions, rows.Err()
}

// Figures are an event's live numbers for the organiser's overview.
type Figures struct {
	Slug       string
	Title      programme.Text
	StartsAt   time.Time
	Status     string
	Capacity   *int
	Confirmed  int
	Waitlisted int
	Pending    int
	Cancelled  int
	MailFailed int
	MailQueued int
}

// EventFigures returns every event's registration counts, soonest first.
func (s *Store) EventFigures(ctx context.Context) ([]Figures, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT e.slug, e.title, e.starts_at, e.status, e.capacity,
		e.confirmed,
		(SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'waitlisted'),
		(SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'pending'),
		(SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'cancelled'),
		(SELECT count(*) FROM outbox o JOIN registrations r ON r.id = o.registration_id WHERE r.event_id = e.id AND o.status = 'failed'),
		(SELECT count(*) FROM outbox o JOIN registrations r ON r.id = o.registration_id WHERE r.event_id = e.id AND o.status IN ('queued', 'sending'))
		FROM events e ORDER BY e.starts_at, e.slug`)
	if err != nil {
		return nil, fmt.Errorf("store: event figures: %w", err)
	}
	defer rows.Close()
	var out []Figures
	for rows.Next() {
		var f Figures
		var start, title string
		var capacity sql.NullInt64
		if err := rows.Scan(&f.Slug, &title, &start, &f.Status, &capacity, &f.Confirmed, &f.Waitlisted, &f.Pending,
			&f.Cancelled, &f.MailFailed, &f.MailQueued); err != nil {
			return nil, err
		}
		f.Title, f.StartsAt, f.Capacity = scanText(title), parseTime(start), intPtr(capacity)
		out = append(out, f)
	}
	return out, rows.Err()
}
