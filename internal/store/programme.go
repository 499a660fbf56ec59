package store

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/foyer-events/foyer/internal/programme"
)

// Event is a stored programme with what only the server knows about it.
type Event struct {
	ID int64
	*programme.Event
	// TicketKey signs this event's tickets; TicketPublicKey verifies them.
	TicketKey       ed25519.PrivateKey
	TicketPublicKey ed25519.PublicKey
	// SessionIDs maps session ids of programme JSON to row ids.
	SessionIDs map[string]int64
	// Version changes whenever the programme does (its updated_at), so
	// anything derived from it can be cached under it.
	Version string
}

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
	err = s.tx(ctx, func(tx *sql.Tx) error {
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
		saved, err := loadEvent(ctx, tx, e.Slug)
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

func saveProgramme(ctx context.Context, tx *sql.Tx, eventID int64, e *programme.Event) error {
	r := e.Registration
	privacyVersion := r.PrivacyVersion
	if privacyVersion == "" {
		privacyVersion = "1"
	}
	_, err := tx.ExecContext(ctx, `UPDATE events SET title = ?, subtitle = ?, description = ?, venue_name = ?,
		venue_address = ?, timezone = ?, starts_at = ?, ends_at = ?, status = ?, capacity = ?, default_language = ?,
		reg_mode = ?, reg_opens_at = ?, reg_closes_at = ?, waitlist = ?, privacy_version = ?, privacy_text = ?,
		updated_at = ? WHERE id = ?`,
		jsonText(e.Title), jsonText(e.Subtitle), jsonText(e.Description), e.Venue.Name, e.Venue.Address,
		e.Timezone, formatTime(e.StartsAt.Time), formatTime(e.EndsAt.Time), e.Status, e.Capacity, e.DefaultLanguage,
		r.Mode, nullTime(r.OpensAt.Time), nullTime(r.ClosesAt.Time), r.Waitlist, privacyVersion, jsonText(r.PrivacyText),
		now(), eventID)
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
		args := []any{sp.Name, sp.NativeName, sp.Organisation, sp.JobTitle, sp.Country, jsonText(sp.Bio), sp.Photo, sp.Email, i}
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
		args := []any{se.Kind, room, se.Track, se.Language, se.Capacity, formatTime(se.StartsAt.Time),
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

func keyedIDs(ctx context.Context, tx *sql.Tx, query string, args ...any) (map[string]int64, error) {
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

func scanText(s string) programme.Text {
	var t programme.Text
	json.Unmarshal([]byte(s), &t)
	if len(t) == 0 {
		return nil
	}
	return t
}

// EventSlugs lists the slugs of all events, published ones only if asked,
// soonest first.
func (s *Store) EventSlugs(ctx context.Context, publishedOnly bool) ([]string, error) {
	q := "SELECT slug FROM events"
	if publishedOnly {
		q += " WHERE status = 'published'"
	}
	rows, err := s.read.QueryContext(ctx, q+" ORDER BY starts_at, slug")
	if err != nil {
		return nil, fmt.Errorf("store: list events: %w", err)
	}
	defer rows.Close()
	var slugs []string
	for rows.Next() {
		var slug string
		if err := rows.Scan(&slug); err != nil {
			return nil, err
		}
		slugs = append(slugs, slug)
	}
	return slugs, rows.Err()
}

// eventCache keeps loaded programmes, so that a page or a registration
// does not cost six queries. An entry is trusted for eventRecheck; after
// that one indexed lookup of the event's updated_at tells whether it still
// holds. Changes made through this process drop the entry at once; one made
// by another process (foyer import next to the server) shows within
// eventRecheck.
type eventCache struct {
	mu      sync.Mutex
	entries map[string]*cachedEvent
}

type cachedEvent struct {
	ev      *Event
	checked time.Time
}

const eventRecheck = time.Second

// GetEvent returns the whole programme of the event with that slug, its
// times in the event's time zone, or ErrNotFound. The Event may be shared
// with other callers: treat it as read-only.
func (s *Store) GetEvent(ctx context.Context, slug string) (*Event, error) {
	c := &s.events
	c.mu.Lock()
	entry := c.entries[slug]
	c.mu.Unlock()
	if entry != nil && time.Since(entry.checked) < eventRecheck {
		return entry.ev, nil
	}
	var stamp string
	err := s.read.QueryRowContext(ctx, "SELECT updated_at FROM events WHERE slug = ?", slug).Scan(&stamp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: get event %s: %w", slug, err)
	}
	var ev *Event
	if entry != nil && entry.ev.Version == stamp {
		ev = entry.ev
	} else if ev, err = s.loadEventFresh(ctx, slug); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]*cachedEvent{}
	}
	c.entries[slug] = &cachedEvent{ev: ev, checked: time.Now()}
	c.mu.Unlock()
	return ev, nil
}

// forget drops a cached programme after this process changed it.
func (c *eventCache) forget(slug string) {
	c.mu.Lock()
	delete(c.entries, slug)
	c.mu.Unlock()
}

// loadEventFresh reads the programme, its Version included, in one read
// transaction, so the version belongs to what was read.
func (s *Store) loadEventFresh(ctx context.Context, slug string) (*Event, error) {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: get event: %w", err)
	}
	defer tx.Rollback()
	ev, err := loadEvent(ctx, tx, slug)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: get event %s: %w", slug, err)
	}
	return ev, nil
}

func loadEvent(ctx context.Context, tx *sql.Tx, slug string) (*Event, error) {
	e := &programme.Event{Slug: slug}
	ev := &Event{Event: e, SessionIDs: map[string]int64{}}
	var title, subtitle, description, privacyText, startsAt, endsAt string
	var opens, closes sql.NullString
	var capacity sql.NullInt64
	var priv, pub []byte
	err := tx.QueryRowContext(ctx, `SELECT id, title, subtitle, description, venue_name, venue_address, timezone,
		starts_at, ends_at, status, capacity, default_language, reg_mode, reg_opens_at, reg_closes_at, waitlist,
		privacy_version, privacy_text, ticket_private_key, ticket_public_key, updated_at FROM events WHERE slug = ?`, slug).Scan(
		&ev.ID, &title, &subtitle, &description, &e.Venue.Name, &e.Venue.Address, &e.Timezone, &startsAt, &endsAt,
		&e.Status, &capacity, &e.DefaultLanguage, &e.Registration.Mode, &opens, &closes, &e.Registration.Waitlist,
		&e.Registration.PrivacyVersion, &privacyText, &priv, &pub, &ev.Version)
	if err != nil {
		return nil, err
	}
	e.Title, e.Subtitle, e.Description = scanText(title), scanText(subtitle), scanText(description)
	e.Registration.PrivacyText = scanText(privacyText)
	e.StartsAt, e.EndsAt = programme.At(parseTime(startsAt)), programme.At(parseTime(endsAt))
	e.Registration.OpensAt, e.Registration.ClosesAt = programme.At(parseNullTime(opens)), programme.At(parseNullTime(closes))
	e.Capacity = intPtr(capacity)
	ev.TicketKey, ev.TicketPublicKey = ed25519.PrivateKey(priv), ed25519.PublicKey(pub)

	rooms := map[int64]string{}
	rows, err := tx.QueryContext(ctx, "SELECT id, slug, name, capacity FROM rooms WHERE event_id = ? ORDER BY position", ev.ID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var r programme.Room
		var name string
		var c sql.NullInt64
		if err := rows.Scan(&id, &r.Slug, &name, &c); err != nil {
			rows.Close()
			return nil, err
		}
		r.Name, r.Capacity = scanText(name), intPtr(c)
		rooms[id] = r.Slug
		e.Rooms = append(e.Rooms, r)
	}
	rows.Close()

	speakers := map[int64]string{}
	rows, err = tx.QueryContext(ctx, `SELECT id, key, name, native_name, organisation, job_title, country, bio, photo, email
		FROM speakers WHERE event_id = ? ORDER BY position`, ev.ID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var sp programme.Speaker
		var bio string
		if err := rows.Scan(&id, &sp.ID, &sp.Name, &sp.NativeName, &sp.Organisation, &sp.JobTitle, &sp.Country, &bio, &sp.Photo, &sp.Email); err != nil {
			rows.Close()
			return nil, err
		}
		sp.Bio = scanText(bio)
		speakers[id] = sp.ID
		e.Speakers = append(e.Speakers, sp)
	}
	rows.Close()

	index := map[int64]int{}
	rows, err = tx.QueryContext(ctx, `SELECT id, key, kind, room_id, track, language, capacity, starts_at, ends_at, title, abstract
		FROM sessions WHERE event_id = ? ORDER BY position`, ev.ID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var se programme.Session
		var room sql.NullInt64
		var c sql.NullInt64
		var start, end, title, abstract string
		if err := rows.Scan(&id, &se.ID, &se.Kind, &room, &se.Track, &se.Language, &c, &start, &end, &title, &abstract); err != nil {
			rows.Close()
			return nil, err
		}
		if room.Valid {
			se.Room = rooms[room.Int64]
		}
		se.Capacity = intPtr(c)
		se.StartsAt, se.EndsAt = programme.At(parseTime(start)), programme.At(parseTime(end))
		se.Title, se.Abstract = scanText(title), scanText(abstract)
		ev.SessionIDs[se.ID] = id
		index[id] = len(e.Sessions)
		e.Sessions = append(e.Sessions, se)
	}
	rows.Close()

	rows, err = tx.QueryContext(ctx, `SELECT ss.session_id, ss.speaker_id, ss.role FROM session_speakers ss
		JOIN sessions s ON s.id = ss.session_id WHERE s.event_id = ? ORDER BY ss.session_id, ss.position`, ev.ID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var sessionID, speakerID int64
		var role string
		if err := rows.Scan(&sessionID, &speakerID, &role); err != nil {
			rows.Close()
			return nil, err
		}
		se := &e.Sessions[index[sessionID]]
		se.Speakers = append(se.Speakers, programme.SessionSpeaker{Speaker: speakers[speakerID], Role: role})
	}
	rows.Close()

	rows, err = tx.QueryContext(ctx, "SELECT key, type, required, label, options FROM questions WHERE event_id = ? ORDER BY position", ev.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var q programme.Question
		var label, options string
		if err := rows.Scan(&q.ID, &q.Type, &q.Required, &label, &options); err != nil {
			return nil, err
		}
		q.Label = scanText(label)
		json.Unmarshal([]byte(options), &q.Options)
		if len(q.Options) == 0 {
			q.Options = nil
		}
		e.Questions = append(e.Questions, q)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	e.InZone()
	return ev, nil
}

func intPtr(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

// IsProgrammeConflict reports whether err is a programme change the stored
// data refuses.
func IsProgrammeConflict(err error) (*ErrProgramme, bool) {
	var p *ErrProgramme
	ok := errors.As(err, &p)
	return p, ok
}
