package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/foyer-events/foyer/internal/registration"
)

// Places and waiting lists. Every change that takes or frees a place runs
// these inside its own transaction on the single writer, so the counts they
// read cannot move under them.

// addSeats signs a registration up for sessions. A confirmed registration
// takes a free seat or joins the session's queue; a pending or waitlisted one
// queues for every session, and is seated when it is confirmed.
func addSeats(ctx context.Context, tx *writeTx, ev *Event, regID int64, status string, sessions []string) ([]registration.Seat, error) {
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

func sessionHasRoom(ctx context.Context, tx *writeTx, ev *Event, key string, sessionID int64) (bool, error) {
	se := ev.Session(key)
	if se == nil || se.Capacity == nil {
		return true, nil
	}
	taken, err := queryInt(ctx, tx, "SELECT confirmed FROM sessions WHERE id = ?", sessionID)
	return taken < *se.Capacity, err
}

func queryInt(ctx context.Context, tx *writeTx, query string, args ...any) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

// eventFull tells whether ev has a capacity that its confirmed guests fill.
func eventFull(ctx context.Context, tx *writeTx, ev *Event) (bool, error) {
	if ev.Capacity == nil {
		return false, nil
	}
	taken, err := queryInt(ctx, tx, "SELECT confirmed FROM events WHERE id = ?", ev.ID)
	return err == nil && taken >= *ev.Capacity, err
}

// rebalance fills free places from the waiting lists, oldest first: event
// places first, then session seats of confirmed registrations. Everyone
// promoted gets a "promoted" email. It runs inside the transaction of every
// change that can free a place.
func rebalance(ctx context.Context, tx *writeTx, ev *Event) error {
	// Everyone moved up, to a place or only to a seat, gets one email.
	promoted := map[int64]struct{}{}
	for {
		full, err := eventFull(ctx, tx, ev)
		if err != nil {
			return err
		}
		if full {
			break
		}
		var id int64
		err = tx.QueryRowContext(ctx, `SELECT id FROM registrations WHERE event_id = ? AND status = 'waitlisted'
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
		if err := enqueueMail(ctx, tx, id, registration.MailPromoted); err != nil {
			return err
		}
	}
	return nil
}
