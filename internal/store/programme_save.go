package store

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/foyer-events/foyer/internal/programme"
)

// ErrProgramme wraps a programme change that the stored data does not allow,
// such as removing a session that attendees have signed up for.
type ErrProgramme struct{ Problems []programme.Problem }

func (e *ErrProgramme) Error() string {
	return (&programme.Error{Problems: e.Problems}).Error()
}

// SaveEvent creates the event or, when its slug exists, updates it in place:
// rooms, speakers, sessions and questions are matched by their ids, so sign-ups
// and links stay attached. Places that a higher capacity frees go to the
// waiting lists, in order. It returns whether the event was created. The event
// must have passed Validate.
func (s *Store) SaveEvent(ctx context.Context, e *programme.Event) (created bool, err error) {
	err = s.tx(ctx, func(tx *writeTx) error {
		var id int64
		err := tx.QueryRowContext(ctx, "SELECT id FROM events WHERE slug = ?", e.Slug).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			created = true
			pub, priv, err := ed25519.GenerateKey(rand.Reader)
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO events (slug, title, timezone, starts_at, ends_at, status,
				default_language, ticket_private_key, ticket_public_key, created_at, updated_at)
				VALUES (?, '{}', 'UTC', '', '', 'draft', 'en', ?, ?, ?, ?)`,
				e.Slug, []byte(priv), []byte(pub), now(), now())
			if err != nil {
				return err
			}
			id, _ = res.LastInsertId()
		case err != nil:
			return err
		}
		if err := saveProgramme(ctx, tx, id, e); err != nil {
			return err
		}
		// A raised capacity takes guests from the waiting lists at once.
		saved, err := loadEvent(ctx, tx.Tx, e.Slug)
		if err != nil {
			return err
		}
		return rebalance(ctx, tx, saved)
	})
	s.events.forget(e.Slug)
	if err != nil {
		return false, fmt.Errorf("store: save event %s: %w", e.Slug, err)
	}
	return created, nil
}

func saveProgramme(ctx context.Context, tx *writeTx, eventID int64, e *programme.Event) error {
	r := e.Registration
	privacyVersion := r.PrivacyVersion
	if privacyVersion == "" {
		privacyVersion = "1"
	}
	_, err := tx.ExecContext(ctx, `UPDATE events SET title = ?, subtitle = ?, description = ?, venue_name = ?,
		venue_address = ?, timezone = ?, starts_at = ?, ends_at = ?, status = ?, capacity = ?, default_language = ?,
		reg_mode = ?, reg_opens_at = ?, reg_closes_at = ?, waitlist = ?, privacy_version = ?, privacy_text = ?,
		focus_countries = ?, updated_at = ? WHERE id = ?`,
		jsonText(e.Title), jsonText(e.Subtitle), jsonText(e.Description), jsonText(e.Venue.Name), jsonText(e.Venue.Address),
		e.Timezone, formatTime(e.StartsAt.Time), formatTime(e.EndsAt.Time), e.Status, e.Capacity, e.DefaultLanguage,
		r.Mode, nullTime(r.OpensAt.Time), nullTime(r.ClosesAt.Time), r.Waitlist, privacyVersion, jsonText(r.PrivacyText),
		jsonList(r.FocusCountries), now(), eventID)
	if err != nil {
		return err
	}

	// Rooms first: sessions refer to them.
	roomIDs, err := keyedIDs(ctx, tx, "SELECT slug, id FROM rooms WHERE event_id = ?", eventID)
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	for i, room := range e.Rooms {
		keep[room.Slug] = true
		if id, ok := roomIDs[room.Slug]; ok {
			_, err = tx.ExecContext(ctx, "UPDATE rooms SET name = ?, capacity = ?, position = ? WHERE id = ?",
				jsonText(room.Name), room.Capacity, i, id)
		} else {
			var res sql.Result
			res, err = tx.ExecContext(ctx, "INSERT INTO rooms (event_id, slug, name, capacity, position) VALUES (?, ?, ?, ?, ?)",
				eventID, room.Slug, jsonText(room.Name), room.Capacity, i)
			if err == nil {
				roomIDs[room.Slug], _ = res.LastInsertId()
			}
		}
		if err != nil {
			return err
		}
	}

	speakerIDs, err := keyedIDs(ctx, tx, "SELECT key, id FROM speakers WHERE event_id = ?", eventID)
	if err != nil {
		return err
	}
	keepSpeakers := map[string]bool{}
	for i, sp := range e.Speakers {
		keepSpeakers[sp.ID] = true
		args := []any{sp.Name, sp.NativeName, jsonText(sp.Organisation), jsonText(sp.JobTitle), sp.Country, jsonText(sp.Bio), sp.Photo, sp.Email, i}
		if id, ok := speakerIDs[sp.ID]; ok {
			_, err = tx.ExecContext(ctx, `UPDATE speakers SET name = ?, native_name = ?, organisation = ?, job_title = ?,
				country = ?, bio = ?, photo = ?, email = ?, position = ? WHERE id = ?`, append(args, id)...)
		} else {
			var res sql.Result
			res, err = tx.ExecContext(ctx, `INSERT INTO speakers (name, native_name, organisation, job_title, country, bio,
				photo, email, position, event_id, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(args, eventID, sp.ID)...)
			if err == nil {
				speakerIDs[sp.ID], _ = res.LastInsertId()
			}
		}
		if err != nil {
			return err
		}
	}

	sessionIDs, err := keyedIDs(ctx, tx, "SELECT key, id FROM sessions WHERE event_id = ?", eventID)
	if err != nil {
		return err
	}
	keepSessions := map[string]bool{}
	for i, se := range e.Sessions {
		keepSessions[se.ID] = true
		var room any
		if se.Room != "" {
			room = roomIDs[se.Room]
		}
		args := []any{se.Kind, room, jsonText(se.Track), se.Language, se.Capacity, formatTime(se.StartsAt.Time),
			formatTime(se.EndsAt.Time), jsonText(se.Title), jsonText(se.Abstract), i}
		id, ok := sessionIDs[se.ID]
		if ok {
			_, err = tx.ExecContext(ctx, `UPDATE sessions SET kind = ?, room_id = ?, track = ?, language = ?, capacity = ?,
				starts_at = ?, ends_at = ?, title = ?, abstract = ?, position = ? WHERE id = ?`, append(args, id)...)
		} else {
			var res sql.Result
			res, err = tx.ExecContext(ctx, `INSERT INTO sessions (kind, room_id, track, language, capacity, starts_at,
				ends_at, title, abstract, position, event_id, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				append(args, eventID, se.ID)...)
			if err == nil {
				id, _ = res.LastInsertId()
			}
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM session_speakers WHERE session_id = ?", id); err != nil {
			return err
		}
		for j, ss := range se.Speakers {
			_, err := tx.ExecContext(ctx, "INSERT INTO session_speakers (session_id, speaker_id, role, position) VALUES (?, ?, ?, ?)",
				id, speakerIDs[ss.Speaker], ss.Role, j)
			if err != nil {
				return err
			}
		}
	}

	// Remove what the new programme no longer has, refusing to drop a session
	// that attendees have signed up for.
	var problems []programme.Problem
	for key, id := range sessionIDs {
		if keepSessions[key] {
			continue
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM registration_sessions WHERE session_id = ?", id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			problems = append(problems, programme.Problem{Where: fmt.Sprintf("sessions %q", key),
				Message: fmt.Sprintf("missing from the file but %d attendees signed up for it; keep it or move them first", n)})
			continue
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE id = ?", id); err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		return &ErrProgramme{Problems: problems}
	}
	for key, id := range speakerIDs {
		if !keepSpeakers[key] {
			if _, err := tx.ExecContext(ctx, "DELETE FROM speakers WHERE id = ?", id); err != nil {
				return err
			}
		}
	}
	for slug, id := range roomIDs {
		if !keep[slug] {
			if _, err := tx.ExecContext(ctx, "DELETE FROM rooms WHERE id = ?", id); err != nil {
				return err
			}
		}
	}

	questionIDs, err := keyedIDs(ctx, tx, "SELECT key, id FROM questions WHERE event_id = ?", eventID)
	if err != nil {
		return err
	}
	keepQuestions := map[string]bool{}
	for i, q := range e.Questions {
		keepQuestions[q.ID] = true
		options := q.Options
		if options == nil {
			options = []programme.Option{}
		}
		args := []any{q.Type, q.Required, jsonText(q.Label), jsonText(options), i}
		if id, ok := questionIDs[q.ID]; ok {
			_, err = tx.ExecContext(ctx, "UPDATE questions SET type = ?, required = ?, label = ?, options = ?, position = ? WHERE id = ?",
				append(args, id)...)
		} else {
			_, err = tx.ExecContext(ctx, "INSERT INTO questions (type, required, label, options, position, event_id, key) VALUES (?, ?, ?, ?, ?, ?, ?)",
				append(args, eventID, q.ID)...)
		}
		if err != nil {
			return err
		}
	}
	for key, id := range questionIDs {
		if !keepQuestions[key] {
			if _, err := tx.ExecContext(ctx, "DELETE FROM questions WHERE id = ?", id); err != nil {
				return err
			}
		}
	}
	return nil
}

func keyedIDs(ctx context.Context, tx *writeTx, query string, args ...any) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := map[string]int64{}
	for rows.Next() {
		var k string
		var id int64
		if err := rows.Scan(&k, &id); err != nil {
			return nil, err
		}
		ids[k] = id
	}
	return ids, rows.Err()
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return "{}"
	}
	return string(b)
}

// jsonList stores a list as a JSON array, [] when empty.
func jsonList(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	return jsonText(l)
}

func scanText(s string) programme.Text {
	var t programme.Text
	json.Unmarshal([]byte(s), &t)
	if len(t) == 0 {
		return nil
	}
	return t
}

// IsProgrammeConflict reports whether err is a programme change the stored
// data refuses.
func IsProgrammeConflict(err error) (*ErrProgramme, bool) {
	var p *ErrProgramme
	ok := errors.As(err, &p)
	return p, ok
}
